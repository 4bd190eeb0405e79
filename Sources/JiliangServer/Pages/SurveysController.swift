import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The survey of users (使用单位摸排; issue #19, item 6) for the bureau: open a survey of an industry
/// in its region, follow its progress per county, chase the silent owners, give unregistered
/// owners the public link, decide their requests to join. The pattern for an area (issue #20):
/// a controller holding its dependencies, routes from the URL map on the signed-in group (the
/// caller from `SignedInContext`), typed forms, typed views built without HTTP (`SurveyViews`).
struct SurveysController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.surveys.path) { request, context in try await list(request, context.principal, error: nil, form: nil) }
        router.post(Site.surveys.path) { request, context in
            let p = context.principal
            let f = try await app.form(OpenSurveyForm.self, request)
            return try await app.attempt(request, { try await list(request, p, error: $0, form: f) }) {
                let (s, _) = try await Surveys.open(
                    title: f.title, industry: f.industry, region: f.region_code, closesOn: f.closes_on, today: app.today, by: p, on: db)
                return app.redirect(Site.survey(s.id!) + "?flash=done")
            }
        }
        router.get(Site.survey.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let lang = app.language(request)
            let chased = request.uri.queryParameters["chased"].flatMap { Int($0) }
            let view = try await SurveyView.build(
                id, by: context.principal, lang: lang, chased: chased, publicBaseURL: app.config.publicBaseURL, on: db)
            return app.render("survey", view: view, title: view.title, request: request, caller: context.principal)
        }
        router.post(Site.surveyChase.path) { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            let n = try await Surveys.chase(id, by: context.principal, on: db)
            return app.redirect(Site.survey(id) + "?flash=done&chased=\(n)")
        }
        router.post(Site.surveyRequest.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self), rid = try context.parameters.require("request", as: Int.self)
            let f = try await app.form(DecisionForm.self, request)
            guard let decision = f.decision, decision == "accept" || decision == "reject" else {
                throw RegistryError.invalid("decision", .request(.mustBe(["accept", "reject"])))
            }
            _ = try await Surveys.decide(request: rid, of: id, accept: decision == "accept", today: app.today, by: context.principal, on: db)
            return app.redirect(Site.survey(id) + "?flash=done")
        }
        router.post(Site.surveyClose.path) { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            _ = try await Surveys.close(id, by: context.principal, on: db)
            return app.redirect(Site.survey(id) + "?flash=done")
        }
    }

    func list(_ request: Request, _ p: Principal, error: String?, form: OpenSurveyForm?) async throws -> Response {
        let view = try await SurveysView.build(by: p, lang: app.language(request), today: app.today, error: error, form: form, on: db)
        return app.render(
            "surveys", view: view, title: PageStrings.strings(app.language(request))[.sv_title], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }
}

/// The form that opens a survey (field names as posted).
struct OpenSurveyForm: Decodable, Sendable {
    var title: String?
    var industry: String?
    var region_code: String?
    var closes_on: String?
}

/// A decision on a request: accept or reject.
struct DecisionForm: Decodable, Sendable {
    var decision: String?
}
