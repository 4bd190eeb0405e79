import Crypto
import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// Issue #22, item 2: an import's upload waits in the database with its job (migration 040), not
/// in a directory every instance must share. It goes in with the job, is read whole by whichever
/// worker claims it, stays while the job may run again, and goes in the transaction that ends it.
@Suite struct JobUploadTests {
    static let today = CalendarDay("2026-11-26")!

    static func roll(_ n: Int, owner: String, bad: Bool = false) -> [UInt8] {
        var csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
        for i in 0..<n { csv += "2,电子秤,UP\(i),trade_settlement,350102,市场\(i)号,\(owner),2025-01-01\n" }
        if bad { csv += "2,电子秤,UPBAD,trade_settlement,350102,市场,\(owner),someday\n" }
        return Array(csv.utf8)
    }

    static func parts(of job: Int, on sql: any SQLDatabase) async throws -> Int {
        struct N: Decodable { var n: Int }
        return try await sql.raw("SELECT COUNT(*) AS n FROM job_uploads WHERE job_id = \(bind: job)").first(decoding: N.self)?.n ?? -1
    }

    static func runClaimed(_ store: Store) async throws -> JobModel {
        let job = try #require(try await JobQueue.claim(on: store.db))
        try await JobWorker(store: store, today: { today }, warnings: WarningRunner()).run(job, today: today)
        return try #require(try await JobModel.find(job.id, on: store.db))
    }

    @Test func anUploadWaitsInTheDatabaseInPartsAndGoesWithItsJob() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let bytes = Self.roll(40, owner: owner.creditCode, bad: true)
            // Parts of 100 bytes: a file of several parts, read back whole and in order.
            let job = try await ImportJobs.enqueue(bytes: bytes, mode: .validRowsOnly, by: .system("tests"), partSize: 100, on: store.db)
            #expect(job.createdBy == Principal.system("tests").actor)
            #expect(try await Self.parts(of: job.id!, on: store.sql) == (bytes.count + 99) / 100)
            #expect(try await JobUploads.read(for: job.id!, on: store.db) == bytes)

            let done = try await Self.runClaimed(store)
            #expect(done.state == "done", "\(done.error ?? "")")
            let report = try #require(ImportJobs.errors(of: done))
            #expect(report.count == 1 && report.first?.row == 42)
            #expect(try await InstrumentModel.query(on: store.db).count() == 40)
            #expect(try await Self.parts(of: job.id!, on: store.sql) == 0, "the upload goes with the job's end")
        }
    }

    /// A record imported through a job names the file it came from by the SHA-256 its upload was
    /// checked against (the import takes it from the job instead of hashing the file again).
    @Test func aJobsRecordsNameTheirUploadBySHA256AndRow() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            _ = try await Fixtures.institution(on: store.db)
            var csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date,last_verified_on,last_result,certificate_no,verified_by\n"
            for i in 0..<3 { csv += "2,电子秤,PV\(i),trade_settlement,350102,市场\(i)号,\(owner.creditCode),2025-01-01,2026-05-2\(i),合格,JD-PV-\(i),测试计量所\n" }
            let bytes = Array(csv.utf8)
            _ = try await ImportJobs.enqueue(bytes: bytes, mode: .allOrNothing, by: .system("tests"), on: store.db)
            let done = try await Self.runClaimed(store)
            #expect(done.state == "done", "\(done.error ?? "")")
            struct Source: Decodable { var certificate_no: String; var import_source: String }
            let sources = try await store.sql.raw("SELECT certificate_no, import_source FROM verification_records ORDER BY certificate_no").all(decoding: Source.self)
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            #expect(sources.map(\.import_source) == (2...4).map { "sha256:\(digest) row \($0)" }, "\(sources)")
        }
    }

    @Test func anEmptyUploadIsKeptAsOnePartAndRefusedAsAFile() async throws {
        try await TestDatabase.withStore { store in
            let job = try await ImportJobs.enqueue(bytes: [], mode: .allOrNothing, by: .system("tests"), on: store.db)
            #expect(try await Self.parts(of: job.id!, on: store.sql) == 1)
            #expect(try await JobUploads.read(for: job.id!, on: store.db) == [])
            let failed = try await Self.runClaimed(store)
            #expect(failed.state == "failed")
            #expect(JobQueue.failure(of: failed) != nil)
            #expect(try await Self.parts(of: job.id!, on: store.sql) == 0)
        }
    }

    /// A backup holds a job and its upload together (one snapshot), so a restore cannot part them;
    /// a part removed or changed by hand can. The job fails with its reason, and nothing is stored:
    /// the upload's length and SHA-256, kept with the job, are checked before the import.
    @Test(arguments: ["all parts", "a middle part", "the last part", "a changed byte"])
    func aJobWhoseUploadIsNotWholeFailsWithItsReason(damage: String) async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            // Six parts of 100 bytes or so: without its last part the file still ends on a row
            // boundary more often than not, and would import as a shorter roll.
            let bytes = Self.roll(8, owner: owner.creditCode)
            let job = try await ImportJobs.enqueue(bytes: bytes, mode: .allOrNothing, by: .system("tests"), partSize: 100, on: store.db)
            let parts = (bytes.count + 99) / 100
            switch damage {
            case "all parts": try await JobUploads.remove(for: job.id!, on: store.db)
            case "a middle part": try await store.sql.raw("DELETE FROM job_uploads WHERE job_id = \(bind: job.id!) AND part = 2").run()
            case "the last part": try await store.sql.raw("DELETE FROM job_uploads WHERE job_id = \(bind: job.id!) AND part = \(bind: parts - 1)").run()
            default:
                var part = Array(bytes[100..<200])
                part[50] = part[50] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
                try await store.sql.raw("UPDATE job_uploads SET bytes = \(bind: Data(part)) WHERE job_id = \(bind: job.id!) AND part = 1").run()
            }
            let failed = try await Self.runClaimed(store)
            #expect(failed.state == "failed")
            #expect(JobQueue.failure(of: failed) == .importing(.uploadMissing))
            #expect(try await InstrumentModel.query(on: store.db).count() == 0)
            #expect(try await Self.parts(of: job.id!, on: store.sql) == 0, "what was left goes with the job")
        }
    }

    /// A job queued before migration 040 names its file on disk: it still runs, and its file goes
    /// once it has.
    @Test func aJobQueuedBeforeTheUpgradeReadsItsFile() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let path = NSTemporaryDirectory() + "jiliang-import-\(UUID().uuidString).upload"
            try Data(Self.roll(5, owner: owner.creditCode)).write(to: URL(fileURLWithPath: path))
            let system = Principal.system("tests")
            let payload = ImportJobs.Payload(path: path, mode: .allOrNothing, scope: system.scope, actor: system.actor, options: nil)
            let job = try await JobQueue.enqueue(kind: ImportJobs.kind, payload: String(decoding: try JSONEncoder().encode(payload), as: UTF8.self), on: store.db)
            let done = try await Self.runClaimed(store)
            #expect(done.state == "done", "\(done.error ?? "")")
            #expect(try await InstrumentModel.query(on: store.db).count() == 5)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
