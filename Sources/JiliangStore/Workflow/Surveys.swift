import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The survey of users (使用单位摸排; notice-2022 §三 asks first to survey the users of mandatory
/// instruments and know their number and distribution; issue #19, item 6). A bureau opens a survey
/// of an industry in its region; every registered owner of that industry there is invited (in-app
/// inbox and the SMS outbox) with a personal link; owners not yet registered join through the
/// survey's public link with their credit code. Each declares its instruments — on a phone form or
/// by uploading its roll — and every declared instrument becomes a draft with a filing submitted to
/// the bureau. Progress per county is counted from the rows: invited, answered, instruments
/// declared, filed. The bureau chases the silent ones.
public enum Surveys {
    public enum State: String, Sendable { case open, closed }

    public struct Progress: Sendable, Equatable {
        public var region: String
        public var invited = 0
        public var answered = 0
        public var declared = 0
        public var filed = 0
        /// Answered ÷ invited: the survey's coverage (摸排覆盖率).
        public var coverage: Double? { invited > 0 ? Double(answered) / Double(invited) : nil }
        /// Filed ÷ declared: the 备案率 of what the survey found.
        public var filingRate: Double? { declared > 0 ? Double(filed) / Double(declared) : nil }
    }

    /// Opens a survey and invites the registered owners of `industry` in `region` (a region the
    /// caller works for). Returns the survey and how many were invited.
    public static func open(
        title: String?, industry: String?, region: String?, closesOn: String?, today: CalendarDay, by p: Principal,
        on db: any Database
    ) async throws -> (survey: SurveyModel, invited: Int) {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden(.workflow(.mayNotOpenSurveys)) }
        var c = FieldChecker()
        let t = c.text("title", title, max: 100)
        let i: Industry? = c.choice("industry", industry, labels: Industry.chineseLabels)
        let r = c.region("region_code", region) { _ in true }
        let closes = c.day("closes_on", closesOn)
        if let closes, closes <= today { c.fail("closes_on", .notAfter(day: today.description)) }
        try c.finish()
        guard case .some = try await RegionModel.find(r!.value, on: db), p.scope.allowsImport(region: r!, ownerID: nil) else {
            throw RegistryError.invalid("region_code", .workflow(.notYourRegion(code: r!.value)))
        }
        return try await db.auditedTransaction { tx in
            let s = SurveyModel()
            s.title = t!
            s.industry = i!.rawValue
            s.regionCode = r!.value
            s.openedOn = today.description
            s.closesOn = closes!.description
            s.openedBy = p.actor
            s.state = State.open.rawValue
            try await s.create(on: tx)
            let owners = try await Registry.scoped(OwnerModel.query(on: tx), p.scope).inSubtree(of: r!, \.$regionCode)
                .filter(\.$industry == i!.rawValue).sort(\.$id).all()
            var rng = SystemRandomNumberGenerator()
            let now = Date()
            for o in owners {
                let inv = try await invitation(s, owner: o, joined: false, now: now, generator: &rng, on: tx)
                try await notify(o, survey: s, token: inv.token, reminder: false, now: now, on: tx)
            }
            return (s, owners.count)
        }
    }

    static func invitation(
        _ s: SurveyModel, owner o: OwnerModel, joined: Bool, now: Date, generator: inout some RandomNumberGenerator, on db: any Database
    ) async throws -> SurveyInvitationModel {
        let inv = SurveyInvitationModel()
        inv.surveyID = s.id!
        inv.ownerID = o.id!
        inv.regionCode = o.regionCode
        inv.token = TrackingCode.issue(using: &generator).value
        inv.joined = joined
        inv.invitedAt = now
        inv.chaseCount = 0
        try await inv.create(on: db)
        return inv
    }

    /// The invitation (or a reminder) in the owner's inbox and, when it has a phone, the SMS outbox.
    static func notify(
        _ o: OwnerModel, survey s: SurveyModel, token: String, reminder: Bool, now: Date, on db: any Database
    ) async throws {
        let notice = Notice.survey(survey: s.id!, title: s.title, closesOn: s.closesOn, token: token, reminder: reminder)
        try await Notices.send(notice, to: "owner:\(o.id!)", now: now, on: db)
        if let phone = o.contactPhone, !phone.isEmpty { try await Notices.queueSMS(notice, to: phone, now: now, on: db) }
    }

    /// The surveys the caller may see (those of its region and below; all for the province).
    public static func list(scope: AccessScope, on db: any Database) async throws -> [SurveyModel] {
        let q = SurveyModel.query(on: db).sort(\.$id, .descending)
        switch scope {
        case .everything: break
        case .region(let r): q.inSubtree(of: r, \.$regionCode)
        default: return []
        }
        return try await q.all()
    }

    /// A survey the caller may see; any other answers like one that does not exist.
    public static func survey(_ id: Int, scope: AccessScope, on db: any Database) async throws -> SurveyModel {
        guard let s = try await SurveyModel.find(id, on: db), let r = RegionCode(s.regionCode) else {
            throw RegistryError.notFound(.survey, key: String(id))
        }
        switch scope {
        case .everything: return s
        case .region(let mine) where mine.contains(r) || r.contains(mine): return s
        default: throw RegistryError.notFound(.survey, key: String(id))
        }
    }

    /// Progress per county (the invitation's region), for the invitations the caller may see, and the total.
    public static func progress(_ s: SurveyModel, scope: AccessScope, on db: any Database) async throws -> (regions: [Progress], total: Progress) {
        let sql = db as! any SQLDatabase
        var byRegion: [String: Progress] = [:]
        let invitations = try await scopedInvitations(s, scope: scope, on: db)
        for i in invitations {
            byRegion[i.regionCode, default: Progress(region: i.regionCode)].invited += 1
            if i.answeredAt != nil { byRegion[i.regionCode]!.answered += 1 }
        }
        struct Row: Decodable { var region_code: String; var lifecycle: String }
        let ids = invitations.compactMap(\.id)
        for chunk in ids.chunked(500).map(Array.init) {
            let rows = try await sql.raw("""
                SELECT survey_invitations.region_code, instruments.lifecycle FROM survey_instruments
                JOIN survey_invitations ON survey_invitations.id = survey_instruments.invitation_id
                JOIN instruments ON instruments.id = survey_instruments.instrument_id
                WHERE survey_instruments.invitation_id IN (\(binds: chunk))
                """).all(decoding: Row.self)
            for r in rows {
                byRegion[r.region_code, default: Progress(region: r.region_code)].declared += 1
                if r.lifecycle != LifecycleStatus.draft.rawValue { byRegion[r.region_code]!.filed += 1 }
            }
        }
        let regions = byRegion.values.sorted { $0.region < $1.region }
        var total = Progress(region: s.regionCode)
        for p in regions {
            total.invited += p.invited
            total.answered += p.answered
            total.declared += p.declared
            total.filed += p.filed
        }
        return (regions, total)
    }

    static func scopedInvitations(_ s: SurveyModel, scope: AccessScope, on db: any Database) async throws -> [SurveyInvitationModel] {
        let q = SurveyInvitationModel.query(on: db).filter(\.$surveyID == s.id!).sort(\.$id)
        switch scope {
        case .everything: break
        case .region(let r): q.inSubtree(of: r, \.$regionCode)
        default: return []
        }
        return try await q.all()
    }

    /// The owners that have not answered, with how often they were chased.
    public static func silent(_ s: SurveyModel, scope: AccessScope, on db: any Database) async throws -> [(invitation: SurveyInvitationModel, owner: OwnerModel)] {
        let silent = try await scopedInvitations(s, scope: scope, on: db).filter { $0.answeredAt == nil }
        var owners: [Int: OwnerModel] = [:]
        for chunk in silent.chunked(500) {
            for o in try await OwnerModel.query(on: db).filter(\.$id ~~ chunk.map(\.ownerID)).all() { owners[o.id!] = o }
        }
        return silent.compactMap { i in owners[i.ownerID].map { (i, $0) } }
    }

    /// Reminds every silent owner the caller may see (inbox and SMS); returns how many.
    public static func chase(_ id: Int, by p: Principal, on db: any Database) async throws -> Int {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden(.workflow(.mayNotChaseSurveys)) }
        let s = try await survey(id, scope: p.scope, on: db)
        guard s.state == State.open.rawValue else { throw RegistryError.conflict(field: "id", reason: .workflow(.surveyClosed(id: id))) }
        let silent = try await silent(s, scope: p.scope, on: db)
        return try await db.auditedTransaction { tx in
            let now = Date()
            for (i, o) in silent {
                i.chaseCount += 1
                i.lastChasedAt = now
                try await i.save(on: tx)
                try await notify(o, survey: s, token: i.token, reminder: true, now: now, on: tx)
            }
            return silent.count
        }
    }

    public static func close(_ id: Int, by p: Principal, on db: any Database) async throws -> SurveyModel {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden(.workflow(.mayNotCloseSurveys)) }
        let s = try await survey(id, scope: p.scope, on: db)
        guard p.scope.allowsImport(region: RegionCode(s.regionCode)!, ownerID: nil) else { throw RegistryError.forbidden(.workflow(.mayNotCloseWiderSurvey)) }
        s.state = State.closed.rawValue
        try await db.auditedTransaction { tx in try await s.save(on: tx) }
        return s
    }

    // MARK: The owner's side (public, by the invitation's token)

    /// An open invitation by its token, with its survey and owner; a wrong, closed or expired
    /// token answers "not found" alike.
    public static func invitation(token: String, today: CalendarDay, on db: any Database) async throws -> (SurveyInvitationModel, SurveyModel, OwnerModel) {
        guard let code = TrackingCode(typed: token), let inv = try await SurveyInvitationModel.query(on: db).filter(\.$token == code.value).first(),
            let s = try await SurveyModel.find(inv.surveyID, on: db), s.state == State.open.rawValue,
            let closes = CalendarDay(s.closesOn), today <= closes, let o = try await OwnerModel.find(inv.ownerID, on: db)
        else { throw RegistryError.notFound(.surveyInvitation, key: "") }
        return (inv, s, o)
    }

    /// The instrument names the import understands, for the phone form's suggestions.
    public static func instrumentNames(on db: any Database) async throws -> [String] {
        try await Registry.instrumentNames(on: db).keys.sorted()
    }

    /// What the owner declared through the survey, newest first.
    public static func declared(_ inv: SurveyInvitationModel, on db: any Database) async throws -> [InstrumentModel] {
        let ids = try await (db as! any SQLDatabase).raw("SELECT instrument_id FROM survey_instruments WHERE invitation_id = \(bind: inv.id!)")
            .all().map { try $0.decode(column: "instrument_id", as: Int.self) }
        guard !ids.isEmpty else { return [] }
        return try await InstrumentModel.query(on: db).filter(\.$id ~~ ids).sort(\.$id, .descending).all()
    }

    /// The principal an owner acts as through its invitation link: the owner itself, for its own
    /// instruments only (drafts and filings), named in the audit log by the survey.
    static func acting(for inv: SurveyInvitationModel, owner o: OwnerModel) -> Principal {
        Principal(kind: .system, id: 0, label: "survey \(inv.surveyID) link of \(o.name)", role: .owner, ownerIDs: [o.id!])
    }

    /// Declares instruments from the phone form: each filled row becomes a draft with a filing
    /// submitted. Rows are checked first; one bad row stores nothing and the errors say which
    /// row and field. Returns the drafts.
    public static func declare(
        token: String, rows: [RawInstrument], today: CalendarDay, on db: any Database
    ) async throws -> [InstrumentModel] {
        let (inv, _, o) = try await invitation(token: token, today: today, on: db)
        let p = acting(for: inv, owner: o)
        let context = try await Registry.context(on: db)
        var drafts: [InstrumentDraft] = []
        var errors: [FieldError] = []
        for (n, var raw) in rows.enumerated() {
            raw.ownerCreditCode = o.creditCode
            raw.status = LifecycleStatus.draft.rawValue
            do { drafts.append(try InstrumentDraft.parse(raw, context: context)) } catch {
                errors += error.errors.map { FieldError("rows[\(n + 1)].\($0.field)", $0.reason) }
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        guard !drafts.isEmpty else { throw RegistryError.invalid("rows", .workflow(.noInstrumentDeclared)) }
        return try await Audit.$actor.withValue(p) { [drafts] in
            try await db.auditedTransaction { tx in
                var made: [InstrumentModel] = []
                var rng = SystemRandomNumberGenerator()
                for d in drafts {
                    let m = try await Registry.createInstrument(d, scope: p.scope, on: tx, generator: &rng)
                    _ = try await Filings.submit(instrumentID: m.id!, by: p, on: tx)
                    made.append(m)
                }
                try await record(made.map { $0.id! }, for: inv, on: tx)
                return made
            }
        }
    }

    /// Declares instruments by uploading the owner's roll (CSV or XLSX): the instrument import as
    /// the owner — drafts with filings submitted — with the new instruments counted for the survey.
    public static func declareUpload(
        token: String, bytes: [UInt8], maxRows: Int = InstrumentImport.defaultMaxRows, today: CalendarDay, on db: any Database
    ) async throws -> InstrumentImport.Report {
        let (inv, _, o) = try await invitation(token: token, today: today, on: db)
        let p = acting(for: inv, owner: o)
        var options = InstrumentImport.Options(maxRows: maxRows)
        // An owner's roll through a public page: tens to thousands of rows, so tighter limits than
        // a bureau's province-wide file (the request itself is capped at 10 MB).
        options.workbookMaxPartMB = 64
        options.ownerDefaults = .init(creditCode: o.creditCode, regionCode: o.regionCode)
        options.surveyInvitationID = inv.id!
        var rng = SystemRandomNumberGenerator()
        return try await Audit.$actor.withValue(p) {
            try await InstrumentImport(mode: .validRowsOnly, scope: p.scope, options: options).run(bytes: bytes, on: db, today: today, generator: &rng)
        }
    }

    /// Counts instruments for an invitation and marks it answered.
    static func record(_ instrumentIDs: [Int], for inv: SurveyInvitationModel, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in instrumentIDs.chunked(300) {
            let insert = sql.insert(into: "survey_instruments").columns("invitation_id", "region_code", "instrument_id")
            for id in chunk { insert.values(SQLBind(inv.id!), SQLBind(inv.regionCode), SQLBind(id)) }
            try await insert.run()
        }
        if inv.answeredAt == nil {
            inv.answeredAt = Date()
            try await inv.save(on: db)
        }
    }

    /// An owner not yet registered asks to join an open survey through its public link. The request
    /// waits for the bureau (`decide`): nothing enters the registry from public input unchecked, and
    /// the answer is the same whether the credit code is registered or not, so the link cannot be
    /// used to learn which units are (review of issue #19).
    public static func requestToJoin(
        surveyID: Int, name: String?, creditCode: String?, address: String?, region: String?, contactPhone: String?, today: CalendarDay,
        on db: any Database
    ) async throws -> SurveyJoinRequestModel {
        let s = try await openSurvey(surveyID, today: today, on: db)
        let context = try await Registry.context(on: db)
        var c = FieldChecker()
        let code = context.resolveRegion(region, field: "region_code", checker: &c)
        if (contactPhone ?? "").trimmingCharactersInWhitespace().isEmpty { c.fail("contact_phone", .workflow(.phoneRequiredForLink)) }
        try c.finish()
        let d = try OwnerDraft.parse(
            name: name, creditCode: creditCode, address: address, regionCode: code, industry: s.industry, contactName: nil,
            contactPhone: contactPhone, parentID: nil, context: context)
        guard RegionCode(s.regionCode)!.contains(d.region) else { throw RegistryError.invalid("region_code", .workflow(.surveyCoversOnly(region: s.regionCode))) }
        return try await Audit.$actor.withValue(.system("survey \(surveyID) public link")) {
            try await db.auditedTransaction { tx in
                // The same unit asking again (a refresh, a second try) updates its pending request.
                let r = try await SurveyJoinRequestModel.query(on: tx).filter(\.$surveyID == surveyID).filter(\.$creditCode == d.creditCode.value)
                    .filter(\.$state == "pending").first() ?? SurveyJoinRequestModel()
                r.surveyID = surveyID
                r.name = d.name
                r.creditCode = d.creditCode.value
                r.address = d.address
                r.regionCode = d.region.value
                r.contactPhone = d.contactPhone!
                r.requestedAt = Date()
                r.state = "pending"
                try await r.save(on: tx)
                return r
            }
        }
    }

    /// An open survey for its public pages; closed, past or unknown ones are not found alike.
    public static func publicSurvey(_ id: Int, today: CalendarDay, on db: any Database) async throws -> SurveyModel {
        try await openSurvey(id, today: today, on: db)
    }

    static func openSurvey(_ id: Int, today: CalendarDay, on db: any Database) async throws -> SurveyModel {
        guard let s = try await SurveyModel.find(id, on: db), s.state == State.open.rawValue, let closes = CalendarDay(s.closesOn), today <= closes else {
            throw RegistryError.notFound(.survey, key: String(id))
        }
        return s
    }

    /// The requests to join the survey waiting for the caller's decision (in its region).
    public static func pendingRequests(_ s: SurveyModel, scope: AccessScope, on db: any Database) async throws -> [SurveyJoinRequestModel] {
        let q = SurveyJoinRequestModel.query(on: db).filter(\.$surveyID == s.id!).filter(\.$state == "pending").sort(\.$id)
        switch scope {
        case .everything: break
        case .region(let r): q.inSubtree(of: r, \.$regionCode)
        default: return []
        }
        return try await q.all()
    }

    /// The bureau's decision on a request to join. Accepted: a unit already registered (in the
    /// caller's region) is invited at its registered contacts — never at the phone the request
    /// gave, so nobody can take over a registered unit's link; a new unit is registered from the
    /// request and invited at its phone. Rejected: nothing is written but the decision.
    public static func decide(
        request id: Int, of surveyID: Int, accept: Bool, today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> SurveyJoinRequestModel {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden(.workflow(.mayNotDecideSurveyRequests)) }
        guard let found = try await SurveyJoinRequestModel.find(id, on: db), found.surveyID == surveyID, let region = RegionCode(found.regionCode),
            p.scope.allowsImport(region: region, ownerID: nil)
        else { throw RegistryError.notFound(.surveyRequest, key: String(id)) }
        let s = try await survey(found.surveyID, scope: p.scope, on: db)
        if accept {
            guard s.state == State.open.rawValue, let closes = CalendarDay(s.closesOn), today <= closes else {
                throw RegistryError.conflict(field: "id", reason: .workflow(.surveyClosedRejectOnly))
            }
        }
        return try await db.auditedTransaction { tx in
            // Decided once: the state changes only from pending, inside the transaction, so two
            // clicks (or an accept racing a reject) cannot both act.
            let claimed = try await (tx as! any SQLDatabase).raw("""
                UPDATE survey_join_requests SET state = \(bind: accept ? "accepted" : "rejected"), decided_by = \(bind: p.actor), decided_at = \(bind: Date())
                WHERE id = \(bind: id) AND state = 'pending' RETURNING id
                """).all()
            guard !claimed.isEmpty, let r = try await SurveyJoinRequestModel.find(id, on: tx) else {
                throw RegistryError.conflict(field: "id", reason: .workflow(.requestAlreadyDecided(id: id)))
            }
            guard accept else { return r }
            let now = Date()
            var owner = try await OwnerModel.query(on: tx).filter(\.$creditCode == r.creditCode).first()
            if let o = owner {
                guard try await Registry.scoped(OwnerModel.query(on: tx), p.scope).filter(\.$id == o.id!).first() != nil,
                    let at = RegionCode(o.regionCode), RegionCode(s.regionCode)!.contains(at)
                else {
                    throw RegistryError.conflict(field: "credit_code", reason: .workflow(.unitOutsideSurveyRegion))
                }
            } else {
                let context = try await Registry.context(on: tx)
                let d = try OwnerDraft.parse(
                    name: r.name, creditCode: r.creditCode, address: r.address, regionCode: r.regionCode, industry: s.industry, contactName: nil,
                    contactPhone: r.contactPhone, parentID: nil, context: context)
                owner = try await Registry.createOwner(d, scope: p.scope, on: tx)
            }
            let o = owner!
            let existing = try await SurveyInvitationModel.query(on: tx).filter(\.$surveyID == s.id!).filter(\.$ownerID == o.id!).first()
            var rng = SystemRandomNumberGenerator()
            let inv: SurveyInvitationModel
            if let existing { inv = existing } else { inv = try await invitation(s, owner: o, joined: true, now: now, generator: &rng, on: tx) }
            try await notify(o, survey: s, token: inv.token, reminder: false, now: now, on: tx)
            return r
        }
    }
}
