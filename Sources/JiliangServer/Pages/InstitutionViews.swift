import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The province administrator's list of metrology institutions (计量技术机构) with the form that
/// registers one with its first authorisation (`institutions.mustache`).
struct InstitutionsView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var link: String
        var name: String
        var kind: String
        var region: String
    }
    var items: [Row]
    /// The authorisation fields' sub-items.
    var catalogue: [CatalogueOption]
    var error: String?

    static func build(by p: Principal, lang: PageStrings.Language, error: String?, on db: any Database) async throws -> InstitutionsView {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let t = PageStrings.strings(lang)
        let items = try await Registry.institutions(region: nil, subNo: nil, cursor: nil, limit: 500, on: db).items.map {
            Row(id: $0.id!, link: Site.institution($0.id!), name: $0.name, kind: t.lookup("inst_" + $0.kind) ?? $0.kind, region: $0.regionCode)
        }
        return InstitutionsView(items: items, catalogue: try await CatalogueOption.all(on: db), error: error)
    }
}

/// One institution and its authorisations, which are public information; the administrator adds
/// one here (`institution.mustache`).
struct InstitutionView: PageView {
    struct Scope: Encodable, Sendable, Equatable {
        var subNo: Int
        var subName: String
        var region: String
        var from: String
        var until: String
    }
    var id: Int
    var name: String
    var kind: String
    var address: String
    var region: String
    var scopes: [Scope]
    var canManage: Bool
    var authorisationsAction: String
    /// The authorisation form's sub-items (for those who may manage institutions).
    var catalogue: [CatalogueOption]?
    var error: String?

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, error: String?, on db: any Database) async throws -> InstitutionView {
        let t = PageStrings.strings(lang)
        let i = try await Registry.institution(id, on: db)
        var names: [Int: String] = [:]
        for e in try await Registry.catalogue(on: db) { names[e.id!] = e.subName }
        let scopes = try await Registry.scopes(of: id, on: db).map {
            Scope(subNo: $0.subNo, subName: names[$0.subNo] ?? "", region: $0.region.value, from: $0.validFrom.description, until: $0.validUntil.description)
        }
        let canManage = p.may(.manageReference)
        let catalogue = canManage ? try await CatalogueOption.all(on: db) : nil
        return InstitutionView(
            id: id, name: i.name, kind: t.lookup("inst_" + i.kind) ?? i.kind, address: i.address, region: i.regionCode, scopes: scopes,
            canManage: canManage, authorisationsAction: Site.institutionAuthorisations(id),
            catalogue: catalogue, error: error)
    }
}
