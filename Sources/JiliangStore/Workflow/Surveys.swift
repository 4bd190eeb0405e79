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
        title: String?, industry: String?, region: String?, closesOn: String?, today: CalendarDay, publicBaseURL: String, by p: Principal,
        on db: any Database
    ) async throws -> (survey: SurveyModel, invited: Int) {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden("opening surveys") }
        var c = FieldChecker()
        let t = c.text("title", title, max: 100)
        let i: Industry? = c.choice("industry", industry, labels: Industry.chineseLabels)
        let r = c.region("region_code", region) { _ in true }
        let closes = c.day("closes_on", closesOn)
        if let closes, closes <= today { c.fail("closes_on", "must be after today (\(today))") }
        try c.finish()
        guard case .some = try await RegionModel.find(r!.value, on: db), p.scope.allowsImport(region: r!, ownerID: nil) else {
            throw RegistryError.invalid("region_code", "\(r!.value) is not a region you work for")
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
                try await notify(o, survey: s, token: inv.token, reminder: false, publicBaseURL: publicBaseURL, now: now, on: tx)
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
        _ o: OwnerModel, survey s: SurveyModel, token: String, reminder: Bool, publicBaseURL: String, now: Date, on db: any Database
    ) async throws {
        let link = "\(publicBaseURL)/p/survey/\(token)"
        let subject = reminder ? "摸排催报 Survey reminder: \(s.title)" : "计量器具摸排 Survey of instruments: \(s.title)"
        let body = (reminder ? "尚未收到贵单位的申报，" : "")
            + "请于\(s.closesOn)前申报贵单位使用的强制检定计量器具：\(link)（手机可填，也可上传台账）。"
        let m = InboxMessageModel()
        m.recipient = "owner:\(o.id!)"
        m.subject = subject
        m.body = body
        m.createdAt = now
        try await m.create(on: db)
        if let phone = o.contactPhone, !phone.isEmpty {
            let sms = OutboxMessageModel()
            sms.channel = "sms"
            sms.address = phone
            sms.body = "【计量监管】\(o.name)：" + body
            sms.state = "pending"
            sms.createdAt = now
            try await sms.create(on: db)
        }
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
            throw RegistryError.notFound(entity: "survey", key: String(id))
        }
        switch scope {
        case .everything: return s
        case .region(let mine) where mine.contains(r) || r.contains(mine): return s
        default: throw RegistryError.notFound(entity: "survey", key: String(id))
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
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
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
        for chunk in stride(from: 0, to: silent.count, by: 500).map({ Array(silent[$0..<min($0 + 500, silent.count)]) }) {
            for o in try await OwnerModel.query(on: db).filter(\.$id ~~ chunk.map(\.ownerID)).all() { owners[o.id!] = o }
        }
        return silent.compactMap { i in owners[i.ownerID].map { (i, $0) } }
    }

    /// Reminds every silent owner the caller may see (inbox and SMS); returns how many.
    public static func chase(_ id: Int, publicBaseURL: String, by p: Principal, on db: any Database) async throws -> Int {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden("chasing a survey") }
        let s = try await survey(id, scope: p.scope, on: db)
        guard s.state == State.open.rawValue else { throw RegistryError.conflict(field: "id", message: "survey \(id) is closed") }
        let silent = try await silent(s, scope: p.scope, on: db)
        return try await db.auditedTransaction { tx in
            let now = Date()
            for (i, o) in silent {
                i.chaseCount += 1
                i.lastChasedAt = now
                try await i.save(on: tx)
                try await notify(o, survey: s, token: i.token, reminder: true, publicBaseURL: publicBaseURL, now: now, on: tx)
            }
            return silent.count
        }
    }

    public static func close(_ id: Int, by p: Principal, on db: any Database) async throws -> SurveyModel {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden("closing surveys") }
        let s = try await survey(id, scope: p.scope, on: db)
        guard p.scope.allowsImport(region: RegionCode(s.regionCode)!, ownerID: nil) else { throw RegistryError.forbidden("closing a survey of a wider region") }
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
        else { throw RegistryError.notFound(entity: "survey invitation", key: "the link") }
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
                errors += error.errors.map { FieldError("rows[\(n + 1)].\($0.field)", $0.message) }
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        guard !drafts.isEmpty else { throw RegistryError.invalid("rows", "fill in at least one instrument") }
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
    public static func declareUpload(token: String, bytes: [UInt8], today: CalendarDay, on db: any Database) async throws -> InstrumentImport.Report {
        let (inv, _, o) = try await invitation(token: token, today: today, on: db)
        let p = acting(for: inv, owner: o)
        let before = Set(try await InstrumentModel.query(on: db).filter(\.$ownerID == o.id!).all(\.$id))
        var rng = SystemRandomNumberGenerator()
        let report = try await Audit.$actor.withValue(p) {
            try await InstrumentImport(mode: .validRowsOnly, scope: p.scope).run(bytes: bytes, on: db, today: today, generator: &rng)
        }
        let after = try await InstrumentModel.query(on: db).filter(\.$ownerID == o.id!).all(\.$id)
        let new = after.filter { !before.contains($0) }
        if !new.isEmpty || report.alreadyPresent > 0 {
            try await Audit.$actor.withValue(p) { try await db.auditedTransaction { tx in try await record(new, for: inv, on: tx) } }
        }
        return report
    }

    /// Counts instruments for an invitation and marks it answered.
    static func record(_ instrumentIDs: [Int], for inv: SurveyInvitationModel, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in stride(from: 0, to: instrumentIDs.count, by: 300).map({ Array(instrumentIDs[$0..<min($0 + 300, instrumentIDs.count)]) }) {
            let insert = sql.insert(into: "survey_instruments").columns("invitation_id", "instrument_id")
            for id in chunk { insert.values(SQLBind(inv.id!), SQLBind(id)) }
            try await insert.run()
        }
        if inv.answeredAt == nil {
            inv.answeredAt = Date()
            try await inv.save(on: db)
        }
    }

    /// An owner not yet registered joins an open survey through its public link: registered now
    /// with the survey's industry (its instruments stay drafts until the bureau approves their
    /// filings), it gets its own invitation link. A credit code already registered is told to use
    /// its invitation or sign in, without saying whose it is.
    public static func join(
        surveyID: Int, name: String?, creditCode: String?, address: String?, region: String?, contactPhone: String?, today: CalendarDay,
        on db: any Database
    ) async throws -> SurveyInvitationModel {
        guard let s = try await SurveyModel.find(surveyID, on: db), s.state == State.open.rawValue, let closes = CalendarDay(s.closesOn), today <= closes,
            let surveyRegion = RegionCode(s.regionCode)
        else { throw RegistryError.notFound(entity: "survey", key: String(surveyID)) }
        let context = try await Registry.context(on: db)
        var c = FieldChecker()
        let code = context.resolveRegion(region, field: "region_code", checker: &c)
        try c.finish()
        let d = try OwnerDraft.parse(
            name: name, creditCode: creditCode, address: address, regionCode: code, industry: s.industry, contactName: nil,
            contactPhone: contactPhone, parentID: nil, context: context)
        guard surveyRegion.contains(d.region) else { throw RegistryError.invalid("region_code", "this survey covers \(s.regionCode) only") }
        guard d.contactPhone != nil else { throw RegistryError.invalid("contact_phone", "is required: the bureau may need to call you about your declaration") }
        if try await OwnerModel.query(on: db).filter(\.$creditCode == d.creditCode.value).first() != nil {
            throw RegistryError.conflict(
                field: "credit_code", message: "this unit is registered already: use the link in your invitation (SMS or inbox), or sign in")
        }
        return try await Audit.$actor.withValue(.system("survey \(surveyID) public link")) {
            try await db.auditedTransaction { tx in
                let o = try await Registry.createOwner(d, scope: .everything, on: tx)
                var rng = SystemRandomNumberGenerator()
                return try await invitation(s, owner: o, joined: true, now: Date(), generator: &rng, on: tx)
            }
        }
    }
}
