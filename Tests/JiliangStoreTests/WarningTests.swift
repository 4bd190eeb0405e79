import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

@Suite struct WarningTests {
    @Test func raisesEachWarningOnceAndDeliversIt() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let dueSoon = try await Fixtures.instrument(serial: "due-soon", owner: owner, on: db)
            _ = try await Fixtures.record(dueSoon, institution: lab, date: "2025-12-10", on: db)  // valid until 2026-12-09
            let overdue = try await Fixtures.instrument(serial: "overdue", owner: owner, on: db)
            _ = try await Fixtures.record(overdue, institution: lab, date: "2025-10-01", on: db)  // valid until 2026-09-30
            let failed = try await Fixtures.instrument(serial: "failed", owner: owner, on: db)
            _ = try await Fixtures.record(failed, institution: lab, date: "2026-01-05", on: db)
            _ = try await Fixtures.record(failed, institution: lab, date: "2026-06-05", result: .fail, on: db)
            let valid = try await Fixtures.instrument(serial: "valid", owner: owner, on: db)
            _ = try await Fixtures.record(valid, institution: lab, date: "2026-10-01", on: db)
            let runner = WarningRunner(dueSoonWindow: 30, silenceThreshold: 2)
            // MUT
            let first = try await runner.run(asOf: CalendarDay("2026-11-26")!, on: db)
            let second = try await runner.run(asOf: CalendarDay("2026-11-26")!, on: db)
            // validate
            #expect(first.counts == ["due_soon": 1, "overdue": 1, "failed_in_use": 1, "life_expired": 0, "not_filed": 0, "rule_missing": 0])
            #expect(first.raised == 3 && first.alarm == nil)
            #expect(second.found == 3 && second.raised == 0)
            #expect(try await WarningModel.query(on: db).count() == 3)
            let ownerInbox = try await Warnings.inbox(recipient: "owner:\(owner.id!)", cursor: nil, limit: 50, on: db)
            let bureauInbox = try await Warnings.inbox(recipient: "region:350102", cursor: nil, limit: 50, on: db)
            #expect(ownerInbox.items.count == 3 && bureauInbox.items.count == 3)
            #expect(try await OutboxMessageModel.query(on: db).filter(\.$address == "13800000000").count() == 3)
            // a later due date of the same instrument is a new warning
            _ = try await Fixtures.record(overdue, institution: lab, date: "2025-12-20", today: "2026-11-27", on: db)  // due 2026-12-19
            let third = try await runner.run(asOf: CalendarDay("2026-11-27")!, on: db)
            #expect(third.raised == 1 && third.counts["due_soon"] == 2)
        }
    }

    /// Issue #18, item 2: a sub-item under mandatory verification with neither a rule nor a
    /// catalogue form leaves its instruments "rule missing" — never valid, counted, and warned to
    /// the bureau (the owner cannot act on it) — and a pass cannot be recorded until a rule exists.
    @Test func aMissingRuleIsShownCountedAndWarnedToTheBureau() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let entry = CatalogueEntryModel()
            entry.apply(CatalogueEntry(itemNo: 990, itemName: "测试器具", subNo: 990, subName: "测试器具（无规则）", mode: .pv, form: nil, confidence: .unconfirmed))
            try await entry.create(on: db)
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(subNos: [2, 990], on: db)
            let m = try await Fixtures.instrument(subNo: 990, serial: "no-rule", owner: owner, inService: "2026-01-01", on: db)
            #expect(m.complianceBase == "rule_missing")
            let today = CalendarDay("2026-11-26")!
            let counts = try await Registry.countsByStatus(today: today, window: 30, scope: .everything, on: db)
            #expect(counts.first { $0.0 == .ruleMissing }?.1 == 1 && counts.first { $0.0 == .valid }?.1 == 0)
            await #expect(throws: RegistryError.self) {
                _ = try await Fixtures.record(m, institution: lab, date: "2026-02-01", kind: .first, on: db)
            }
            let run = try await WarningRunner().run(asOf: today, on: db)
            #expect(run.counts["rule_missing"] == 1 && run.raised == 1)
            #expect(try await Warnings.inbox(recipient: "owner:\(owner.id!)", cursor: nil, limit: 5, on: db).items.isEmpty)
            #expect(try await Warnings.inbox(recipient: "region:350102", cursor: nil, limit: 5, on: db).items.count == 1)
            #expect(try await OutboxMessageModel.query(on: db).count() == 0)
        }
    }

    @Test func alarmsWhenARunSuddenlyFindsNothing() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            for i in 0..<3 { _ = try await Fixtures.instrument(serial: "never-\(i)", owner: owner, inService: "2026-01-01", on: db) }
            let runner = WarningRunner(silenceThreshold: 3)
            let first = try await runner.run(asOf: CalendarDay("2026-11-26")!, on: db)
            #expect(first.found == 3 && first.alarm == nil)
            // Something breaks upstream: every instrument looks retired.
            try await store.sql.update("instruments").set("compliance_base", to: "retired").run()
            let second = try await runner.run(asOf: CalendarDay("2026-11-27")!, on: db)
            #expect(second.found == 0)
            #expect(second.alarm?.contains("found 3") == true)
            #expect(try await Warnings.inbox(recipient: "admin", cursor: nil, limit: 5, on: db).items.count == 1)
        }
    }

    @Test func importJobsRunThroughTheQueueWithProgress() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            var csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
            for i in 0..<250 { csv += "2,秤,Q\(i),trade_settlement,350102,摊\(i),\(owner.creditCode),2025-01-01\n" }
            csv += "2,秤,BAD,trade_settlement,350102,摊,\(owner.creditCode),someday\n"
            let job = try await ImportJobs.enqueue(bytes: Array(csv.utf8), mode: .validRowsOnly, by: .system("tests"), on: db)
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
            // first pass runs the daily warnings, the second the daily credit run, the third the monthly reports, the fourth the import
            #expect(try await worker.runOnce())
            #expect(try await worker.runOnce())
            #expect(try await worker.runOnce())
            #expect(try await worker.runOnce())
            #expect(try await worker.runOnce() == false)
            let done = try await JobModel.find(job.id!, on: db)!
            #expect(done.state == "done" && done.progressDone == done.progressTotal && done.progressTotal == 502)
            let report = try JSONDecoder().decode(InstrumentImport.Report.self, from: Data(done.result!.utf8))
            #expect(report.inserted == 250 && report.errors.count == 1 && report.errors[0].column == "in_service_date")
            struct N: Decodable { var n: Int }
            let parts = try await store.sql.raw("SELECT COUNT(*) AS n FROM job_uploads").first(decoding: N.self)?.n
            #expect(parts == 0)  // the upload is removed
        }
    }

    @Test func aJobIsClaimedOnce() async throws {
        try await TestDatabase.withStore { store in
            let job = try await JobQueue.enqueue(kind: "noop", payload: "{}", on: store.db)
            let a = try await JobQueue.claim(on: store.db)
            let b = try await JobQueue.claim(on: store.db)
            #expect(a?.id == job.id && b == nil)
            // a crashed worker's lease expires and the job is claimed again
            let c = try await JobQueue.claim(now: Date().addingTimeInterval(3600), on: store.db)
            #expect(c?.id == job.id && c?.attempts == 2)
            // The claim's renewal: only by the attempt holding it, and it moves the lease on.
            let renewedAt = Date().addingTimeInterval(3600)
            #expect(try await JobQueue.renew(job.id!, attempt: 1, lease: 60, now: renewedAt, on: store.db) == false)
            #expect(try await JobQueue.renew(job.id!, attempt: 2, lease: 7200, now: renewedAt, on: store.db))
            #expect(try await JobQueue.claim(now: renewedAt.addingTimeInterval(3600), on: store.db) == nil)
            let lockedUntil = try #require(try await JobModel.find(job.id!, on: store.db)?.lockedUntil)
            #expect(abs(lockedUntil.timeIntervalSince(renewedAt.addingTimeInterval(7200))) < 1)
            // progress never goes backwards, and a report arriving after the end changes nothing
            try await JobQueue.progress(job.id!, done: 50, total: 100, on: store.db)
            try await JobQueue.progress(job.id!, done: 20, total: 100, on: store.db)
            #expect(try await JobModel.find(job.id!, on: store.db)?.progressDone == 50)
            // The first attempt, whose claim ran out, cannot finish the job the second now runs.
            a!.progressDone = 10
            try await JobQueue.finish(a!, result: "{\"stale\":true}", error: nil, on: store.db)
            #expect(try await JobModel.find(job.id!, on: store.db)?.state == "running")
            c!.progressDone = 100
            try await JobQueue.finish(c!, result: "{}", error: nil, on: store.db)
            #expect(try await JobModel.find(job.id!, on: store.db)?.result == "{}")
            try await JobQueue.progress(job.id!, done: 70, total: 100, on: store.db)
            #expect(try await JobModel.find(job.id!, on: store.db)?.progressDone == 100)
        }
    }

    /// A job that runs longer than its lease keeps its claim (issue #22, item 1): the worker renews
    /// it every third of a lease while the job runs, so that at a time its first lease has run out
    /// no other worker can claim it; once the job ends the renewals stop, and a claim left behind
    /// (the worker died) runs out. Waits by polling, never by racing a timer, so a loaded machine
    /// only makes it slower.
    @Test func aLongJobKeepsItsClaimWhileItRuns() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let job = try await JobQueue.enqueue(kind: "import_instruments", payload: "{}", on: db)
            let lease: TimeInterval = 3  // renewed every second
            let claimed = try #require(try await JobQueue.claim(lease: lease, on: db))
            let first = try #require(claimed.lockedUntil)
            func lockedUntil() async throws -> Date? { try await JobModel.find(job.id!, on: db)?.lockedUntil }
            // MUT: a job that lasts until its claim has been renewed
            let (renewed, other) = try await JobWorker.holdingClaim(on: claimed, lease: lease, db: db) { () async throws -> (Date?, JobModel?) in
                // (Compared with a margin: a date read back may differ from the one written in its
                // last bit, and a renewal moves the claim on by a second or more.)
                var until = first
                for _ in 0..<600 where until.timeIntervalSince(first) < 0.5 {
                    try await Task.sleep(for: .milliseconds(100))
                    until = try await lockedUntil() ?? first
                }
                // Another worker, at a moment past the first lease: the job is not free.
                return (until, try await JobQueue.claim(now: first.addingTimeInterval(0.5), lease: lease, on: db))
            }
            // validate
            #expect(renewed.map { $0.timeIntervalSince(first) >= 0.5 } == true)
            #expect(other == nil)
            // The job has ended: its claim is renewed no more…
            let left = try #require(try await lockedUntil())
            try await Task.sleep(for: .seconds(2))
            #expect(try await lockedUntil() == left)
            // …and once it has run out, the job is claimed again.
            let again = try await JobQueue.claim(now: left.addingTimeInterval(1), lease: lease, on: db)
            #expect(again?.id == job.id && again?.attempts == 2)
        }
    }
}
