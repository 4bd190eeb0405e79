import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// Metrology institutions (计量技术机构): the province administrator's list with the form that
/// registers one with its first authorisation, and each institution's page, where further
/// authorisations are added. Views are built without HTTP (`InstitutionViews`).
struct InstitutionsController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.institutions.path) { request, context in try await list(request, context.principal, error: nil) }
        router.post(Site.institutions.path) { request, context in
            let p = context.principal
            guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
            let f = try await app.form(InstitutionForm.self, request)
            return try await app.attempt(request, alsoNotFound: true, { try await list(request, p, error: $0) }) {
                let d = try InstitutionDraft.parse(
                    name: f.name, kind: f.kind, creditCode: f.credit_code.flatMap { $0.isEmpty ? nil : $0 },
                    regionCode: f.region_code, address: f.address, scopes: [f.scope], context: try await Registry.context(on: db))
                let m = try await Registry.createInstitution(d, on: db)
                return app.redirect(Site.institution(m.id!) + "?flash=done")
            }
        }
        router.get(Site.institution.path) { request, context in
            try await institutionPage(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        // Adds one authorisation (sub-item × region × validity) to an institution.
        router.post(Site.institutionAuthorisations.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
            let f = try await app.form(InstitutionForm.self, request)
            let i = try await Registry.institution(id, on: db)
            let existing = try await Registry.scopes(of: id, on: db).map {
                InstitutionDraft.RawScope(
                    subNo: $0.subNo, regionCode: $0.region.value, validFrom: $0.validFrom.description, validUntil: $0.validUntil.description)
            }
            return try await app.attempt(request, alsoNotFound: true, { try await institutionPage(request, p, id: id, error: $0) }) {
                let d = try InstitutionDraft.parse(
                    name: i.name, kind: i.kind, creditCode: i.creditCode, regionCode: i.regionCode, address: i.address,
                    scopes: existing + [f.scope], context: try await Registry.context(on: db))
                _ = try await Registry.updateInstitution(id, d, on: db)
                return app.redirect(Site.institution(id) + "?flash=done")
            }
        }
    }

    func list(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let lang = app.language(request)
        let view = try await InstitutionsView.build(by: p, lang: lang, error: error, on: db)
        return app.render(
            "institutions", view: view, title: PageStrings.strings(lang)[.institutions], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }

    /// Institutions and their authorisation are public information.
    func institutionPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let view = try await InstitutionView.build(id, by: p, lang: app.language(request), error: error, on: db)
        return app.render("institution", view: view, title: view.name, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}

/// An institution with its first authorisation, or (on the institution's page) one more
/// authorisation: field names as posted.
struct InstitutionForm: Decodable, Sendable {
    var name: String?
    var kind: String?
    var credit_code: String?
    var region_code: String?
    var address: String?
    var sub_no: String?
    var scope_region: String?
    var valid_from: String?
    var valid_until: String?

    /// The authorisation fields (`authorisation-fields.mustache`).
    var scope: InstitutionDraft.RawScope {
        .init(subNo: sub_no.flatMap { Int($0) }, regionCode: scope_region, validFrom: valid_from, validUntil: valid_until)
    }
}
