import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// Demonstration-unit rounds as pages: a bureau opens a round, owners apply, staff score each
/// criterion with evidence, the round is published, a title can be revoked (mounted by
/// `CreditController`; typed views in `DemonstrationViews`).
struct DemonstrationController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.demoRounds.path) { request, context in try await roundsPage(request, context.principal, error: nil, form: nil) }
        router.post(Site.demoRounds.path) { request, context in
            let p = context.principal
            let f = try await app.form(OpenRoundForm.self, request)
            return try await app.attempt(request, { try await roundsPage(request, p, error: $0, form: f) }) {
                let r = try await Demonstration.openRound(
                    regionCode: f.region_code.flatMap { $0.isEmpty ? nil : $0 }, sector: f.sector, title: f.title,
                    criteria: f.criteria?.replacingOccurrences(of: "\r\n", with: "\n"), passScore: f.pass_score, validMonths: f.valid_months,
                    opensOn: f.opens_on, closesOn: f.closes_on, by: p, on: db)
                return app.redirect(Site.demoRound(r.id!) + "?flash=done")
            }
        }
        router.get(Site.demoRound.path) { request, context in
            try await roundPage(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        router.post(Site.demoRoundAction.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            let action = context.parameters.get("action")
            let f = try await app.form(ApplyForTitleForm.self, request)
            return try await app.attempt(request, { try await roundPage(request, p, id: id, error: $0) }) {
                switch action {
                case "apply":
                    _ = try await Demonstration.apply(
                        roundID: id, ownerID: f.owner_id.flatMap { Int($0) }, statement: f.statement, today: app.today, by: p, on: db)
                case "publish": _ = try await Demonstration.publish(id, today: app.today, by: p, on: db)
                default: throw RegistryError.notFound(.page, key: action ?? "")
                }
                return app.redirect(Site.demoRound(id) + "?flash=done")
            }
        }
        router.post(Site.demoApplicationAction.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            let action = context.parameters.get("action")
            // Points and evidence repeat, one of each per criterion: every field in order.
            let fields = try await app.formFields(request)
            let a = try await Demonstration.application(id, by: p, on: db)  // hidden and missing alike: 404
            return try await app.attempt(request, { try await roundPage(request, p, id: a.roundID, error: $0) }) {
                switch action {
                case "score":
                    _ = try await Demonstration.score(
                        id, points: fields.filter { $0.0 == "points" }.map(\.1), evidence: fields.filter { $0.0 == "evidence" }.map(\.1),
                        today: app.today, by: p, on: db)
                case "revoke":
                    _ = try await Demonstration.revoke(id, reason: fields.last { $0.0 == "reason" }?.1, today: app.today, by: p, on: db)
                default: throw RegistryError.notFound(.page, key: action ?? "")
                }
                return app.redirect(Site.demoRound(a.roundID) + "?flash=done")
            }
        }
    }

    func roundsPage(_ request: Request, _ p: Principal, error: String?, form: OpenRoundForm?) async throws -> Response {
        let lang = app.language(request)
        let view = try await DemoRoundsView.build(by: p, lang: lang, error: error, form: form, on: db)
        return app.render(
            "demo-rounds", view: view, title: PageStrings.strings(lang)[.cr_rounds], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func roundPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let view = try await DemoRoundView.build(id, by: p, lang: app.language(request), error: error, on: db)
        return app.render("demo-round", view: view, title: view.title, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}

/// The form that opens a demonstration round (field names as posted).
struct OpenRoundForm: Decodable, Sendable {
    var title: String?
    var sector: String?
    var region_code: String?
    var criteria: String?
    var pass_score: String?
    var valid_months: String?
    var opens_on: String?
    var closes_on: String?

    /// The fields that were posted, by name (what the page echoes back).
    var values: [String: String] {
        let all: [(String, String?)] = [
            ("title", title), ("sector", sector), ("region_code", region_code), ("criteria", criteria), ("pass_score", pass_score),
            ("valid_months", valid_months), ("opens_on", opens_on), ("closes_on", closes_on),
        ]
        return Dictionary(all.compactMap { k, v in v.map { (k, $0) } }, uniquingKeysWith: { _, last in last })
    }
}

/// An owner applies for a round's title.
struct ApplyForTitleForm: Decodable, Sendable {
    var owner_id: String?
    var statement: String?
}
