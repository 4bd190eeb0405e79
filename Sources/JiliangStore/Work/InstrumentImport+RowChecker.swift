import JiliangCore
import JiliangTables

extension InstrumentImport {
    /// An owner the file names by credit code and name that is not registered yet; the writer
    /// creates it before the first instrument that refers to it.
    struct NewOwner: Sendable {
        var creditCode: String
        var name: String
        var address: String
        var region: String
    }

    /// Pass one of the import, slice by slice: turns CSV rows into validated drafts and collects
    /// every problem by row and column. It also catches what only the whole file shows — a repeated
    /// row, a repeated code — and issues the codes of rows that bring none.
    struct RowChecker {
        let paths: [WritableKeyPath<RawInstrument, String?>?]
        let fieldCount: Int
        let columnName: [String: String]
        let context: RegistryContext
        /// Owners registered before the import, by credit code.
        let owners: [String: Int]
        /// The registered owners (by id) the caller may see, when it may not see them all: a row
        /// may not attach an instrument to anyone else's owner (issue #17).
        let visibleOwners: Set<Int>?
        let scope: AccessScope
        /// The import's day: a last verification may not be dated after it.
        var today: CalendarDay = CalendarDay(year: 9999, month: 12, day: 31)!
        /// The header's cells: a later row equal to it is a second header (two exports joined).
        var header: [String] = []
        var maxRows = InstrumentImport.defaultMaxRows
        /// The institution for rows with history and no 检定机构 (`Options.verifiedBy`).
        var verifiedBy: String?
        /// An owner's import: every row is a draft, whatever its 状态 says.
        var forceDraft = false
        /// An owner's import: its credit code and county for rows that leave them out.
        var ownerDefaults: InstrumentImport.Options.OwnerDefaults?
        /// Whether rows may be shorter than the header (a workbook's rows end at their last cell).
        var tableRowsEndEarly = false
        /// Set when the file has more data rows than `maxRows`: the import stops and stores nothing.
        private(set) var tooManyRows: ImportRefusal?
        private var seenCertificates = Set<String>()
        private var newOwners: Set<String> = []
        private var newOwnersToCreate: [NewOwner] = []
        private var seenKeys = Set<String>()
        private var seenCodes = Set<String>()
        var errors: [RowError] = []
        private(set) var rows = 0
        private(set) var valid = 0

        init(
            paths: [WritableKeyPath<RawInstrument, String?>?], fieldCount: Int, columnName: [String: String],
            context: RegistryContext, owners: [String: Int], visibleOwners: Set<Int>?, scope: AccessScope
        ) {
            self.scope = scope
            self.visibleOwners = visibleOwners
            self.paths = paths
            self.fieldCount = fieldCount
            self.columnName = columnName
            self.context = context
            self.owners = owners
        }

        /// The owners first seen since the last call.
        mutating func takeNewOwners() -> [NewOwner] {
            defer { newOwnersToCreate = [] }
            return newOwnersToCreate
        }

        /// Checks up to `limit` more rows; an empty answer means the file is done (or broken: see
        /// `reader.problem`).
        mutating func validate(
            from reader: inout TableRows, rows limit: Int, generator: inout some RandomNumberGenerator
        ) -> [ValidRow] {
            var slice: [ValidRow] = []
            slice.reserveCapacity(limit)
            while slice.count < limit, tooManyRows == nil, let row = reader.next() {
                // Rows of empty cells (",,,," below an Excel export's data) are no rows.
                if row.fields.allSatisfy({ $0.trimmingCharactersInWhitespace().isEmpty }) { continue }
                rows += 1
                if rows > maxRows {
                    tooManyRows = .tooManyRows(max: maxRows)
                    break
                }
                if let v = check(row, generator: &generator) {
                    slice.append(v)
                    valid += 1
                }
            }
            return slice
        }

        private mutating func check(_ row: CSVReader.Row, generator: inout some RandomNumberGenerator) -> ValidRow? {
            if let i = row.fields.firstIndex(where: { $0.utf8.count > InstrumentImport.maxCellCharacters && $0.count > InstrumentImport.maxCellCharacters }) {
                let column = i < header.count ? header[i] : "column \(i + 1)"
                errors.append(RowError(row: row.line, column: column, .cellTooLong(characters: row.fields[i].count, max: InstrumentImport.maxCellCharacters)))
                return nil
            }
            if !header.isEmpty, row.fields == header {
                errors.append(RowError(row: row.line, column: "", .repeatsHeader))
                return nil
            }
            // A workbook row ends at its last filled cell; empty cells at the end are no extra fields.
            var row = row
            if row.fields.count < fieldCount, tableRowsEndEarly { row.fields += repeatElement("", count: fieldCount - row.fields.count) }
            if row.fields.count > fieldCount, row.fields[fieldCount...].allSatisfy({ $0.trimmingCharactersInWhitespace().isEmpty }) {
                row.fields.removeLast(row.fields.count - fieldCount)
            }
            if row.fields.count != fieldCount {
                errors.append(RowError(row: row.line, column: "", .wrongFieldCount(row.fields.count, header: fieldCount)))
                return nil
            }
            var raw = RawInstrument()
            // Cells trimmed here: a spreadsheet's padding is no part of the value, and the fields'
            // limits count the value as given (`FieldChecker.text`) — "350102 " is a region code.
            for (i, p) in paths.enumerated() { if let p { raw[keyPath: p] = row.fields[i].trimmingCharactersInWhitespace() } }
            if forceDraft { raw.status = LifecycleStatus.draft.rawValue }
            if let d = ownerDefaults {
                if (raw.ownerCreditCode ?? "").trimmingCharactersInWhitespace().isEmpty { raw.ownerCreditCode = d.creditCode }
                if (raw.regionCode ?? "").trimmingCharactersInWhitespace().isEmpty { raw.regionCode = d.regionCode }
            }
            if let verifiedBy, (raw.verifiedBy ?? "").trimmingCharactersInWhitespace().isEmpty,
                [raw.lastVerifiedOn, raw.lastResult, raw.certificateNo].contains(where: { !($0 ?? "").trimmingCharactersInWhitespace().isEmpty })
            {
                raw.verifiedBy = verifiedBy
            }
            let d: InstrumentDraft
            do { d = try InstrumentDraft.parse(raw, context: context) } catch {
                for e in error.errors { errors.append(RowError(row: row.line, column: columnName[e.field] ?? e.field, reason: e.reason)) }
                return nil
            }
            let credit = d.ownerCreditCode.value
            guard scope.allowsImport(region: d.region, ownerID: owners[credit]) else {
                errors.append(RowError(row: row.line, column: (columnName["region_code"] ?? "region_code"), .instrumentOutsideScope(region: d.region.value, owner: credit)))
                return nil
            }
            if let id = owners[credit], let visible = visibleOwners, !visible.contains(id) {
                errors.append(RowError(row: row.line, column: (columnName["owner_credit_code"] ?? "owner_credit_code"), .ownerOutsideFilingScope(creditCode: credit)))
                return nil
            }
            if owners[credit] == nil, !newOwners.contains(credit) {
                guard let name = d.ownerName else {
                    errors.append(RowError(row: row.line, column: (columnName["owner_credit_code"] ?? "owner_credit_code"), .unknownOwner(creditCode: credit)))
                    return nil
                }
                newOwners.insert(credit)
                newOwnersToCreate.append(NewOwner(creditCode: credit, name: name, address: d.address, region: d.region.value))
            }
            guard seenKeys.insert("\(credit)|\(d.subNo)|\(d.serialNo)").inserted else {
                errors.append(RowError(row: row.line, column: (columnName["serial_no"] ?? "serial_no"), .repeatsRow(serialNo: d.serialNo)))
                return nil
            }
            if let last = d.lastVerification {
                if last.date > today {
                    errors.append(RowError(
                        row: row.line, column: columnName["last_verified_on"] ?? "last_verified_on",
                        .verifiedAfterToday(day: last.date.description, today: today.description)))
                    return nil
                }
                if let cert = last.certificateNo, !seenCertificates.insert(cert).inserted {
                    errors.append(RowError(row: row.line, column: columnName["certificate_no"] ?? "certificate_no", .certificateOnEarlierRow(cert)))
                    return nil
                }
            }
            if let code = d.code, !seenCodes.insert(code.value).inserted {
                errors.append(RowError(row: row.line, column: columnName["code"] ?? "code", .instrumentCodeOnEarlierRow(code.value)))
                return nil
            }
            let code = d.code ?? InstrumentCode.issue(region: d.region, using: &generator)
            return ValidRow(line: row.line, draft: d, code: code, codeGiven: d.code != nil)
        }
    }
}
