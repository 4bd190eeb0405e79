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
        try CreditLog.requireStaff(p, .proposeListing)
        var c = FieldChecker()
        if penaltyID == nil { c.fail("penalty_id", .credit(.listingNeedsPenalty)) }
        let why = c.text("reason", reason, max: 4000)
        try c.finish()
        let penalty: PenaltyModel
        do { penalty = try await Penalties.penalty(penaltyID!, by: p, on: db) } catch RegistryError.notFound {
            throw RegistryError.invalid("penalty_id", .credit(.noPenaltyInRegion(id: penaltyID!)))
        }
        guard penalty.heavy else {
            throw RegistryError.invalid("penalty_id", .credit(.penaltyNotHeavy(decisionNo: penalty.decisionNo)))
        }
        guard penalty.state != Penalties.State.withdrawn.rawValue else { throw RegistryError.invalid("penalty_id", .credit(.penaltyWithdrawn(decisionNo: penalty.decisionNo))) }
        return try await db.auditedTransaction { tx in
            let open = try await ListingModel.query(on: tx).filter(\.$penaltyID == penalty.id!)
                .filter(\.$state ~~ [State.proposed, .notified, .decided, .listed].map(\.rawValue)).first()
            if open != nil { throw RegistryError.conflict(field: "penalty_id", reason: .credit(.listingInProgress(decisionNo: penalty.decisionNo))) }
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
        try CreditLog.requireStaff(p, .notifyParty)
        let calendar = try await VerificationRequests.workingCalendar(on: db)
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .proposed)
            m.state = State.notified.rawValue
            m.notifiedOn = today.description
            m.objectionUntil = rules.listing.objectionUntil(notifiedOn: today, calendar: calendar).description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, "notified", day: today, note: SystemReason.objectionsUntil(day: m.objectionUntil!).stored, by: p, on: tx)
            try await Notices.send(
                .listingProposed(listing: id, reason: m.reason, objectionUntil: m.objectionUntil!), to: "owner:\(m.ownerID)", on: tx)
            return m
        }
    }

    /// The party's objection, within the window.
    public static func object(_ id: Int, text: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireParty(p, .object)
        var c = FieldChecker()
        let t = c.text("objection", text, max: 4000)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .notified)
            guard m.objection == nil else { throw RegistryError.conflict(field: "objection", reason: .credit(.objectionOnFile)) }
            guard let until = m.objectionUntil.flatMap({ CalendarDay($0) }), today <= until else {
                throw RegistryError.conflict(field: "objection", reason: .credit(.objectionWindowClosed(on: m.objectionUntil)))
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
        try CreditLog.requireStaff(p, .decideListing)
        var c = FieldChecker()
        if list == nil { c.fail("decision", .credit(.listOrNotList)) }
        let n = c.text("note", note, max: 4000, required: false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .notified)
            guard m.proposedBy != p.label else {
                throw RegistryError.conflict(field: "decision", reason: .credit(.proposerMayNotDecide(proposedBy: p.label)))
            }
            let until = m.objectionUntil.flatMap { CalendarDay($0) } ?? today
            guard rules.listing.mayDecide(on: today, objectionUntil: until, objected: m.objection != nil) else {
                throw RegistryError.conflict(field: "decision", reason: .credit(.objectionWindowOpen(until: until.description)))
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
        try CreditLog.requireStaff(p, .consentToListing)
        var c = FieldChecker()
        if agree == nil { c.fail("consent", .credit(.agreeOrRefuse)) }
        let n = c.text("note", note, max: 4000, required: agree == false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            guard needsConsent(m) else { throw RegistryError.conflict(field: "id", reason: .credit(.listingNeedsNoConsent(id: id, state: m.state))) }
            guard isUpperLevel(p, over: m.decidedRegion) else {
                throw RegistryError.conflict(field: "consent", reason: .credit(.consentByBureauAbove(decidedRegion: m.decidedRegion, label: p.label)))
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
        try CreditLog.requireStaff(p, .publishListing)
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .decided)
            guard !needsConsent(m) else {
                throw RegistryError.conflict(field: "id", reason: .credit(.listingAwaitsConsent(id: id, decidedRegion: m.decidedRegion!)))
            }
            let restriction = try await PenaltyModel.find(m.penaltyID, on: tx)?.restrictionUntil.flatMap { CalendarDay($0) }
            m.state = State.listed.rawValue
            m.publishedOn = today.description
            m.repairEligibleOn = rules.listing.repairEligibleOn(publishedOn: today).description
            m.removalOn = rules.listing.removalOn(publishedOn: today, restrictionUntil: restriction).description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "listing", id, "published", day: today, note: SystemReason.removalOn(day: m.removalOn!).stored, by: p, on: tx)
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
        try CreditLog.requireParty(p, .applyForRepair)
        let s = try CreditRepair.statement(statement, fulfilled: fulfilled, remedied: remedied)
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .listed)
            guard m.repairAppliedOn == nil else { throw RegistryError.conflict(field: "id", reason: .credit(.repairAlreadyApplied)) }
            guard let eligible = m.repairEligibleOn.flatMap({ CalendarDay($0) }), today >= eligible else {
                throw RegistryError.conflict(field: "id", reason: .credit(.repairNotYet(from: m.repairEligibleOn)))
            }
            let later = try await PenaltyModel.query(on: tx).filter(\.$ownerID == m.ownerID).filter(\.$heavy == true)
                .filter(\.$decidedOn > (m.publishedOn ?? "")).filter(\.$state != Penalties.State.withdrawn.rawValue).first()
            if let later {
                throw RegistryError.conflict(field: "id", reason: .credit(.laterHeavyPenalty(decisionNo: later.decisionNo, decidedOn: later.decidedOn)))
            }
            try await CreditRepair.record(m, entity: "listing", id: id, statement: s, today: today, by: p, on: tx)
            return m
        }
    }

    /// Staff grant repair (the party leaves the list today) or refuse it with reasons.
    public static func decideRepair(_ id: Int, approve: Bool?, note: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ListingModel {
        try CreditLog.requireStaff(p, .decideRepair)
        let n = try CreditRepair.decision(approve: approve, note: note)
        return try await db.auditedTransaction { tx in
            let m = try await listing(id, by: p, on: tx)
            try expect(m, .listed)
            guard m.repairAppliedOn != nil else { throw RegistryError.conflict(field: "id", reason: .credit(.noRepairApplication)) }
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
            throw RegistryError.invalid("step", .notOneOf(["notify", "object", "decide", "consent", "publish", "apply_repair", "decide_repair"], got: step ?? ""))
        }
    }

    static func expect(_ m: ListingModel, _ s: State) throws {
        guard m.state == s.rawValue else { throw RegistryError.conflict(field: "id", reason: .credit(.listingNotInState(id: m.id!, state: m.state, expected: s.rawValue))) }
    }

    public static func listing(_ id: Int, by p: Principal, on db: any Database) async throws -> ListingModel {
        try await CreditLog.visible(ListingModel.self, id, owner: \.ownerID, entity: .listing, by: p, on: db)
    }

    public static func list(state: String?, ownerID: Int?, cursor: String?, limit: Int?, by p: Principal, on db: any Database) async throws -> Page<ListingModel> {
        guard p.may(.manageCredit) || p.may(.applyForCredit) else { throw RegistryError.forbidden(.credit(.roleMayNot(.readListings))) }
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
