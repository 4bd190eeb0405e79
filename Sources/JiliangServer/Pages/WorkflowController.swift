import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The workflows (issue #3): the bureau's queue of filings to approve or return, and the
/// institution's queue of verification applications to accept and record the result of. The
/// same `Filings` and `VerificationRequests` steps as the API, with the signed-in caller.
struct WorkflowController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.filings.path) { request, context in
            let view = try await FilingsView.build(by: context.principal, on: db)
            return app.render(
                "filings", view: view, title: PageStrings.strings(app.language(request))[.filings], request: request, caller: context.principal)
        }
        router.post(Site.filingDecision.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let f = try await app.form(FilingDecisionForm.self, request)
            let approve = context.parameters.get("decision") == "approve"
            _ = try await Filings.decide(id, approve: approve, reason: f.reason, by: context.principal, on: db)
            return app.redirect(Site.filings() + "?flash=done")
        }
        router.get(Site.requests.path) { request, context in
            let view = try await RequestsView.build(by: context.principal, today: app.today, on: db)
            return app.render(
                "requests", view: view, title: PageStrings.strings(app.language(request))[.requests], request: request, caller: context.principal)
        }
        router.post(Site.requestStep.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            switch context.parameters.get("step") {
            case "accept":
                _ = try await VerificationRequests.accept(
                    id, mode: nil, scheduledFor: nil, today: app.today, deadlines: app.config.verificationDeadlines, by: p, on: db)
            case "result":
                // Its kind (first or periodic) is the store's rule.
                let f = try await app.form(RequestStepForm.self, request)
                _ = try await VerificationRequests.complete(id, result: f.result, number: f.number, today: app.today, by: p, on: db)
            default: throw RegistryError.notFound(.step, key: context.parameters.get("step") ?? "")
            }
            return app.redirect(Site.requests() + "?flash=done")
        }
    }
}

extension WorkflowController {
    /// Approving or returning a filing; a return needs its reason.
    struct FilingDecisionForm: Decodable, Sendable {
        var reason: String?
    }

    /// A step of a verification application: accepting it (no fields), or its result with the
    /// certificate number (pass) or the result notice number (fail).
    struct RequestStepForm: Decodable, Sendable {
        var result: String?
        var number: String?
    }
}
