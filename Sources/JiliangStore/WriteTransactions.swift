import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import SQLiteNIO

/// The one way the store opens a write transaction (issue #17, item 12). Every write path — API,
/// pages, jobs, the ledger, the import — goes through `writeTransaction` (directly or through
/// `auditedTransaction`), so concurrency is handled here and nowhere else:
///
/// - **SQLite** (WAL): Fluent starts `BEGIN DEFERRED`. A transaction that has read and then
///   writes after another connection committed gets SQLITE_BUSY_SNAPSHOT at once — the busy
///   handler is not consulted, since waiting cannot help a stale snapshot — and the caller saw a
///   500. So the first statement of every write transaction takes the write lock (a `DELETE` that
///   matches nothing, which SQLite compiles as a write): from then on the transaction holds the
///   one writer slot, exactly as `BEGIN IMMEDIATE` would, and other writers wait instead of
///   failing: a replayable one by asking again after a short sleep, holding neither its connection
///   nor a thread meanwhile; one that cannot run twice (the import) in SQLite's busy handler.
///   Fluent's driver offers no way to choose the `BEGIN` kind.
/// - **PostgreSQL** (READ COMMITTED): two transactions that update the same kept-count rows in a
///   different order can deadlock (40P01); the loser is retried whole.
///
/// A transaction refused for one of these reasons was rolled back whole, so running it again from
/// the start is safe — provided the body builds what it writes inside itself (a model created
/// outside and saved inside would be "already created" on the second run).
extension Database {
    /// How long SQLite waits for another writer, unless a write says otherwise (milliseconds).
    public static var busyTimeoutMs: Int { WriteContention.busyTimeoutMs }

    /// `replayable: false` for a body that cannot run twice (the import reads its rows from a
    /// stream): contention then fails it instead of running it again on what is left — the import
    /// job is run again whole, with a fresh stream (`JobWorker`). `busyTimeoutMs`: how long a write
    /// waits for another writer on SQLite before it answers SQLITE_BUSY — for a replayable write by
    /// asking again (below), for one that cannot run twice in SQLite's busy handler.
    public func writeTransaction<T: Sendable>(
        replayable: Bool = true, busyTimeoutMs: Int = busyTimeoutMs, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        // Inside a transaction already: the outermost one holds the lock and owns the retry.
        if inTransaction { return try await body(self) }
        guard let gate = writeGate else {
            // PostgreSQL (every SQLite store's pools are gated: `Store.gated`), on a connection
            // looked at before every statement (`LiveConnection`).
            guard self is any PostgresDatabase else {
                // None today: a SQLite pool opened outside `Store` would have no gate.
                guard replayable else { return try await transaction(body) }
                return try await retryingWhenBusy { try await self.transaction(body) }
            }
            guard replayable else { return try await postgresTransaction(body) }
            return try await retryingWhenBusy { try await postgresTransaction(body) }
        }
        let attempt = { (busyTimeoutMs: Int) in
            try await self.transaction { tx in
                let sql = tx as! any SQLDatabase
                // SQLiteNIO's busy handler retries at once and for ever, holding a core and a
                // pool connection while another writer works; SQLite's own sleeps between tries
                // and gives up after the timeout with SQLITE_BUSY (0 for a replayable write,
                // which asks again itself; answered 503 in the end). Set per connection, on every
                // write: cheap, and the pool's connections are opened out of our sight.
                try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(max(0, busyTimeoutMs)))").run()
                if let conn = tx as? any SQLiteDatabase {
                    // Its writes are the gate's holder's (the others are strays: `WriteGate.wrote`).
                    let id = try await conn.withConnection { ObjectIdentifier($0) }
                    gate.held(on: id)
                }
                guard busyTimeoutMs != Self.busyTimeoutMs else {
                    try await sql.raw(#"DELETE FROM "_fluent_migrations" WHERE 0"#).run()
                    return try await body(tx)
                }
                // A setting of the pooled connection: put back for the writes after this one.
                do {
                    try await sql.raw(#"DELETE FROM "_fluent_migrations" WHERE 0"#).run()
                    let result = try await body(tx)
                    try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.busyTimeoutMs))").run()
                    return result
                } catch {
                    try? await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.busyTimeoutMs))").run()
                    throw error
                }
            }
        }
        // SQLite: this process's writes take the file's lock in turn (`WriteGate`); holding the
        // gate, a write meets SQLite's lock only when another process writes the file.
        let deadline = ContinuousClock.now + .milliseconds(max(0, busyTimeoutMs))
        return try await gate.withPermit(until: deadline) {
            guard replayable else {
                // What is left of its timeout, waited in SQLite's busy handler (another process).
                return try await attempt(max(0, Int((deadline - ContinuousClock.now) / .milliseconds(1))))
            }
            return try await sqliteRetrying(until: deadline, attempt)
        }
    }

    /// SQLite, holding the gate: asks for the file's lock without waiting until `deadline` (another
    /// process may hold it: a CLI import), sleeping a few milliseconds between tries — a task's
    /// sleep, holding no thread. Waiting in SQLite's busy handler instead held a thread of NIO's
    /// blocking pool, which has one per core: two waiting writes stopped the import itself (a
    /// million rows took 124 s, not 40).
    private func sqliteRetrying<T: Sendable>(
        until deadline: ContinuousClock.Instant, _ attempt: (Int) async throws -> T
    ) async throws -> T {
        while true {
            do {
                return try await attempt(0)
            } catch where WriteContention.isContention(error) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
            }
        }
    }



    /// `writeTransaction`, keeping the acting `Audit.actor`: Fluent runs the closure from an
    /// event-loop callback, outside the caller's task, where task-local values are gone.
    public func auditedTransaction<T: Sendable>(
        replayable: Bool = true, busyTimeoutMs: Int = busyTimeoutMs, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        let actor = Audit.actor
        return try await writeTransaction(replayable: replayable, busyTimeoutMs: busyTimeoutMs) { tx in try await Audit.$actor.withValue(actor) { try await body(tx) } }
    }

    /// Runs `body` again when the database refused it for contention alone (see above); gives up
    /// after `attempts` with the database's own error.
    public func retryingWhenBusy<T: Sendable>(attempts: Int = 20, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch where attempt < attempts && WriteContention.isContention(error) {
                attempt += 1
                // Jittered back-off, so that the same two writers do not collide again in step.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * min(attempt, 10)))))
            }
        }
    }
}

/// Which database errors mean "another writer was in the way", not "this write is wrong".
public enum WriteContention {
    /// How long SQLite waits for another writer by default (milliseconds): every pooled
    /// connection's setting (`Store.prepareConnections`) and every write transaction's.
    public static let busyTimeoutMs = 30_000

    public static func isContention(_ error: any Error) -> Bool {
        if error is WriteGate.Timeout { return true }
        if let e = error as? SQLiteError {
            switch e.reason {
            case .busy, .busyInSnapshot, .busyTimeout, .busyInRecovery, .locked, .lockedBySharedCache: return true
            default: return false
            }
        }
        if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] {
            // serialization_failure, deadlock_detected
            return state == "40001" || state == "40P01"
        }
        return false
    }
}
