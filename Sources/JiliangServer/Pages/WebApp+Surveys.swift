import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The survey of users (使用单位摸排; issue #19, item 6) for the bureau: open a survey of an industry
/// in its region, follow its progress per county, chase the silent owners, give unregistered
/// owners the public link.
extension WebApp {
    func addSurveyRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.surveys.path) { request, _ in try await page(request) { p in try await surveysPage(request, p, error: nil, values: [:]) } }
        router.post(Site.surveys.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                return try await attempt({ try await surveysPage(request, p, error: $0, values: f) }) {
                    let (s, _) = try await Surveys.open(
                        title: f["title"], industry: f["industry"], region: f["region_code"], closesOn: f["closes_on"], today: today,
                        by: p, on: db)
                    return redirect(Site.survey(s.id!) + "?flash=done")
                }
            }
        }
        router.get(Site.survey.path) { request, context in
            try await page(request) { p in try await surveyPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.post(Site.surveyChase.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                _ = try await form(request)
                let n = try await Surveys.chase(id, by: p, on: db)
                return redirect(Site.survey(id) + "?flash=done&chased=\(n)")
            }
        }
        router.post(Site.surveyRequest.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self), rid = try context.parameters.require("request", as: Int.self)
                let f = try await form(request)
                guard let decision = f["decision"], decision == "accept" || decision == "reject" else {
                    throw RegistryError.invalid("decision", "must be accept or reject")
                }
                _ = try await Surveys.decide(
                    request: rid, of: id, accept: decision == "accept", today: today, by: p, on: db)
                return redirect(Site.survey(id) + "?flash=done")
            }
        }
        router.post(Site.surveyClose.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                _ = try await form(request)
                _ = try await Surveys.close(id, by: p, on: db)
                return redirect(Site.survey(id) + "?flash=done")
            }
        }
    }

    func surveysPage(_ request: Request, _ p: Principal, error: String?, values: [String: String]) async throws -> Response {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden("surveys") }
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let surveys = try await Surveys.list(scope: p.scope, on: db)
        var rows: [[String: Any]] = []
        for s in surveys {
            let total = try await Surveys.progress(s, scope: p.scope, on: db).total
            rows.append([
                "id": s.id!, "link": Site.survey(s.id!), "title": s.title, "industry": PageStrings.industryLabel(s.industry, lang), "region": s.regionCode,
                "closes": s.closesOn, "state": s.state == "open" ? t[.sv_open] : t[.sv_closed],
                "invited": total.invited, "answered": total.answered, "declared": total.declared, "filed": total.filed,
            ])
        }
        let industries = Industry.allCases.map { i -> [String: Any] in
            ["value": i.rawValue, "label": PageStrings.industryLabel(i.rawValue, lang), "selected": values["industry"] == i.rawValue]
        }
        var v = values
        if v["region_code"] == nil { v["region_code"] = p.region?.value ?? "" }
        if v["closes_on"] == nil { v["closes_on"] = today.adding(days: 30).description }
        return render(
            "surveys", ["t": t, "surveys": rows, "empty": rows.isEmpty, "industries": industries, "v": v, "error": error as Any],
            title: t[.sv_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func surveyPage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden("surveys") }
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let s = try await Surveys.survey(id, scope: p.scope, on: db)
        let (regions, total) = try await Surveys.progress(s, scope: p.scope, on: db)
        func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
        func row(_ r: Surveys.Progress, name: String) -> [String: Any] {
            [
                "region": name, "invited": r.invited, "answered": r.answered, "declared": r.declared, "filed": r.filed,
                "coverage": percent(r.coverage), "filingRate": percent(r.filingRate),
            ]
        }
        let names = Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: db).all().map { ($0.id!, $0.name) })
        let silent = try await Surveys.silent(s, scope: p.scope, on: db).map { i, o -> [String: Any] in
            [
                "name": o.name, "credit": o.creditCode, "phone": o.contactPhone ?? "—", "region": names[o.regionCode] ?? o.regionCode,
                "chased": i.chaseCount, "lastChased": i.lastChasedAt.map { CalendarDay(instant: $0).description } ?? "—",
            ]
        }
        let chased = request.uri.queryParameters["chased"].map { String(format: t[.sv_chased], Int($0) ?? 0) }
        let requests = try await Surveys.pendingRequests(s, scope: p.scope, on: db).map { r -> [String: Any] in
            [
                "rid": r.id!, "surveyID": id, "decideAction": Site.surveyRequest(id, r.id!), "name": r.name, "credit": r.creditCode, "address": r.address, "region": names[r.regionCode] ?? r.regionCode, "phone": r.contactPhone,
                "at": CalendarDay(instant: r.requestedAt).description,
            ]
        }
        return render(
            "survey",
            [
                "t": t, "id": id, "title": s.title, "industry": PageStrings.industryLabel(s.industry, lang), "region": names[s.regionCode] ?? s.regionCode,
                "opened": s.openedOn, "closes": s.closesOn, "isOpen": s.state == "open",
                "regions": regions.map { row($0, name: names[$0.region] ?? $0.region) }, "total": row(total, name: t[.sv_total]),
                "silent": silent, "hasSilent": !silent.isEmpty, "chased": chased as Any, "requests": requests, "hasRequests": !requests.isEmpty,
                "joinLink": "\(config.publicBaseURL)/p/surveys/\(id)/join",
                "chaseAction": Site.surveyChase(id), "closeAction": Site.surveyClose(id),
            ], title: s.title, request: request, caller: p)
    }
}
