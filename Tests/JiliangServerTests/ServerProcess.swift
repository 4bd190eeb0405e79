import Foundation
import JiliangStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `jiliang serve` process on a test's database (the built binary, as `CLITests` runs it),
/// for what only a process can show: a SIGKILL, a restart, the log it writes.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    init(port: Int, location: DatabaseLocation, dir: String, arguments extra: [String] = [], output: String? = nil) throws {
        self.port = port
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        var args = ["serve", "--port", String(port), "--ledger-key", dir + "/ledger.key", "--no-background"]
        switch location {
        case .sqliteFile(let path): args += ["--sqlite", path]
        case .postgres(let url): env["DATABASE_URL"] = url
        default: break
        }
        process.arguments = args + extra
        process.environment = env
        if let output { FileManager.default.createFile(atPath: output, contents: nil) }
        process.standardOutput = FileHandle(forWritingAtPath: output ?? "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    func waitUntilServing() async throws {
        for _ in 0..<240 {
            if let (_, r) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v1/health")!),
               (r as? HTTPURLResponse)?.statusCode == 200 { return }
            guard process.isRunning else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CancellationError()
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
