import FluentKit
import Foundation
import Logging
import SQLiteNIO
import Synchronization

/// SQLite's one writer, taken in turn (issue #22, the write gate). SQLite has no queue for its
/// write lock: a writer that finds it taken sleeps and asks again (`writeTransaction`), so a
/// writer that gives the lock back and takes it again at once — the job worker re-deriving every
/// instrument in batches of 2,000 — wins every time, and a request's write waited through the
/// whole job, past its 30 s timeout (two Schemathesis roles side by side, CI of 2026-12-07). Every
/// write transaction of this process on a file first takes the file's gate, in the order asked,
/// without holding a connection or a thread while it waits: a write asked for during the worker's
/// job runs after the batch in progress, not after the job.
///
/// The gate is the store's (`Store` makes one per SQLite database, shared by its requests' and its
/// worker's connections); another process writing the same file (a CLI import beside the server),
/// or another store on it, still meets SQLite's lock and waits for it as before.
public final class WriteGate: Sendable {
    /// A write that waited its whole timeout for the gate (answered as contention: 503, or the job
    /// tried again later).
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String { "database is locked: waited for the other writes of this process" }
    }

    private struct State {
        var held = false
        /// The places in line, in the order asked (a place is taken before its waiter suspends).
        var queue: [UInt64] = []
        /// The suspended waiters.
        var waiting: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Given the gate before their waiter had suspended (it takes the gate when it does).
        var granted: Set<UInt64> = []
        /// Gave up (timed out or cancelled) before their waiter had suspended.
        var gaveUp: Set<UInt64> = []
        var next: UInt64 = 0
        /// How often the gate went to a place whose waiter had not suspended yet (tests).
        var handedBeforeSuspension = 0
    }

    private let state = Mutex(State())
    /// The connection of the write transaction that holds the gate (to tell its writes from others').
    private let holder = Mutex<ObjectIdentifier?>(nil)
    /// Tables written on this store's connections outside a gated write transaction, and how often.
    private let strays = Mutex<[String: Int]>([:])
    private let logger: Logger?
    /// Run by a waiter between taking its place and suspending (tests: a release there is the race
    /// that once lost the wake-up).
    private let beforeSuspending: (@Sendable () -> Void)?

    public convenience init(logger: Logger? = nil) { self.init(logger: logger, beforeSuspending: nil) }

    init(logger: Logger?, beforeSuspending: (@Sendable () -> Void)?) {
        self.logger = logger
        self.beforeSuspending = beforeSuspending
    }

    /// Runs `body` holding the gate; waits for it in turn until `deadline`, then throws `Timeout`.
    public func withPermit<T>(until deadline: ContinuousClock.Instant, _ body: () async throws -> T) async throws -> T {
        try await acquire(until: deadline)
        defer { release() }
        return try await body()
    }

    /// How many writes wait for the gate now (tests, metrics).
    public var waiting: Int { state.withLock { $0.queue.count } }

    /// How often a release found the first place in line still on its way to suspending (tests:
    /// the race that lost a wake-up before places were taken ahead of suspension).
    var handedBeforeSuspension: Int { state.withLock { $0.handedBeforeSuspension } }

    func acquire(until deadline: ContinuousClock.Instant) async throws {
        // nil: had at once; 0: taken, and no time to wait (a best-effort write); else a place in
        // line, taken now — before suspending — so that the order is the order asked, and a
        // release meanwhile hands the gate to this place (`granted`) instead of finding no one.
        let ticket: UInt64? = state.withLock { s in
            if !s.held {
                s.held = true
                return nil
            }
            guard deadline > .now else { return 0 }
            s.next += 1
            s.queue.append(s.next)
            return s.next
        }
        guard let ticket else { return }
        guard ticket != 0 else { throw Timeout() }
        // Gives the place up at the deadline; cancelled once the gate is had.
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            giveUp(ticket)
        }
        defer { timer.cancel() }
        beforeSuspending?()
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let now: Bool? = state.withLock { s in
                    if s.granted.remove(ticket) != nil { return true }
                    if s.gaveUp.remove(ticket) != nil { return false }
                    s.waiting[ticket] = c
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            giveUp(ticket)
        }
        guard granted else {
            try Task.checkCancellation()
            throw Timeout()
        }
    }

    /// The place is left (its waiter resumed with false); a place the gate was already given to
    /// keeps it, and its waiter gives it back when its body ends.
    private func giveUp(_ ticket: UInt64) {
        let c: CheckedContinuation<Bool, Never>? = state.withLock { s in
            guard s.queue.contains(ticket) else { return nil }  // given the gate already, or gone
            s.queue.removeAll { $0 == ticket }
            if let c = s.waiting.removeValue(forKey: ticket) { return c }
            s.gaveUp.insert(ticket)
            return nil
        }
        c?.resume(returning: false)
    }

    private let observed = Mutex(Set<ObjectIdentifier>())

    /// Whether `connection` is to be given an update hook now (once per connection).
    func observe(_ connection: ObjectIdentifier) -> Bool { observed.withLock { $0.insert(connection).inserted } }

    /// The holder's write transaction runs on this connection.
    func held(on connection: ObjectIdentifier) { holder.withLock { $0 = connection } }

    /// A row of `table` was written on `connection` (SQLite's update hook, `Store.prepareConnections`).
    /// A write that is not the gate holder's was made outside `writeTransaction`: it waited for
    /// SQLite's lock in SQLite's busy handler, holding its connection — the only one of its event
    /// loop — and a thread of the blocking pool while the gate's holder worked, so reads on that loop
    /// failed after the pool's 10 s (issue #22). Logged once per table; listed for the tests.
    func wrote(_ table: String, on connection: ObjectIdentifier) {
        guard holder.withLock({ $0 }) != connection else { return }
        let first = strays.withLock { s in
            s[table, default: 0] += 1
            return s[table] == 1
        }
        if first { logger?.warning("a write to \(table) outside writeTransaction: it waits for SQLite's lock holding a connection") }
    }

    /// The tables written outside `writeTransaction` on this store's connections since it opened.
    public var writesOutsideTransactions: [String: Int] { strays.withLock { $0 } }

    /// Hands the gate to the first place in line, or frees it.
    func release() {
        holder.withLock { $0 = nil }
        let next: CheckedContinuation<Bool, Never>? = state.withLock { s in
            guard !s.queue.isEmpty else {
                s.held = false
                return nil
            }
            let first = s.queue.removeFirst()
            if let c = s.waiting.removeValue(forKey: first) { return c }
            s.granted.insert(first)  // its waiter has not suspended yet: it takes the gate when it does
            s.handedBeforeSuspension += 1
            return nil
        }
        next?.resume(returning: true)
    }
}

/// An SQLite configuration that carries its file's write gate, so that `writeTransaction`, given
/// only a `Database`, finds it (`context.configuration`).
struct GatedConfiguration: DatabaseConfiguration {
    var inner: any DatabaseConfiguration
    let gate: WriteGate

    var middleware: [any AnyModelMiddleware] {
        get { inner.middleware }
        set { inner.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver { inner.makeDriver(for: databases) }
}

extension Database {
    /// This database's write gate (SQLite), or nil (PostgreSQL: rows are locked, not the file).
    var writeGate: WriteGate? { (context.configuration as? GatedConfiguration)?.gate }
}
