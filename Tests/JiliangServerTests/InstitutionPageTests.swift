import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The province administrator registers a metrology institution and adds an authorisation in the
/// browser; bad input is named, other roles are refused, and each write is audited.
@Suite struct InstitutionPageTests {
    @Test func administratorRegistersAnInstitutionAndAddsAnAuthorisation() async throws {
        try await withApp { store, client in
            for (login, role, region) in [("prov", "province_admin", nil), ("county", "bureau_staff", "350102")] as [(String, String, String?)] {
                _ = try await Accounts.createUser(
                    .init(login: login, displayName: login, password: "page-password-1", role: role, regionCode: region), by: .system("tests"), on: store.db)
            }
            let admin = PageTests.Browser(client)
            try await admin.signIn("prov", "page-password-1")
            let list = try await admin.get("/app/admin/institutions")
            #expect(list.status == .ok && list.text.contains("id=\"create-institution\""))
            let csrf = admin.csrf(from: list)
            var form = [
                "csrf": csrf, "name": "福清市计量所", "kind": "legal", "credit_code": "", "region_code": "350181", "address": "福清市某路1号",
                "sub_no": "2", "scope_region": "350181", "valid_from": "2026-01-01", "valid_until": "2030-12-31",
            ]
            // Bad input first: the field is named and nothing is stored.
            form["region_code"] = "35"
            let bad = try await admin.post("/app/admin/institutions", form)
            #expect(bad.status == .badRequest && bad.text.contains("region_code"), "\(bad.text)")
            #expect(try await InstitutionModel.query(on: store.db).filter(\.$name == "福清市计量所").count() == 0)
            form["region_code"] = "350181"
            let created = try await admin.post("/app/admin/institutions", form)
            #expect(created.status == .seeOther || created.status == .found, "\(created.status) \(created.text)")
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/app/institutions/"))
            let id = Int(location.dropFirst("/app/institutions/".count).prefix { $0.isNumber })!

            // A second authorisation on the institution's page.
            let page = try await admin.get("/app/institutions/\(id)")
            #expect(page.text.contains("id=\"add-authorisation\""))
            let added = try await admin.post("/app/institutions/\(id)/authorisations", [
                "csrf": admin.csrf(from: page), "sub_no": "10", "scope_region": "350100", "valid_from": "2026-01-01", "valid_until": "2028-12-31",
            ])
            #expect(added.status == .seeOther || added.status == .found, "\(added.text)")
            let scopes = try await Registry.scopes(of: id, on: store.db)
            #expect(Set(scopes.map(\.subNo)) == [2, 10])
            let badScope = try await admin.post("/app/institutions/\(id)/authorisations", [
                "csrf": admin.csrf(from: page), "sub_no": "10", "scope_region": "350100", "valid_from": "2029-01-01", "valid_until": "2028-12-31",
            ])
            #expect(badScope.status == .badRequest && badScope.text.contains("valid"), "\(badScope.text)")
            #expect(try await Registry.scopes(of: id, on: store.db).count == 2)
            // Audited with the administrator as the actor.
            let audit = try await AuditEntryModel.query(on: store.db).filter(\.$entity == "institutions").all()
            #expect(audit.contains { $0.actor.contains("prov") && $0.action == "create" })

            // County staff may not manage institutions.
            let county = PageTests.Browser(client)
            try await county.signIn("county", "page-password-1")
            #expect(try await county.get("/app/admin/institutions").status == .forbidden)
            #expect(!(try await county.get("/app/institutions/\(id)").text.contains("add-authorisation")))
        }
    }
}
