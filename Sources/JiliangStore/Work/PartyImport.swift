import FluentKit
import Foundation
import JiliangCore
import JiliangTables
import SQLKit

/// Imports the other rolls a bureau keeps (issue #19, item 5): its owners (使用单位) and the
/// province's verification institutions (计量技术机构) with their authorisations, from CSV or XLSX,
/// with the instrument import's file handling — the header found below title rows, a preview that
/// stores nothing, every problem named by row and column, re-imports adding nothing. Rolls of
/// parties are thousands of rows, not millions: each row goes through the registry's own checks
/// and writes (audited row by row), all in one transaction.
public struct PartyImport: Sendable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case owners, institutions }

    struct Column: Sendable {
        var name: String
        var aliases: [String]
        var required: Bool
    }

    public struct Report: Sendable, Codable, Equatable {
        public var kind: Kind
        public var encoding: String
        public var rows: Int
        public var valid: Int
        public var inserted: Int
        public var alreadyPresent: Int
        public var errors: [InstrumentImport.RowError]
        public var summary: [InstrumentImport.Report.SummaryLine]
        public var ignoredColumns: [String]
        public var stored: Bool
        public var headerRow: Int
        public var mapping: [InstrumentImport.Report.MappedColumn]
        public var dryRun: Bool
    }

    public var kind: Kind
    public var mode: InstrumentImport.Mode
    public var dryRun: Bool
    public var sheet: String?

    public init(kind: Kind, mode: InstrumentImport.Mode = .allOrNothing, dryRun: Bool = false, sheet: String? = nil) {
        self.kind = kind
        self.mode = mode
        self.dryRun = dryRun
        self.sheet = sheet
    }

    static let ownerColumns = [
        Column(name: "name", aliases: ["使用单位", "使用单位名称", "单位名称", "名称", "企业名称"], required: true),
        Column(name: "credit_code", aliases: ["统一社会信用代码", "信用代码", "owner_credit_code"], required: true),
        Column(name: "address", aliases: ["地址", "单位地址", "使用单位地址", "注册地址", "经营地址"], required: true),
        Column(name: "region_code", aliases: ["所属区县", "区县", "所在区县", "行政区划代码", "区划代码", "所属区域"], required: true),
        Column(name: "industry", aliases: ["行业", "所属行业", "行业类别", "单位类型"], required: true),
        Column(name: "contact_name", aliases: ["联系人"], required: false),
        Column(name: "contact_phone", aliases: ["联系电话", "电话", "手机", "联系方式"], required: false),
    ]

    static let institutionColumns = [
        Column(name: "name", aliases: ["机构名称", "检定机构", "单位名称", "名称"], required: true),
        Column(name: "kind", aliases: ["机构类别", "类别", "机构性质", "性质"], required: true),
        Column(name: "credit_code", aliases: ["统一社会信用代码", "信用代码"], required: false),
        Column(name: "region_code", aliases: ["所在地区", "所属区县", "所在区县", "行政区划代码", "区划代码", "区县"], required: true),
        Column(name: "address", aliases: ["地址", "机构地址"], required: true),
        // The authorisation: sub-items (numbers or names, separated by 、，,;；/ or spaces), where, how long.
        Column(name: "sub_nos", aliases: ["授权项目", "授权种别", "授权检定项目", "检定项目"], required: false),
        Column(name: "scope_region", aliases: ["授权区域", "授权范围", "授权地区"], required: false),
        Column(name: "valid_from", aliases: ["授权有效期起", "有效期起", "发证日期", "授权日期"], required: false),
        Column(name: "valid_until", aliases: ["授权有效期至", "有效期至", "有效期"], required: false),
    ]

    var columns: [Column] { kind == .owners ? Self.ownerColumns : Self.institutionColumns }

    static func key(_ header: String) -> String {
        var h = header.trimmingCharactersInWhitespace().lowercased()
        for (open, close) in [("(", ")"), ("（", "）")] {
            if let r = h.range(of: open), h.hasSuffix(close) { h = String(h[..<r.lowerBound]) }
        }
        return h.trimmingCharactersInWhitespace().replacingOccurrences(of: " ", with: "_")
    }

    /// The header's columns by field (index into the row), or why the row is no header.
    func header(_ cells: [String]) -> (fields: [String: Int], mapping: [InstrumentImport.Report.MappedColumn], ignored: [String], problem: ImportRefusal?) {
        var fields: [String: Int] = [:], mapping: [InstrumentImport.Report.MappedColumn] = [], ignored: [String] = []
        var problem: ImportRefusal?
        for (i, h) in cells.enumerated() where !h.trimmingCharactersInWhitespace().isEmpty {
            let k = Self.key(h)
            let c = columns.first { $0.name == k || $0.aliases.contains(k) }
            mapping.append(.init(header: h, field: c?.name, mapped: false))
            guard let c else { ignored.append(h); continue }
            if let earlier = fields[c.name] {
                problem = problem ?? .columnsGiveOneField(first: cells[earlier], second: h, field: c.name, mappable: false)
            }
            fields[c.name] = i
        }
        for c in columns where c.required && fields[c.name] == nil {
            problem = problem ?? .noColumnFor(field: c.name, accepted: [c.name] + c.aliases)
        }
        return (fields, mapping, ignored, problem)
    }

    struct RolledBack: Error {}

    struct Header {
        var line: Int
        var fields: [String: Int]
        var mapping: [InstrumentImport.Report.MappedColumn]
        var ignored: [String]
        var cells: [String]
    }

    /// The first of the top rows that reads as this roll's header, or a refusal naming the closest.
    func findHeader(in rows: inout TableRows) throws(InstrumentImport.FileError) -> Header {
        var closest: (recognised: Int, line: Int, problem: ImportRefusal)?
        for _ in 0..<InstrumentImport.headerSearchRows {
            guard let row = rows.next() else { break }
            let h = header(row.fields)
            if h.problem == nil { return Header(line: row.line, fields: h.fields, mapping: h.mapping, ignored: h.ignored, cells: row.fields) }
            if h.fields.count > (closest?.recognised ?? 0) { closest = (h.fields.count, row.line, h.problem!) }
        }
        if let closest, closest.recognised >= 2 {
            throw InstrumentImport.FileError(.headerRowIncomplete(row: closest.line, closest.problem))
        }
        throw InstrumentImport.FileError(
            .noRollHeaderRow(searched: InstrumentImport.headerSearchRows, needs: columns.filter(\.required).map { [$0.name] + Array($0.aliases.prefix(1)) }))
    }

    /// Refuses at once, before queueing, a file that cannot be this roll (as the instrument import does).
    public func checkHeader(of bytes: [UInt8]) throws(InstrumentImport.FileError) {
        guard !bytes.isEmpty else { throw InstrumentImport.FileError(.emptyFile) }
        var rows: TableRows
        do { rows = try TableFile.open(bytes, sheet: sheet, maxRows: InstrumentImport.headerSearchRows).rows } catch {
            throw InstrumentImport.FileError(error.reason)
        }
        _ = try findHeader(in: &rows)
    }

    /// Whether `p` may import this kind of roll: owners need `owners:manage` (and land in the
    /// caller's region), institutions `reference:manage` (the province administrator).
    public static func authorise(_ kind: Kind, _ p: Principal) throws {
        switch kind {
        case .owners: guard p.may(.manageOwners) else { throw RegistryError.forbidden(.importing(.mayNotImportOwners)) }
        case .institutions: guard p.may(.manageReference) else { throw RegistryError.forbidden(.importing(.mayNotImportInstitutions)) }
        }
    }

    /// Runs the import as `p`.
    public func run(bytes: [UInt8], by p: Principal, today: CalendarDay, on db: any Database) async throws -> Report {
        try Self.authorise(kind, p)
        return try await run(bytes: bytes, scope: p.scope, today: today, on: db)
    }

    /// Runs the import within `scope` (a job's, checked when it was queued).
    public func run(bytes: [UInt8], scope: AccessScope, today: CalendarDay, on db: any Database) async throws -> Report {
        let file: TableFile
        do { file = try TableFile.open(bytes, sheet: sheet) } catch { throw InstrumentImport.FileError(error.reason) }
        var rows = file.rows
        let found = try findHeader(in: &rows)
        let context = try await Registry.context(on: db)
        let header = found.cells
        var errors: [InstrumentImport.RowError] = []
        var drafts: [(line: Int, owner: OwnerDraft?, institution: InstitutionDraft?)] = []
        var seen = Set<String>()
        var count = 0
        func cell(_ r: CSVReader.Row, _ field: String) -> String? {
            guard let i = found.fields[field], i < r.fields.count else { return nil }
            let v = r.fields[i].trimmingCharactersInWhitespace()
            return v.isEmpty ? nil : v
        }
        while let row = rows.next() {
            if row.fields.allSatisfy({ $0.trimmingCharactersInWhitespace().isEmpty }) { continue }
            count += 1
            if row.fields == header {
                errors.append(.init(row: row.line, column: "", .repeatsHeader))
                continue
            }
            func column(_ field: String) -> String {
                found.fields[field].map { header[$0] } ?? field
            }
            do {
                var c = FieldChecker()
                let region = context.resolveRegion(cell(row, "region_code"), field: "region_code", checker: &c)
                switch kind {
                case .owners:
                    try c.finish()
                    let d = try OwnerDraft.parse(
                        name: cell(row, "name"), creditCode: cell(row, "credit_code"), address: cell(row, "address"), regionCode: region,
                        industry: Self.industry(cell(row, "industry")), contactName: cell(row, "contact_name"), contactPhone: cell(row, "contact_phone"),
                        parentID: nil, context: context)
                    guard scope.allowsImport(region: d.region, ownerID: nil) else {
                        errors.append(.init(row: row.line, column: column("region_code"), .ownerRegionOutsideScope(region: d.region.value)))
                        continue
                    }
                    guard seen.insert(d.creditCode.value).inserted else {
                        errors.append(.init(row: row.line, column: column("credit_code"), .creditCodeOnEarlierRow(d.creditCode.value)))
                        continue
                    }
                    drafts.append((row.line, d, nil))
                case .institutions:
                    var scopes: [InstitutionDraft.RawScope] = []
                    let scopeRegion = cell(row, "scope_region").flatMap { context.resolveRegion($0, field: "scope_region", checker: &c) } ?? region
                    for token in Self.tokens(cell(row, "sub_nos")) {
                        let sub = Int(token) ?? context.subNo(forName: token)
                        if sub == nil { c.fail("sub_nos", .importing(.notASubItem(token))) }
                        scopes.append(.init(subNo: sub, regionCode: scopeRegion, validFrom: cell(row, "valid_from") ?? today.description, validUntil: cell(row, "valid_until")))
                    }
                    try c.finish()
                    let d = try InstitutionDraft.parse(
                        name: cell(row, "name"), kind: Self.institutionKind(cell(row, "kind")), creditCode: cell(row, "credit_code"), regionCode: region,
                        address: cell(row, "address"), scopes: scopes, context: context)
                    guard seen.insert(d.name).inserted else {
                        errors.append(.init(row: row.line, column: column("name"), .nameOnEarlierRow(d.name)))
                        continue
                    }
                    drafts.append((row.line, nil, d))
                }
            } catch {
                for e in error.errors {
                    let field = e.field.hasPrefix("scopes[") ? (e.field.hasSuffix("valid_until") ? "valid_until" : e.field.hasSuffix("valid_from") ? "valid_from" : "sub_nos") : e.field
                    errors.append(.init(row: row.line, column: column(field), reason: e.reason))
                }
            }
        }
        if let problem = rows.problem { throw InstrumentImport.FileError(problem) }
        // An owner already registered outside the caller's region is a row error, as in the
        // instrument import, not "already present".
        if kind == .owners {
            let codes = drafts.compactMap { $0.owner?.creditCode.value }
            var outside = Set<String>()
            for chunk in codes.chunked(500).map(Array.init) {
                let known = try await OwnerModel.query(on: db).filter(\.$creditCode ~~ chunk).all()
                let visible = Set(try await Registry.visibleOwnerIDs(among: known.map { $0.id! }, scope: scope, on: db))
                for o in known where !visible.contains(o.id!) { outside.insert(o.creditCode) }
            }
            if !outside.isEmpty {
                for d in drafts where outside.contains(d.owner!.creditCode.value) {
                    errors.append(.init(row: d.line, column: header[found.fields["credit_code"]!], .ownerOutsideRegisteringScope(creditCode: d.owner!.creditCode.value)))
                }
                drafts.removeAll { outside.contains($0.owner!.creditCode.value) }
            }
        }
        let valid = drafts.count
        let commit = (mode == .validRowsOnly || errors.isEmpty) && !dryRun
        var inserted = 0, present = 0
        do {
            (inserted, present) = try await db.auditedTransaction(replayable: false) { [kind, drafts] tx in
                var inserted = 0, present = 0
                for d in drafts {
                    if let o = d.owner {
                        if try await OwnerModel.query(on: tx).filter(\.$creditCode == o.creditCode.value).first() != nil { present += 1; continue }
                        _ = try await Registry.createOwner(o, scope: scope, on: tx)
                    } else if let i = d.institution {
                        if try await InstitutionModel.query(on: tx).filter(\.$name == i.name).first() != nil { present += 1; continue }
                        _ = try await Registry.createInstitution(i, on: tx)
                    }
                    inserted += 1
                }
                try await Audit.record(Audit.actor, action: "import", entity: kind.rawValue, id: nil, after: [
                    "rows": "\(drafts.count)", "inserted": "\(inserted)", "already_present": "\(present)",
                ], on: tx)
                guard commit else { throw PreviewDone(inserted: inserted, present: present) }
                return (inserted, present)
            }
        } catch let done as PreviewDone {
            // A preview, or all-or-nothing with bad rows: rolled back, with what would have been.
            (inserted, present) = (dryRun ? done.inserted : 0, dryRun ? done.present : 0)
        }
        errors.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        return Report(
            kind: kind, encoding: file.format.rawValue, rows: count, valid: valid, inserted: inserted, alreadyPresent: present, errors: errors,
            summary: InstrumentImport.Report.summarize(errors), ignoredColumns: found.ignored, stored: commit && inserted > 0, headerRow: found.line,
            mapping: found.mapping, dryRun: dryRun)
    }

    struct PreviewDone: Error {
        var inserted: Int
        var present: Int
    }

    /// An industry as rolls write it: the label itself, or the longest label it contains (农贸市场 → 市场).
    static func industry(_ text: String?) -> String? {
        guard let t = text else { return nil }
        if Industry(rawValue: t) != nil || Industry.chineseLabels[t] != nil { return t }
        return Industry.chineseLabels.keys.sorted { $0.count > $1.count }.first { t.contains($0) } ?? t
    }

    /// 法定计量检定机构 → 法定; 授权的计量技术机构 → 授权.
    static func institutionKind(_ text: String?) -> String? {
        guard let t = text else { return nil }
        if t.contains("法定") { return "法定" }
        if t.contains("授权") { return "授权" }
        return t
    }

    static func tokens(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: { "、，,;；/ \t".contains($0) }).map { String($0).trimmingCharactersInWhitespace() }.filter { !$0.isEmpty }
    }
}
