import Crypto
import FluentKit
import FluentPostgresDriver
import Foundation
import JiliangCore
import JiliangTables
import Logging
import SQLKit

/// Imports instruments from a table file — CSV (UTF-8 with or without BOM, or GB18030) or an XLSX
/// workbook — with Chinese or English headers, found below any title rows. Pass 1 validates every row and collects every error by row and column; pass 2
/// writes in one transaction, so a failed import leaves nothing half-written. The natural key
/// (owner, catalogue sub-item, serial number) makes importing the same file twice a no-op.
public struct InstrumentImport: Sendable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Any bad row: store nothing.
        case allOrNothing = "all_or_nothing"
        /// Store the valid rows, report the others.
        case validRowsOnly = "valid_rows_only"
    }

    public struct RowError: Sendable, Codable, Equatable {
        public var row: Int  // line number in the file; the header is line 1
        public var column: String
        /// Why, as a fact; the Server words it (`RefusalText`).
        public var reason: Refusal

        public init(row: Int, column: String, reason: Refusal) {
            self.row = row
            self.column = column
            self.reason = reason
        }

        public init(row: Int, column: String, _ reason: ImportRefusal) { self.init(row: row, column: column, reason: .importing(reason)) }

        enum CodingKeys: String, CodingKey { case row, column, reason, message }

        /// Reports stored before reasons were facts hold the words (`message`): they read back as
        /// `.recorded`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            row = try c.decode(Int.self, forKey: .row)
            column = try c.decode(String.self, forKey: .column)
            reason = try c.decodeIfPresent(Refusal.self, forKey: .reason) ?? .recorded(c.decode(String.self, forKey: .message))
        }

        /// The reason as stored; with `InstrumentImport.wording` in the encoder's `userInfo`, as
        /// its words under `message` instead (the API's report keeps its shape).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(row, forKey: .row)
            try c.encode(column, forKey: .column)
            try InstrumentImport.encode(reason, in: &c, reasonKey: .reason, messageKey: .message, encoder: encoder)
        }
    }

    /// Words for a refusal, given by the Server to an encoder (`userInfo[InstrumentImport.wording]`)
    /// that writes a report with `message` words in place of `reason` facts.
    public typealias Wording = @Sendable (Refusal) -> String
    public static let wording = CodingUserInfoKey(rawValue: "jiliang.import.wording")!

    static func encode<K: CodingKey>(
        _ reason: Refusal, in c: inout KeyedEncodingContainer<K>, reasonKey: K, messageKey: K, encoder: any Encoder
    ) throws {
        if let words = encoder.userInfo[wording] as? Wording {
            try c.encode(words(reason), forKey: messageKey)
        } else {
            try c.encode(reason, forKey: reasonKey)
        }
    }

    public struct Report: Sendable, Codable, Equatable {
        public var encoding: String
        public var rows: Int
        public var valid: Int
        public var inserted: Int
        /// Valid rows already in the registry (a re-import).
        public var alreadyPresent: Int
        public var ownersCreated: Int
        public var errors: [RowError]
        public var ignoredColumns: [String]
        public var stored: Bool
        /// The errors grouped by column and reason, most frequent first: the same unknown name on
        /// 3,000 rows is one line (issue #19). Optional: reports stored before lack it.
        public var summary: [SummaryLine]?
        /// What was read (issue #19): the sheet of a workbook and its other sheets, the header's row,
        /// how each column was understood, a few rows as they will be stored, and whether this was a
        /// preview (dry run) that stored nothing. Optional: reports stored before lack them.
        public var sheet: String?
        public var sheets: [String]?
        public var headerRow: Int?
        public var mapping: [MappedColumn]?
        public var sample: [SampleRow]?
        public var dryRun: Bool?
        /// In a preview: how many rows the import would add.
        public var wouldInsert: Int?

        public struct MappedColumn: Sendable, Codable, Equatable {
            public var header: String
            /// The canonical field it fills (`RawInstrument.columns`), nil when ignored.
            public var field: String?
            /// Whether a mapping (given or from a profile) decided it, rather than the header's name.
            public var mapped: Bool
            public init(header: String, field: String?, mapped: Bool) {
                self.header = header
                self.field = field
                self.mapped = mapped
            }
        }

        public struct SampleRow: Sendable, Codable, Equatable {
            public var row: Int
            public var code: String?
            public var name: String
            public var subNo: Int
            public var subItem: String
            public var serialNo: String
            public var ownerCreditCode: String
            public var region: String
            public var inServiceDate: String?
            public var lastVerification: String?
            /// The status the instrument will have on the import's day (`ComplianceStatus`).
            public var status: String
            public var nextDue: String?
        }

        /// One problem (a column and a reason) with how many rows have it and the first of them;
        /// the Server words it ("column: reason — 300 (2, 3, 4, 5, 6, …)").
        public struct SummaryLine: Sendable, Codable, Equatable {
            public var column: String
            /// Why, as a fact; the Server words it (`RefusalText`).
            public var reason: Refusal
            public var rows: Int
            /// The first few rows it is on.
            public var firstRows: [Int]

            public init(column: String, reason: Refusal, rows: Int, firstRows: [Int]) {
                self.column = column
                self.reason = reason
                self.rows = rows
                self.firstRows = firstRows
            }

            enum CodingKeys: String, CodingKey { case column, reason, message, rows, firstRows }

            /// Lines stored before reasons were facts hold the words (`message`): `.recorded`.
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                column = try c.decode(String.self, forKey: .column)
                reason = try c.decodeIfPresent(Refusal.self, forKey: .reason) ?? .recorded(c.decode(String.self, forKey: .message))
                rows = try c.decode(Int.self, forKey: .rows)
                firstRows = try c.decode([Int].self, forKey: .firstRows)
            }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(column, forKey: .column)
                try InstrumentImport.encode(reason, in: &c, reasonKey: .reason, messageKey: .message, encoder: encoder)
                try c.encode(rows, forKey: .rows)
                try c.encode(firstRows, forKey: .firstRows)
            }
        }

        /// The errors grouped by (column, reason), most rows first.
        static func summarize(_ errors: [RowError]) -> [SummaryLine] {
            struct Key: Hashable {
                var column: String
                var reason: Refusal
            }
            var lines: [Key: SummaryLine] = [:]
            var order: [Key] = []
            for e in errors {
                let key = Key(column: e.column, reason: e.reason)
                if lines[key] == nil {
                    lines[key] = SummaryLine(column: e.column, reason: e.reason, rows: 0, firstRows: [])
                    order.append(key)
                }
                lines[key]!.rows += 1
                if lines[key]!.firstRows.count < 5 { lines[key]!.firstRows.append(e.row) }
            }
            return order.compactMap { lines[$0] }.sorted { ($1.rows, $0.firstRows.first ?? 0) < ($0.rows, $1.firstRows.first ?? 0) }
        }
    }

    /// A file refused whole (not a table, no header, too many rows, broken), with the reason as a fact.
    public struct FileError: Error, CustomStringConvertible, Sendable {
        public var reason: ImportRefusal
        /// The row that came closest to a header and how its columns read, when no row was one: a
        /// preview shows it, so the missing field can be mapped to one of its columns.
        var candidate: (line: Int, mapping: [Report.MappedColumn])?
        public init(_ reason: ImportRefusal) { self.reason = reason }
        /// The reason as a `Refusal`, for the Server's words and a job's stored error.
        public var refusal: Refusal { .importing(reason) }
        /// For logs: the reason's case, not words for a reader.
        public var description: String { "\(reason)" }
    }

    /// How each column of a would-be header reads, without the checks (for a preview's correction).
    static func candidateMapping(_ header: [String], mapping: [String: String]) -> [Report.MappedColumn] {
        header.filter { !$0.trimmingCharactersInWhitespace().isEmpty }.map { h in
            if let field = mapping[h.trimmingCharactersInWhitespace()] { return .init(header: h, field: field.isEmpty ? nil : field, mapped: true) }
            return .init(header: h, field: RawInstrument.column(forHeader: h).flatMap(RawInstrument.canonicalName(of:)), mapped: false)
        }
    }

    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    public var mode: Mode
    /// Rows outside the importer's scope are refused row by row (a bureau imports for its region).
    public var scope: AccessScope
    /// Everything but the mode: the sheet, column mapping, preview and limits.
    public var options: Options

    /// How a file is read. Every field has a default, so a plain import names none.
    public struct Options: Sendable, Codable, Equatable {
        /// A preview: everything is checked and written inside a transaction that is then rolled back.
        public var dryRun = false
        /// A workbook's sheet by name (default: the first).
        public var sheet: String?
        /// Header as written → canonical field ("" ignores the column), over what the header's name says.
        public var mapping: [String: String] = [:]
        /// The most data rows a file may have (`serve --import-max-rows`).
        public var maxRows = InstrumentImport.defaultMaxRows
        /// The institution (name or credit code) that verified the roll's instruments, for rows with
        /// a last verification but no 检定机构 of their own: a county's roll often leaves it out,
        /// because one institute verifies the county.
        public var verifiedBy: String?
        /// An owner's own roll need not name the owner or its county in every row (issue #19,
        /// review): rows without them are the owner's, in its county.
        public var ownerDefaults: OwnerDefaults?
        /// An owner's upload through its survey link: the new instruments are counted for that
        /// invitation inside the import's transaction.
        public var surveyInvitationID: Int?
        /// A tighter limit on a workbook part's inflated size (default: the reader's own).
        public var workbookMaxPartMB: Int?
        /// How long the import waits for another writer (SQLite) before it fails whole (default 30 s).
        public var busyTimeoutMs: Int?
        public struct OwnerDefaults: Sendable, Codable, Equatable {
            public var creditCode: String
            public var regionCode: String
            public init(creditCode: String, regionCode: String) {
                self.creditCode = creditCode
                self.regionCode = regionCode
            }
            var fields: Set<String> { ["owner_credit_code", "region_code"] }
        }
        public init(
            dryRun: Bool = false, sheet: String? = nil, mapping: [String: String] = [:], maxRows: Int = InstrumentImport.defaultMaxRows,
            verifiedBy: String? = nil
        ) {
            self.verifiedBy = verifiedBy
            self.dryRun = dryRun
            self.sheet = sheet
            self.mapping = mapping
            self.maxRows = maxRows
        }
    }

    /// Two million rows: twice Excel's own sheet limit, and well past a province's largest roll.
    public static let defaultMaxRows = 2_000_000
    /// A cell may hold at most Excel's own limit of characters; a longer one is a broken file.
    public static let maxCellCharacters = 32_767
    /// How many rows down the header may be (title rows, notes and blank rows above it).
    static let headerSearchRows = 20

    public init(mode: Mode, scope: AccessScope = .everything, options: Options = Options()) {
        self.mode = mode
        self.scope = scope
        self.options = options
    }

    struct ValidRow: Sendable {
        var line: Int
        var draft: InstrumentDraft
        /// The code given in the file, or one issued now.
        var code: InstrumentCode
        var codeGiven: Bool
    }

    /// Rows are validated and written in slices: while the database writes one slice (on SQLite's
    /// thread, or in the PostgreSQL server), the next slice is validated on another core. All the
    /// writes happen in one transaction, so a failed import (a bad row in all-or-nothing mode, a
    /// broken file, a database error) is rolled back whole and nothing is half-written.
    static let sliceRows = 20_000
    /// `sliceRows` unless a test asks for smaller slices, to import many slices from a small file.
    var rowsPerSlice = InstrumentImport.sliceRows
    /// The file's SHA-256 (lower-case hex) when the caller has it already: a job's upload was
    /// hashed when it was queued and checked against that before it runs (`ImportJobs`), so the
    /// import need not read half a gigabyte a third time for its records' provenance.
    var knownDigest: String?
    /// Told where the import's time went when it ends (`jiliang bench import`).
    public var observeTimes: (@Sendable (Times) -> Void)?

    /// How the header was understood: the field each column fills (nil: ignored), the header as
    /// written for each canonical field, the ignored headers, and the mapping for the report.
    struct Columns {
        var paths: [WritableKeyPath<RawInstrument, String?>?]
        var names: [String: String]
        var ignored: [String]
        var mapping: [Report.MappedColumn]
        var header: [String]
        var line: Int
    }

    /// Reads a header. A mapping entry (header → canonical field, "" to ignore) decides over the
    /// header's name; a field given by two columns, an unknown field in the mapping, or a missing
    /// required column refuses the file with the columns named.
    static func columns(_ header: [String], mapping: [String: String] = [:], line: Int = 1, provided: Set<String> = []) throws(FileError) -> Columns {
        var c = Columns(paths: [], names: [:], ignored: [], mapping: [], header: header, line: line)
        let mapping = Dictionary(mapping.map { ($0.key.trimmingCharactersInWhitespace(), $0.value.trimmingCharactersInWhitespace()) }, uniquingKeysWith: { a, _ in a })
        for (header, field) in mapping where !field.isEmpty && !RawInstrument.columns.contains(where: { $0.name == field }) {
            throw FileError(.mappedToUnknownField(header: header, field: field))
        }
        for h in header {
            let key = h.trimmingCharactersInWhitespace()
            let p: WritableKeyPath<RawInstrument, String?>?
            if let field = mapping[key] {
                p = field.isEmpty ? nil : RawInstrument.columns.first { $0.name == field }!.path
            } else {
                p = RawInstrument.column(forHeader: h)
            }
            c.paths.append(p)
            if p == nil, !key.isEmpty { c.ignored.append(h) }
            let canonical = p.flatMap(RawInstrument.canonicalName(of:))
            if let canonical {
                if let earlier = c.names[canonical] {
                    throw FileError(.columnsGiveOneField(first: earlier, second: h, field: canonical, mappable: true))
                }
                c.names[canonical] = h
            }
            if !key.isEmpty { c.mapping.append(.init(header: h, field: canonical, mapped: mapping[key] != nil)) }
        }
        // No sub-item column is needed: bureau rolls name the instrument, and the name resolves it.
        for required in ["name", "serial_no", "purpose", "region_code", "address", "owner_credit_code"] where c.names[required] == nil && !provided.contains(required) {
            throw FileError(.noColumnFor(field: required, accepted: RawInstrument.acceptedHeaders(of: required)))
        }
        return c
    }

    /// Finds the header among the first rows: the first that reads as one. Title rows, notes and
    /// blank rows above it are skipped (bureau rolls carry a merged title). When no row reads as a
    /// header, the refusal names the row that came closest and what it lacks.
    static func findHeader(in rows: inout TableRows, mapping: [String: String], provided: Set<String> = []) throws(FileError) -> Columns {
        var best: (recognised: Int, error: FileError, row: CSVReader.Row)?
        for _ in 0..<headerSearchRows {
            guard let row = rows.next() else { break }
            do {
                return try columns(row.fields, mapping: mapping, line: row.line, provided: provided)
            } catch {
                let recognised = row.fields.filter { RawInstrument.column(forHeader: $0) != nil || mapping[$0.trimmingCharactersInWhitespace()] != nil }.count
                if recognised > (best?.recognised ?? 0) {
                    best = (recognised, FileError(.headerRowIncomplete(row: row.line, error.reason)), row)
                }
            }
        }
        if let best, best.recognised >= 2 {
            var e = best.error
            e.candidate = (best.row.line, candidateMapping(best.row.fields, mapping: mapping))
            throw e
        }
        throw FileError(.noHeaderRow(searched: headerSearchRows))
    }

    /// `streaming`: a workbook's rows are read as the import asks for them, so its first slices
    /// are checked and written while the rest is unread; a sheet broken part-way ends in
    /// `rows.problem`, and the import stores nothing.
    static func open(_ bytes: [UInt8], options: Options, maxRows: Int = .max, streaming: Bool = false) throws(FileError) -> TableFile {
        var limits = WorkbookReader.Limits()
        if let mb = options.workbookMaxPartMB { limits.maxPartBytes = Swift.min(limits.maxPartBytes, mb << 20) }
        // A sheet is read no further than the rows an import may have (and its header's rows).
        let rows = Swift.min(maxRows, options.maxRows &+ headerSearchRows)
        do { return try TableFile.open(bytes, sheet: options.sheet, maxRows: rows, limits: limits, streaming: streaming) } catch { throw FileError(error.reason) }
    }

    /// Checks a file's format and header before it is queued, so that a file that cannot be an
    /// import at all is refused at once (400) instead of by a failed job later.
    public static func checkHeader(of bytes: [UInt8], options: Options = Options()) throws(FileError) {
        guard !bytes.isEmpty else { throw FileError(.emptyFile) }
        // The top of the file is enough: a CSV's first lines (cut at a line break; GB18030 never
        // uses the byte of a line break inside a character), a workbook's first rows.
        var top = bytes
        if TableFile.Kind(bytes) == .text, bytes.count > 1 << 16 {
            let head = bytes.prefix(1 << 16)
            top = Array(head[..<(head.lastIndex(of: UInt8(ascii: "\n")) ?? head.endIndex)])
        }
        var rows = try open(top, options: options, maxRows: headerSearchRows).rows
        do { _ = try findHeader(in: &rows, mapping: options.mapping, provided: options.ownerDefaults?.fields ?? []) } catch {
            // A preview of a header that lacks a field still runs: it offers the columns to map.
            guard options.dryRun, error.candidate != nil else { throw error }
        }
    }

    /// Runs the import. `progress` is called with work units done of total (rows × 2: check, then write).
    public func run(
        bytes: [UInt8], on db: any Database, today: CalendarDay, progress: @escaping Progress = { _, _ in },
        generator: inout some RandomNumberGenerator
    ) async throws -> Report {
        let file = try Self.open(bytes, options: options, streaming: true)
        var reader = file.rows
        var columns: Columns
        do { columns = try Self.findHeader(in: &reader, mapping: options.mapping, provided: options.ownerDefaults?.fields ?? []) } catch {
            // A streamed sheet that broke among its first rows says why, not that it has no header.
            if let broken = reader.problem { throw FileError(broken) }
            // A preview shows the closest row's columns so that the missing field can be mapped.
            guard options.dryRun, let candidate = error.candidate else { throw error }
            var r = Report(
                encoding: file.format.rawValue, rows: 0, valid: 0, inserted: 0, alreadyPresent: 0, ownersCreated: 0,
                errors: [RowError(row: candidate.line, column: "", reason: error.refusal)], ignoredColumns: [], stored: false)
            r.summary = Report.summarize(r.errors)
            r.sheet = file.sheet
            r.sheets = file.sheetNames.isEmpty ? nil : file.sheetNames
            r.headerRow = candidate.line
            r.mapping = candidate.mapping
            r.sample = []
            r.dryRun = true
            r.wouldInsert = 0
            return r
        }
        // An owner files its own instruments (issue #19, item 5): drafts, each with a filing
        // submitted to the bureau; verifications are the institutes' to record, so its file's
        // history columns are ignored.
        let byOwner: Bool = { if case .owners = scope { return true } else { return false } }()
        var (paths, columnName, ignored) = (columns.paths, columns.names, columns.ignored)
        if byOwner {
            for field in ["last_verified_on", "last_result", "certificate_no", "verified_by"] {
                guard let header = columnName.removeValue(forKey: field), let i = columns.header.firstIndex(of: header) else { continue }
                paths[i] = nil
                ignored.append(header)
                if let m = columns.mapping.firstIndex(where: { $0.header == header }) { columns.mapping[m].field = nil }
            }
        }

        let context = try await {
            var c = try await Registry.context(institutions: true, on: db)
            // A roll of mixed instruments has one column for a family field (油品 for dispensers
            // and tanks alike): a row of another family has no such field; its cell is passed over.
            c.otherFamilysFields = .passOver
            return c
        }()
        let registeredOwners = Dictionary(
            try await OwnerModel.query(on: db).all().map { ($0.creditCode, $0.id!) }, uniquingKeysWith: { a, _ in a })
        let before = try await InstrumentModel.query(on: db).count()
        let visibleOwners: Set<Int>? = scope == .everything ? nil : Set(try await Registry.scoped(OwnerModel.query(on: db), scope).all(\.$id))
        var check = RowChecker(
            paths: paths, fieldCount: columns.header.count, columnName: columnName, context: context, owners: registeredOwners,
            visibleOwners: visibleOwners, scope: scope)
        check.today = today
        check.forceDraft = byOwner
        check.ownerDefaults = options.ownerDefaults
        check.header = columns.header
        check.verifiedBy = options.verifiedBy.flatMap { $0.trimmingCharactersInWhitespace().isEmpty ? nil : $0 }
        check.maxRows = options.maxRows
        check.tableRowsEndEarly = file.format == .xlsx
        // The file's fingerprint: an imported record keeps it (and its row) as its provenance.
        let fileDigest = knownDigest ?? SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()

        // The writer owns the transaction; slices go to it through a stream and its answers come
        // back through another. At most two slices are in flight, which bounds memory.
        let names = columnName
        let survey = options.surveyInvitationID
        let (slices, sliceSink) = AsyncStream.makeStream(of: SliceWriter.Message.self)
        let (answers, answerSink) = AsyncStream.makeStream(of: SliceWriter.Result.self)
        let writer = Task {
            defer { answerSink.finish() }
            // Not replayable: its slices come from a stream that a second run would find half read.
            // Contention fails the whole import (nothing stored); the job worker runs it again.
            return try await db.auditedTransaction(replayable: false, busyTimeoutMs: options.busyTimeoutMs ?? 30_000) { tx in
                // PostgreSQL: the kept counts are written at the end (`SliceWriter.finish`), the
                // offences with each slice. A recount locks the counts, then the offences
                // (`DerivedData`); taking the counts' ordinary write lock first keeps that order, so
                // the two wait for each other instead of deadlocking. It locks no row.
                if tx is any PostgresDatabase {
                    try await (tx as! any SQLDatabase).raw("LOCK TABLE metric_counts, utility_counts IN ROW EXCLUSIVE MODE").run()
                }
                return try await InstrumentBulkWriter.withBulkSettings(on: tx) {
                    var w = SliceWriter(owners: registeredOwners, context: context, columnName: names, fileDigest: fileDigest)
                    w.submitFilings = byOwner
                    w.surveyInvitationID = byOwner ? survey : nil
                    var laps = Laps(), waiting = Duration.zero
                    for await message in slices {
                        laps.lap(&waiting)
                        switch message {
                        case .slice(let rows, let newOwners):
                            answerSink.yield(try await w.write(rows, newOwners: newOwners, on: tx))
                            laps.restart()
                        case .finish(let commit, let summary):
                            guard commit else { throw SliceWriter.RolledBack() }
                            try await w.finish(on: tx)
                            // One entry for the whole import: its rows bypass the models (bulk path).
                            var entry = summary
                            if w.submitFilings { entry["filings_submitted"] = "\(w.filingsSubmitted)" }
                            try await Audit.record(Audit.actor, action: "import", entity: "instruments", id: nil, after: entry, on: tx)
                            return (w.ownersCreated, w.times, waiting)
                        }
                    }
                    throw SliceWriter.RolledBack()  // the producer went away
                }
            }
        }
        var answerIterator = answers.makeAsyncIterator()
        var inFlight = 0, written = 0, alreadyPresent = 0, lateErrors = 0
        let totalBytes = max(1, reader.total)
        func report(_ r: SliceWriter.Result) {
            inFlight -= 1
            written += r.inserted
            alreadyPresent += r.alreadyPresent
            lateErrors += r.errors.count
            check.errors += r.errors
        }
        func tellProgress() {
            let estimate = max(check.rows, Int(Double(check.rows) * Double(totalBytes) / Double(max(1, reader.offset))))
            progress(check.rows + written + alreadyPresent, estimate * 2)
        }
        var writerFailed = false
        var sample: [Report.SampleRow] = []
        var times = Times(), laps = Laps()
        while true {
            let slice = check.validate(from: &reader, rows: rowsPerSlice, generator: &generator)
            laps.lap(&times.checking)
            if sample.count < 5 { sample += slice.prefix(5 - sample.count).map { Self.sample($0, context: context, today: today) } }
            tellProgress()
            if slice.isEmpty { break }
            // All-or-nothing: once a row is bad nothing will be stored, so only checking goes on.
            guard mode == .validRowsOnly || check.errors.isEmpty else { continue }
            if inFlight == 2 {
                laps.restart()
                guard let r = await answerIterator.next() else { writerFailed = true; break }
                laps.lap(&times.checksWaiting)
                report(r)
            }
            sliceSink.yield(.slice(slice, newOwners: check.takeNewOwners()))
            inFlight += 1
        }
        laps.restart()
        while inFlight > 0, !writerFailed {
            guard let r = await answerIterator.next() else { writerFailed = true; break }
            report(r)
            tellProgress()
        }
        laps.lap(&times.checksWaiting)
        let fileProblem = reader.problem ?? check.tooManyRows
        let wouldCommit = !writerFailed && fileProblem == nil && (mode == .validRowsOnly || check.errors.isEmpty)
        // A preview rolls back what it wrote: the checks and the database's answers are the real ones.
        let commit = wouldCommit && !options.dryRun
        sliceSink.yield(.finish(commit: commit, summary: [
            "rows": "\(check.rows)", "inserted": "\(written)", "already_present": "\(alreadyPresent)",
            "errors": "\(check.errors.count)", "mode": mode.rawValue,
        ]))
        sliceSink.finish()
        var ownersCreated = 0
        do { (ownersCreated, times.writer, times.writerWaiting) = try await writer.value } catch is SliceWriter.RolledBack {}
        observeTimes?(times)
        if let fileProblem { throw FileError(fileProblem) }

        let stored = commit && check.valid - lateErrors > 0
        var result = Report(
            encoding: file.format.rawValue, rows: check.rows, valid: check.valid - lateErrors, inserted: 0,
            alreadyPresent: stored ? alreadyPresent : 0, ownersCreated: stored ? ownersCreated : 0,
            errors: check.errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }, ignoredColumns: ignored, stored: stored,
            summary: Report.summarize(check.errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }))
        if stored { result.inserted = try await InstrumentModel.query(on: db).count() - before }
        result.sheet = file.sheet
        result.sheets = file.sheetNames.isEmpty ? nil : file.sheetNames
        result.headerRow = columns.line
        result.mapping = columns.mapping
        result.sample = sample
        if options.dryRun {
            result.dryRun = true
            result.wouldInsert = wouldCommit ? written : 0
            result.alreadyPresent = wouldCommit ? alreadyPresent : 0
        }
        progress(check.rows * 2, check.rows * 2)
        return result
    }

    /// A valid row as it will be stored, for the preview.
    static func sample(_ v: ValidRow, context: RegistryContext, today: CalendarDay) -> Report.SampleRow {
        let d = v.draft
        let entry = context.catalogue[d.subNo]
        let record = SliceWriter.record(of: d, context: context)
        let form = context.rules.currentForm(subNo: d.subNo, attributes: d.meter, catalogueForm: entry?.form)
        let eval = ComplianceEngine.evaluate(
            .init(lifecycle: d.status, form: form, mode: entry?.mode, inServiceDate: d.inServiceDate, records: record.map { [$0.fact] } ?? []))
        return Report.SampleRow(
            row: v.line, code: v.codeGiven ? v.code.value : nil, name: d.name, subNo: d.subNo, subItem: entry?.subName ?? "", serialNo: d.serialNo,
            ownerCreditCode: d.ownerCreditCode.value, region: d.region.value, inServiceDate: d.inServiceDate?.description,
            lastVerification: d.lastVerification.map { "\($0.date) \($0.result.rawValue)\($0.certificateNo.map { " \($0)" } ?? "")" },
            status: eval.status(on: today).rawValue, nextDue: eval.nextDue?.dueDate.description)
    }

    /// The instruments table's columns the import writes (declared once, with their cells).
    static var columns: [String] { StoredInstrument.columnNames }
}
