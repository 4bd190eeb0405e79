import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Logging
import SQLKit
import Synchronization
import Testing

/// Issue #22, the write gate: SQLite's one writer taken in the order asked (`WriteGate`). Without
/// it, a write asked for while the job worker re-derived every instrument (batches of 2,000, each
/// its own transaction, the lock taken again at once) waited for the whole job: in CI an
/// administrator's catalogue change and a bureau's gateway batch each waited past the 30 s request
/// timeout.
@Suite(.timeLimit(.minutes(10))) struct WriteGateTests {
    static let today = CalendarDay("2026-11-26")!

    // MARK: the gate alone

    @Test func waitersHaveTheGateInTheOrderTheyAskedForIt() async throws {
        let gate = WriteGate()
        let far = ContinuousClock.now + .seconds(60)
        try await gate.acquire(until: far)
        let order = Order()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<5 {
                group.addTask {
                    try await gate.withPermit(until: far) { await order.note(i) }
                }
                // The next asks only once this one waits in line.
                while gate.waiting < i + 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            gate.release()
            try await group.waitForAll()
        }
        #expect(await order.seen == [0, 1, 2, 3, 4])
        #expect(gate.waiting == 0)
    }

    @Test func aWaiterWhoseTimeRunsOutLeavesTheLineAndTheOthersKeepTheirPlaces() async throws {
        let gate = WriteGate()
        try await gate.acquire(until: .now + .seconds(60))
        let late = Task { try await gate.withPermit(until: .now + .milliseconds(50)) { "had it" } }
        while gate.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let patient = Task { try await gate.withPermit(until: .now + .seconds(60)) { "had it" } }
        while gate.waiting < 2 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: WriteGate.Timeout.self) { try await late.value }
        #expect(gate.waiting == 1)
        // A timed-out write is contention: answered 503, or the job is tried again later.
        #expect(WriteContention.isContention(WriteGate.Timeout()))
        gate.release()
        #expect(try await patient.value == "had it")
        // Given back: the next has it at once.
        #expect(try await gate.withPermit(until: .now) { 1 } == 1)
    }

    @Test func aBestEffortWriteNeverWaits() async throws {
        let gate = WriteGate()
        try await gate.acquire(until: .now + .seconds(60))
        let asked = ContinuousClock.now
        await #expect(throws: WriteGate.Timeout.self) { try await gate.withPermit(until: .now) { () } }
        #expect(ContinuousClock.now - asked < .seconds(1))
        #expect(gate.waiting == 0)
        gate.release()
    }

    @Test func aCancelledWaiterLeavesTheLineAndTheGateIsNotLost() async throws {
        let gate = WriteGate()
        try await gate.acquire(until: .now + .seconds(60))
        let cancelled = Task { try await gate.withPermit(until: .now + .seconds(60)) { () } }
        while gate.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(gate.waiting == 0)
        gate.release()
        #expect(try await gate.withPermit(until: .now) { 2 } == 2)
    }

    /// The race a review found: a release between a waiter's taking its place and its suspending
    /// found no one suspended, and the waiter then slept until its timeout (a lost wake-up). Here
    /// the holder releases exactly then: the waiter must have the gate at once, not throw `Timeout`
    /// after its 5 s.
    @Test func aReleaseWhileTheWaiterIsOnItsWayToSuspendingHandsItTheGate() async throws {
        let holder = Holder()
        let gate = WriteGate(logger: nil, beforeSuspending: { holder.releaseOnce() })
        holder.gate = gate
        try await gate.acquire(until: .now + .seconds(60))
        #expect(try await gate.withPermit(until: .now + .seconds(5)) { 1 } == 1)
        #expect(gate.handedBeforeSuspension == 1)
        #expect(gate.waiting == 0)
    }

    /// Eight tasks take the gate 10,000 times each with no pause: every permit is had, none after
    /// a wait of its whole deadline (releases meet waiters on their way to suspending a few times a
    /// run here; the test above makes that moment happen).
    @Test func manyWritersTakingTheGateWithoutPauseEachHaveIt() async throws {
        let gate = WriteGate()
        let had = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 { try await gate.withPermit(until: .now + .seconds(30)) { had.add() } }
                }
            }
            try await group.waitForAll()
        }
        #expect(had.count == 80_000)
        #expect(gate.waiting == 0)
    }

    // MARK: the starvation it ends, end to end

    /// The worker's re-derivation takes SQLite's lock for one batch after another; a write asked
    /// for meanwhile runs between two batches, with instruments still to re-derive, and not after
    /// the job (as it did before the gate: a write that polls for the lock seldom meets the moment
    /// between two batches). On PostgreSQL the write does not touch the batches' rows and never
    /// waited; the same check holds.
    @Test func writesAskedForDuringTheReDerivationRunBetweenItsBatches() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            // Eight batches; three on PostgreSQL, where nothing waits for them (and each costs more).
            let count = DerivedData.batch * (store.isPostgres ? 3 : 8)
            var csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
            for i in 0..<count { csv += "2,电子秤,WG\(i),trade_settlement,350102,市场\(i)号,\(owner.creditCode),2025-01-01\n" }
            var rng = SystemRandomNumberGenerator()
            let imported = try await InstrumentImport(mode: .allOrNothing).run(bytes: Array(csv.utf8), on: db, today: Self.today, generator: &rng)
            #expect(imported.inserted == count, "\(imported.errors.prefix(3))")
            // Every stored due date made wrong, so that every batch writes each of its rows.
            let sql = db as! any SQLDatabase
            try await sql.raw("UPDATE instruments SET next_due = '1900-01-01'").run()
            let left = { @Sendable (on: any Database) async throws -> Int in
                try await (on as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM instruments WHERE next_due = '1900-01-01'").first()!
                    .decode(column: "n", as: Int.self)
            }

            // The worker's connections, as the job worker re-derives.
            let worker = store.workerDB  // taken here: the task never touches the store itself
            let ended = Ended()
            let deriving = Task {
                defer { ended.mark() }
                return try await DerivedData.refresh(on: worker, logger: Logger(label: "test"))
            }
            while try await left(db) == count, !ended.marked { try await Task.sleep(for: .milliseconds(2)) }
            // Three writes from the requests' connections, each noting what was left when it ran.
            let seen = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await db.writeTransaction { tx in
                            try await (tx as! any SQLDatabase).raw("UPDATE owners SET name = name WHERE id = \(bind: owner.id!)").run()
                            return try await left(tx)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let outcome = try await deriving.value
            #expect(outcome.instruments == count && outcome.changed == count)
            #expect(try await left(db) == 0)
            #expect(seen.allSatisfy { $0 > 0 }, "each write ran before the last batch; still to re-derive when each ran: \(seen)")
        }
    }

    // MARK: writes outside the gate

    /// A write made outside `writeTransaction` waits for SQLite's lock in SQLite's busy handler,
    /// holding its connection (the only one of its event loop) and a thread: the gate's holder's
    /// long write then made reads on that loop fail after the pool's 10 s. Such writes are seen on
    /// every connection of the store (SQLite's update hook) and named.
    @Test func aWriteOutsideWriteTransactionIsNamed() async throws {
        try await TestDatabase.withStore { store in
            guard !store.isPostgres else { return }  // SQLite's one writer; PostgreSQL locks rows
            let owner = try await Fixtures.owner(on: store.db)
            #expect(store.writesOutsideTransactions.isEmpty)
            try await (store.db as! any SQLDatabase).raw("UPDATE owners SET name = name WHERE id = \(bind: owner.id!)").run()
            #expect(store.writesOutsideTransactions == ["owners": 1])
        }
    }

    /// The write paths found writing outside a write transaction (by the check above, over the
    /// whole suite: `JILIANG_TEST_STRAYS`) now write inside one: each change with its audit entry.
    @Test func theWritePathsThatWroteOutsideATransactionNoLongerDo() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let admin = Principal.system("tests")
            try await Audit.$actor.withValue(admin) {
                let owner = try await Fixtures.owner(on: db)
                let draft = try OwnerDraft.parse(
                    name: "改名市场", creditCode: owner.creditCode, address: "新路1号", regionCode: owner.regionCode, industry: owner.industry,
                    contactName: nil, contactPhone: nil, parentID: nil, context: try await Registry.context(on: db))
                _ = try await Registry.updateOwner(owner.id!, draft, scope: .everything, on: db)
                _ = try await Accounts.createUser(
                    .init(login: "gate-owner", displayName: "门", password: "long-enough-password", role: "owner", ownerID: owner.id!), by: admin, on: db)
                _ = try await Registry.saveRegion(code: "350102", name: "鼓楼区", operational: true, on: db)
                _ = try await VerificationRequests.setCalendarDay("2027-02-03", kind: "holiday", name: "测试", by: admin, on: db)
                try await VerificationRequests.removeCalendarDay("2027-02-03", by: admin, on: db)
                _ = try await JobQueue.enqueue(kind: "test", payload: "{}", on: db)
                _ = try await WarningRunner().run(asOf: Self.today, on: db)
            }
            #expect(store.writesOutsideTransactions.isEmpty, "\(store.writesOutsideTransactions)")
            #expect(try await AuditEntryModel.query(on: db).filter(\.$actor == "unattributed").count() == 0)
        }
    }
}

/// Releases the gate it is given the first time it is asked (the holder, at the racy moment).
private final class Holder: @unchecked Sendable {
    var gate: WriteGate?
    private let done = Mutex(false)
    func releaseOnce() {
        guard done.withLock({ d in defer { d = true }; return !d }) else { return }
        gate?.release()
    }
}

private final class Tally: Sendable {
    private let state = Mutex(0)
    func add() { state.withLock { $0 += 1 } }
    var count: Int { state.withLock { $0 } }
}

private actor Order {
    var seen: [Int] = []
    func note(_ i: Int) { seen.append(i) }
}

/// Whether a task has ended (so that a loop waiting for its effect does not wait for ever).
private final class Ended: Sendable {
    private let state = Mutex(false)
    func mark() { state.withLock { $0 = true } }
    var marked: Bool { state.withLock { $0 } }
}
