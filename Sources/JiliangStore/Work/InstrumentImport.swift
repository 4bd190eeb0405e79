import Crypto
import FluentKit
import Foundation
import JiliangCore
import Logging
import SQLKit

/// Imports instruments from a CSV file (UTF-8 with or without BOM, or GB18030; Chinese or
/// English headers). Pass 1 validates every row and collects every error by row and column; pass 2
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
        public var message: String
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
        /// The errors grouped by column and message, most frequent first: the same unknown name on
        /// 3,000 rows is one line (issue #19). Optional: reports stored before lack it.
        public var summary: [SummaryLine]?

        public struct SummaryLine: Sendable, Codable, Equatable {
            public var column: String
            public var message: String
            public var rows: Int
            /// The first few rows it is on.
            public var firstRows: [Int]
        }

        static func summarize(_ errors: [RowError]) -> [SummaryLine] {
            var lines: [String: SummaryLine] = [:]
            var order: [String] = []
            for e in errors {
                let key = e.column + "\u{1F}" + e.message
                if lines[key] == nil {
                    lines[key] = SummaryLine(column: e.column, message: e.message, rows: 0, firstRows: [])
                    order.append(key)
                }
                lines[key]!.rows += 1
                if lines[key]!.firstRows.count < 5 { lines[key]!.firstRows.append(e.row) }
            }
            return order.compactMap { lines[$0] }.sorted { ($1.rows, $0.firstRows.first ?? 0) < ($0.rows, $1.firstRows.first ?? 0) }
        }

        /// The error report as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly).
        public var errorsCSV: String {
            "\u{FEFF}row,column,message\n"
                + errors.map { "\($0.row),\($0.column.csvEscaped),\($0.message.csvEscaped)" }.joined(separator: "\n") + "\n"
        }
    }

    public struct FileError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    public var mode: Mode
    /// Rows outside the importer's scope are refused row by row (a bureau imports for its region).
    public var scope: AccessScope

    public init(mode: Mode, scope: AccessScope = .everything) {
        self.mode = mode
        self.scope = scope
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

    /// The header's columns: the field each one fills (nil: ignored), the header as written for each
    /// canonical field, and the ignored headers. A header without a required column is refused.
    static func columns(_ header: [String]) throws(FileError) -> ([WritableKeyPath<RawInstrument, String?>?], [String: String], [String]) {
        var paths: [WritableKeyPath<RawInstrument, String?>?] = []
        var ignored: [String] = []
        var columnName: [String: String] = [:]  // canonical field → header as written
        for h in header {
            let p = RawInstrument.column(forHeader: h)
            paths.append(p)
            if p == nil, !h.trimmingCharactersInWhitespace().isEmpty { ignored.append(h) }
            if let p, let canonical = RawInstrument.canonicalName(of: p) { columnName[canonical] = h }
        }
        // No sub-item column is needed: bureau rolls name the instrument, and the name resolves it.
        for required in ["name", "serial_no", "purpose", "region_code", "address", "owner_credit_code"]
        where columnName[required] == nil {
            throw FileError(description: "the header has no column for \(required) (accepted: \(RawInstrument.aliases(of: required)))")
        }
        return (paths, columnName, ignored)
    }

    /// Checks a file's encoding and header line before it is queued, so that a file that cannot be
    /// an import at all is refused at once (400) instead of by a failed job later.
    public static func checkHeader(of bytes: [UInt8]) throws(FileError) {
        let firstLine = Array(bytes.prefix(1 << 16).prefix { $0 != UInt8(ascii: "\n") })
        let decoded: (bytes: [UInt8], encoding: TextDecoding.Encoding)
        do { decoded = try TextDecoding.toUTF8(firstLine) } catch { throw FileError(description: error.description) }
        var reader = CSVReader(utf8: decoded.bytes)
        guard let header = reader.next() else { throw FileError(description: "the file is empty") }
        _ = try columns(header.fields)
    }

    /// Runs the import. `progress` is called with work units done of total (rows × 2: check, then write).
    public func run(
        bytes: [UInt8], on db: any Database, today: CalendarDay, progress: @escaping Progress = { _, _ in },
        generator: inout some RandomNumberGenerator
    ) async throws -> Report {
        let decoded: (bytes: [UInt8], encoding: TextDecoding.Encoding)
        do { decoded = try TextDecoding.toUTF8(bytes) } catch { throw FileError(description: error.description) }
        var reader = CSVReader(utf8: decoded.bytes)
        guard let header = reader.next() else { throw FileError(description: "the file is empty") }
        let (paths, columnName, ignored) = try Self.columns(header.fields)

        let context = try await Registry.context(institutions: true, on: db)
        let registeredOwners = Dictionary(
            try await OwnerModel.query(on: db).all().map { ($0.creditCode, $0.id!) }, uniquingKeysWith: { a, _ in a })
        let before = try await InstrumentModel.query(on: db).count()
        let visibleOwners: Set<Int>? = scope == .everything ? nil : Set(try await Registry.scoped(OwnerModel.query(on: db), scope).all(\.$id))
        var check = RowChecker(
            paths: paths, fieldCount: header.fields.count, columnName: columnName, context: context, owners: registeredOwners,
            visibleOwners: visibleOwners, scope: scope)
        check.today = today
        // The file's fingerprint: an imported record keeps it (and its row) as its provenance.
        let fileDigest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()

        // The writer owns the transaction; slices go to it through a stream and its answers come
        // back through another. At most two slices are in flight, which bounds memory.
        let names = columnName
        let (slices, sliceSink) = AsyncStream.makeStream(of: SliceWriter.Message.self)
        let (answers, answerSink) = AsyncStream.makeStream(of: SliceWriter.Result.self)
        let writer = Task {
            defer { answerSink.finish() }
            // Not replayable: its slices come from a stream that a second run would find half read.
            return try await db.auditedTransaction(replayable: false) { tx in
                try await InstrumentBulkWriter.withBulkSettings(on: tx) {
                    var w = SliceWriter(owners: registeredOwners, context: context, columnName: names, fileDigest: fileDigest)
                    for await message in slices {
                        switch message {
                        case .slice(let rows, let newOwners): answerSink.yield(try await w.write(rows, newOwners: newOwners, on: tx))
                        case .finish(let commit, let summary):
                            guard commit else { throw SliceWriter.RolledBack() }
                            // One entry for the whole import: its rows bypass the models (bulk path).
                            try await Audit.record(Audit.actor, action: "import", entity: "instruments", id: nil, after: summary, on: tx)
                            return w.ownersCreated
                        }
                    }
                    throw SliceWriter.RolledBack()  // the producer went away
                }
            }
        }
        var answerIterator = answers.makeAsyncIterator()
        var inFlight = 0, written = 0, alreadyPresent = 0, lateErrors = 0
        let totalBytes = max(1, reader.totalBytes)
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
        while true {
            let slice = check.validate(from: &reader, rows: Self.sliceRows, generator: &generator)
            tellProgress()
            if slice.isEmpty { break }
            // All-or-nothing: once a row is bad nothing will be stored, so only checking goes on.
            guard mode == .validRowsOnly || check.errors.isEmpty else { continue }
            if inFlight == 2 {
                guard let r = await answerIterator.next() else { writerFailed = true; break }
                report(r)
            }
            sliceSink.yield(.slice(slice, newOwners: check.takeNewOwners()))
            inFlight += 1
        }
        while inFlight > 0, !writerFailed {
            guard let r = await answerIterator.next() else { writerFailed = true; break }
            report(r)
            tellProgress()
        }
        let fileProblem = reader.problem
        let commit = !writerFailed && fileProblem == nil && (mode == .validRowsOnly || check.errors.isEmpty)
        sliceSink.yield(.finish(commit: commit, summary: [
            "rows": "\(check.rows)", "inserted": "\(written)", "already_present": "\(alreadyPresent)",
            "errors": "\(check.errors.count)", "mode": mode.rawValue,
        ]))
        sliceSink.finish()
        var ownersCreated = 0
        do { ownersCreated = try await writer.value } catch is SliceWriter.RolledBack {}
        if let fileProblem { throw FileError(description: fileProblem.description) }

        let stored = commit && check.valid - lateErrors > 0
        var result = Report(
            encoding: decoded.encoding.rawValue, rows: check.rows, valid: check.valid - lateErrors, inserted: 0,
            alreadyPresent: stored ? alreadyPresent : 0, ownersCreated: stored ? ownersCreated : 0,
            errors: check.errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }, ignoredColumns: ignored, stored: stored,
            summary: Report.summarize(check.errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }))
        if stored { result.inserted = try await InstrumentModel.query(on: db).count() - before }
        progress(check.rows * 2, check.rows * 2)
        return result
    }

    static let columns = [
        "code", "sub_no", "name", "model", "serial_no", "manufacturer", "type_approval_no", "accuracy_class",
        "measuring_range", "purpose", "region_code", "address", "latitude", "longitude", "owner_id", "in_service_date",
        "lifecycle", "meter_type", "dn", "q3", "medium", "batch", "compliance_base", "next_due", "due_kind", "created_at",
        "updated_at",
    ]
}
