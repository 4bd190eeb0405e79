import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The database is the queue (STYLE.md idiom 10): a job is a row; a worker claims one atomically.
/// PostgreSQL claims with `FOR UPDATE SKIP LOCKED` so several workers never take the same job;
/// SQLite has one writer, so the claiming UPDATE is atomic by itself.
public enum JobQueue {
    public enum State: String, Sendable { case queued, running, done, failed }

    @discardableResult
    public static func enqueue(kind: String, payload: String, runAfter: Date = Date(), on db: any Database) async throws -> JobModel {
        try await db.writeTransaction { tx in
            let j = JobModel()
            j.kind = kind
            j.payload = payload
            j.state = State.queued.rawValue
            j.runAfter = runAfter
            j.attempts = 0
            try await j.create(on: tx)
            return j
        }
    }

    /// Claims the oldest runnable job (queued and due, or running with an expired lock after a crash).
    public static func claim(now: Date = Date(), lease: TimeInterval = 600, on db: any Database) async throws -> JobModel? {
        struct Row: Decodable { var id: Int }
        return try await db.auditedTransaction { tx -> JobModel? in
            let sql = tx as! any SQLDatabase
            let query = sql.select().column("id").from("jobs")
                .where { w in
                    w.where("state", .equal, State.queued.rawValue).where("run_after", .lessThanOrEqual, now)
                }
                .orWhere { w in
                    w.where("state", .equal, State.running.rawValue).where("locked_until", .lessThan, now)
                }
                .orderBy("id").limit(1)
            if sql.dialect.name == "postgresql" { query.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED")) }
            guard let row = try await query.first(decoding: Row.self), let job = try await JobModel.find(row.id, on: tx) else { return nil }
            job.state = State.running.rawValue
            job.attempts += 1
            job.lockedUntil = now.addingTimeInterval(lease)
            try await job.update(on: tx)
            return job
        }
    }

    /// Extends a running job's claim to `now + lease` (the worker renews it while the job runs, so
    /// that a short lease needs no long job to finish within it). Best effort and never a wait, as
    /// `progress`: a renewal that meets the job's own import holding SQLite's write lock is skipped,
    /// and the next one, a third of a lease later, carries on. Returns whether the claim was extended.
    @discardableResult
    public static func renew(_ id: Int, attempt: Int, lease: TimeInterval, now: Date = Date(), on db: any Database) async throws -> Bool {
        try await db.writeTransaction(replayable: false, busyTimeoutMs: 0) { tx in
            // Only the attempt that holds the claim renews it: one whose lease ran out and was
            // claimed again (attempts went up) leaves the new claim alone.
            let sql = tx as! any SQLDatabase
            let held = try await sql.select().column("id").from("jobs")
                .where("id", .equal, id).where("state", .equal, State.running.rawValue).where("attempts", .equal, attempt).first()
            guard held != nil else { return false }
            try await sql.update("jobs").set("locked_until", to: SQLBind(now.addingTimeInterval(lease)))
                .where("id", .equal, id).where("state", .equal, State.running.rawValue).where("attempts", .equal, attempt).run()
            return true
        }
    }

    /// Records progress of a running job. Reports may arrive out of order (they are sent without
    /// waiting), so one that arrives after the job finished, or behind a later one, changes nothing.
    ///
    /// Best effort, and never a wait: while the job's own import holds SQLite's one write lock this
    /// fails at once (a write outside `writeTransaction` would spin in SQLiteNIO's busy handler on a
    /// thread-pool thread until the import committed — with two cores, two of them starve the
    /// import itself; `ImportContentionTests`). The next report carries the count on.
    public static func progress(_ id: Int, done: Int, total: Int, on db: any Database) async throws {
        try await db.writeTransaction(replayable: false, busyTimeoutMs: 0) { tx in
            try await (tx as! any SQLDatabase).update("jobs").set("progress_done", to: done).set("progress_total", to: total)
                .where("id", .equal, id).where("state", .equal, State.running.rawValue)
                .where { $0.where("progress_done", .is, SQLLiteral.null).orWhere("progress_done", .lessThan, done) }
                .run()
        }
    }

    /// Puts a job back in the queue to run again whole after `delay` (it met contention).
    public static func retryLater(_ job: JobModel, delay: TimeInterval, now: Date = Date(), on db: any Database) async throws {
        job.state = State.queued.rawValue
        job.runAfter = now.addingTimeInterval(delay)
        job.lockedUntil = nil
        job.progressDone = nil
        job.progressTotal = nil
        try await db.writeTransaction { [job] tx in
            guard try await stillHeld(job, on: tx) else { return }
            try await job.update(on: tx)
        }
    }

    /// Whether the attempt that claimed `job` still holds it: running, and not claimed again since
    /// (with several instances, a claim whose lease ran out may have gone to another worker; the
    /// later attempt's outcome is the one kept).
    static func stillHeld(_ job: JobModel, on tx: any Database) async throws -> Bool {
        let attempt = job.attempts
        return try await JobModel.query(on: tx).filter(\.$id == job.id!).filter(\.$attempts == attempt)
            .filter(\.$state == State.running.rawValue).count() == 1
    }

    /// Finishes a job that failed for a reason a person reads: the reason is kept as JSON of a
    /// `Refusal`, and the Server words it in the reader's language (`failure(of:)`).
    public static func fail(_ job: JobModel, _ reason: Refusal, on db: any Database) async throws {
        try await finish(job, result: nil, error: String(decoding: try JSONEncoder().encode(reason), as: UTF8.self), on: db)
    }

    /// Why a job failed: its kept reason, or — for an error kept as text (by an earlier version, or
    /// a fault's own account) — the text as `.recorded`. Nil when it did not fail.
    public static func failure(of job: JobModel) -> Refusal? {
        guard let text = job.error else { return nil }
        return (try? JSONDecoder().decode(Refusal.self, from: Data(text.utf8))) ?? .recorded(text)
    }

    public static func finish(_ job: JobModel, result: String?, error: String?, on db: any Database) async throws {
        job.state = (error == nil ? State.done : State.failed).rawValue
        job.result = result
        job.error = error
        job.lockedUntil = nil
        job.finishedAt = Date()
        // Through `writeTransaction`: on SQLite it waits for another writer by sleeping, not spinning.
        // The job's upload goes with its end, in the same transaction: never before (a job that
        // runs again reads it afresh), never left behind.
        try await db.writeTransaction { [job] tx in
            guard try await stillHeld(job, on: tx) else { return }
            try await job.update(on: tx)
            try await JobUploads.remove(for: job.id!, on: tx)
        }
    }
}
