import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

extension WebApp {
    /// The province administrator's list of metrology institutions (计量技术机构) with a form to
    /// register one with its first authorisation; further authorisations are added on the
    /// institution's own page.
    func institutionsPage(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("managing institutions") }
        let t = PageStrings.strings(language(request))
        let items = try await Registry.institutions(region: nil, subNo: nil, cursor: nil, limit: 500, on: db).items.map {
            ["id": "\($0.id!)", "link": Site.institution($0.id!), "name": $0.name, "kind": t.lookup("inst_" + $0.kind) ?? $0.kind, "region": $0.regionCode]
        }
        var model: [String: Any] = ["t": t, "items": items, "catalogue": try await catalogueOptions()]
        if let error { model["error"] = error }
        return render("institutions", model, title: t[.institutions], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func catalogueOptions() async throws -> [[String: String]] {
        try await Registry.catalogue(on: db).map { ["subNo": "\($0.id!)", "name": $0.subName] }
    }

    func createInstitution(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("managing institutions") }
        let f = try await form(request)
        do {
            let d = try InstitutionDraft.parse(
                name: f["name"], kind: f["kind"], creditCode: f["credit_code"].flatMap { $0.isEmpty ? nil : $0 },
                regionCode: f["region_code"], address: f["address"], scopes: [Self.rawScope(f)], context: try await Registry.context(on: db))
            let m = try await Registry.createInstitution(d, on: db)
            return redirect(Site.institution(m.id!) + "?flash=done")
        } catch let e as ValidationFailure {
            return try await institutionsPage(request, p, error: e.description)
        } catch let e as RegistryError {
            if case .forbidden = e { throw e }
            return try await institutionsPage(request, p, error: e.description)
        }
    }

    /// Adds one authorisation (sub-item × region × validity) to an institution.
    func addAuthorisation(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("managing institutions") }
        let f = try await form(request)
        let i = try await Registry.institution(id, on: db)
        let existing = try await Registry.scopes(of: id, on: db).map {
            InstitutionDraft.RawScope(subNo: $0.subNo, regionCode: $0.region.value, validFrom: $0.validFrom.description, validUntil: $0.validUntil.description)
        }
        do {
            let d = try InstitutionDraft.parse(
                name: i.name, kind: i.kind, creditCode: i.creditCode, regionCode: i.regionCode, address: i.address,
                scopes: existing + [Self.rawScope(f)], context: try await Registry.context(on: db))
            _ = try await Registry.updateInstitution(id, d, on: db)
            return redirect(Site.institution(id) + "?flash=done")
        } catch let e as ValidationFailure {
            return try await institutionPage(request, p, id: id, error: e.description)
        } catch let e as RegistryError {
            if case .forbidden = e { throw e }
            return try await institutionPage(request, p, id: id, error: e.description)
        }
    }

    static func rawScope(_ f: [String: String]) -> InstitutionDraft.RawScope {
        .init(subNo: f["sub_no"].flatMap { Int($0) }, regionCode: f["scope_region"], validFrom: f["valid_from"], validUntil: f["valid_until"])
    }
}
