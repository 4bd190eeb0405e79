import FluentKit
import Foundation
import JiliangCore

/// The serious-dishonesty list (严重违法失信名单) with due process after SAMR Order 44: staff propose
/// listing a party on the ground of a heavy penalty (较重行政处罚) with the reason; the party is
/// notified and may object within a window; a second person — never the proposer — decides; a
/// decision to list is then published. After at least a year the party may apply for credit repair
/// (信用修复) when the conditions hold; otherwise it leaves the list at the end of the period. Every
/// step is an event with who and when; listing, repair and removal are ledgered list changes.
public enum Listings {
    public enum State: String, Sendable, CaseIterable {
        case proposed, notified, decided, listed
        case notListed = "not_listed"
        case repaired, removed
    }

    public static func propose(penaltyID: Int?, reason: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireStaff(p, "proposing a listing")
        var c = FieldChecker()
        if penaltyID == nil { c.fail("penalty_id", "is required: a listing rests on a penalty decision") }
        let why = c.text("reason", reason, max: 4000)
        try c.finish()
        let penalty: PenaltyModel
        do { penalty = try await Penalties.penalty(penaltyID!, by: p, on: db) } catch RegistryError.notFound {
            throw RegistryError.invalid("penalty_id", "no penalty \(penaltyID!) in your region")
        }
        guard penalty.heavy else {
            throw RegistryError.invalid("penalty_id", "penalty \(penalty.decisionNo) is not a heavy penalty (较重行政处罚); Order 44 lists only on those")
        }
        guard penalty.state != Penalties.State.withdrawn.rawValue else { throw RegistryError.invalid("penalty_id", "penalty \(penalty.decisionNo) was withdrawn") }
        return try await db.auditedTransaction { tx in
            let open = try await ListingModel.query(on: tx).filter(\.$penaltyID == penalty.id!)
                .filter(\.$state ~~ [State.proposed, .notified, .decided, .listed].map(\.rawValue)).first()
            if open != nil { throw RegistryError.conflict(field: "penalty_id", message: "a listing on penalty \(penalty.decisionNo) is already in progress") }
            let m = ListingModel()
            m.ownerID = penalty.ownerID
            m.regionCode = penalty.regionCode
            m.penaltyID = penalty.id!
            m.reason = why!
            m.state = State.proposed.rawValue
            m.proposedBy = p.label
            m.proposedOn = today.description
            try await m.create(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", m.id!, "proposed", day: today, note: why, by: p, on: tx)
            return m
        }
    }

    /// Tells the party (in its inbox) and opens the objection window.
    public static func notify(_ id: Int, rules: CreditConfiguration = .init(), today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireStaff(p, "notifying a party")
        let calendar = try await VerificationRequests.workingCalendar(on: db)
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .proposed)
            m.state = State.notified.rawValue
            m.notifiedOn = today.description
            m.objectionUntil = rules.listing.objectionUntil(notifiedOn: today, calendar: calendar).description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, "notified", day: today, note: "objections until \(m.objectionUntil!)", by: p, on: tx)
            try await Notices.send(
                .listingProposed(listing: id, reason: m.reason, objectionUntil: m.objectionUntil!), to: "owner:\(m.ownerID)", on: tx)
            return m
        }
    }

    /// The party's objection, within the window.
    public static func object(_ id: Int, text: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireParty(p, "objecting (only the party's own account objects)")
        var c = FieldChecker()
        let t = c.text("objection", text, max: 4000)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .notified)
            guard m.objection == nil else { throw RegistryError.conflict(field: "objection", message: "an objection is already on file") }
            guard let until = m.objectionUntil.flatMap({ CalendarDay($0) }), today <= until else {
                throw RegistryError.conflict(field: "objection", message: "the objection window closed on \(m.objectionUntil ?? "-")")
            }
            m.objection = t
            m.objectedOn = today.description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, "objected", day: today, note: t, by: p, on: tx)
            return m
        }
    }

    /// The decision, by a second person: after the window, or once the party has objected.
    public static func decide(
        _ id: Int, list: Bool?, note: String?, rules: CreditConfiguration = .init(), today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> ListingModel {
        try CreditLog.requireStaff(p, "deciding on a listing")
        var c = FieldChecker()
        if list == nil { c.fail("decision", "must be list or not_list") }
        let n = c.text("note", note, max: 4000, required: false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .notified)
            guard m.proposedBy != p.label else {
                throw RegistryError.conflict(field: "decision", message: "the decision must be taken by a second person, not by \(p.label) who proposed it")
            }
            let until = m.objectionUntil.flatMap { CalendarDay($0) } ?? today
            guard rules.listing.mayDecide(on: today, objectionUntil: until, objected: m.objection != nil) else {
                throw RegistryError.conflict(field: "decision", message: "the party may object until \(until); decide after that")
            }
            m.state = list! ? State.decided.rawValue : State.notListed.rawValue
            m.decidedBy = p.label
            m.decidedOn = today.description
            if case .region(let r) = p.scope, r.level != .province { m.decidedRegion = r.value }
            m.decisionNote = n
            if !list! { m.endedOn = today.description }
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, list! ? "decided" : "not_listed", day: today, note: n, by: p, on: tx)
            return m
        }
    }

    /// Whether a decided listing waits for the upper-level bureau's consent: decided by a county or
    /// city bureau and not yet agreed to (issue #18, item 10).
    public static func needsConsent(_ m: ListingModel) -> Bool {
        m.state == State.decided.rawValue && m.decidedRegion != nil && m.consentOn == nil
    }

    /// Whether `p` speaks for a bureau above the one that decided: the province administrator, or
    /// staff whose region strictly contains the deciding bureau's region.
    public static func isUpperLevel(_ p: Principal, over decided: String?) -> Bool {
        guard let decided = decided.flatMap(RegionCode.init) else { return false }
        switch p.scope {
        case .everything: return true
        case .region(let r): return r != decided && r.contains(decided)
        default: return false
        }
    }

    /// The upper-level bureau agrees to a listing decided below the province (the county or city
    /// proposes and decides, the bureau above consents), or refuses it with reasons — then the party
    /// is not listed. The consent is a step of its own, with its person and date.
    public static func consent(_ id: Int, agree: Bool?, note: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireStaff(p, "consenting to a listing")
        var c = FieldChecker()
        if agree == nil { c.fail("consent", "must be agree or refuse") }
        let n = c.text("note", note, max: 4000, required: agree == false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            guard needsConsent(m) else { throw RegistryError.conflict(field: "id", message: "listing \(id) is \(m.state) and waits for no consent") }
            guard isUpperLevel(p, over: m.decidedRegion) else {
                throw RegistryError.conflict(field: "consent", message: "the bureau above \(m.decidedRegion ?? "-") consents, not \(p.label)")
            }
            m.consentBy = p.label
            m.consentOn = today.description
            m.consentNote = n
            if agree == false {
                m.state = State.notListed.rawValue
                m.endedOn = today.description
                m.endReason = SystemReason.consentRefused.stored
            }
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, agree! ? "consented" : "consent_refused", day: today, note: n, by: p, on: tx)
            return m
        }
    }

    /// Publishes a decided listing from today; repair eligibility and removal follow from the rules.
    public static func publish(_ id: Int, rules: CreditConfiguration = .init(), today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireStaff(p, "publishing a listing")
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .decided)
            guard !needsConsent(m) else {
                throw RegistryError.conflict(
                    field: "id", message: "listing \(id) was decided by the bureau of \(m.decidedRegion!): the bureau above must consent before publication")
            }
            let restriction = try await PenaltyModel.find(m.penaltyID, on: tx)?.restrictionUntil.flatMap { CalendarDay($0) }
            m.state = State.listed.rawValue
            m.publishedOn = today.description
            m.repairEligibleOn = rules.listing.repairEligibleOn(publishedOn: today).description
            m.removalOn = rules.listing.removalOn(publishedOn: today, restrictionUntil: restriction).description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, "published", day: today, note: "removal on \(m.removalOn!)", by: p, on: tx)
            try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "dishonesty", ref: id, change: "listed", day: today, by: p, on: tx)
            // A listed party holds no demonstration title.
            if let title = try await Demonstration.title(ownerID: m.ownerID, today: today, on: tx) {
                _ = try await Demonstration.revoke(title, reason: SystemReason.listed(listing: id).stored, today: today, on: tx)
            }
            return m
        }
    }

    /// The party applies for credit repair: not before the eligibility day, having fulfilled the
    /// penalty and removed its consequences (it attests both), with no heavy penalty since listing.
    public static func applyForRepair(
        _ id: Int, statement: String?, fulfilled: Bool, remedied: Bool, today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> ListingModel {
        try CreditLog.requireParty(p, "applying for credit repair (only the party's own account applies)")
        var c = FieldChecker()
        let s = c.text("statement", statement, max: 4000)
        if !fulfilled { c.fail("fulfilled", "confirm that the penalty's obligations are fulfilled") }
        if !remedied { c.fail("remedied", "confirm that the harmful consequences have been removed") }
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .listed)
            guard m.repairAppliedOn == nil else { throw RegistryError.conflict(field: "id", message: "a repair application is already waiting for a decision") }
            guard let eligible = m.repairEligibleOn.flatMap({ CalendarDay($0) }), today >= eligible else {
                throw RegistryError.conflict(field: "id", message: "credit repair may be applied for from \(m.repairEligibleOn ?? "-") (at least one year on the list)")
            }
            let later = try await PenaltyModel.query(on: tx).filter(\.$ownerID == m.ownerID).filter(\.$heavy == true)
                .filter(\.$decidedOn > (m.publishedOn ?? "")).filter(\.$state != Penalties.State.withdrawn.rawValue).first()
            if let later {
                throw RegistryError.conflict(field: "id", message: "a further heavy penalty (\(later.decisionNo), \(later.decidedOn)) rules out repair")
            }
            m.repairStatement = s
            m.repairAppliedOn = today.description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, "repair_applied", day: today, note: s, by: p, on: tx)
            return m
        }
    }

    /// Staff grant repair (the party leaves the list today) or refuse it with reasons.
    public static func decideRepair(_ id: Int, approve: Bool?, note: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireStaff(p, "deciding on credit repair")
        var c = FieldChecker()
        if approve == nil { c.fail("decision", "must be approve or refuse") }
        let n = c.text("note", note, max: 4000, required: approve == false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .listed)
            guard m.repairAppliedOn != nil else { throw RegistryError.conflict(field: "id", message: "no repair application is waiting") }
            if approve! {
                m.state = State.repaired.rawValue
                m.endedOn = today.description
                m.endReason = n ?? SystemReason.creditRepaired.stored
                try await m.save(on: tx)
                try await CreditLog.event(owner: m.ownerID, "listing", id, "repaired", day: today, note: n, by: p, on: tx)
                try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "dishonesty", ref: id, change: "repaired", day: today, by: p, on: tx)
            } else {
                m.repairAppliedOn = nil
                try await m.save(on: tx)
                try await CreditLog.event(owner: m.ownerID, "listing", id, "repair_refused", day: today, note: n, by: p, on: tx)
            }
            return m
        }
    }

    /// Removes every listing whose period has ended (the daily run). Public pages already stop
    /// showing it on the removal day; this records the removal.
    static func removeExpired(today: CalendarDay, on db: any Database) async throws -> [ListingModel] {
        let due = try await ListingModel.query(on: db).filter(\.$state == State.listed.rawValue).filter(\.$removalOn <= today.description).all()
        for m in due {
            try await db.auditedTransaction { tx in
                m.state = State.removed.rawValue
                m.endedOn = today.description
                m.endReason = SystemReason.periodEnded.stored
                try await m.save(on: tx)
                try await CreditLog.event(owner: m.ownerID, "listing", m.id!, "removed", day: today, on: tx)
                try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "dishonesty", ref: m.id!, change: "removed", day: today, on: tx)
            }
        }
        return due
    }

    /// One due-process step by its name, as the API (`POST /listings/{id}/steps`) and the page's
    /// forms send it.
    public static func step(
        _ id: Int, step: String?, text: String?, decision: String?, approve: Bool?, fulfilled: Bool, remedied: Bool, rules: CreditConfiguration,
        today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> ListingModel {
        switch step {
        case "notify": return try await notify(id, rules: rules, today: today, by: p, on: db)
        case "object": return try await object(id, text: text, today: today, by: p, on: db)
        case "decide":
            let list: Bool? = decision == "list" ? true : decision == "not_list" ? false : nil
            return try await decide(id, list: list, note: text, rules: rules, today: today, by: p, on: db)
        case "consent": return try await consent(id, agree: approve, note: text, today: today, by: p, on: db)
        case "publish": return try await publish(id, rules: rules, today: today, by: p, on: db)
        case "apply_repair": return try await applyForRepair(id, statement: text, fulfilled: fulfilled, remedied: remedied, today: today, by: p, on: db)
        case "decide_repair": return try await decideRepair(id, approve: approve, note: text, today: today, by: p, on: db)
        default:
            throw RegistryError.invalid("step", "'\(step ?? "")' is not one of: notify, object, decide, consent, publish, apply_repair, decide_repair")
        }
    }

    static func expect(_ m: ListingModel, _ s: State) throws {
        guard m.state == s.rawValue else { throw RegistryError.conflict(field: "id", message: "listing \(m.id!) is \(m.state), not \(s.rawValue)") }
    }

    public static func listing(_ id: Int, by p: Principal, on db: any Database) async throws -> ListingModel {
        try await CreditLog.visible(ListingModel.self, id, owner: \.ownerID, entity: "listing", by: p, on: db)
    }

    public static func list(state: String?, ownerID: Int?, cursor: String?, limit: Int?, by p: Principal, on db: any Database) async throws -> Page<ListingModel> {
        guard p.may(.manageCredit) || p.may(.applyForCredit) else { throw RegistryError.forbidden("reading listings") }
        var c = FieldChecker()
        let s: State? = c.choice("state", state, required: false)
        try c.finish()
        let q = ListingModel.query(on: db)
        if let s { q.filter(\.$state == s.rawValue) }
        return try await CreditLog.page(q, region: \.$regionCode, owner: \.$ownerID, ownerID: ownerID, cursor: cursor, limit: limit, by: p)
    }

    /// Whether the owner is on the published list on `day` (from publication until removal or repair).
    public static func isListed(ownerID: Int, today: CalendarDay, on db: any Database) async throws -> Bool {
        try await ListingModel.query(on: db).filter(\.$ownerID == ownerID).filter(\.$state == State.listed.rawValue)
            .filter(\.$publishedOn <= today.description).filter(\.$removalOn > today.description).first() != nil
    }

    /// The public list on `today`, optionally for one owner or searched by name or credit code.
    public static func shown(ownerID: Int?, search: String?, today: CalendarDay, limit: Int = 100, on db: any Database) async throws -> [(ListingModel, OwnerModel)] {
        let q = ListingModel.query(on: db).filter(\.$state == State.listed.rawValue)
            .filter(\.$publishedOn <= today.description).filter(\.$removalOn > today.description).sort(\.$id, .descending).limit(2000)
        if let ownerID { q.filter(\.$ownerID == ownerID) }
        let rows = try await q.all()
        let owners = Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Set(rows.map(\.ownerID))).all().map { ($0.id!, $0) })
        let s = try SearchText.checked(search) ?? ""
        return rows.compactMap { m in
            guard let o = owners[m.ownerID] else { return nil }
            if !s.isEmpty, !(o.name.contains(s) || o.creditCode.contains(s.uppercased())) { return nil }
            return (m, o)
        }.prefix(limit).map { $0 }
    }
}
