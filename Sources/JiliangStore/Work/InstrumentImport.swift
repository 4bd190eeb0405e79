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

    public init(mode: Mode) { self.mode = mode }

    struct ValidRow: Sendable {
        var line: Int
        var draft: InstrumentDraft
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
        var paths: [WritableKeyPath<RawInstrument, String?>?] = []
        var ignored: [String] = []
        var columnName: [String: String] = [:]  // canonical field → header as written
        for h in header.fields {
            let p = RawInstrument.column(forHeader: h)
            paths.append(p)
            if p == nil, !h.trimmingCharactersInWhitespace().isEmpty { ignored.append(h) }
            if let p, let canonical = RawInstrument.canonicalName(of: p) { columnName[canonical] = h }
        }
        for required in ["sub_no", "name", "serial_no", "purpose", "region_code", "address", "owner_credit_code"]
        where columnName[required] == nil {
            throw FileError(description: "the header has no column for \(required) (accepted: \(RawInstrument.aliases(of: required)))")
        }
        let estimatedRows = max(1, decoded.bytes.count / max(1, header.fields.joined(separator: ",").utf8.count + 40))

        // Pass 1: validate.
        let context = try await Registry.context(on: db)
        var owners = Dictionary(
            try await OwnerModel.query(on: db).all().map { ($0.creditCode, $0.id!) }, uniquingKeysWith: { a, _ in a })
        var newOwners: [String: (name: String, row: InstrumentDraft)] = [:]
        var valid: [ValidRow] = []
        var errors: [RowError] = []
        var seen = Set<String>()
        var seenCodes = Set<String>()
        var rows = 0
        while let row = reader.next() {
            rows += 1
            if rows % 5000 == 0 { progress(rows, max(estimatedRows, rows) * 2) }
            if row.fields.count != header.fields.count {
                errors.append(RowError(row: row.line, column: "", message: "has \(row.fields.count) fields, the header has \(header.fields.count)"))
                continue
            }
            var raw = RawInstrument()
            for (i, p) in paths.enumerated() { if let p { raw[keyPath: p] = row.fields[i] } }
            do {
                let d = try InstrumentDraft.parse(raw, context: context)
                if owners[d.ownerCreditCode.value] == nil {
                    if let name = d.ownerName {
                        if newOwners[d.ownerCreditCode.value] == nil { newOwners[d.ownerCreditCode.value] = (name, d) }
                    } else {
                        errors.append(RowError(row: row.line, column: columnName["owner_credit_code"]!,
                            message: "no owner with credit code \(d.ownerCreditCode) is registered; add a 使用单位/owner_name column to create it"))
                        continue
                    }
                }
                let key = "\(d.ownerCreditCode.value)|\(d.subNo)|\(d.serialNo)"
                guard seen.insert(key).inserted else {
                    errors.append(RowError(row: row.line, column: columnName["serial_no"]!,
                        message: "repeats an earlier row (same owner, catalogue sub-item and serial number \(d.serialNo))"))
                    continue
                }
                if let code = d.code, !seenCodes.insert(code.value).inserted {
                    errors.append(RowError(row: row.line, column: columnName["code"] ?? "code", message: "instrument code \(code) appears on an earlier row"))
                    continue
                }
                valid.append(ValidRow(line: row.line, draft: d))
            } catch {
                for e in error.errors { errors.append(RowError(row: row.line, column: columnName[e.field] ?? e.field, message: e.message)) }
            }
        }
        if let p = reader.problem { throw FileError(description: p.description) }
        // Rows already registered (a re-import) are skipped; a code that belongs to another instrument is an error.
        let existing = try await Self.existingKeys(for: valid, owners: owners, on: db)
        func registered(_ v: ValidRow) -> Bool {
            guard let owner = owners[v.draft.ownerCreditCode.value] else { return false }  // a new owner has nothing yet
            return existing.keys.contains("\(owner)|\(v.draft.subNo)|\(v.draft.serialNo)")
        }
        valid.removeAll { v in
            guard let code = v.draft.code, existing.codes.contains(code.value), !registered(v) else { return false }
            errors.append(RowError(row: v.line, column: columnName["code"] ?? "code", message: "instrument code \(code) already belongs to another instrument"))
            return true
        }
        errors.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        var report = Report(
            encoding: decoded.encoding.rawValue, rows: rows, valid: valid.count, inserted: 0, alreadyPresent: 0, ownersCreated: 0,
            errors: errors, ignoredColumns: ignored, stored: false)
        progress(rows, rows * 2)
        if mode == .allOrNothing, !errors.isEmpty { return report }
        guard !valid.isEmpty else { return report }

        // Pass 2: write what is not registered yet, in one transaction.
        let toWrite = valid.filter { !registered($0) }
        var codes: [InstrumentCode] = []
        codes.reserveCapacity(toWrite.count)
        for v in toWrite { codes.append(v.draft.code ?? InstrumentCode.issue(region: v.draft.region, using: &generator)) }
        let before = try await InstrumentModel.query(on: db).count()
        let validRows = toWrite, rowCount = rows, issuedCodes = codes, knownOwners = owners, logger = Logger(label: "jiliang.import")
        let ownersToCreate = newOwners.sorted(by: { $0.key < $1.key }).map { (code: $0.key, name: $0.value.name, row: $0.value.row) }
        let createdOwners = try await db.transaction { tx -> Int in
            var owners = knownOwners
            for o in ownersToCreate {
                let m = OwnerModel()
                m.name = o.name
                m.creditCode = o.code
                m.address = o.row.address
                m.regionCode = o.row.region.value
                m.industry = Industry.other.rawValue
                try await m.create(on: tx)
                owners[o.code] = m.id!
            }
            let now = Date()
            var cells: [[InstrumentBulkWriter.Cell]] = []
            cells.reserveCapacity(validRows.count)
            for (i, v) in validRows.enumerated() {
                cells.append(InstrumentBulkWriter.row(
                    v.draft, code: issuedCodes[i], ownerID: owners[v.draft.ownerCreditCode.value]!, entry: context.catalogue[v.draft.subNo], now: now))
            }
            try await InstrumentBulkWriter.write(cells, columns: Self.columns, table: "instruments", on: tx, logger: logger) { done in
                progress(rowCount + done * rowCount / max(1, validRows.count), rowCount * 2)
            }
            return ownersToCreate.count
        }
        let after = try await InstrumentModel.query(on: db).count()
        report.inserted = after - before
        report.alreadyPresent = valid.count - report.inserted
        report.ownersCreated = createdOwners
        report.stored = true
        progress(rows * 2, rows * 2)
        return report
    }

    /// Natural keys (`owner|sub|serial`) and codes already in the registry for the owners in the file.
    static func existingKeys(for rows: [ValidRow], owners: [String: Int], on db: any Database) async throws -> (keys: Set<String>, codes: Set<String>) {
        let ownerIDs = Array(Set(rows.compactMap { owners[$0.draft.ownerCreditCode.value] }))
        let sql = db as! any SQLDatabase
        struct Key: Decodable { var owner_id: Int; var sub_no: Int; var serial_no: String }
        struct Code: Decodable { var code: String }
        var keys = Set<String>()
        for chunk in ownerIDs.chunked(500) {
            for k in try await sql.select().columns("owner_id", "sub_no", "serial_no").from("instruments")
                .where("owner_id", .in, Array(chunk)).all(decoding: Key.self)
            {
                keys.insert("\(k.owner_id)|\(k.sub_no)|\(k.serial_no)")
            }
        }
        var codes = Set<String>()
        let given = rows.compactMap { $0.draft.code?.value }
        for chunk in given.chunked(500) {
            for c in try await sql.select().column("code").from("instruments").where("code", .in, Array(chunk)).all(decoding: Code.self) {
                codes.insert(c.code)
            }
        }
        return (keys, codes)
    }

    static let columns = [
        "code", "sub_no", "name", "model", "serial_no", "manufacturer", "type_approval_no", "accuracy_class",
        "measuring_range", "purpose", "region_code", "address", "latitude", "longitude", "owner_id", "in_service_date",
        "lifecycle", "meter_type", "dn", "q3", "medium", "batch", "compliance_base", "next_due", "due_kind", "created_at",
        "updated_at",
    ]
}
