import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// Honest metrology and credit (issue #7), the staff and owner side: credit-risk classes (staff
/// only) and commitment letters here; penalties with the dishonesty list (`PenaltiesController`)
/// and demonstration rounds (`DemonstrationController`) mounted with them. Typed views in
/// `CreditViews`.
struct CreditController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.credit.path) { request, context in try await home(request, context.principal, error: nil) }
        router.get(Site.creditOwner.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let view = try await CreditOwnerView.build(
                ownerID: id, by: context.principal, lang: app.language(request), rules: app.config.credit, today: app.today, on: db)
            let t = PageStrings.strings(app.language(request))
            return app.render("credit-owner", view: view, title: "\(t[.cr_title]) · \(view.name)", request: request, caller: context.principal)
        }
        router.post(Site.commitments.path) { request, context in
            let p = context.principal
            let f = try await app.form(SignCommitmentForm.self, request)
            return try await app.attempt(request, { try await home(request, p, error: $0) }) {
                let c = try await Commitments.sign(
                    ownerID: f.owner_id.flatMap { Int($0) }, signerName: f.signer_name, signerTitle: f.signer_title, complaintPhone: f.complaint_phone,
                    today: app.today, by: p, on: db)
                return app.redirect(Site.commitment(c.id!) + "?flash=done")
            }
        }
        router.get(Site.commitment.path) { request, context in
            try await commitment(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        router.post(Site.commitmentEnd.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            let f = try await app.form(EndCommitmentForm.self, request)
            return try await app.attempt(request, { try await commitment(request, p, id: id, error: $0) }) {
                _ = try await Commitments.end(id, as: f.outcome, reason: f.reason, today: app.today, by: p, on: db)
                return app.redirect(Site.commitment(id) + "?flash=done")
            }
        }
        router.get(Site.commitmentTemplates.path) { request, context in try await templates(request, context.principal, error: nil) }
        router.post(Site.commitmentTemplates.path) { request, context in
            let p = context.principal
            let f = try await app.form(CommitmentTemplateForm.self, request)
            return try await app.attempt(request, { try await templates(request, p, error: $0) }) {
                _ = try await Commitments.saveTemplate(
                    sector: f.sector, title: f.title, body: f.body?.replacingOccurrences(of: "\r\n", with: "\n"), by: p, on: db)
                return app.redirect(Site.commitmentTemplates() + "?flash=done")
            }
        }
        router.post(Site.demoChecklists.path) { request, context in
            let p = context.principal
            let f = try await app.form(DemoChecklistForm.self, request)
            return try await app.attempt(request, { try await templates(request, p, error: $0) }) {
                _ = try await Demonstration.saveChecklist(sector: f.sector, criteria: f.criteria?.replacingOccurrences(of: "\r\n", with: "\n"), by: p, on: db)
                return app.redirect(Site.commitmentTemplates() + "?flash=done")
            }
        }
        PenaltiesController(app: app).addRoutes(to: router)
        DemonstrationController(app: app).addRoutes(to: router)
    }

    func home(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let lang = app.language(request)
        let view = try await CreditHomeView.build(
            by: p, lang: lang, creditClass: request.uri.queryParameters["class"].map(String.init),
            cursor: request.uri.queryParameters["cursor"].map(String.init), error: error, on: db)
        return app.render(
            "credit", view: view, title: PageStrings.strings(lang)[.cr_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func commitment(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let view = try await CommitmentView.build(id, by: p, lang: app.language(request), error: error, on: db)
        return app.render("commitment", view: view, title: view.title, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func templates(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let lang = app.language(request)
        let view = try await CommitmentTemplatesView.build(by: p, lang: lang, error: error, on: db)
        return app.render(
            "commitment-templates", view: view, title: PageStrings.strings(lang)[.cr_templates], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }
}

/// An owner signs a commitment letter (field names as posted).
struct SignCommitmentForm: Decodable, Sendable {
    var owner_id: String?
    var signer_name: String?
    var signer_title: String?
    var complaint_phone: String?
}

/// A commitment ended: withdrawn by its owner or breached (staff).
struct EndCommitmentForm: Decodable, Sendable {
    var outcome: String?
    var reason: String?
}

/// A sector's commitment letter text.
struct CommitmentTemplateForm: Decodable, Sendable {
    var sector: String?
    var title: String?
    var body: String?
}

/// A sector's default demonstration checklist, one "label | weight" a line.
struct DemoChecklistForm: Decodable, Sendable {
    var sector: String?
    var criteria: String?
}
