import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Testing

/// A job's progress is seen while it runs, on SQLite too, where the import's own transaction holds
/// the one write lock from start to end and a progress write cannot land (`RunningJobs`).
@Suite struct RunningJobsTests {
    static let today = CalendarDay("2026-11-26")!

    @Test func aReaderSeesTheProgressOfARunningImportAsItGoes() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            var csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
            for i in 0..<20_000 { csv += "2,电子秤,RJ\(i),trade_settlement,350102,市场\(i)号,\(owner.creditCode),2025-01-01\n" }
            let queued = try await ImportJobs.enqueue(bytes: Array(csv.utf8), mode: .allOrNothing, by: .system("tests"), on: store.db)
            let job = try #require(try await JobQueue.claim(on: store.workerDB))
            #expect(job.id == queued.id)
            let running = Task { try await JobWorker(store: store, today: { Self.today }, warnings: WarningRunner()).run(job, today: Self.today) }
            // Read as the page and the API read it, through the requests' connections.
            var seen: [Int] = []
            while true {
                let j = try await ImportJobs.job(job.id!, visibleTo: .system("tests"), running: store.runningJobs, on: store.db)
                if j.state != "running" { break }
                if let d = j.progressDone, let t = j.progressTotal, d > 0, d < t { seen.append(d) }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await running.value
            let done = try #require(try await JobModel.find(job.id, on: store.db))
            #expect(done.state == "done" && done.progressDone == 40_000 && done.progressTotal == 40_000, "\(done.error ?? "")")
            #expect(seen.count >= 2, "the progress moved while the job ran: \(seen)")
            #expect(seen == seen.sorted(), "and never went back")
        }
    }

    @Test func progressNotedInMemoryIsShownOnlyWhileTheJobRunsAndNeverBackwards() async throws {
        try await TestDatabase.withStore { store in
            let job = try await JobQueue.enqueue(kind: "test", payload: "{}", on: store.db)
            let id = job.id!
            let running = RunningJobs()
            running.note(id, done: 30, total: 100)
            #expect(running.show(try #require(try await JobModel.find(id, on: store.db))).progressDone == nil, "not while queued")
            let claimed = try #require(try await JobQueue.claim(on: store.db))
            #expect(claimed.id == id)
            running.note(id, done: 20, total: 100)  // arrived late: kept at 30
            #expect(running.show(claimed).progressDone == 30)
            running.note(id, done: 60, total: 100)
            #expect(running.show(try #require(try await JobModel.find(id, on: store.db))).progressDone == 60)
            running.forget(id)
            #expect(running.show(try #require(try await JobModel.find(id, on: store.db))).progressDone == nil)
        }
    }
}
