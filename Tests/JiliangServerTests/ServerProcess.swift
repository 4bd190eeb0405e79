import Foundation
import JiliangStore
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `jiliang serve` process on a test's database (the built binary, as `CLITests` runs it),
/// for what only a process can show: a SIGKILL, a restart, the log it writes.
final class ServerProcess: @unchecked Sendable {
    /// A port no one listens on now: the kernel's choice for a socket bound to port 0, closed again
    /// (a test suite running beside another cannot pick the same one; fixed ranges collided).
    static func freePort() -> Int {
        guard let (fd, port) = loopbackSocket(listening: false) else { return Int.random(in: 20_000...29_000) }
        close(fd)
        return port
    }

    /// A loopback TCP socket on a port the kernel chose, listening if asked; the caller closes it.
    static func loopbackSocket(listening: Bool) -> (fd: Int32, port: Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (!listening || listen(fd, 1) == 0) && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// The running server (through swift-subprocess: see `ChildProcess`).
    let process: ChildProcess.Running
    let port: Int
    /// `background`: run the job worker and the ledger sequencer too (off: the request path only).
    init(
        port: Int, location: DatabaseLocation, dir: String, background: Bool = false, arguments extra: [String] = [], output: String? = nil,
        errors: String? = nil
    ) async throws {
        self.port = port
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        var args = ["serve", "--port", String(port), "--ledger-key", dir + "/ledger.key"] + (background ? [] : ["--no-background"])
        switch location {
        case .sqliteFile(let path): args += ["--sqlite", path]
        case .postgres(let url): env["DATABASE_URL"] = url
        default: break
        }
        // The SQLite file and the ledger key (under `data/`) land in the test's directory, not the checkout.
        process = try await ChildProcess.start(CLITests.binary, args + extra, environment: env, workingDirectory: dir, output: output, errors: errors)
    }

    func waitUntilServing() async throws {
        for _ in 0..<240 {
            if let (_, r) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v1/health")!),
               (r as? HTTPURLResponse)?.statusCode == 200 { return }
            guard !process.hasEnded else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CancellationError()
    }

    func kill() {
        process.signal(SIGKILL)
        process.waitUntilEnded()
    }

    func stop() {
        if !process.hasEnded { process.signal(SIGTERM) }
        process.waitUntilEnded()
    }
}
