import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import VaporCSQLite

/// Read-only SQLite connections that keep their prepared statements between calls, for the public
/// lookup (the path millions of phones take). sqlite-nio prepares every statement anew, and parsing
/// this query cost more than running it (BENCHMARKS.md); a statement prepared once and reset after
/// each use does not. The same SQLite library as sqlite-nio (its `VaporCSQLite` module), so the two
/// share the file's locks correctly; each read is its own autocommit transaction in WAL mode and sees
/// every committed write. Calls run on NIO's blocking thread pool, never on the concurrency pool.
final class SQLiteLookupReader: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case sqlite(String)
        var description: String {
            switch self {
            case .sqlite(let m): "SQLite read: \(m)"
            }
        }
    }

    /// One connection and its statements; used by one thread at a time (taken from `idle`).
    final class Connection {
        let handle: OpaquePointer
        var statements: [String: OpaquePointer] = [:]

        /// SQLite's default ceiling for a memory map (`SQLITE_MAX_MMAP_SIZE`).
        static let mapBytes: Int64 = 0x7fff_0000

        init(path: String) throws {
            var h: OpaquePointer?
            let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
            guard sqlite_nio_sqlite3_open_v2(path, &h, flags, nil) == SQLITE_OK, let h else {
                if let h { sqlite_nio_sqlite3_close_v2(h) }
                throw Failure.sqlite("cannot open \(path) read-only")
            }
            sqlite_nio_sqlite3_busy_timeout(h, 5000)
            // Pages read through a memory map instead of `pread` into each connection's own cache:
            // no system call and no copy per page, and the connections share the kernel's copy.
            // Measured (BENCHMARKS.md, 2026-12-06, issue #23): the framework with this one read
            // answered 20–21k requests/s with `pread`, 25–27k with the map. SQLite caps the map at
            // its compile-time limit (2 GiB here); a larger file is read with `pread` beyond it.
            sqlite_nio_sqlite3_exec(h, "PRAGMA mmap_size = \(Self.mapBytes)", nil, nil, nil)
            handle = h
        }

        deinit {
            for s in statements.values { sqlite_nio_sqlite3_finalize(s) }
            sqlite_nio_sqlite3_close_v2(handle)
        }

        func statement(_ sql: String) throws -> OpaquePointer {
            if let s = statements[sql] { return s }
            var s: OpaquePointer?
            guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil) == SQLITE_OK, let s else {
                throw Failure.sqlite(String(cString: sqlite_nio_sqlite3_errmsg(handle)))
            }
            statements[sql] = s
            return s
        }

        /// How often SQLite had to prepare `sql` again since it was first prepared here (0 is the point).
        func reprepares(_ sql: String) -> Int32 {
            statements[sql].map { sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0) } ?? 0
        }

        /// Runs `sql` with text parameters and hands each row to `row` (columns read by index).
        func query(_ sql: String, _ parameters: [String], row: (Row) throws -> Void) throws {
            let s = try statement(sql)
            defer {
                sqlite_nio_sqlite3_reset(s)
                sqlite_nio_sqlite3_clear_bindings(s)
            }
            for (i, p) in parameters.enumerated() {
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                guard sqlite_nio_sqlite3_bind_text(s, Int32(i + 1), p, -1, transient) == SQLITE_OK else {
                    throw Failure.sqlite(String(cString: sqlite_nio_sqlite3_errmsg(handle)))
                }
            }
            while true {
                let rc = sqlite_nio_sqlite3_step(s)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else { throw Failure.sqlite(String(cString: sqlite_nio_sqlite3_errmsg(handle))) }
                try row(Row(statement: s))
            }
        }
    }

    struct Row {
        let statement: OpaquePointer
        func text(_ i: Int32) -> String? {
            guard sqlite_nio_sqlite3_column_type(statement, i) != SQLITE_NULL, let p = sqlite_nio_sqlite3_column_text(statement, i) else { return nil }
            return String(cString: p)
        }
        func int(_ i: Int32) -> Int64? {
            sqlite_nio_sqlite3_column_type(statement, i) == SQLITE_NULL ? nil : sqlite_nio_sqlite3_column_int64(statement, i)
        }
    }

    let path: String
    let idle = NIOLockedValueBox<[Connection]>([])

    init(path: String) { self.path = path }

    /// Borrows a connection on the blocking thread pool (opening one when none is idle).
    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            let c = try idle.withLockedValue { $0.popLast() } ?? Connection(path: path)
            defer { idle.withLockedValue { if $0.count < 16 { $0.append(c) } } }
            return try body(c)
        }
    }
}
