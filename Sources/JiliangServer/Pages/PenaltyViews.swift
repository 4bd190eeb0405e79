import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The penalties list with the form that records one (`penalties.mustache`).
struct PenaltiesView: PageView {
    var error: String?
    /// The form's values as posted: the template reads `v.decision_no`, `v.facts`, ….
    var v: [String: String]
    var isStaff: Bool
    var penalties: [CreditPenaltyRow]
    var kinds: [OptionView]
    var summary: Bool
    var naturalPerson: Bool
    var empty: Bool
    /// The owner the form is for: as posted, or from the owner page's link (`?owner=`).
    var ownerID: String
    var next: String?

    static func build(
        by p: Principal, lang: PageStrings.Language, state: String?, cursor: String?, owner: String?, error: String?, values: [String: String],
        on db: any Database
    ) async throws -> PenaltiesView {
        let t = PageStrings.strings(lang)
        let page = try await Penalties.list(ownerID: nil, state: state.flatMap { $0.isEmpty ? nil : $0 }, cursor: cursor, limit: 50, by: p, on: db)
        let names = try await CreditNames.owners(Set(page.items.map(\.ownerID)), on: db)
        return PenaltiesView(
            error: error, v: values, isStaff: p.may(.manageCredit) && p.role != .owner,
            penalties: page.items.map { CreditPenaltyRow.of($0, t, lang, owner: names[$0.ownerID] ?? "") },
            kinds: PenaltyKind.allCases.map {
                OptionView(value: $0.rawValue, label: PageStrings.penaltyKindLabel($0.rawValue, lang), selected: values["kind"] == $0.rawValue)
            },
            summary: values["procedure"] == "summary", naturalPerson: values["party_kind"] == "natural_person", empty: page.items.isEmpty,
            ownerID: values["owner_id"] ?? owner ?? "", next: page.nextCursor.map { Site.penalties() + "?cursor=\($0)" })
    }
}

/// A penalty with its evidence, history and the forms of the steps the caller may take now
/// (`penalty.mustache`).
struct PenaltyView: PageView {
    struct File: Encodable, Sendable, Equatable {
        var fid: String
        var link: String
        var name: String
        var type: String
    }
    var id: String
    var error: String?
    var decision: String
    var kind: String
    var basis: String
    var facts: String
    var procedure: String
    var party: String
    var amount: String?
    var heavy: Bool
    var decided: String
    var restriction: String?
    var publishBy: String?
    var published: String?
    var until: String?
    var state: String
    var withdrawn: String?
    var owner: String
    var ownerID: String
    var ownerLink: String
    var credit: String
    var files: [File]
    var canPublish: Bool
    var canWithdraw: Bool
    var canPropose: Bool
    var specialDomain: Bool
    var repairApplied: String?
    var repairStatement: String
    var repairedOn: String?
    /// From when the party may apply to end the publication early (a published penalty only).
    var repairEligible: String?
    var canApplyRepair: Bool
    var canDecideRepair: Bool
    var history: [CreditHistoryRow]
    var publishAction: String
    var withdrawAction: String
    var proposeAction: String
    var applyRepairAction: String
    var decideRepairAction: String

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, rules: CreditConfiguration, today: CalendarDay, error: String?, on db: any Database
    ) async throws -> PenaltyView {
        let t = PageStrings.strings(lang)
        let m = try await Penalties.penalty(id, by: p, on: db)
        guard let owner = try await OwnerModel.find(m.ownerID, on: db) else { throw RegistryError.notFound(.owner, key: "\(m.ownerID)") }
        let published = m.state == Penalties.State.published.rawValue ? m.publishedOn.flatMap { CalendarDay($0) } : nil
        let eligible = published.map { rules.publication.repairEligibleOn(publishedOn: $0, specialDomain: m.specialDomain) }
        let staff = p.may(.manageCredit) && p.role != .owner
        let files = try await Penalties.attachments(of: id, by: p, on: db).map {
            File(fid: "\($0.id)", link: Site.penaltyFile(id, "\($0.id)"), name: $0.filename, type: $0.type)
        }
        let history = try await CreditHistoryRow.of("penalty", id, t, on: db)
        return PenaltyView(
            id: "\(id)", error: error, decision: m.decisionNo, kind: PageStrings.penaltyKindLabel(m.kind, lang), basis: m.legalBasis, facts: m.facts,
            procedure: t.lookup("cr_procedure_" + m.procedure) ?? m.procedure, party: t.lookup("cr_party_" + m.partyKind) ?? m.partyKind,
            amount: m.amountYuan.map { "\($0) 元" }, heavy: m.heavy, decided: m.decidedOn, restriction: m.restrictionUntil, publishBy: m.publishBy,
            published: m.publishedOn, until: m.displayUntil, state: t.lookup("cr_" + m.state) ?? m.state,
            withdrawn: m.withdrawnOn.map { "\($0) \(m.withdrawReason ?? "")" },
            owner: owner.name, ownerID: "\(owner.id!)", ownerLink: Site.creditOwner(owner.id!), credit: owner.creditCode, files: files,
            canPublish: staff && m.state == Penalties.State.recorded.rawValue && m.kind != PenaltyKind.warning.rawValue
                && m.procedure == PenaltyProcedure.ordinary.rawValue,
            canWithdraw: staff && (m.state == Penalties.State.recorded.rawValue || m.state == Penalties.State.published.rawValue),
            canPropose: staff && m.heavy && m.state != Penalties.State.withdrawn.rawValue,
            specialDomain: m.specialDomain, repairApplied: m.repairAppliedOn, repairStatement: m.repairStatement ?? "", repairedOn: m.repairedOn,
            repairEligible: eligible?.description,
            canApplyRepair: p.role == .owner && m.state == Penalties.State.published.rawValue && m.repairAppliedOn == nil
                && eligible.map { today >= $0 } == true,
            canDecideRepair: staff && m.state == Penalties.State.published.rawValue && m.repairAppliedOn != nil && p.label != m.recordedBy,
            history: history,
            publishAction: Site.penaltyAction(id, "publish"), withdrawAction: Site.penaltyAction(id, "withdraw"), proposeAction: Site.penaltyAction(id, "propose"),
            applyRepairAction: Site.penaltyAction(id, "apply_repair"), decideRepairAction: Site.penaltyAction(id, "decide_repair"))
    }
}

/// The serious-dishonesty list (`listings.mustache`).
struct ListingsView: PageView {
    var listings: [CreditListingRow]
    var empty: Bool
    var next: String?

    static func build(by p: Principal, lang: PageStrings.Language, state: String?, cursor: String?, on db: any Database) async throws -> ListingsView {
        let t = PageStrings.strings(lang)
        let page = try await Listings.list(state: state.flatMap { $0.isEmpty ? nil : $0 }, ownerID: nil, cursor: cursor, limit: 50, by: p, on: db)
        let names = try await CreditNames.owners(Set(page.items.map(\.ownerID)), on: db)
        return ListingsView(
            listings: page.items.map { CreditListingRow.of($0, t, names: names) }, empty: page.items.isEmpty,
            next: page.nextCursor.map { Site.listings() + "?cursor=\($0)" })
    }
}

/// A listing with the forms of the due-process steps the caller may take now (`listing.mustache`).
struct ListingView: PageView {
    var id: String
    var error: String?
    var owner: String
    var ownerID: String
    var credit: String
    var reason: String
    var penaltyID: String
    var penaltyLink: String
    var stepAction: String
    var penalty: String
    var state: String
    /// The state's code (`data-state`).
    var stateCode: String
    var proposed: String
    var notified: String?
    var objectionUntil: String?
    var objection: String?
    var decided: String?
    var decisionNote: String?
    var published: String?
    var repairEligible: String?
    var removal: String?
    var repairApplied: String?
    var repairStatement: String?
    var ended: String?
    var canNotify: Bool
    var canObject: Bool
    var canDecide: Bool
    /// The proposer sees that a second person decides.
    var proposerNote: Bool
    var canPublish: Bool
    /// The deciding bureau's region, while the bureau above has yet to consent.
    var consentNeeded: String?
    var consented: String?
    var canConsent: Bool
    var canApplyRepair: Bool
    var canDecideRepair: Bool
    var history: [CreditHistoryRow]

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, on db: any Database) async throws -> ListingView {
        let t = PageStrings.strings(lang)
        let m = try await Listings.listing(id, by: p, on: db)
        guard let owner = try await OwnerModel.find(m.ownerID, on: db) else { throw RegistryError.notFound(.owner, key: "\(m.ownerID)") }
        guard let penalty = try await PenaltyModel.find(m.penaltyID, on: db) else { throw RegistryError.notFound(.penalty, key: "\(m.penaltyID)") }
        let staff = p.may(.manageCredit) && p.role != .owner, party = p.role == .owner
        let state = Listings.State(rawValue: m.state)
        let windowOpen = m.objectionUntil.flatMap { CalendarDay($0) }.map { today <= $0 } ?? false
        let needsConsent = Listings.needsConsent(m)
        let history = try await CreditHistoryRow.of("listing", id, t, on: db)
        return ListingView(
            id: "\(id)", error: error, owner: owner.name, ownerID: "\(owner.id!)", credit: owner.creditCode, reason: m.reason,
            penaltyID: "\(penalty.id!)", penaltyLink: Site.penalty(penalty.id!), stepAction: Site.listingStep(id), penalty: penalty.decisionNo,
            state: t.lookup("cr_" + m.state) ?? m.state, stateCode: m.state,
            proposed: "\(m.proposedOn) · \(m.proposedBy)", notified: m.notifiedOn, objectionUntil: m.objectionUntil, objection: m.objection,
            decided: m.decidedOn.map { "\($0) · \(m.decidedBy ?? "")" }, decisionNote: m.decisionNote, published: m.publishedOn,
            repairEligible: m.repairEligibleOn, removal: m.removalOn, repairApplied: m.repairAppliedOn, repairStatement: m.repairStatement,
            ended: m.endedOn.map { "\($0) \(ReasonText.words(m.endReason, t) ?? "")" },
            canNotify: staff && state == .proposed,
            canObject: party && state == .notified && m.objection == nil && windowOpen,
            canDecide: staff && state == .notified && m.proposedBy != p.label,
            proposerNote: staff && state == .notified && m.proposedBy == p.label,
            canPublish: staff && state == .decided && !needsConsent,
            consentNeeded: needsConsent ? (m.decidedRegion ?? "") : nil,
            consented: m.consentOn.map { "\($0) · \(m.consentBy ?? "") \(m.consentNote ?? "")" },
            canConsent: staff && needsConsent && Listings.isUpperLevel(p, over: m.decidedRegion),
            canApplyRepair: party && state == .listed && m.repairAppliedOn == nil,
            canDecideRepair: staff && state == .listed && m.repairAppliedOn != nil,
            history: history)
    }
}
