import FluentKit
import Foundation
import JiliangCore
import JiliangStore

// The credit area's typed views (issue #20, item 5): the credit home, an owner's credit page, a
// commitment letter and the letters' and checklists' templates. The rows the credit, penalty and
// listing pages share are here too.

/// A penalty in a list (the credit home, an owner's page, the penalties list).
struct CreditPenaltyRow: Encodable, Sendable, Equatable {
    var id: String
    var link: String
    var decision: String
    var kind: String
    var decided: String
    var state: String
    /// The fine in yuan ("" when there is none).
    var amount: String
    var heavy: Bool
    /// Shown until (or to be published by); nil when neither.
    var until: String?
    /// The owner's name, on the penalties list only.
    var owner: String?

    static func of(_ m: PenaltyModel, _ t: PageText, _ lang: PageStrings.Language, owner: String? = nil) -> CreditPenaltyRow {
        CreditPenaltyRow(
            id: "\(m.id!)", link: Site.penalty(m.id!), decision: m.decisionNo, kind: PageStrings.penaltyKindLabel(m.kind, lang), decided: m.decidedOn,
            state: t.lookup("cr_" + m.state) ?? m.state, amount: m.amountYuan.map { "\($0)" } ?? "", heavy: m.heavy,
            until: (m.displayUntil ?? m.publishBy ?? "").nonEmpty, owner: owner)
    }
}

/// A listing on the serious-dishonesty list in a list.
struct CreditListingRow: Encodable, Sendable, Equatable {
    var id: String
    var link: String
    var owner: String
    var state: String
    var proposed: String
    var published: String
    var reason: String

    static func of(_ m: ListingModel, _ t: PageText, names: [Int: String]) -> CreditListingRow {
        CreditListingRow(
            id: "\(m.id!)", link: Site.listing(m.id!), owner: names[m.ownerID] ?? "#\(m.ownerID)", state: t.lookup("cr_" + m.state) ?? m.state,
            proposed: m.proposedOn, published: m.publishedOn ?? "—", reason: String(m.reason.prefix(60)))
    }
}

/// A demonstration round in a list.
struct CreditRoundRow: Encodable, Sendable, Equatable {
    var id: String
    var link: String
    var title: String
    var sector: String
    var region: String
    var dates: String
    var state: String

    static func of(_ r: DemoRoundModel, _ lang: PageStrings.Language) -> CreditRoundRow {
        CreditRoundRow(
            id: "\(r.id!)", link: Site.demoRound(r.id!), title: r.title, sector: PageStrings.sectorLabel(r.sector, lang), region: r.regionCode,
            dates: "\(r.opensOn) – \(r.closesOn)", state: r.state)
    }
}

/// A commitment letter in a list (with its owner's name on the owner's credit home).
struct CreditCommitmentRow: Encodable, Sendable, Equatable {
    var id: String
    var link: String
    var owner: String?
    var signed: String
    var state: String

    static func of(_ c: CommitmentModel, _ t: PageText, owner: String? = nil) -> CreditCommitmentRow {
        CreditCommitmentRow(id: "\(c.id!)", link: Site.commitment(c.id!), owner: owner, signed: c.signedOn, state: t.lookup("cr_" + c.state) ?? c.state)
    }
}

/// A step in a penalty's or a listing's history.
struct CreditHistoryRow: Encodable, Sendable, Equatable {
    var day: String
    var action: String
    var actor: String
    var note: String

    static func of(_ entity: String, _ id: Int, _ t: PageText, on db: any Database) async throws -> [CreditHistoryRow] {
        try await CreditEventModel.query(on: db).filter(\.$entity == entity).filter(\.$entityID == id).sort(\.$id).all().map {
            CreditHistoryRow(day: $0.day, action: t.lookup("cr_" + $0.action) ?? $0.action, actor: $0.actor, note: ReasonText.words($0.note, t) ?? "")
        }
    }
}

enum CreditNames {
    /// Owners' names by id, in one query.
    static func owners(_ ids: Set<Int>, on db: any Database) async throws -> [Int: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, $0.name) })
    }

    /// A class's badge tone.
    static func tone(_ c: CreditClass) -> String { ["A": "ok", "B": "ok", "C": "warn", "D": "bad"][c.rawValue]! }
}

/// The credit home (`credit.mustache`): for staff the owners' credit-risk classes; for an owner its
/// commitment letters (and the form that signs one), the open rounds, its penalties and listings.
struct CreditHomeView: PageView {
    struct ClassRow: Encodable, Sendable, Equatable {
        var id: String
        var link: String
        var name: String
        var credit: String
        var `class`: String
        var score: String
        var computed: String
        var tone: String
    }
    struct Signable: Encodable, Sendable, Equatable {
        var id: String
        var name: String
        var sector: String
    }
    var error: String?
    var isOwner: Bool
    var isStaff: Bool
    // An owner's
    var commitments: [CreditCommitmentRow]
    var signable: [Signable]
    var canSign: Bool
    var penalties: [CreditPenaltyRow]
    var listings: [CreditListingRow]
    var rounds: [CreditRoundRow]
    // Staff's
    var classes: [ClassRow]
    var filters: [OptionView]
    var noClasses: Bool
    var next: String?

    static func build(
        by p: Principal, lang: PageStrings.Language, creditClass: String?, cursor: String?, error: String?, on db: any Database
    ) async throws -> CreditHomeView {
        let t = PageStrings.strings(lang)
        var view = CreditHomeView(
            error: error, isOwner: false, isStaff: false, commitments: [], signable: [], canSign: false, penalties: [], listings: [], rounds: [],
            classes: [], filters: [], noClasses: false, next: nil)
        if p.role == .owner {
            guard p.may(.applyForCredit) else { throw RegistryError.forbidden(.notAllowed(.applyForCredit)) }
            let owners = try await OwnerModel.query(on: db).filter(\.$id ~~ p.ownerIDs).sort(\.$id).all()
            for o in owners {
                let list = try await Commitments.commitments(ownerID: o.id!, by: p, on: db)
                view.commitments += list.map { CreditCommitmentRow.of($0, t, owner: o.name) }
                if !list.contains(where: { $0.state == Commitments.State.active.rawValue }) {
                    view.signable.append(Signable(
                        id: "\(o.id!)", name: o.name,
                        sector: PageStrings.sectorLabel(CommitmentSector(industry: Industry(rawValue: o.industry) ?? .other).rawValue, lang)))
                }
            }
            view.isOwner = true
            view.canSign = !view.signable.isEmpty
            view.penalties = try await Penalties.list(ownerID: nil, state: nil, cursor: nil, limit: 50, by: p, on: db).items.map { CreditPenaltyRow.of($0, t, lang) }
            view.listings = try await Listings.list(state: nil, ownerID: nil, cursor: nil, limit: 50, by: p, on: db).items.map { CreditListingRow.of($0, t, names: [:]) }
            view.rounds = try await Demonstration.rounds(by: p, on: db).filter { $0.state == Demonstration.RoundState.open.rawValue }.map { CreditRoundRow.of($0, lang) }
            return view
        }
        guard p.may(.manageCredit) else { throw RegistryError.forbidden(.notAllowed(.manageCredit)) }
        let cls = creditClass.flatMap { $0.isEmpty ? nil : $0 }
        let page = try await CreditScores.list(creditClass: cls, cursor: cursor, limit: 50, by: p, on: db)
        view.classes = page.items.map {
            ClassRow(
                id: "\($0.owner.id!)", link: Site.creditOwner($0.owner.id!), name: $0.owner.name, credit: $0.owner.creditCode, class: $0.creditClass.rawValue,
                score: String(format: "%.1f", $0.score), computed: $0.computedOn, tone: CreditNames.tone($0.creditClass))
        }
        view.filters = CreditClass.allCases.map {
            OptionView(value: $0.rawValue, label: "\($0.rawValue) · \($0.chineseName)", selected: $0.rawValue == cls?.uppercased())
        }
        view.noClasses = page.items.isEmpty
        if let c = page.nextCursor { view.next = Site.credit() + "?cursor=\(c)&class=\(cls ?? "")" }
        view.isStaff = true
        return view
    }
}

/// Staff: an owner's class computed now with each fact's contribution, and its credit record
/// (`credit-owner.mustache`).
struct CreditOwnerView: PageView {
    struct Contribution: Encodable, Sendable, Equatable {
        var fact: String
        var detail: String
        var points: String
    }
    var id: String
    var name: String
    var credit: String
    var score: String
    var `class`: String
    var className: String
    var factor: String
    var tone: String
    var contributions: [Contribution]
    var facts: String
    var commitments: [CreditCommitmentRow]
    var penalties: [CreditPenaltyRow]
    var listings: [CreditListingRow]

    static func build(
        ownerID id: Int, by p: Principal, lang: PageStrings.Language, rules: CreditConfiguration, today: CalendarDay, on db: any Database
    ) async throws -> CreditOwnerView {
        let t = PageStrings.strings(lang)
        let (f, a) = try await CreditScores.assess(ownerID: id, rules: rules, today: today, by: p, on: db)
        let owner = try await Registry.owner(id, scope: p.scope, on: db)
        let commitments = try await Commitments.commitments(ownerID: id, by: p, on: db).map { CreditCommitmentRow.of($0, t) }
        let penalties = try await Penalties.list(ownerID: id, state: nil, cursor: nil, limit: 50, by: p, on: db).items.map { CreditPenaltyRow.of($0, t, lang) }
        let listings = try await Listings.list(state: nil, ownerID: id, cursor: nil, limit: 50, by: p, on: db).items.map {
            CreditListingRow.of($0, t, names: [id: owner.name])
        }
        return CreditOwnerView(
            id: "\(id)", name: owner.name, credit: owner.creditCode, score: String(format: "%.1f", a.score), class: a.creditClass.rawValue,
            className: a.creditClass.chineseName, factor: String(format: "%g", a.inspectionFactor), tone: CreditNames.tone(a.creditClass),
            contributions: a.contributions.map {
                Contribution(fact: t.lookup("cr_fact_" + $0.fact) ?? $0.fact, detail: detail($0, f, t), points: String(format: "%+.1f", $0.points))
            },
            facts: "\(f.instrumentsInUse)", commitments: commitments, penalties: penalties, listings: listings)
    }

    /// A contribution's count in the page's language (the core gives counts; yes/no facts get a tick).
    static func detail(_ c: CreditContribution, _ f: CreditFacts, _ t: PageText) -> String {
        switch c.fact {
        case "penalties": return "\(f.penalties)（\(t[.cr_heavyShort]) \(f.heavyPenalties)）"
        case "commitment", "commitment_breached", "demonstration_unit", "listed": return "✓"
        default: return c.detail
        }
    }
}

/// A commitment letter, printable, with the forms that end it (`commitment.mustache`).
struct CommitmentView: PageView {
    struct Line: Encodable, Sendable, Equatable {
        var line: String
    }
    var id: String
    var endAction: String
    var title: String
    var body: [Line]
    var owner: String
    var credit: String
    var signer: String
    var signed: String
    var phone: String
    var state: String
    var ended: String?
    var error: String?
    var canWithdraw: Bool
    var canBreach: Bool
    /// The public letter's address while the commitment is active.
    var publicLink: String?

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, error: String?, on db: any Database) async throws -> CommitmentView {
        let t = PageStrings.strings(lang)
        let c = try await Commitments.commitment(id, by: p, on: db)
        guard let owner = try await OwnerModel.find(c.ownerID, on: db) else { throw RegistryError.notFound(.owner, key: "\(c.ownerID)") }
        let active = c.state == Commitments.State.active.rawValue
        return CommitmentView(
            id: "\(id)", endAction: Site.commitmentEnd(id), title: c.title, body: c.body.split(separator: "\n").map { Line(line: String($0)) },
            owner: owner.name, credit: owner.creditCode, signer: "\(c.signerTitle) \(c.signerName)", signed: c.signedOn, phone: c.complaintPhone,
            state: t.lookup("cr_" + c.state) ?? c.state, ended: c.endedOn.map { "\($0) \(ReasonText.words(c.endReason, t) ?? "")" }, error: error,
            canWithdraw: active && p.role == .owner, canBreach: active && p.may(.manageCredit) && p.role != .owner,
            publicLink: active ? "/p/commitments/\(id)" : nil)
    }
}

/// The commitment letters' texts per sector and the demonstration checklists' default criteria
/// (`commitment-templates.mustache`).
struct CommitmentTemplatesView: PageView {
    struct Template: Encodable, Sendable, Equatable {
        var sector: String
        var label: String
        var title: String
        var body: String
        var updated: String
    }
    struct Checklist: Encodable, Sendable, Equatable {
        var sector: String
        var label: String
        /// One "label | weight" a line.
        var criteria: String
    }
    var templates: [Template]
    var checklists: [Checklist]
    var error: String?

    static func build(by p: Principal, lang: PageStrings.Language, error: String?, on db: any Database) async throws -> CommitmentTemplatesView {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let rows = try await Commitments.templates(on: db).map {
            Template(
                sector: $0.id!, label: PageStrings.sectorLabel($0.id!, lang), title: $0.title, body: $0.body,
                updated: "\(CalendarDay(instant: $0.updatedAt)) · \($0.updatedBy)")
        }
        var checklists: [Checklist] = []
        for sector in CommitmentSector.allCases {
            let list = try await Demonstration.defaultCriteria(sector, on: db)
            checklists.append(Checklist(
                sector: sector.rawValue, label: PageStrings.sectorLabel(sector.rawValue, lang),
                criteria: list.map { "\($0.label) | \($0.weight)" }.joined(separator: "\n")))
        }
        return CommitmentTemplatesView(templates: rows, checklists: checklists, error: error)
    }
}
