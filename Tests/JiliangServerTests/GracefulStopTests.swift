import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// A server asked to stop (SIGTERM, as systemd and `docker stop` ask) while its job worker is in
/// the middle of a long job exits cleanly. The database pool used to close first and the worker,
/// stopping after it, stopped the process on the closed pool ("Unexpectedly found nil").
@Suite struct GracefulStopTests {
    @Test func aServerStoppedWhileItsWorkerRunsExitsCleanly() async throws {
        try await TestDatabase.withStore { store in
            // Enough instruments that the worker's first pass (the day's early warnings) is still
            // running when the stop comes (about 3 s after the server listens, on 2 idle cores).
            _ = try await DemoProvince(instruments: 6_000, seed: 3, today: CalendarDay("2026-11-26")!).load(into: store)
            let dir = NSTemporaryDirectory() + "jiliang-stop-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = dir + "/server.log"
            let server = try ServerProcess(
                port: ServerProcess.freePort(), location: store.location, dir: dir, background: true, arguments: ["--today", "2026-11-26"], output: log)
            try await server.waitUntilServing()
            // The worker is busy: the warnings run for the day has not finished.
            let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            #expect(!text().contains("early warnings for 2026-11-26"), "the worker finished before the stop; the test needs more instruments")
            // SIGTERM, then a minute at most: a stop that hangs is a failure, not a hung suite.
            server.process.terminate()
            for _ in 0..<600 where server.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            if server.process.isRunning {
                server.kill()
                Issue.record("the server did not stop within 60 s of SIGTERM")
                return
            }
            server.process.waitUntilExit()
            #expect(server.process.terminationReason == .exit, "the server stopped on a signal of its own, not by exiting")
            #expect(server.process.terminationStatus == 0)
            #expect(!text().contains("job worker: "), "the worker met the closed pool: \(text().suffix(600))")
        }
    }
}
