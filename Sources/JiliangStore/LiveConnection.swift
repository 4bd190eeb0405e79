import FluentKit
import FluentPostgresDriver
import Logging
import NIOCore
import SQLKit
import Synchronization

/// A PostgreSQL write transaction's connection, looked at before every statement (issue #22, the
/// failover test).
///
/// A statement written to a `PostgresConnection` whose channel has closed is lost without an
/// answer: PostgresNIO writes it with `promise: nil`, and once a channel is closed NIO has taken its
/// handlers away, so nothing fails the statement's promise. Its caller waited for ever — the
/// request was never answered, the pool's slot for the connection was never given back, and the
/// server could not stop (graceful shutdown waits for every request). A dying primary closes
/// every connection, and a transaction is mid-way on some of them: the failover test met it once
/// in five runs, and six primary kills under three writers met it twice. Fluent's own transaction
/// made it likelier: after any failure it sends `ROLLBACK` on the same connection.
///
/// So `writeTransaction` runs PostgreSQL's transactions itself on this wrapper: every statement —
/// the body's, and `BEGIN`, `COMMIT`, `ROLLBACK` — first asks whether the connection is still
/// open, and fails at once with `ConnectionLost` (answered 503, like any lost connection) when it
/// is not. The look and the write happen in one task on the connection's event loop: NIO marks a
/// closing channel inactive at once but takes its handlers away only in a later task, so a
/// statement written after a look that found the channel active still meets PostgresNIO's
/// handler, which fails it if the connection is closing. Driver-level work handed the connection
/// itself (COPY) may write from another task later; it is also failed when the connection closes
/// (`EndedConnectionTests`).
struct LiveConnection: Database, SQLDatabase, PostgresDatabase {
    /// The transaction's connection as Fluent hands it out (`withConnection`).
    let inner: any Database
    let connection: PostgresConnection

    /// The connection `db` is bound to (a database from Fluent's `withConnection`).
    static func on(_ db: any Database) async throws -> LiveConnection {
        let connection = try await (db as! any PostgresDatabase).withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
        return LiveConnection(inner: db, connection: connection)
    }

    /// The connection was closed before the statement was sent: it was not run.
    struct ConnectionLost: Error, CustomStringConvertible {
        var description: String { "the database connection was closed before the statement was sent" }
    }

    /// `send` run on the connection's event loop if the connection is open (see above).
    private func ifOpen<T>(_ send: @escaping () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let connection = connection
        return connection.eventLoop.flatSubmit {
            connection.isClosed ? connection.eventLoop.makeFailedFuture(ConnectionLost()) : send()
        }
    }

    private var sql: any SQLDatabase { inner as! any SQLDatabase }

    // MARK: Database

    var context: DatabaseContext { inner.context }
    var inTransaction: Bool { true }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        ifOpen { inner.execute(query: query, onOutput: onOutput) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { ifOpen { inner.execute(schema: schema) } }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { ifOpen { inner.execute(enum: `enum`) } }

    /// Inside this transaction already.
    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { closure(self) }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> { closure(self) }

    // MARK: SQLDatabase

    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        ifOpen { sql.execute(sql: query, onRow) }
    }

    /// Through the future-based path, which writes without leaving the event loop.
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R { try await closure(self) }

    // MARK: PostgresDatabase (COPY and other driver-level work)

    func send(_ request: any PostgresRequest, logger: Logger) -> EventLoopFuture<Void> {
        ifOpen { connection.send(request, logger: logger) }
    }

    /// The closure may write from a task of its own later (COPY), after the look: its result is
    /// also failed when the connection closes, so that a write lost then cannot leave the
    /// transaction waiting (`ClosingWatch`). The closure's own task, if its write was lost, stays
    /// suspended: once per COPY cut off by a lost connection.
    func withConnection<T>(_ closure: @escaping (PostgresConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let connection = connection
        return ifOpen { ClosingWatch.shared.failingOnClose(closure(connection), connection) }
    }
}

/// Fails the driver-level calls still running on a connection when it closes (`LiveConnection`).
/// One close callback per connection, not per call: a telemetry batch COPYs on its transaction's
/// connection, thousands of times an hour, and callbacks left on a long-lived connection's
/// `closeFuture` would pile up until it closed.
final class ClosingWatch: Sendable {
    static let shared = ClosingWatch()

    private struct Running {
        /// Held until it closes, so that its identifier cannot be given to another connection while
        /// the entry stands.
        let connection: PostgresConnection
        var fail: [UInt64: @Sendable () -> Void] = [:]
    }
    private struct State {
        var next: UInt64 = 0
        /// Per open connection that has run a watched call: the calls still running.
        var running: [ObjectIdentifier: Running] = [:]
    }
    private let state = Mutex(State())

    /// `future`'s result, or `LiveConnection.ConnectionLost` if `connection` closes first.
    func failingOnClose<T>(_ future: EventLoopFuture<T>, _ connection: PostgresConnection) -> EventLoopFuture<T> {
        let id = ObjectIdentifier(connection)
        let promise = connection.eventLoop.makePromise(of: T.self)
        let (key, first) = state.withLock { s in
            s.next += 1
            let first = s.running[id] == nil
            var calls = s.running[id] ?? Running(connection: connection)
            calls.fail[s.next] = { promise.fail(LiveConnection.ConnectionLost()) }
            s.running[id] = calls
            return (s.next, first)
        }
        if first {
            // At once if it has closed already. The entry goes with the connection.
            connection.closeFuture.whenComplete { [self] _ in
                for fail in state.withLock({ $0.running.removeValue(forKey: id)?.fail.values.map { $0 } ?? [] }) { fail() }
            }
        }
        future.whenComplete { [self] result in
            _ = state.withLock { $0.running[id]?.fail.removeValue(forKey: key) }
            promise.completeWith(result)  // a no-op after a close failed it (a promise completes once)
        }
        return promise.futureResult
    }

    /// Connections with an entry (tests: one per open connection, however many calls ran).
    var watchedConnections: Int { state.withLock { $0.running.count } }
    /// Calls not yet answered (tests).
    var runningCalls: Int { state.withLock { $0.running.values.reduce(0) { $0 + $1.fail.count } } }
}

extension Database {
    /// PostgreSQL: `body` in a transaction on one connection, every statement sent only while the
    /// connection is open (`LiveConnection`); `ROLLBACK` after a failure only on a connection
    /// still open (the server rolls back a closed one's transaction itself).
    func postgresTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withConnection { conn in
            let tx = try await LiveConnection.on(conn)
            try await tx.raw("BEGIN").run()
            do {
                let result = try await body(tx)
                try await tx.raw("COMMIT").run()
                return result
            } catch {
                if !tx.connection.isClosed {
                    do { try await tx.raw("ROLLBACK").run() } catch {
                        // Not to be handed out again still inside this transaction.
                        try? await tx.connection.close().get()
                    }
                }
                throw error
            }
        }
    }
}
