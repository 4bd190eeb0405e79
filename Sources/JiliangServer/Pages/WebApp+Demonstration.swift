import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

/// Demonstration-unit rounds as pages: a bureau opens a round, owners apply, staff score each
/// criterion with evidence, the round is published, a title can be revoked.
extension WebApp {
    func addDemonstrationRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.demoRounds.path) { request, _ in try await page(request) { p in try await roundsPage(request, p, error: nil, values: [:]) } }
        router.post(Site.demoRounds.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                return try await attempt({ try await roundsPage(request, p, error: $0, values: f) }) {
                    let r = try await Demonstration.openRound(
                        regionCode: f["region_code"].flatMap { $0.isEmpty ? nil : $0 }, sector: f["sector"], title: f["title"],
                        criteria: f["criteria"]?.replacingOccurrences(of: "\r\n", with: "\n"), passScore: f["pass_score"], validMonths: f["valid_months"],
                        opensOn: f["opens_on"], closesOn: f["closes_on"], by: p, on: db)
                    return redirect(Site.demoRound(r.id!) + "?flash=done")
                }
            }
        }
        router.get(Site.demoRound.path) { request, context in
            try await page(request) { p in try await roundPage(request, p, id: try context.parameters.require("id", as: Int.self), error: nil) }
        }
        router.post(Site.demoRoundAction.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                return try await attempt({ try await roundPage(request, p, id: id, error: $0) }) {
                    switch context.parameters.get("action") {
                    case "apply": _ = try await Demonstration.apply(roundID: id, ownerID: f["owner_id"].flatMap { Int($0) }, statement: f["statement"], today: today, by: p, on: db)
                    case "publish": _ = try await Demonstration.publish(id, today: today, by: p, on: db)
                    default: throw RegistryError.notFound(entity: "page", key: context.parameters.get("action") ?? "")
                    }
                    return redirect(Site.demoRound(id) + "?flash=done")
                }
            }
        }
        router.post(Site.demoApplicationAction.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let fields = try await formFields(request)
                let a = try await Demonstration.application(id, by: p, on: db)  // hidden and missing alike: 404
                return try await attempt({ try await roundPage(request, p, id: a.roundID, error: $0) }) {
                    switch context.parameters.get("action") {
                    case "score":
                        _ = try await Demonstration.score(
                            id, points: fields.filter { $0.0 == "points" }.map(\.1), evidence: fields.filter { $0.0 == "evidence" }.map(\.1), today: today, by: p, on: db)
                    case "revoke":
                        _ = try await Demonstration.revoke(id, reason: fields.last { $0.0 == "reason" }?.1, today: today, by: p, on: db)
                    default: throw RegistryError.notFound(entity: "page", key: context.parameters.get("action") ?? "")
                    }
                    return redirect(Site.demoRound(a.roundID) + "?flash=done")
                }
            }
        }
    }

    func roundsPage(_ request: Request, _ p: Principal, error: String?, values: [String: String]) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let rounds = try await Demonstration.rounds(by: p, on: db)
        let staff = p.may(.manageCredit) && p.role != .owner
        let sector = values["sector"] ?? "market"
        var defaults = values["criteria"] ?? ""
        if values["criteria"] == nil {
            defaults = try await Demonstration.defaultCriteria(CommitmentSector(rawValue: sector) ?? .market, on: db).map { "\($0.label) | \($0.weight)" }.joined(separator: "\n")
        }
        let model: [String: Any] = [
            "t": t, "error": error, "v": values, "isStaff": staff, "rounds": rounds.map { roundRow($0, lang) }, "empty": rounds.isEmpty,
            "sectors": CommitmentSector.allCases.map { ["value": $0.rawValue, "label": PageStrings.sectorLabel($0.rawValue, lang), "selected": $0.rawValue == sector ? "1" : ""].filter { !$0.value.isEmpty } },
            "region": values["region_code"] ?? p.region?.description ?? "",
            "criteria": defaults,
        ]
        return render("demo-rounds", model, title: t[.cr_rounds], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func roundPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let r = try await Demonstration.round(id, by: p, on: db)
        let criteria = Demonstration.criteria(of: r)
        let apps = try await Demonstration.applications(roundID: id, by: p, on: db)
        let names = try await ownerNames(Set(apps.map(\.ownerID)))
        // Only the bureau that runs the round (or one above it) scores, publishes and revokes.
        let staff = p.may(.manageCredit) && p.role != .owner && (p.region.map { reg in RegionCode(r.regionCode).map { reg.contains($0) } ?? false } ?? true)
        let open = r.state == Demonstration.RoundState.open.rawValue
        var rows: [[String: Any]] = []
        for a in apps {
            let scores = try await Demonstration.scores(a.id!, on: db)
            var row: [String: Any] = [
                "id": "\(a.id!)", "scoreAction": Site.demoApplicationAction(a.id!, "score"), "revokeAction": Site.demoApplicationAction(a.id!, "revoke"),
                "owner": names[a.ownerID] ?? "", "statement": a.statement, "applied": a.appliedOn, "state": t.lookup("cr_" + a.state) ?? a.state,
                "total": a.total.map { "\($0)" } ?? "—",
                "canScore": staff && open, "canRevoke": staff && a.state == Demonstration.ApplicationState.awarded.rawValue,
                "criteria": criteria.enumerated().map { i, c in
                    ["label": c.label, "weight": "\(c.weight)", "points": scores[i].map { "\($0.points)" } ?? "", "evidence": scores[i]?.evidence ?? "", "n": "\(i + 1)"]
                },
            ]
            // Absent, not empty: an empty string would still open a Mustache section.
            if let v = a.validUntil, a.state == Demonstration.ApplicationState.awarded.rawValue { row["validUntil"] = v }
            if let r = a.revokeReason { row["revoked"] = r }
            rows.append(row)
        }
        var ownApply: [[String: String]] = []
        if p.role == .owner, open {
            let applied = Set(apps.map(\.ownerID))
            ownApply = try await OwnerModel.query(on: db).filter(\.$id ~~ p.ownerIDs).all().filter { !applied.contains($0.id!) }.map { ["id": "\($0.id!)", "name": $0.name] }
        }
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "error": error, "title": r.title, "sector": PageStrings.sectorLabel(r.sector, lang), "region": r.regionCode,
            "dates": "\(r.opensOn) – \(r.closesOn)", "pass": "\(r.passScore)", "valid": "\(r.validMonths)", "state": t.lookup("cr_round_" + r.state) ?? r.state,
            "criteria": criteria.map { ["label": $0.label, "weight": "\($0.weight)"] }, "roundApplications": rows, "noApplications": rows.isEmpty,
            "canPublish": staff && open && !apps.isEmpty, "ownApply": ownApply, "canApply": !ownApply.isEmpty,
            "applyAction": Site.demoRoundAction(id, "apply"), "publishAction": Site.demoRoundAction(id, "publish"),
        ]
        return render("demo-round", model, title: r.title, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}
