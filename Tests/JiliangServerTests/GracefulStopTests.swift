import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A server that stops while its job worker is in the middle of a long job exits as a process
/// should: cleanly when asked to (SIGTERM, as systemd and `docker stop` ask), with an error when it
/// cannot serve (its port taken). The database pool used to be one of the services: asked to stop,
/// it closed first; failing, the group cancelled everything at once; either way the worker, still
/// stopping, met the closed pool and the process died on a signal ("Unexpectedly found nil").
@Suite struct GracefulStopTests {
    /// A demo big enough that the worker's first pass (the day's early warnings) is still running
    /// about 3 s after the server listens (2 idle cores), and a server with its worker on it.
    static func busyServer(_ store: Store, dir: String, port: Int) async throws -> (ServerProcess, log: String, errors: String) {
        _ = try await DemoProvince(instruments: 6_000, seed: 3, today: CalendarDay("2026-11-26")!).load(into: store)
        let (log, errors) = (dir + "/server.log", dir + "/server.err")
        let server = try await ServerProcess(
            port: port, location: store.location, dir: dir, background: true, arguments: ["--today", "2026-11-26"], output: log, errors: errors)
        return (server, log, errors)
    }

    /// Waits a minute at most for the process to end: a stop that hangs is a failure, not a hung suite.
    static func ended(_ server: ServerProcess) async throws -> Bool {
        for _ in 0..<600 where !server.process.hasEnded { try await Task.sleep(for: .milliseconds(100)) }
        if !server.process.hasEnded {
            server.kill()
            return false
        }
        return true
    }

    static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "jiliang-stop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aServerStoppedWhileItsWorkerRunsExitsCleanly() async throws {
        try await TestDatabase.withStore { store in
            let dir = try Self.directory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let (server, log, _) = try await Self.busyServer(store, dir: dir, port: ServerProcess.freePort())
            try await server.waitUntilServing()
            let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            #expect(!text().contains("early warnings for 2026-11-26"), "the worker finished before the stop; the test needs more instruments")
            server.process.signal(SIGTERM)
            #expect(try await Self.ended(server), "the server did not stop within 60 s of SIGTERM")
            #expect(try await server.process.end() == .exited(0), "the server stopped on a signal of its own, or with an error")
            #expect(!text().contains("job worker: "), "the worker met the closed pool: \(text().suffix(600))")
        }
    }

    @Test func aServerWhosePortIsTakenExitsWithAnError() async throws {
        try await TestDatabase.withStore { store in
            let dir = try Self.directory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // Someone else listens on the port.
            let (fd, port) = try #require(ServerProcess.loopbackSocket(listening: true))
            defer { close(fd) }
            let (server, _, errors) = try await Self.busyServer(store, dir: dir, port: port)
            #expect(try await Self.ended(server), "the server did not give up within 60 s")
            let end = try await server.process.end()
            #expect(end != .exited(0), "the server exited as if it had served")
            if case .signalled(let signal) = end { Issue.record("the server died on signal \(signal) instead of saying why it stopped") }
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            #expect(said.contains("Address already in use"), "it stopped for another reason: \(said.suffix(400))")
        }
    }
}
