import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The job worker's telemetry upkeep (day partitions, retention) rests ten minutes after it fails
/// (a lock it could not get in time: a `pg_dump` holds the readings' tables for its whole run), and
/// never holds up the queue meanwhile. Here the retention fails because its table is gone.
@Suite struct WorkerUpkeepRestTests {
    struct N: Decodable { var n: Int }

    static func retentionRuns(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM telemetry_retention_runs").first(decoding: N.self)?.n ?? -1
    }

    @Test func aFailedUpkeepRestsWithoutHoldingUpTheQueue() async throws {
        try await TestDatabase.withStore { store in
            let sql = store.sql
            let owner = try await Fixtures.owner(on: store.db)
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())

            // The retention cannot run (its table is gone); a job waits in the queue.
            try await sql.raw("ALTER TABLE telemetry_retention_runs RENAME TO retention_runs_away").run()
            let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
                + "2,秤,UK1,trade_settlement,350102,摊1,\(owner.creditCode),2025-01-01\n"
            let job = try await ImportJobs.enqueue(bytes: Array(csv.utf8), mode: .allOrNothing, by: .system("tests"), on: store.db)
            // The worker's passes (the day's warnings, credit run and reports, then the upkeep and the
            // queue) until it is idle: the failed upkeep is logged and the job runs all the same.
            var passes = 0
            while try await worker.runOnce() {
                passes += 1
                try #require(passes < 20, "the worker never fell idle")
            }
            #expect(try await JobModel.find(job.id!, on: store.db)?.state == "done")
            #expect(!worker.upkeepRestsUntil.due, "a failed upkeep rests")

            // Mended, but resting: the next passes do not try the retention again.
            try await sql.raw("ALTER TABLE retention_runs_away RENAME TO telemetry_retention_runs").run()
            #expect(try await worker.runOnce() == false)
            #expect(try await Self.retentionRuns(sql) == 0, "the upkeep was tried again during its rest")

            // The rest over (ten minutes, moved to now here): the day's retention runs.
            worker.upkeepRestsUntil.rest(for: -1)
            _ = try await worker.runOnce()
            #expect(try await Self.retentionRuns(sql) == 1)
            #expect(worker.upkeepRestsUntil.due)
        }
    }
}
