import FluentKit
import Foundation
import JiliangCore
import Logging
import ServiceLifecycle
import Synchronization

/// The background worker: claims jobs from the job table and runs them; once a day (and at start)
/// it runs the early warnings. One `Service` in the application's `ServiceGroup`; it stops at
/// graceful shutdown after the job in hand.
public struct JobWorker: Service {
    public let store: Store
    public let today: @Sendable () -> CalendarDay
    public let warnings: WarningRunner
    public let idleSleep: Duration
    public let credit: CreditConfiguration
    public let telemetryRetention: TelemetryRetention
    /// How long a claim on a job lasts unless renewed. The worker renews it every third of a lease
    /// while the job runs; a worker that died (a crash, SIGKILL, a lost machine) stops renewing, and
    /// the job is claimed again — and run again whole, which adds nothing twice (an import skips
    /// the instruments already registered) — once its lease has run out.
    public let lease: TimeInterval
    /// Until when the telemetry upkeep (day partitions, retention) rests after it failed: a lock it
    /// could not get in time (a `pg_dump` holds the readings' tables for its whole run) would
    /// otherwise be asked for at every pass, and every batch would queue behind each try.
    let upkeepRestsUntil = UpkeepRest()
    static let upkeepRest: TimeInterval = 600

    /// Shared by the worker's copies (it is a value), behind a lock.
    final class UpkeepRest: Sendable {
        private let until = Mutex<Date?>(nil)
        var due: Bool { until.withLock { $0.map { $0 <= Date() } ?? true } }
        func rest(for seconds: TimeInterval) { until.withLock { $0 = Date().addingTimeInterval(seconds) } }
    }

    public init(
        store: Store, today: @escaping @Sendable () -> CalendarDay, warnings: WarningRunner, idleSleep: Duration = .seconds(1), credit: CreditConfiguration = .init(),
        telemetryRetention: TelemetryRetention = .init(), lease: TimeInterval = JobWorker.defaultLease
    ) {
        self.store = store
        self.lease = lease
        self.telemetryRetention = telemetryRetention
        self.credit = credit
        self.today = today
        self.warnings = warnings
        self.idleSleep = idleSleep
    }

    public func run() async throws {
        let logger = store.logger
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let worked = try await Audit.$actor.withValue(.system("job worker")) { try await runOnce() }
                    if !worked { try await Task.sleep(for: idleSleep) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("job worker: \(error)")
                    try? await Task.sleep(for: .seconds(5))
                }
            }
        }
    }

    public static let defaultLease: TimeInterval = 60

    /// How many times a job that met write contention runs before it fails.
    static let contentionAttempts = 5

    /// Runs the daily warnings, the daily credit run and the monthly reports if due, then at most one job. Returns whether anything was done.
    @discardableResult
    public func runOnce() async throws -> Bool {
        let db = store.workerDB
        let day = today()
        // A catalogue row or a rule changed: the stored compliance and counts are re-derived first.
        // By place: requests keep writing meanwhile, each waiting for one place's recount at most.
        if try await DerivedData.refreshIfStale(on: db, logger: store.logger, recount: .byPlace) != nil { return true }
        // A run that failed half-way (no finished_at) does not count: the next pass tries again.
        if try await WarningRunModel.query(on: db).filter(\.$asOf == day.description).filter(\.$finishedAt != nil).first() == nil {
            // Once a day: a server running into a new month keeps that month's changes by day.
            try await MetricCounts.keepDayRows(from: MetricPeriod.month(of: day).start, on: db)
            let o = try await warnings.run(asOf: day, on: db)
            store.logger.info("early warnings for \(day): found \(o.found), raised \(o.raised)\(o.alarm.map { " — ALARM: \($0)" } ?? "")")
            return true
        }
        if let o = try await CreditDaily.runIfDue(rules: credit, today: day, on: db) {
            store.logger.info("credit run for \(day): \(o.expiredPenalties) penalties taken down, \(o.removedListings) listings removed, \(o.reminders) reminders, \(o.scores) classes")
            return true
        }
        if let o = try await MonthlyReports.runIfDue(today: day, on: db) {
            store.logger.info("monthly reports for \(day): \(o.reports) reports, \(o.messages) messages")
            return true
        }
        // PostgreSQL: the readings' day partitions made ahead of their day (a query when none is due;
        // quick when one is, so the pass goes on). Neither this nor the retention holds up the queue
        // when it cannot run now (a lock it waited for too long — a backup under way): it rests ten
        // minutes, then is tried again.
        if upkeepRestsUntil.due {
            do {
                let made = try await Telemetry.ensurePartitions(Telemetry.partitionDays(around: day), on: db)
                if !made.isEmpty { store.logger.info("telemetry readings: partitions made for \(made.map(\.description).joined(separator: ", "))") }
                // Once a day: raw telemetry past its window summed up by day, then removed.
                if let o = try await Telemetry.runRetentionIfDue(telemetryRetention, today: day, on: db), o.rolledDays + o.deleted > 0 {
                    store.logger.info("telemetry retention for \(day): \(o.rolledDays) days summed up, \(o.deleted) readings before \(o.cutoff) removed")
                    return true
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                upkeepRestsUntil.rest(for: Self.upkeepRest)
                store.logger.error("telemetry upkeep (day partitions, retention) failed; tried again in \(Int(Self.upkeepRest)) s: \(String(reflecting: error))")
            }
        }
        if try await CreditScores.recomputeStale(rules: credit, today: day, on: db) > 0 { return true }
        guard let job = try await JobQueue.claim(lease: lease, on: db) else {
            // Idle: a smart device gone quiet is itself a finding (once per silence).
            if try await Telemetry.recordSilence(now: Date(), on: db) > 0 { return true }
            return false
        }
        try await run(job, today: day)
        return true
    }

    /// Runs `body` while renewing the claim on `job` every third of a lease, so that a job longer
    /// than its lease is not claimed a second time while it runs; the renewals stop when `body`
    /// ends, however it ends (a renewal under way is waited for: none lands after this returns).
    static func holdingClaim<T: Sendable>(
        on job: JobModel, lease: TimeInterval, db: any Database, _ body: () async throws -> T
    ) async throws -> T {
        let (id, attempt) = (job.id!, job.attempts)
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(lease / 3))
                _ = try? await JobQueue.renew(id, attempt: attempt, lease: lease, on: db)
            }
        }
        do {
            let answer = try await body()
            renewal.cancel()
            _ = await renewal.result
            return answer
        } catch {
            renewal.cancel()
            _ = await renewal.result
            throw error
        }
    }

    /// Runs one claimed job to its end — or back into the queue, when it met write contention.
    public func run(_ job: JobModel, today day: CalendarDay) async throws {
        let db = store.workerDB
        // Its progress noted in memory (`RunningJobs`) goes once its row says how it ended.
        defer { store.runningJobs.forget(job.id!) }
        do {
            try await Self.holdingClaim(on: job, lease: lease, db: db) {
                switch job.kind {
                case let k where ImportJobs.kinds.contains(k): try await ImportJobs.run(job, today: day, running: store.runningJobs, on: db)
                default: try await JobQueue.finish(job, result: nil, error: "unknown job kind \(job.kind)", on: db)
                }
            }
        } catch where WriteContention.isContention(error) && job.attempts < Self.contentionAttempts {
            // Another writer held the database too long: the job wrote nothing (its transaction
            // was refused whole) and runs again from the start, reading its file afresh.
            store.logger.warning("job \(job.id!) met write contention (attempt \(job.attempts)); it runs again")
            try await JobQueue.retryLater(job, delay: Double(job.attempts), on: db)
        } catch where WriteContention.isContention(error) {
            try await JobQueue.fail(job, .importing(.databaseBusy(attempts: job.attempts)), on: db)
        } catch where DatabaseAvailability.isUnavailable(error) {
            // The database went away mid-job (a failover): the job's transaction was not committed,
            // and it runs again once the database is back — not failed for good. If it is still
            // away, this throws and the claim runs out instead; the job is claimed again then.
            store.logger.warning("job \(job.id!) lost the database (attempt \(job.attempts)); it runs again")
            try await JobQueue.retryLater(job, delay: 5, on: db)
        } catch let e as RegistryError {
            // A refusal met inside the job (a party import's owner already registered): kept as
            // its reason, worded when shown.
            if case .invalid(let v) = e, let first = v.errors.first { try await JobQueue.fail(job, first.reason, on: db) }
            else if case .conflict(_, let reason) = e { try await JobQueue.fail(job, reason, on: db) }
            else if case .forbidden(let reason) = e { try await JobQueue.fail(job, reason, on: db) }
            else { try await JobQueue.finish(job, result: nil, error: "\(e)", on: db) }
        } catch let v as ValidationFailure {
            try await JobQueue.fail(job, v.errors.first?.reason ?? .recorded("\(v)"), on: db)
        } catch {
            try await JobQueue.finish(job, result: nil, error: "\(error)", on: db)
        }
    }
}
