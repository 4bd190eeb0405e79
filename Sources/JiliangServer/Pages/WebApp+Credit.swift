import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

/// Honest metrology and credit (issue #7), the staff and owner side: credit-risk classes (staff
/// only), commitment letters, and the routes of penalties, the dishonesty list and demonstration
/// rounds (WebApp+Penalties, WebApp+Demonstration).
extension WebApp {
    func addCreditRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.credit.path) { request, _ in try await page(request) { p in try await creditHome(request, p, error: nil) } }
        router.get(Site.creditOwner.path) { request, context in
            try await page(request) { p in try await creditOwner(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.post(Site.commitments.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                return try await attempt({ try await creditHome(request, p, error: $0) }) {
                    let c = try await Commitments.sign(
                        ownerID: f["owner_id"].flatMap { Int($0) }, signerName: f["signer_name"], signerTitle: f["signer_title"], complaintPhone: f["complaint_phone"],
                        today: today, by: p, on: db)
                    return redirect(Site.commitment(c.id!) + "?flash=done")
                }
            }
        }
        router.get(Site.commitment.path) { request, context in
            try await page(request) { p in try await commitmentPage(request, p, id: try context.parameters.require("id", as: Int.self), error: nil) }
        }
        router.post(Site.commitmentEnd.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                return try await attempt({ try await commitmentPage(request, p, id: id, error: $0) }) {
                    _ = try await Commitments.end(id, as: f["outcome"], reason: f["reason"], today: today, by: p, on: db)
                    return redirect(Site.commitment(id) + "?flash=done")
                }
            }
        }
        router.get(Site.commitmentTemplates.path) { request, _ in try await page(request) { p in try await commitmentTemplates(request, p, error: nil) } }
        router.post(Site.commitmentTemplates.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                return try await attempt({ try await commitmentTemplates(request, p, error: $0) }) {
                    _ = try await Commitments.saveTemplate(sector: f["sector"], title: f["title"], body: f["body"]?.replacingOccurrences(of: "\r\n", with: "\n"), by: p, on: db)
                    return redirect(Site.commitmentTemplates() + "?flash=done")
                }
            }
        }
        router.post(Site.demoChecklists.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                return try await attempt({ try await commitmentTemplates(request, p, error: $0) }) {
                    _ = try await Demonstration.saveChecklist(sector: f["sector"], criteria: f["criteria"]?.replacingOccurrences(of: "\r\n", with: "\n"), by: p, on: db)
                    return redirect(Site.commitmentTemplates() + "?flash=done")
                }
            }
        }
        addPenaltyRoutes(to: router)
        addDemonstrationRoutes(to: router)
    }

    func creditHome(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        var model: [String: Any] = ["t": t, "error": error]
        if p.role == .owner {
            guard p.may(.applyForCredit) else { throw RegistryError.forbidden("the credit record") }
            let owners = try await OwnerModel.query(on: db).filter(\.$id ~~ p.ownerIDs).sort(\.$id).all()
            var commitments: [[String: String]] = []
            var canSign: [[String: String]] = []
            for o in owners {
                let list = try await Commitments.commitments(ownerID: o.id!, by: p, on: db)
                commitments += list.map { ["id": "\($0.id!)", "link": Site.commitment($0.id!), "owner": o.name, "signed": $0.signedOn, "state": t.lookup("cr_" + $0.state) ?? $0.state] }
                if !list.contains(where: { $0.state == Commitments.State.active.rawValue }) {
                    canSign.append(["id": "\(o.id!)", "name": o.name, "sector": PageStrings.sectorLabel(CommitmentSector(industry: Industry(rawValue: o.industry) ?? .other).rawValue, lang)])
                }
            }
            model["isOwner"] = true
            model["commitments"] = commitments
            model["signable"] = canSign
            model["canSign"] = !canSign.isEmpty
            model["penalties"] = try await Penalties.list(ownerID: nil, state: nil, cursor: nil, limit: 50, by: p, on: db).items.map { penaltyRow($0, t, lang) }
            model["listings"] = try await Listings.list(state: nil, ownerID: nil, cursor: nil, limit: 50, by: p, on: db).items.map { listingRow($0, t, names: [:]) }
            model["rounds"] = try await Demonstration.rounds(by: p, on: db).filter { $0.state == Demonstration.RoundState.open.rawValue }.map { roundRow($0, lang) }
            return render("credit", model, title: t[.cr_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
        }
        guard p.may(.manageCredit) else { throw RegistryError.forbidden("credit supervision") }
        let cls = request.uri.queryParameters["class"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let page = try await CreditScores.list(creditClass: cls, cursor: request.uri.queryParameters["cursor"].map(String.init), limit: 50, by: p, on: db)
        model["classes"] = page.items.map {
            ["id": "\($0.owner.id!)", "link": Site.creditOwner($0.owner.id!), "name": $0.owner.name, "credit": $0.owner.creditCode, "class": $0.creditClass.rawValue, "score": String(format: "%.1f", $0.score),
             "computed": $0.computedOn, "tone": ["A": "ok", "B": "ok", "C": "warn", "D": "bad"][$0.creditClass.rawValue]!]
        }
        model["filters"] = CreditClass.allCases.map { ["value": $0.rawValue, "label": "\($0.rawValue) · \($0.chineseName)", "selected": $0.rawValue == cls?.uppercased() ? "1" : ""].filter { !$0.value.isEmpty } }
        model["noClasses"] = page.items.isEmpty
        if let c = page.nextCursor { model["next"] = Site.credit() + "?cursor=\(c)&class=\(cls ?? "")" }
        model["isStaff"] = true
        return render("credit", model, title: t[.cr_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// Staff: an owner's class computed now with each fact's contribution, and its credit record.
    func creditOwner(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let (f, a) = try await CreditScores.assess(ownerID: id, rules: config.credit, today: today, by: p, on: db)
        let owner = try await Registry.owner(id, scope: p.scope, on: db)
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "name": owner.name, "credit": owner.creditCode, "score": String(format: "%.1f", a.score), "class": a.creditClass.rawValue,
            "className": a.creditClass.chineseName, "factor": String(format: "%g", a.inspectionFactor),
            "tone": ["A": "ok", "B": "ok", "C": "warn", "D": "bad"][a.creditClass.rawValue]!,
            "contributions": a.contributions.map { ["fact": t.lookup("cr_fact_" + $0.fact) ?? $0.fact, "detail": detail($0, f, t), "points": String(format: "%+.1f", $0.points)] },
            "facts": "\(f.instrumentsInUse)",
            "commitments": try await Commitments.commitments(ownerID: id, by: p, on: db).map { ["id": "\($0.id!)", "link": Site.commitment($0.id!), "signed": $0.signedOn, "state": t.lookup("cr_" + $0.state) ?? $0.state] },
            "penalties": try await Penalties.list(ownerID: id, state: nil, cursor: nil, limit: 50, by: p, on: db).items.map { penaltyRow($0, t, lang) },
            "listings": try await Listings.list(state: nil, ownerID: id, cursor: nil, limit: 50, by: p, on: db).items.map { listingRow($0, t, names: [id: owner.name]) },
        ]
        return render("credit-owner", model, title: "\(t[.cr_title]) · \(owner.name)", request: request, caller: p)
    }

    /// A contribution's count in the page's language (the core gives counts; yes/no facts get a tick).
    func detail(_ c: CreditContribution, _ f: CreditFacts, _ t: PageText) -> String {
        switch c.fact {
        case "penalties": return "\(f.penalties)（\(t[.cr_heavyShort]) \(f.heavyPenalties)）"
        case "commitment", "commitment_breached", "demonstration_unit", "listed": return "✓"
        default: return c.detail
        }
    }

    func commitmentPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let c = try await Commitments.commitment(id, by: p, on: db)
        let owner = try await OwnerModel.find(c.ownerID, on: db)!
        let active = c.state == Commitments.State.active.rawValue
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "endAction": Site.commitmentEnd(id), "title": c.title, "body": c.body.split(separator: "\n").map { ["line": String($0)] }, "owner": owner.name, "credit": owner.creditCode,
            "signer": "\(c.signerTitle) \(c.signerName)", "signed": c.signedOn, "phone": c.complaintPhone, "state": t.lookup("cr_" + c.state) ?? c.state,
            "ended": c.endedOn.map { "\($0) \(c.endReason ?? "")" }, "error": error,
            "canWithdraw": active && p.role == .owner, "canBreach": active && p.may(.manageCredit) && p.role != .owner, "publicLink": active ? "/p/commitments/\(id)" : nil,
        ]
        return render("commitment", model, title: c.title, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func commitmentTemplates(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("editing commitment letters") }
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let rows = try await Commitments.templates(on: db).map {
            ["sector": $0.id!, "label": PageStrings.sectorLabel($0.id!, lang), "title": $0.title, "body": $0.body, "updated": "\(CalendarDay(instant: $0.updatedAt)) · \($0.updatedBy)"]
        }
        var checklists: [[String: String]] = []
        for sector in CommitmentSector.allCases {
            let list = try await Demonstration.defaultCriteria(sector, on: db)
            checklists.append(["sector": sector.rawValue, "label": PageStrings.sectorLabel(sector.rawValue, lang),
                               "criteria": list.map { "\($0.label) | \($0.weight)" }.joined(separator: "\n")])
        }
        return render("commitment-templates", ["t": t, "templates": rows, "checklists": checklists, "error": error], title: t[.cr_templates], request: request, caller: p,
                      status: error == nil ? .ok : .badRequest)
    }

    func penaltyRow(_ m: PenaltyModel, _ t: PageText, _ lang: PageStrings.Language) -> [String: String] {
        ["id": "\(m.id!)", "link": Site.penalty(m.id!), "decision": m.decisionNo, "kind": PageStrings.penaltyKindLabel(m.kind, lang), "decided": m.decidedOn, "state": t.lookup("cr_" + m.state) ?? m.state,
         "amount": m.amountYuan.map { "\($0)" } ?? "", "heavy": m.heavy ? "1" : "", "until": m.displayUntil ?? m.publishBy ?? ""].filter { !$0.value.isEmpty || $0.key == "amount" }
    }

    func listingRow(_ m: ListingModel, _ t: PageText, names: [Int: String]) -> [String: String] {
        ["id": "\(m.id!)", "link": Site.listing(m.id!), "owner": names[m.ownerID] ?? "#\(m.ownerID)", "state": t.lookup("cr_" + m.state) ?? m.state, "proposed": m.proposedOn,
         "published": m.publishedOn ?? "—", "reason": String(m.reason.prefix(60))]
    }

    func roundRow(_ r: DemoRoundModel, _ lang: PageStrings.Language) -> [String: String] {
        ["id": "\(r.id!)", "link": Site.demoRound(r.id!), "title": r.title, "sector": PageStrings.sectorLabel(r.sector, lang), "region": r.regionCode, "dates": "\(r.opensOn) – \(r.closesOn)",
         "state": r.state]
    }
}

extension Response {
    func with(status: HTTPResponse.Status) -> Response {
        var r = self
        r.status = status
        return r
    }
}
