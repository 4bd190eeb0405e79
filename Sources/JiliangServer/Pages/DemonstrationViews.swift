import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The demonstration rounds with the form that opens one (`demo-rounds.mustache`).
struct DemoRoundsView: PageView {
    var error: String?
    /// The form's values as posted: the template reads `v.title`, `v.pass_score`, ….
    var v: [String: String]
    var isStaff: Bool
    var rounds: [CreditRoundRow]
    var empty: Bool
    var sectors: [OptionView]
    var region: String
    /// The criteria as posted, or the chosen sector's default checklist.
    var criteria: String

    static func build(
        by p: Principal, lang: PageStrings.Language, error: String?, form: OpenRoundForm?, on db: any Database
    ) async throws -> DemoRoundsView {
        let values = form?.values ?? [:]
        let rounds = try await Demonstration.rounds(by: p, on: db)
        let sector = values["sector"] ?? "market"
        let criteria: String
        if let posted = values["criteria"] {
            criteria = posted
        } else {
            criteria = try await Demonstration.defaultCriteria(CommitmentSector(rawValue: sector) ?? .market, on: db)
                .map { "\($0.label) | \($0.weight)" }.joined(separator: "\n")
        }
        return DemoRoundsView(
            error: error, v: values, isStaff: p.may(.manageCredit) && p.role != .owner, rounds: rounds.map { CreditRoundRow.of($0, lang) },
            empty: rounds.isEmpty,
            sectors: CommitmentSector.allCases.map {
                OptionView(value: $0.rawValue, label: PageStrings.sectorLabel($0.rawValue, lang), selected: $0.rawValue == sector)
            },
            region: values["region_code"] ?? p.region?.description ?? "", criteria: criteria)
    }
}

/// A demonstration round: its criteria, the applications with their scores, and the forms that
/// apply, score, revoke and publish (`demo-round.mustache`).
struct DemoRoundView: PageView {
    struct Criterion: Encodable, Sendable, Equatable {
        var label: String
        var weight: String
    }
    struct Score: Encodable, Sendable, Equatable {
        var label: String
        var weight: String
        /// "" until scored.
        var points: String
        var evidence: String
        var n: String
    }
    struct ApplicationRow: Encodable, Sendable, Equatable {
        var id: String
        var scoreAction: String
        var revokeAction: String
        var owner: String
        var statement: String
        var applied: String
        var state: String
        var total: String
        var canScore: Bool
        var canRevoke: Bool
        var criteria: [Score]
        /// Absent, not empty, unless awarded: an empty string would still open a Mustache section.
        var validUntil: String?
        var revoked: String?
    }
    struct OwnerChoice: Encodable, Sendable, Equatable {
        var id: String
        var name: String
    }
    var id: String
    var error: String?
    var title: String
    var sector: String
    var region: String
    var dates: String
    var pass: String
    var valid: String
    var state: String
    var criteria: [Criterion]
    var roundApplications: [ApplicationRow]
    var noApplications: Bool
    var canPublish: Bool
    /// The caller's own units that may still apply (an owner, while the round is open).
    var ownApply: [OwnerChoice]
    var canApply: Bool
    var applyAction: String
    var publishAction: String

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, error: String?, on db: any Database) async throws -> DemoRoundView {
        let t = PageStrings.strings(lang)
        let r = try await Demonstration.round(id, by: p, on: db)
        let criteria = Demonstration.criteria(of: r)
        let apps = try await Demonstration.applications(roundID: id, by: p, on: db)
        let names = try await CreditNames.owners(Set(apps.map(\.ownerID)), on: db)
        // Only the bureau that runs the round (or one above it) scores, publishes and revokes.
        let staff = p.may(.manageCredit) && p.role != .owner && (p.region.map { reg in RegionCode(r.regionCode).map { reg.contains($0) } ?? false } ?? true)
        let open = r.state == Demonstration.RoundState.open.rawValue
        var rows: [ApplicationRow] = []
        for a in apps {
            let scores = try await Demonstration.scores(a.id!, on: db)
            rows.append(ApplicationRow(
                id: "\(a.id!)", scoreAction: Site.demoApplicationAction(a.id!, "score"), revokeAction: Site.demoApplicationAction(a.id!, "revoke"),
                owner: names[a.ownerID] ?? "", statement: a.statement, applied: a.appliedOn, state: t.lookup("cr_" + a.state) ?? a.state,
                total: a.total.map { "\($0)" } ?? "—",
                canScore: staff && open, canRevoke: staff && a.state == Demonstration.ApplicationState.awarded.rawValue,
                criteria: criteria.enumerated().map { i, c in
                    Score(label: c.label, weight: "\(c.weight)", points: scores[i].map { "\($0.points)" } ?? "", evidence: scores[i]?.evidence ?? "", n: "\(i + 1)")
                },
                validUntil: a.state == Demonstration.ApplicationState.awarded.rawValue ? a.validUntil : nil, revoked: ReasonText.words(a.revokeReason, t)))
        }
        var ownApply: [OwnerChoice] = []
        if p.role == .owner, open {
            let applied = Set(apps.map(\.ownerID))
            ownApply = try await OwnerModel.query(on: db).filter(\.$id ~~ p.ownerIDs).all().filter { !applied.contains($0.id!) }.map {
                OwnerChoice(id: "\($0.id!)", name: $0.name)
            }
        }
        return DemoRoundView(
            id: "\(id)", error: error, title: r.title, sector: PageStrings.sectorLabel(r.sector, lang), region: r.regionCode,
            dates: "\(r.opensOn) – \(r.closesOn)", pass: "\(r.passScore)", valid: "\(r.validMonths)", state: t.lookup("cr_round_" + r.state) ?? r.state,
            criteria: criteria.map { Criterion(label: $0.label, weight: "\($0.weight)") }, roundApplications: rows, noApplications: rows.isEmpty,
            canPublish: staff && open && !apps.isEmpty, ownApply: ownApply, canApply: !ownApply.isEmpty,
            applyAction: Site.demoRoundAction(id, "apply"), publishAction: Site.demoRoundAction(id, "publish"))
    }
}
