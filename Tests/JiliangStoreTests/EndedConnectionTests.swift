import FluentKit
import FluentPostgresDriver
import Foundation
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Synchronization
import Testing

/// Issue #22, the failover test: a request in a write transaction when the PostgreSQL primary died
/// was never answered, and the server then never stopped (graceful shutdown waited for it). A
/// query written to a connection that PostgresNIO has already closed is dropped without failing
/// its promise (`PostgresConnection` writes with `promise: nil`; once the channel is closed NIO has
/// removed its handlers, so nothing answers the query): the caller waited for ever, and the
/// pool's slot for that connection was never given back. Fluent's own transaction sends `ROLLBACK`
/// on exactly such a connection after any failure. Here the server ends a transaction's
/// connection (`pg_terminate_backend`, as a dying primary does) at the two moments that hung.
/// PostgreSQL only: SQLite has no connection to lose.
@Suite(.timeLimit(.minutes(10))) struct EndedConnectionTests {
    /// The server ends the connection while a statement of the transaction runs: the statement
    /// fails, and the transaction must fail with it, as a database that cannot be reached (503),
    /// without a `ROLLBACK` left hanging on the closed connection.
    @Test func aTransactionWhoseStatementTheServerEndsFails() async throws {
        try await Self.expectUnavailable { store, tx in
            let sql = tx as! any SQLDatabase
            let pid = try await Self.backend(of: sql)
            async let ended: Void = Self.terminate(pid, from: store, after: .milliseconds(300))
            _ = try await sql.raw("SELECT pg_sleep(5)").all()
            try await ended
        }
    }

    /// The server ends the connection between two statements of the transaction: the next one is
    /// written to a connection already closed, and must fail (before `LiveConnection` it hung).
    @Test func aStatementAfterTheServerEndedItsConnectionFails() async throws {
        try await Self.expectUnavailable { store, tx in
            let sql = tx as! any SQLDatabase
            try await Self.terminate(try await Self.backend(of: sql), from: store, after: .zero)
            // The close reaches the client, and NIO removes the channel's handlers.
            try await Task.sleep(for: .milliseconds(500))
            _ = try await sql.raw("SELECT 1").all()
        }
    }

    /// Driver-level work handed the connection itself writes from a task of its own (the import's
    /// COPY), after `LiveConnection` looked at the connection: a COPY begun once the server had
    /// ended it must fail too.
    @Test func aCopyAfterTheServerEndedItsConnectionFails() async throws {
        try await Self.expectUnavailable { store, tx in
            let pid = try await Self.backend(of: tx as! any SQLDatabase)
            try await (tx as! any PostgresDatabase).withConnection { conn in
                conn.eventLoop.makeFutureWithTask {
                    try await Self.terminate(pid, from: store, after: .zero)
                    try await Task.sleep(for: .milliseconds(500))
                    try await conn.copyFrom(table: "calendar_days", columns: ["id", "kind", "name"], logger: store.logger) { _ in }
                }
            }.get()
        }
    }

    /// The watch behind it keeps one entry per connection, not one per call (a telemetry batch
    /// COPYs on every transaction), lets answered calls go, and fails the unanswered ones when the
    /// connection closes.
    @Test func theCloseWatchKeepsOneEntryPerConnectionAndFailsWhatIsLeftAtTheClose() async throws {
        try await TestDatabase.withStore { store in
            guard store.isPostgres else { return }
            let watch = ClosingWatch()
            let (entries, running, lost) = try await (store.db as! any PostgresDatabase).withConnection { conn in
                conn.eventLoop.makeFutureWithTask {
                    for n in 0..<100 { #expect(try await watch.failingOnClose(conn.eventLoop.makeSucceededFuture(n), conn).get() == n) }
                    let entries = watch.watchedConnections, running = watch.runningCalls
                    // A call that is never answered (a write the closed channel dropped).
                    let never = watch.failingOnClose(conn.eventLoop.makePromise(of: Int.self).futureResult, conn)
                    try await conn.close().get()
                    let lost: Bool
                    do { _ = try await never.get(); lost = false } catch { lost = error is LiveConnection.ConnectionLost }
                    return (entries, running, lost)
                }
            }.get()
            #expect(entries == 1)
            #expect(running == 0)
            #expect(lost)
            #expect(watch.watchedConnections == 0)
        }
    }

    // MARK: helpers

    /// Runs `body` in a write transaction (PostgreSQL only) and expects it to fail within 20 s as
    /// a database that cannot be reached (503); the pool then serves again.
    static func expectUnavailable(
        _ body: @escaping @Sendable (Store, any Database) async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await TestDatabase.withStore { store in
            guard store.isPostgres else { return }
            let outcome = await within(.seconds(20)) { try await store.db.writeTransaction { tx in try await body(store, tx) } }
            #expect(outcome == .failed(unavailable: true), "\(outcome)", sourceLocation: sourceLocation)
            try await poolStillServes(store)
        }
    }

    /// `failed(unavailable:)`: whether the error is one answered 503 (`DatabaseAvailability`).
    enum Outcome: Equatable { case succeeded, failed(unavailable: Bool), hung }

    /// Runs `body` with a deadline that does not depend on it answering cancellation (a query
    /// that hangs does not), so that a hang fails the test instead of stopping the suite.
    static func within(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Outcome {
        let once = Mutex<CheckedContinuation<Outcome, Never>?>(nil)
        return await withCheckedContinuation { (c: CheckedContinuation<Outcome, Never>) in
            once.withLock { $0 = c }
            let resume: @Sendable (Outcome) -> Void = { o in once.withLock { $0.take() }?.resume(returning: o) }
            Task {
                do { try await body(); resume(.succeeded) } catch { resume(.failed(unavailable: DatabaseAvailability.isUnavailable(error))) }
            }
            Task {
                try? await Task.sleep(for: limit)
                resume(.hung)
            }
        }
    }

    static func backend(of sql: any SQLDatabase) async throws -> Int32 {
        try await sql.raw("SELECT pg_backend_pid() AS pid").first()!.decode(column: "pid", as: Int32.self)
    }

    /// Ends backend `pid` from another of the pool's connections.
    static func terminate(_ pid: Int32, from store: Store, after delay: Duration) async throws {
        try await Task.sleep(for: delay)
        _ = try await store.sql.raw("SELECT pg_terminate_backend(\(literal: Int(pid)))").all()
    }

    /// The pool gives the closed connection up and serves write transactions again, as many at once
    /// as it has connections.
    static func poolStillServes(_ store: Store) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<store.poolSize {
                group.addTask { try await store.db.writeTransaction { tx in _ = try await (tx as! any SQLDatabase).raw("SELECT pg_sleep(0.2)").all() } }
            }
            try await group.waitForAll()
        }
    }
}
