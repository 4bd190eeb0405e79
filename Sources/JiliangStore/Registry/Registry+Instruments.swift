import FluentKit
import FluentSQL
import Foundation
import JiliangCore
import SQLKit

/// The orders an instrument list can be read in.
public enum InstrumentSort: String, Sendable, CaseIterable {
    /// Registration order (the default).
    case registration
    /// Next due date first; instruments without one last.
    case nextDue = "next_due"
    /// By lifelong code.
    case code

    static let noDueDate = "9999-12-31"
}

extension Registry {
    public struct InstrumentFilter: Sendable {
        public var region: RegionCode?
        public var subNo: Int?
        public var itemNo: Int?
        public var status: ComplianceStatus?
        public var ownerID: Int?
        public var dueBefore: CalendarDay?
        /// An instrument code, a serial number, or an owner's credit code or name.
        public var search: String?
        public var sort: InstrumentSort
        public init(
            region: RegionCode? = nil, subNo: Int? = nil, itemNo: Int? = nil, status: ComplianceStatus? = nil,
            ownerID: Int? = nil, dueBefore: CalendarDay? = nil, search: String? = nil, sort: InstrumentSort = .registration
        ) {
            self.sort = sort
            self.search = search
            self.region = region
            self.subNo = subNo
            self.itemNo = itemNo
            self.status = status
            self.ownerID = ownerID
            self.dueBefore = dueBefore
        }
    }

    /// Files a new instrument. The owner is found by credit code; the lifelong code is issued here
    /// unless the instrument already carries one.
    public static func createInstrument(
        _ d: InstrumentDraft, scope: AccessScope, on db: any Database, generator: inout some RandomNumberGenerator
    ) async throws -> InstrumentModel {
        let issued = d.code ?? InstrumentCode.issue(region: d.region, using: &generator)
        // An owner registers a draft, whatever it asked for: the bureau files it by approving the
        // owner's filing (`Filings`). A rule of the store, so the API and the pages keep it alike.
        var d = d
        if case .owners = scope { d.status = .draft }
        return try await db.auditedTransaction { [d] tx in
            let owner = try await owner(creditCode: d.ownerCreditCode, scope: scope, on: tx)
            guard scope.allows(region: d.region, ownerID: owner.id!) else {
                throw RegistryError.invalid("region_code", .registry(.outsideWhatYouMayFile))
            }
            if try await InstrumentModel.query(on: tx).filter(\.$ownerID == owner.id!).filter(\.$subNo == d.subNo)
                .filter(\.$serialNo == d.serialNo).first() != nil
            {
                throw RegistryError.conflict(field: "serial_no", reason: .registry(.serialNumberFiled(subNo: d.subNo, serialNo: d.serialNo)))
            }
            if try await InstrumentModel.query(on: tx).filter(\.$code == issued.value).first() != nil {
                throw RegistryError.conflict(field: "code", reason: .registry(.instrumentCodeInUse(code: issued.value)))
            }
            let m = InstrumentModel()
            m.code = issued.value
            m.ownerID = owner.id!
            apply(d, to: m)
            let ctx = try await context(on: tx)
            let eval = evaluate(m, entry: ctx.catalogue[d.subNo], book: ctx.rules, records: [], schedules: [])
            store(eval, in: m)
            try await m.create(on: tx)
            try await MetricCounts.applyChange([m.id!], before: [:], on: tx)
            return m
        }
    }

    /// The owner an instrument is filed for, found by credit code among the owners the caller may
    /// see: an owner outside the caller's scope answers exactly like one that is not registered,
    /// so a bureau can neither attach instruments to another region's owner nor probe which credit
    /// codes exist elsewhere (issue #17, item 3).
    static func owner(creditCode: CreditCode, scope: AccessScope, on db: any Database) async throws -> OwnerModel {
        guard let owner = try await scoped(OwnerModel.query(on: db), scope).filter(\.$creditCode == creditCode.value).first() else {
            throw RegistryError.invalid("owner_credit_code", .registry(.noOwnerWithCreditCode(creditCode.value)))
        }
        return owner
    }

    /// Updates the descriptive fields and the lifecycle status (only along allowed transitions).
    public static func updateInstrument(
        _ id: Int, _ d: InstrumentDraft, scope: AccessScope, on db: any Database
    ) async throws -> InstrumentModel {
        try await db.auditedTransaction { tx in
            let m = try await lockedInstrument(id, scope: scope, on: tx)
            let counted = try await MetricCounts.snapshot([id], on: tx)
            let from = LifecycleStatus(rawValue: m.lifecycle)!
            if case .owners = scope, from == .draft, d.status != .draft {
                throw RegistryError.forbidden(.registry(.ownerMayNotFileDirectly))
            }
            if d.status != from, !from.canMove(to: d.status) {
                throw RegistryError.conflict(field: "status", reason: .registry(.cannotMove(from: from, to: d.status)))
            }
            if let c = d.code, c.value != m.code {
                throw RegistryError.invalid("code", .registry(.codeIsLifelong))
            }
            let owner = try await owner(creditCode: d.ownerCreditCode, scope: scope, on: tx)
            guard scope.allows(region: d.region, ownerID: owner.id!) else {
                throw RegistryError.invalid("region_code", .registry(.outsideWhatYouMayFile))
            }
            if (owner.id!, d.subNo, d.serialNo) != (m.ownerID, m.subNo, m.serialNo),
                try await InstrumentModel.query(on: tx).filter(\.$ownerID == owner.id!).filter(\.$subNo == d.subNo)
                    .filter(\.$serialNo == d.serialNo).first() != nil
            {
                throw RegistryError.conflict(field: "serial_no", reason: .registry(.serialNumberTaken))
            }
            m.ownerID = owner.id!
            try await StatusChanges.record(m, from: from.rawValue, to: d.status.rawValue, on: tx)
            let region = m.regionCode
            if d.region.value != region { try await RegionCopies.lockBelow("instruments", id: id, on: tx) }
            apply(d, to: m)
            try await m.update(on: tx)
            // An instrument moved to another county takes its records, readings … along (M041).
            if m.regionCode != region { try await RegionCopies.moved("instruments", id: id, on: tx) }
            try await recomputeCompliance(of: m, on: tx)
            try await MetricCounts.applyChange([id], before: counted, on: tx)
            return m
        }
    }

    static func apply(_ d: InstrumentDraft, to m: InstrumentModel) {
        m.subNo = d.subNo
        m.name = d.name
        m.model = d.model
        m.serialNo = d.serialNo
        m.manufacturer = d.manufacturer
        m.typeApprovalNo = d.typeApprovalNo
        m.accuracyClass = d.accuracyClass
        m.measuringRange = d.measuringRange
        m.purpose = d.purpose.rawValue
        m.regionCode = d.region.value
        m.address = d.address
        m.latitude = d.latitude
        m.longitude = d.longitude
        m.inServiceDate = d.inServiceDate?.description
        m.lifecycle = d.status.rawValue
        m.meterType = d.meter.meterType?.rawValue
        m.dn = d.meter.dn
        m.q3 = d.meter.q3
        m.medium = d.meter.medium?.rawValue
        m.batch = d.batch
        m.attributes = FamilyAttributes.stored(d.attributes)
    }

    public static func instrument(_ id: Int, scope: AccessScope, on db: any Database) async throws -> InstrumentModel {
        guard let m = try await scoped(InstrumentModel.query(on: db), scope).filter(\.$id == id).first() else {
            throw RegistryError.notFound(.instrument, key: String(id))
        }
        return m
    }

    /// The instrument as `instrument(_:scope:on:)` reads it, inside a write transaction, after
    /// locking its row (PostgreSQL `FOR NO KEY UPDATE`; SQLite's writer is alone anyway). Its
    /// scope, its kept counts and the region its rows copy (M041) are then read as a concurrent
    /// move would leave them: the move waits for this transaction, or this one for the move.
    static func lockedInstrument(_ id: Int, scope: AccessScope, on tx: any Database) async throws -> InstrumentModel {
        _ = try await RegionCopies.current("instruments", ids: [id], on: tx)
        return try await instrument(id, scope: scope, on: tx)
    }

    /// Lookup by lifelong code (hyphens and case ignored).
    public static func instrument(code raw: String, scope: AccessScope, on db: any Database) async throws -> InstrumentModel {
        let code: InstrumentCode
        do { code = try InstrumentCode(validating: raw) } catch { throw RegistryError.invalid("code", .notAnInstrumentCode(got: raw)) }
        guard let m = try await scoped(InstrumentModel.query(on: db), scope).filter(\.$code == code.value).first() else {
            throw RegistryError.notFound(.instrument, key: code.value)
        }
        return m
    }

    public static func instruments(
        _ f: InstrumentFilter, today: CalendarDay, window: Int, cursor: String?, limit: Int?, scope: AccessScope,
        on db: any Database
    ) async throws -> Page<InstrumentModel> {
        let n = try Cursor.limit(limit)
        let q = scoped(InstrumentModel.query(on: db), scope).limit(n + 1)
        // Keyset paging for every order: the cursor holds the last row's sort key and id, so a
        // page costs the same at the millionth row as at the first, and rows never repeat.
        switch f.sort {
        case .registration:
            q.sort(\.$id)
            if let after = try Cursor.decode(cursor) { q.filter(\.$id > after) }
        case .code:
            q.sort(\.$code)
            if let (key, _) = try Cursor.decodeKeyed(cursor) { q.filter(\.$code > key) }
        case .nextDue:
            // Without a due date (retired, scrapped, not yet filed) sorts last on both databases.
            let due = "COALESCE(instruments.next_due, '\(InstrumentSort.noDueDate)')"
            q.sort(.sql(unsafeRaw: due + " ASC")).sort(\.$id)
            if let (key, id) = try Cursor.decodeKeyed(cursor) {
                q.filter(.sql(embed: "(\(unsafeRaw: due) > \(bind: key) OR (\(unsafeRaw: due) = \(bind: key) AND instruments.id > \(bind: id)))"))
            }
        }
        if let r = f.region { q.inSubtree(of: r, \.$regionCode) }
        if let s = f.subNo { q.filter(\.$subNo == s) }
        if let item = f.itemNo {
            let subs = try await CatalogueEntryModel.query(on: db).filter(\.$itemNo == item).all().compactMap(\.id)
            q.filter(\.$subNo ~~ subs)
        }
        if let o = f.ownerID { q.filter(\.$ownerID == o) }
        if let d = f.dueBefore { q.filter(\.$nextDue < d.description) }
        if let s = f.status { applyStatusFilter(q, status: s, today: today, window: window) }
        if let text = try SearchText.checked(f.search) {
            if let code = try? InstrumentCode(validating: text) {
                q.filter(\.$code == code.value)
            } else {
                // Owners matching by credit code or name, within the caller's scope (at most 500).
                let owners = try await scoped(OwnerModel.query(on: db), scope).group(.or) {
                    $0.filter(\.$creditCode == text.uppercased()).filter(\.$name, containsLiterally: text)
                }.limit(500).all(\.$id)
                q.group(.or) { g in
                    g.filter(\.$serialNo == text)
                    if !owners.isEmpty { g.filter(\.$ownerID ~~ owners) }
                }
            }
        }
        let rows = try await q.all()
        let items = Array(rows.prefix(n))
        guard rows.count > n, let last = items.last else { return Page(items: items, nextCursor: nil) }
        let next: String = switch f.sort {
        case .registration: Cursor.encode(last.id!)
        case .code: Cursor.encodeKeyed(last.code, id: last.id!)
        case .nextDue: Cursor.encodeKeyed(last.nextDue ?? InstrumentSort.noDueDate, id: last.id!)
        }
        return Page(items: items, nextCursor: next)
    }

    /// The instruments among these ids that the scope may see (lists that name instruments).
    public static func instruments(ids: [Int], scope: AccessScope, on db: any Database) async throws -> [InstrumentModel] {
        var out: [InstrumentModel] = []
        let unique = Array(Set(ids))
        for part in unique.chunked(500) {
            out += try await scoped(InstrumentModel.query(on: db), scope).filter(\.$id ~~ part).all()
        }
        return out
    }

    /// `applyStatusFilter` written as one SQL expression over the instruments' stored columns, for
    /// grouping and sorting (StatusAgreementTests holds the two to the engine).
    static func statusExpression(today: CalendarDay, window: Int) -> SQLQueryString {
        let t = today.description, soon = today.adding(days: window).description
        return """
            CASE
              WHEN compliance_base = 'not_filed' THEN 'not_filed'
              WHEN compliance_base = 'failed' THEN 'failed'
              WHEN compliance_base = 'rule_missing' THEN 'rule_missing'
              WHEN compliance_base = 'suspended' THEN 'suspended'
              WHEN compliance_base = 'retired' THEN 'scrapped'
              WHEN compliance_base = 'active' AND (next_due IS NULL OR next_due > \(bind: soon)) THEN 'valid'
              WHEN compliance_base = 'active' AND next_due >= \(bind: t) AND next_due <= \(bind: soon) THEN 'due_soon'
              WHEN compliance_base = 'active' AND next_due < \(bind: t) AND COALESCE(due_kind, '') <> 'rotation' THEN 'overdue'
              WHEN compliance_base = 'active' AND next_due < \(bind: t) AND due_kind = 'rotation' THEN 'life_expired'
            END
            """
    }

    /// How many instruments the scope holds in each status today (dashboards).
    public static func countsByStatus(
        today: CalendarDay, window: Int, scope: AccessScope, on db: any Database
    ) async throws -> [(ComplianceStatus, Int)] {
        var out: [(ComplianceStatus, Int)] = []
        for status in [ComplianceStatus.overdue, .dueSoon, .failed, .lifeExpired, .ruleMissing, .notFiled, .valid] {
            let q = scoped(InstrumentModel.query(on: db), scope)
            applyStatusFilter(q, status: status, today: today, window: window)
            out.append((status, try await q.count()))
        }
        return out
    }

    /// The SQL form of `ComplianceEngine.status`: the same cases over the stored columns. Dates are
    /// `YYYY-MM-DD` text, so string order is date order on both databases.
    public static func applyStatusFilter(_ q: QueryBuilder<InstrumentModel>, status: ComplianceStatus, today: CalendarDay, window: Int) {
        let t = today.description, soon = today.adding(days: window).description
        let active = ComplianceBase.active.rawValue
        switch status {
        case .notFiled: q.filter(\.$complianceBase == ComplianceBase.notFiled.rawValue)
        case .failed: q.filter(\.$complianceBase == ComplianceBase.failed.rawValue)
        case .ruleMissing: q.filter(\.$complianceBase == ComplianceBase.ruleMissing.rawValue)
        case .suspended: q.filter(\.$complianceBase == ComplianceBase.suspended.rawValue)
        case .scrapped: q.filter(\.$complianceBase == ComplianceBase.retired.rawValue)
        case .valid:
            q.filter(\.$complianceBase == active).group(.or) { $0.filter(\.$nextDue == nil).filter(\.$nextDue > soon) }
        case .dueSoon:
            q.filter(\.$complianceBase == active).filter(\.$nextDue >= t).filter(\.$nextDue <= soon)
        case .overdue:
            // A due date without a kind (not written by the engine) is overdue, as the engine says.
            q.filter(\.$complianceBase == active).filter(\.$nextDue < t).group(.or) { $0.filter(\.$dueKind == nil).filter(\.$dueKind != DueKind.rotation.rawValue) }
        case .lifeExpired:
            q.filter(\.$complianceBase == active).filter(\.$nextDue < t).filter(\.$dueKind == DueKind.rotation.rawValue)
        }
    }

    // MARK: Schedules

    public static func addSchedule(
        instrumentID: Int, name: String?, dueDate: String?, intervalMonths: Int?, scope: AccessScope, on db: any Database
    ) async throws -> ScheduleModel {
        var c = FieldChecker()
        let n = c.text("name", name, max: 50)
        let d = c.day("due_date", dueDate)
        if let i = intervalMonths, !(1...240).contains(i) { c.fail("interval_months", .outOfRange(from: 1, to: 240)) }
        try c.finish()
        return try await db.auditedTransaction { tx in
            let inst = try await lockedInstrument(instrumentID, scope: scope, on: tx)
            let s = ScheduleModel()
            s.instrumentID = instrumentID
            s.regionCode = inst.regionCode  // read under its row's lock
            s.name = n!
            s.dueDate = d!.description
            s.intervalMonths = intervalMonths
            try await s.create(on: tx)
            try await recomputeCompliance(of: inst, on: tx)
            return s
        }
    }

    public static func schedules(of instrumentID: Int, on db: any Database) async throws -> [ScheduleModel] {
        try await ScheduleModel.query(on: db).filter(\.$instrumentID == instrumentID).sort(\.$id).all()
    }
}
