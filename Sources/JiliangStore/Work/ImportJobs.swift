import FluentKit
import Foundation
import Crypto
import JiliangCore
import SQLKit

/// Import uploads run as jobs: the upload is kept in the database with its job (`job_uploads`),
/// any instance's worker imports it and keeps the job's progress up to date for the client to poll.
public enum ImportJobs {
    public static let kind = "import_instruments"
    /// The owner and institution rolls (issue #19, item 5).
    public static let partyKinds: [PartyImport.Kind: String] = [.owners: "import_owners", .institutions: "import_institutions"]
    public static var kinds: Set<String> { Set(partyKinds.values).union([kind]) }

    struct Payload: Codable {
        /// The upload's file, for a job queued before migration 040 (its upload waits on disk);
        /// nil for one whose upload is in `job_uploads`.
        var path: String?
        var mode: InstrumentImport.Mode
        /// The importer's scope and name, kept for the worker that runs the job later.
        var scope: AccessScope?
        var actor: String?
        /// Sheet, mapping, preview, institution (issue #19). Optional: jobs queued before lack it.
        var options: InstrumentImport.Options?
        /// The upload's length and SHA-256, checked before it is imported: a part missing or cut
        /// short is refused, never imported as a shorter file (whose last row might look whole).
        var upload: UploadCheck?
    }

    struct UploadCheck: Codable, Equatable {
        var bytes: Int
        var sha256: String

        init(_ bytes: [UInt8]) {
            self.bytes = bytes.count
            sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        }
    }

    /// The most bytes of an upload one `job_uploads` row holds: a 512 MB roll is 64 rows, so no
    /// single statement carries (or makes the driver copy) the whole file.
    public static let partSize = 8 << 20

    /// Queues an import of `bytes`: the job and its upload in one transaction, so a worker never
    /// claims a job whose file is not all there, and a failed enqueue leaves neither behind.
    public static func enqueue(
        bytes: [UInt8], mode: InstrumentImport.Mode, options: InstrumentImport.Options = .init(), party: PartyImport.Kind? = nil, by principal: Principal,
        partSize: Int = partSize, on db: any Database
    ) async throws -> JobModel {
        if let party { try PartyImport.authorise(party, principal) }
        let payload = String(
            decoding: try JSONEncoder().encode(
                Payload(path: nil, mode: mode, scope: principal.scope, actor: principal.actor, options: options, upload: UploadCheck(bytes))),
            as: UTF8.self)
        let kind = party.flatMap { partyKinds[$0] } ?? kind
        return try await db.writeTransaction { tx in
            let job = JobModel()
            job.kind = kind
            job.payload = payload
            job.state = JobQueue.State.queued.rawValue
            job.runAfter = Date()
            job.attempts = 0
            job.createdBy = principal.actor
            try await job.create(on: tx)
            try await JobUploads.keep(bytes, for: job.id!, partSize: partSize, on: tx)
            return job
        }
    }

    /// A job its creator or an administrator may read; anyone else gets "not found", as if it did
    /// not exist (the report holds rows of the creator's registry). An administrator's token that
    /// may not read the registry (a scraper's `metrics:read`, a gateway's `telemetry:write`) reads
    /// only its own. While it runs in this process, with its progress as `running` has it.
    public static func job(_ id: Int, visibleTo p: Principal, running: RunningJobs, on db: any Database) async throws -> JobModel {
        guard let j = try await JobModel.find(id, on: db), (p.role == .provinceAdmin && p.may(.readRegistry)) || j.createdBy == p.actor else {
            throw RegistryError.notFound(.job, key: String(id))
        }
        return running.show(j)
    }

    /// An upload's options from its request: a profile's, then the upload's own (`map` entries
    /// "header=field", `verified_by`, `sheet`, `dry_run`) over them. Bad entries name the field.
    public static func options(
        dryRun: Bool, sheet: String?, profile: String?, map: [String], verifiedBy: String?, by p: Principal, on db: any Database
    ) async throws -> InstrumentImport.Options {
        var c = FieldChecker()
        var mapping: [String: String] = [:]
        if map.count > 100 { c.fail("map", .importing(.tooManyMappedColumns(max: 100))) }
        for entry in map.prefix(100) {
            // At the last "=": a field never holds one, a header may ("口径(DN=mm)").
            guard let eq = entry.lastIndex(of: "="), !entry[..<eq].trimmingCharactersInWhitespace().isEmpty else {
                c.fail("map", .importing(.notHeaderEqualsField(String(entry.prefix(40)))))
                continue
            }
            let field = entry[entry.index(after: eq)...].trimmingCharactersInWhitespace()
            if !field.isEmpty, !RawInstrument.columns.contains(where: { $0.name == field }) {
                c.fail("map", .importing(.notAnImportField(String(field.prefix(40)))))
            }
            mapping[entry[..<eq].trimmingCharactersInWhitespace()] = field
        }
        try c.finish()
        var upload = InstrumentImport.Options(
            dryRun: dryRun, sheet: sheet.flatMap { $0.isEmpty ? nil : $0 }, mapping: mapping, verifiedBy: verifiedBy.flatMap { $0.isEmpty ? nil : $0 })
        upload.ownerDefaults = try await ownerDefaults(for: p, on: db)
        guard let profile, !profile.isEmpty else { return upload }
        return ImportProfiles.merged(upload, over: try await ImportProfiles.find(profile, by: p, on: db).options)
    }

    /// A finished job's row errors, whichever roll it imported; nil before it has a report. The
    /// Server words them (as CSV, `RefusalText.errorsCSV`).
    public static func errors(of job: JobModel) -> [InstrumentImport.RowError]? {
        guard let result = job.result else { return nil }
        if let r = try? JSONDecoder().decode(InstrumentImport.Report.self, from: Data(result.utf8)) { return r.errors }
        return (try? JSONDecoder().decode(PartyImport.Report.self, from: Data(result.utf8)))?.errors
    }

    /// An owner account's own credit code and county, for its roll's rows that leave them out.
    public static func ownerDefaults(for p: Principal, on db: any Database) async throws -> InstrumentImport.Options.OwnerDefaults? {
        guard p.role == .owner, p.ownerIDs.count == 1, let o = try await OwnerModel.find(p.ownerIDs[0], on: db) else { return nil }
        return .init(creditCode: o.creditCode, regionCode: o.regionCode)
    }

    /// Runs one claimed import job to its end, recording the report (or the file-level error).
    public static func run(_ job: JobModel, today: CalendarDay, running: RunningJobs, on db: any Database) async throws {
        let payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
        let jobID = job.id!
        let bytes: [UInt8]
        // A job queued before migration 040 reads its file. The file stays while the job may run
        // again (it met contention, or lost the database: `JobWorker`).
        var again = false
        defer { if !again, let path = payload.path { try? FileManager.default.removeItem(atPath: path) } }
        if let path = payload.path {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } else if let kept = try await JobUploads.read(for: jobID, expectedBytes: payload.upload?.bytes, on: db),
            payload.upload.map({ $0 == UploadCheck(kept) }) ?? true
        {
            bytes = kept
        } else {
            // Not a file the user can mend: its upload is gone or not whole (removed by hand).
            try await JobQueue.fail(job, .importing(.uploadMissing), on: db)
            return
        }
        // On SQLite the import's own transaction holds the write lock until it ends: its progress is
        // kept in memory only (`RunningJobs`); a write of it would wait for a connection in vain.
        let onSQLite = (db as? any SQLDatabase)?.dialect.name == "sqlite"
        let reporter = ProgressThrottle { done, total in
            running.note(jobID, done: done, total: total)
            if !onSQLite { Task { try? await JobQueue.progress(jobID, done: done, total: total, on: db) } }
        }
        var rng = SystemRandomNumberGenerator()
        do {
            let importer = Principal.system("job \(jobID) for \(payload.actor ?? "unknown")")
            if let party = partyKinds.first(where: { $0.value == job.kind })?.key {
                let options = payload.options ?? .init()
                let report = try await Audit.$actor.withValue(importer) {
                    try await PartyImport(kind: party, mode: payload.mode, dryRun: options.dryRun, sheet: options.sheet).run(
                        bytes: bytes, scope: payload.scope ?? .nothing, today: today, on: db)
                }
                job.progressDone = 1
                job.progressTotal = 1
                try await JobQueue.finish(job, result: String(decoding: try JSONEncoder().encode(report), as: UTF8.self), error: nil, on: db)
                return
            }
            var importer0 = InstrumentImport(mode: payload.mode, scope: payload.scope ?? .nothing, options: payload.options ?? .init())
            // Checked against the upload above (a legacy file has none and is hashed by the import).
            if payload.path == nil { importer0.knownDigest = payload.upload?.sha256 }
            let instrumentImport = importer0
            let report = try await Audit.$actor.withValue(importer) {
                try await instrumentImport.run(bytes: bytes, on: db, today: today, progress: { reporter.report($0, $1) }, generator: &rng)
            }
            job.progressDone = report.rows * 2
            job.progressTotal = report.rows * 2
            try await JobQueue.finish(job, result: String(decoding: try JSONEncoder().encode(report), as: UTF8.self), error: nil, on: db)
        } catch let e as InstrumentImport.FileError {
            try await JobQueue.fail(job, e.refusal, on: db)
        } catch where (WriteContention.isContention(error) && job.attempts < JobWorker.contentionAttempts) || DatabaseAvailability.isUnavailable(error) {
            again = true  // `JobWorker` puts it back in the queue
            throw error
        }
    }
}

/// Passes on at most one progress report per 1% of the work, so progress never floods the database.
final class ProgressThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var lastPercent = -1
    private let sink: @Sendable (Int, Int) -> Void
    init(_ sink: @escaping @Sendable (Int, Int) -> Void) { self.sink = sink }
    func report(_ done: Int, _ total: Int) {
        let pct = total > 0 ? done * 100 / total : 0
        let send: Bool = lock.withLock {
            guard pct > lastPercent else { return false }
            lastPercent = pct
            return true
        }
        if send { sink(done, total) }
    }
}
