import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// Another program run to its end: a PostgreSQL client tool for a backup, a loader for a benchmark,
/// and in the tests the `jiliang` binary and a few Debian tools.
///
/// Through swift-subprocess, not Foundation's `Process`: on Linux, the Foundation of Swift 6.3.1
/// lists /proc/self/fd before every launch and copies each entry's whole 256-byte name field, which
/// can read past glibc's buffer into an unmapped page and kill the caller with SIGSEGV
/// (swift-corelibs-foundation pull request 5472, merged after 6.3.1). The SQLite test suite
/// crashed on it twice in a row, in a CLI test, on 2026-12-08.
public enum ChildProcess {
    public struct Outcome: Sendable {
        /// The exit code; 128 + the signal's number for a program a signal ended (as a shell says).
        public var status: Int32
        public var output: [UInt8]
        /// Empty when the errors were asked for in the output (`errorsIntoOutput`).
        public var errors: [UInt8]

        public var text: String { String(decoding: output, as: UTF8.self) }
        public var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    /// The most either stream may bring back: a larger answer is an error, not a truncated one.
    /// (swift-subprocess reserves this much for each stream before it reads: keep it modest.)
    public static let outputLimit = 32 << 20

    /// Runs `path` with `arguments`, writes `input` to its standard input, and collects both of its
    /// streams (at once, so a program that writes much to both cannot stall on a full pipe).
    /// `environment` nil: this process's own.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        input: [UInt8] = [], errorsIntoOutput: Bool = false
    ) async throws -> Outcome {
        let env = Self.environment(environment)
        let directory = workingDirectory.map { FilePath($0) }
        if errorsIntoOutput {
            let r = try await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(arguments), environment: env, workingDirectory: directory,
                input: .array(input), output: .bytes(limit: outputLimit), error: .combinedWithOutput)
            return Outcome(status: code(r.terminationStatus), output: r.standardOutput, errors: [])
        }
        let r = try await Subprocess.run(
            .path(FilePath(path)), arguments: Arguments(arguments), environment: env, workingDirectory: directory,
            input: .array(input), output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
        return Outcome(status: code(r.terminationStatus), output: r.standardOutput, errors: r.standardError)
    }

    /// The given variables only, or (nil) this process's own.
    static func environment(_ values: [String: String]?) -> Environment {
        guard let values else { return .inherit }
        return .custom(Dictionary(values.compactMap { k, v in Environment.Key(rawValue: k).map { ($0, v) } }, uniquingKeysWith: { a, _ in a }))
    }

    static func code(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

extension ChildProcess {
    /// A program started and left running — a server under test, a witness — until it is signalled
    /// or ends by itself. A task of its own waits for its end and reaps it.
    public final class Running: Sendable {
        public let pid: Int32
        private let task: Task<End, any Error>
        /// Set when its task has seen it end and reaped it: from then on its pid may be another
        /// process's, so it is neither looked up nor signalled again.
        private let reaped: Flag

        final class Flag: Sendable {
            private let value = Mutex(false)
            func set() { value.withLock { $0 = true } }
            var isSet: Bool { value.withLock { $0 } }
        }

        fileprivate init(pid: Int32, task: Task<End, any Error>, reaped: Flag) {
            self.pid = pid
            self.task = task
            self.reaped = reaped
        }

        /// How a program ended: with an exit code, or on a signal.
        public enum End: Sendable, Equatable {
            case exited(Int32)
            case signalled(Int32)
        }

        /// Waits for its end (and its reaping).
        public func end() async throws -> End { try await task.value }

        /// Whether it has ended: gone, or a zombie not yet reaped (its state in /proc says Z).
        public var hasEnded: Bool {
            if reaped.isSet { return true }
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return true }
            return stat[close...].dropFirst(2).first == "Z"
        }

        public func signal(_ number: Int32) { if !reaped.isSet { _ = kill(pid, number) } }

        /// Blocks until it has ended, looking every 10 ms: for a test's `defer`, which cannot wait
        /// for a task, and without needing a thread of the cooperative pool.
        public func waitUntilEnded() {
            while !hasEnded { usleep(10_000) }
        }
    }

    /// Starts `path` with both of its streams written to files (nil: discarded); answers once it
    /// runs. `environment` nil: this process's own.
    public static func start(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        output: String? = nil, errors: String? = nil
    ) async throws -> Running {
        let env = Self.environment(environment)
        func file(_ path: String?) throws -> FileDescriptor {
            try FileDescriptor.open(
                FilePath(path ?? "/dev/null"), .writeOnly, options: path == nil ? [] : [.create, .truncate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        }
        let out = try file(output)
        let err: FileDescriptor
        do { err = try file(errors) } catch {
            try? out.close()
            throw error
        }
        let (started, startedSink) = AsyncStream.makeStream(of: Int32.self)
        let reaped = Running.Flag()
        let task = Task { () throws -> Running.End in
            defer {
                reaped.set()
                startedSink.finish()
            }
            let result = try await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(arguments), environment: env, workingDirectory: workingDirectory.map { FilePath($0) },
                input: .none, output: .fileDescriptor(out, closeAfterSpawningProcess: true),
                error: .fileDescriptor(err, closeAfterSpawningProcess: true)
            ) { execution in
                // Answered at once: `run` then waits for the program's end, and reaps it.
                startedSink.yield(execution.processIdentifier.value)
            }
            switch result.terminationStatus {
            case .exited(let code): return .exited(code)
            case .signaled(let signal): return .signalled(signal)
            }
        }
        for await pid in started { return Running(pid: pid, task: task, reaped: reaped) }
        // Not started, or the caller was cancelled while it started: cancelling the task stops a
        // program that did start (swift-subprocess ends it) rather than leave it running unseen.
        task.cancel()
        _ = try await task.value  // its error, if it did not start
        throw NotStarted(path: path)
    }

    /// A program that ended before it could be seen running, without an error of its own.
    public struct NotStarted: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) did not start" }
    }
}
