import FluentKit
import Synchronization

/// The progress of the jobs this process runs, in memory (one per `Store`). On SQLite an import's
/// transaction holds the one write lock from its first row to its commit, so no progress write
/// from another connection can land meanwhile: the progress bar stood at 0 until the job ended.
/// So on SQLite the progress is kept here and a reader of the job is shown it (`show`); one
/// process serves a SQLite file. On PostgreSQL the job's row is updated as well, which every
/// instance reads.
public final class RunningJobs: Sendable {
    private let progress = Mutex<[Int: (done: Int, total: Int)]>([:])

    public init() {}

    /// Notes `done` of `total` for job `id`, unless a later report came first (reports are sent
    /// without waiting, so they may arrive out of order).
    func note(_ id: Int, done: Int, total: Int) {
        progress.withLock { p in
            if (p[id]?.done ?? -1) < done { p[id] = (done, total) }
        }
    }

    /// Forgets job `id` (it ended, or went back to the queue).
    func forget(_ id: Int) {
        _ = progress.withLock { $0.removeValue(forKey: id) }
    }

    /// `job` as a reader should see it: while it runs in this process, with the progress noted here
    /// when that is further than its row's.
    func show(_ job: JobModel) -> JobModel {
        guard job.state == JobQueue.State.running.rawValue, let id = job.id,
            let p = progress.withLock({ $0[id] }), p.done > (job.progressDone ?? -1)
        else { return job }
        job.progressDone = p.done
        job.progressTotal = p.total
        return job
    }
}
