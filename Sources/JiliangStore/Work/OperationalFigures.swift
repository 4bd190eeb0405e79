import Foundation
import SQLKit

/// What an operator watches (issue #22, item 6), read from the database when `/metrics` is
/// scraped: the job queue, the early-warning runs, the ledger's lag and how long the database
/// takes to answer. Counts and times only — nothing about an instrument or a party — so the
/// figures are the same for every caller allowed to read them.
public struct OperationalFigures: Sendable, Equatable {
    /// Jobs by state (`queued`, `running`, `done`, `failed`); every state present, 0 when none.
    public var jobs: [String: Int]
    /// Seconds the oldest job due to run has waited past its `run_after` (0 when none waits).
    public var oldestQueuedJobSeconds: Double
    public var warningRuns: Int
    /// The latest finished early-warning run: what it found and raised, when it finished and whether
    /// it raised the "found far fewer than last time" alarm.
    public var lastWarningRun: WarningRunFigures?
    /// Facts written but not yet appended to the ledger.
    public var ledgerPending: Int
    public var ledgerSize: Int64
    /// The size and time of the latest published checkpoint (nil before the first).
    public var ledgerCheckpointSize: Int64?
    public var ledgerCheckpointAt: Date?
    /// The time one `SELECT 1` took through the pool: it waits behind a pool whose connections are
    /// all busy, so it rises when the pool is the bottleneck.
    public var databasePingSeconds: Double

    public struct WarningRunFigures: Sendable, Equatable {
        public var found: Int
        public var raised: Int
        public var finishedAt: Date
        public var alarm: Bool
    }

    public static let jobStates = ["queued", "running", "done", "failed"]

    public static func read(from ledger: Ledger, now: Date = Date()) async throws -> OperationalFigures {
        let sql = ledger.store.sql
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try await sql.raw("SELECT 1 AS one").first()
        let ping = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

        var jobs = Dictionary(uniqueKeysWithValues: jobStates.map { ($0, 0) })
        for row in try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() {
            jobs[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        let oldest = try await sql.raw(
            "SELECT MIN(run_after) AS t FROM jobs WHERE state = 'queued' AND run_after <= \(bind: now)"
        ).first()?.decode(column: "t", as: Date?.self)

        let runs = try await sql.raw("SELECT COUNT(*) AS n FROM warning_runs").first()?.decode(column: "n", as: Int.self) ?? 0
        let last = try await sql.raw(
            "SELECT found, raised, finished_at, alarm FROM warning_runs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1"
        ).first().map {
            WarningRunFigures(
                found: try $0.decode(column: "found", as: Int.self), raised: try $0.decode(column: "raised", as: Int.self),
                finishedAt: try $0.decode(column: "finished_at", as: Date.self),
                alarm: (try $0.decode(column: "alarm", as: String?.self)).map { !$0.isEmpty } ?? false)
        }

        let checkpoint = try await sql.raw("SELECT size, published_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1").first()
        return OperationalFigures(
            jobs: jobs, oldestQueuedJobSeconds: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0,
            warningRuns: runs, lastWarningRun: last,
            ledgerPending: try await ledger.pendingCount(), ledgerSize: try await ledger.state().size,
            ledgerCheckpointSize: try checkpoint?.decode(column: "size", as: Int64.self),
            ledgerCheckpointAt: try checkpoint?.decode(column: "published_at", as: Date.self),
            databasePingSeconds: ping)
    }
}
