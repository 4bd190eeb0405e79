import FluentKit
import Foundation
import JiliangCore

/// The verification workflow (检定申请): the owner applies to an authorised institution; the
/// institution accepts and schedules it — on site or in its laboratory — and must finish within a
/// number of working days (on site 10, laboratory 7 by default, configurable); it records the
/// result, which becomes a verification record at once, so the status, certificate and warnings
/// change immediately. Declining needs a reason.
public enum VerificationRequests {
    public enum State: String, Sendable, CaseIterable { case applied, accepted, declined, completed }
    public enum Mode: String, Sendable, CaseIterable {
        case onSite = "on_site"
        case laboratory
    }

    /// Working days an institution has from acceptance to result, by mode.
    public struct Deadlines: Sendable, Equatable {
        public var onSite: Int
        public var laboratory: Int
        public init(onSite: Int = 10, laboratory: Int = 7) {
            self.onSite = onSite
            self.laboratory = laboratory
        }
        public func days(_ mode: Mode) -> Int { mode == .onSite ? onSite : laboratory }
    }

    public static func apply(
        instrumentID: Int?, institutionID: Int?, mode: String?, note: String?, today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> VerificationRequestModel {
        guard p.may(.fileInstruments) else { throw RegistryError.forbidden(.workflow(.mayNotApplyForVerification)) }
        var c = FieldChecker()
        if instrumentID == nil { c.fail("instrument_id", .required) }
        if institutionID == nil { c.fail("institution_id", .required) }
        let m: Mode? = c.choice("mode", mode)
        let n = c.text("note", note, max: 500, required: false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let inst = try await Registry.instrument(instrumentID!, scope: p.scope, on: tx)
            guard inst.lifecycle != LifecycleStatus.draft.rawValue else {
                throw RegistryError.conflict(field: "instrument_id", reason: .workflow(.instrumentNotFiled))
            }
            guard try await InstitutionModel.find(institutionID!, on: tx) != nil else {
                throw RegistryError.invalid("institution_id", .registry(.noSuchInstitution(id: institutionID!)))
            }
            let scopes = try await Registry.scopes(of: institutionID!, on: tx)
            guard InstitutionDraft.covers(scopes, subNo: inst.subNo, region: RegionCode(inst.regionCode)!, on: today) else {
                throw RegistryError.invalid("institution_id", .workflow(.institutionNotAuthorised(id: institutionID!)))
            }
            let open = try await VerificationRequestModel.query(on: tx).filter(\.$instrumentID == inst.id!)
                .filter(\.$state ~~ [State.applied.rawValue, State.accepted.rawValue]).count()
            guard open == 0 else { throw RegistryError.conflict(field: "instrument_id", reason: .workflow(.openApplicationExists)) }
            let r = VerificationRequestModel()
            r.instrumentID = inst.id!
            r.ownerID = inst.ownerID
            r.regionCode = inst.regionCode
            r.institutionID = institutionID!
            r.mode = m!.rawValue
            r.state = State.applied.rawValue
            r.note = n
            r.appliedBy = p.actor
            r.appliedOn = today.description
            try await r.create(on: tx)
            return r
        }
    }

    /// The institution accepts: the deadline runs from today in working days.
    public static func accept(
        _ id: Int, mode: String?, scheduledFor: String?, today: CalendarDay, deadlines: Deadlines, by p: Principal, on db: any Database
    ) async throws -> VerificationRequestModel {
        var c = FieldChecker()
        let m: Mode? = c.choice("mode", mode, required: false)
        let day = c.day("scheduled_for", scheduledFor, required: false)
        if let day, day < today { c.fail("scheduled_for", .inThePast) }
        try c.finish()
        return try await db.auditedTransaction { tx in
            let r = try await ownRequest(id, by: p, on: tx)
            guard r.state == State.applied.rawValue else { throw RegistryError.conflict(field: "id", reason: .workflow(.applicationAlready(id: id, state: r.state))) }
            if let m { r.mode = m.rawValue }
            let calendar = try await workingCalendar(on: tx)
            r.state = State.accepted.rawValue
            r.acceptedOn = today.description
            r.deadline = calendar.adding(workingDays: deadlines.days(Mode(rawValue: r.mode)!), to: today).description
            r.scheduledFor = day?.description
            try await r.save(on: tx)
            return r
        }
    }

    public static func decline(_ id: Int, reason: String?, by p: Principal, on db: any Database) async throws -> VerificationRequestModel {
        let why = reason?.trimmingCharactersInWhitespace() ?? ""
        guard !why.isEmpty else { throw RegistryError.invalid("reason", .workflow(.declineReasonRequired)) }
        if FieldChecker.longer(reason ?? "", than: 500) { throw RegistryError.invalid("reason", .tooLong(max: 500)) }
        return try await db.auditedTransaction { tx in
            let r = try await ownRequest(id, by: p, on: tx)
            guard r.state == State.applied.rawValue || r.state == State.accepted.rawValue else {
                throw RegistryError.conflict(field: "id", reason: .workflow(.applicationAlready(id: id, state: r.state)))
            }
            r.state = State.declined.rawValue
            r.reason = why
            try await r.save(on: tx)
            return r
        }
    }

    /// The institution records the result: a verification record is stored (with every check of
    /// `Registry.addRecord`) and the application is completed, in one transaction.
    public static func complete(
        _ id: Int, record: @escaping @Sendable (_ instrumentID: Int, _ institutionID: Int) throws -> RecordDraft, today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> (VerificationRequestModel, VerificationRecordModel) {
        try await db.auditedTransaction { tx in
            let r = try await ownRequest(id, by: p, on: tx)
            guard r.state == State.accepted.rawValue else {
                throw RegistryError.conflict(field: "id", reason: .workflow(.applicationNotAccepted(id: id, state: r.state)))
            }
            let d = try record(r.instrumentID, r.institutionID)
            let m = try await Registry.addRecord(d, scope: .everything, on: tx)  // the application already proved the right to it
            r.state = State.completed.rawValue
            r.completedOn = today.description
            r.recordID = m.id
            try await r.save(on: tx)
            return (r, m)
        }
    }

    /// The result of an accepted application from the institute's short form: pass or fail with
    /// the certificate number (pass) or the result notice number (fail). The verification's kind
    /// follows from the instrument's history (JJF 1001-2011's 首次检定 and 后续检定): its first
    /// verification unless it has been verified before, periodic after that. A rule of the store,
    /// so the page and any other short form decide it alike (issue #20, item 6).
    public static func complete(
        _ id: Int, result: String?, number: String?, today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> (VerificationRequestModel, VerificationRecordModel) {
        let r = try await ownRequest(id, by: p, on: db)
        let kind = try await kindOfNextVerification(instrumentID: r.instrumentID, on: db)
        let pass = result == "pass"
        return try await complete(id, record: { instrumentID, institutionID in
            try RecordDraft.parse(
                instrumentID: instrumentID, institutionID: institutionID, date: today.description, kind: kind.rawValue, result: result,
                certificateNo: pass ? number : nil, resultNoticeNo: pass ? nil : number, readings: nil, recordedBy: p.label,
                corrects: nil, correctionReason: nil, today: today)
        }, today: today, by: p, on: db)
    }

    /// First verification for an instrument never verified, periodic after that.
    public static func kindOfNextVerification(instrumentID: Int, on db: any Database) async throws -> VerificationKind {
        try await VerificationRecordModel.query(on: db).filter(\.$instrumentID == instrumentID).first() == nil ? .first : .periodic
    }

    /// An application addressed to the caller's institution (administrators: any), else not found.
    static func ownRequest(_ id: Int, by p: Principal, on db: any Database) async throws -> VerificationRequestModel {
        guard p.may(.recordVerifications) else { throw RegistryError.forbidden(.workflow(.mayNotHandleApplications)) }
        guard let r = try await VerificationRequestModel.find(id, on: db), p.role == .provinceAdmin || p.institutionID == r.institutionID else {
            throw RegistryError.notFound(.verificationApplication, key: "\(id)")
        }
        return r
    }

    public static func request(_ id: Int, scope: AccessScope, on db: any Database) async throws -> VerificationRequestModel {
        let q = scoped(VerificationRequestModel.query(on: db).filter(\.$id == id), scope)
        guard let r = try await q.first() else { throw RegistryError.notFound(.verificationApplication, key: "\(id)") }
        return r
    }

    /// Applications in the caller's scope, newest first. `overdueOn` keeps accepted ones past their deadline.
    public static func list(
        state: State?, institutionID: Int?, overdueOn: CalendarDay?, instrumentID: Int? = nil, cursor: String?, limit: Int?,
        scope: AccessScope, on db: any Database
    ) async throws -> Page<VerificationRequestModel> {
        let before = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = scoped(VerificationRequestModel.query(on: db), scope).sort(\.$id, .descending).limit(n + 1)
        if let before { q.filter(\.$id < before) }
        if let state { q.filter(\.$state == state.rawValue) }
        if let institutionID { q.filter(\.$institutionID == institutionID) }
        if let instrumentID { q.filter(\.$instrumentID == instrumentID) }
        if let overdueOn { q.filter(\.$state == State.accepted.rawValue).filter(\.$deadline < overdueOn.description) }
        return Registry.page(try await q.all(), n, id: { $0.id! })
    }

    static func scoped(_ q: QueryBuilder<VerificationRequestModel>, _ scope: AccessScope) -> QueryBuilder<VerificationRequestModel> {
        switch scope {
        case .everything: q
        case .region(let r): q.inSubtree(of: r, \.$regionCode)
        case .owners(let ids): q.filter(\.$ownerID ~~ ids)
        case .institution(let id): q.filter(\.$institutionID == id)
        case .nothing: q.filter(\.$id == -1)
        }
    }

    // MARK: Working-day calendar

    public static func workingCalendar(on db: any Database) async throws -> WorkingCalendar {
        var special: [CalendarDay: WorkingCalendar.DayKind] = [:]
        for d in try await CalendarDayModel.query(on: db).all() {
            if let day = CalendarDay(d.id!), let kind = WorkingCalendar.DayKind(rawValue: d.kind) { special[day] = kind }
        }
        return WorkingCalendar(special: special)
    }

    public static func calendarDays(year: Int?, on db: any Database) async throws -> [CalendarDayModel] {
        if let year, !(2000...2100).contains(year) { throw RegistryError.invalid("year", .outOfRange(from: 2000, to: 2100)) }
        let q = CalendarDayModel.query(on: db).sort(\.$id)
        if let year { q.filter(\.$id >= String(format: "%04d-01-01", year)).filter(\.$id <= String(format: "%04d-12-31", year)) }
        return try await q.all()
    }

    /// Which years the calendar holds days for, with the notices they come from, and whether next
    /// year is missing in December — the State Council publishes each year's notice in November, so
    /// from December on the calendar must be told next year's days (issue #19, item 7).
    public struct Coverage: Sendable, Equatable {
        public struct Year: Sendable, Equatable {
            public var year: Int
            public var days: Int
            /// The notices its shipped days cite; empty when every day was entered by hand.
            public var sources: [String]
        }
        public var years: [Year]
        public var nextYear: Int
        /// December and no day of next year entered, or no day of this year entered at all.
        public var nextYearMissing: Bool
        /// The year the warning is about: next year in December, this year when it is missing.
        public var missingYear: Int
    }

    public static func calendarCoverage(today: CalendarDay, on db: any Database) async throws -> Coverage {
        var years: [Int: (days: Int, sources: Set<String>)] = [:]
        for d in try await CalendarDayModel.query(on: db).all() {
            guard let year = d.id.flatMap({ Int($0.prefix(4)) }) else { continue }
            years[year, default: (0, [])].days += 1
            if let s = d.source { years[year]!.sources.insert(s) }
        }
        let next = today.year + 1
        // On 1 January a year nobody entered is still missing: the warning stays until it is.
        let missing = years[today.year] == nil ? today.year : (today.month == 12 && years[next] == nil ? next : nil)
        return Coverage(
            years: years.keys.sorted().map { Coverage.Year(year: $0, days: years[$0]!.days, sources: years[$0]!.sources.sorted()) },
            nextYear: next, nextYearMissing: missing != nil, missingYear: missing ?? next)
    }

    /// Marks a day as a holiday or a make-up working day (administrators maintain the calendar).
    public static func setCalendarDay(_ date: String, kind: String?, name: String?, by p: Principal, on db: any Database) async throws -> CalendarDayModel {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.workflow(.mayNotMaintainCalendar)) }
        var c = FieldChecker()
        guard let day = CalendarDay(date) else { throw RegistryError.invalid("date", .notADate(got: date)) }
        let k: WorkingCalendar.DayKind? = c.choice("kind", kind)
        let n = c.text("name", name, max: 50)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await CalendarDayModel.find(day.description, on: tx) ?? CalendarDayModel()
            m.id = day.description
            m.kind = k!.rawValue
            m.name = n!
            m.source = nil  // now the administrator's day, whatever notice it came from
            try await m.save(on: tx)
            return m
        }
    }

    public static func removeCalendarDay(_ date: String, by p: Principal, on db: any Database) async throws {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.workflow(.mayNotMaintainCalendar)) }
        try await db.auditedTransaction { tx in
            guard let day = CalendarDay(date), let m = try await CalendarDayModel.find(day.description, on: tx) else {
                throw RegistryError.notFound(.calendarDay, key: date)
            }
            try await m.delete(on: tx)
        }
    }
}
