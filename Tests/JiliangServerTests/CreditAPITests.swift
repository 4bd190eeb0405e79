import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The credit flows over `/api/v1`: who may do and see what (an owner only its own record, the
/// public only what is published), the dishonesty list's steps by name, and bad input as
/// problem+json naming the field.
@Suite struct CreditAPITests {
    static func signIn(_ client: any TestClientProtocol, _ login: String) async throws -> TestAuth {
        .bearer(try await client.send(.post, "/api/v1/auth/sign-in", json: ["login": login, "password": "a-long-password-1"]).json["token"] as! String)
    }

    @Test func ownersSeeTheirOwnAndThePublicOnlyWhatIsPublished() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            let other = try await client.send(.post, "/api/v1/owners", json: [
                "name": "别家市场", "credit_code": Fixtures.creditCode(77).value, "address": "B", "region_code": "350102", "industry": "market",
            ]).json["id"] as! Int
            for (login, role, region, owner) in [("shop", "owner", nil, ids.owner), ("rival", "owner", nil, other), ("gulou", "bureau_staff", "350102", nil),
                                                 ("chief", "bureau_staff", "350100", nil), ("xiamen", "bureau_staff", "350203", nil)] as [(String, String, String?, Int?)] {
                _ = try await Accounts.createUser(
                    .init(login: login, displayName: login, password: "a-long-password-1", role: role, regionCode: region, ownerID: owner), by: .system("tests"), on: store.db)
            }
            let shop = try await Self.signIn(client, "shop"), rival = try await Self.signIn(client, "rival")
            let gulou = try await Self.signIn(client, "gulou"), chief = try await Self.signIn(client, "chief"), xiamen = try await Self.signIn(client, "xiamen")

            // the owner signs; staff cannot sign for it; the rival cannot read it
            #expect(try await client.send(.post, "/api/v1/commitments", json: ["owner_id": ids.owner, "signer_name": "张", "signer_title": "经理"], as: gulou).status == .forbidden)
            let signed = try await client.send(.post, "/api/v1/commitments", json: ["owner_id": ids.owner, "signer_name": "张", "signer_title": "经理"], as: shop)
            #expect(signed.status == .created, "\(signed.text)")
            #expect(try await client.send(.get, "/api/v1/commitments?owner_id=\(ids.owner)", as: rival).status.code >= 400)
            #expect(try await client.send(.get, "/api/v1/commitments?owner_id=\(ids.owner)", as: xiamen).status.code >= 400)

            // bad input names the fields, and nothing is stored
            let bad = try await client.send(.post, "/api/v1/penalties", json: [
                "owner_id": ids.owner, "decision_no": "", "kind": "lashes", "legal_basis": "x", "facts": "y", "decided_on": "tomorrow",
                "evidence": [["filename": "a.exe", "content_base64": "TVqQAAMAAAAEAAAA"]],
            ], as: gulou)
            #expect(bad.status == .badRequest)
            let fields = Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["decision_no", "kind", "decided_on", "evidence[1]"], "\(bad.text)")
            #expect(try await client.send(.get, "/api/v1/penalties", as: gulou).json["items"] as? [Any] != nil)
            #expect((try await client.send(.get, "/api/v1/penalties", as: gulou).json["items"] as! [Any]).isEmpty)

            // a heavy penalty, recorded by the county; the other city's bureau may not record one here
            let body: [String: Any] = ["owner_id": ids.owner, "decision_no": "榕鼓罚〔2026〕7号", "kind": "fine", "amount_yuan": "150000", "heavy": true,
                                       "legal_basis": "《计量法》", "facts": "作弊", "decided_on": "2026-11-20"]
            #expect(try await client.send(.post, "/api/v1/penalties", json: body, as: xiamen).status.code >= 400)
            let penalty = try await client.send(.post, "/api/v1/penalties", json: body, as: gulou)
            #expect(penalty.status == .created, "\(penalty.text)")
            let pid = penalty.json["id"] as! Int
            #expect(penalty.json["publish_by"] as? String == "2026-12-18")
            // the owner reads its own penalty; the rival gets nothing
            #expect(try await client.send(.get, "/api/v1/penalties/\(pid)", as: shop).status == .ok)
            #expect(try await client.send(.get, "/api/v1/penalties/\(pid)", as: rival).status == .notFound)
            #expect((try await client.send(.get, "/api/v1/penalties", as: rival).json["items"] as! [Any]).isEmpty)

            // propose → notify → (proposer may not decide) → a second person decides → publish
            let listing = try await client.send(.post, "/api/v1/listings", json: ["penalty_id": pid, "reason": "情节严重"], as: gulou)
            #expect(listing.status == .created, "\(listing.text)")
            let lid = listing.json["id"] as! Int
            #expect(try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "notify"], as: gulou).json["objection_until"] as? String == "2026-12-10")
            let wrongStep = try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "skip"], as: gulou)
            #expect(wrongStep.status == .badRequest && wrongStep.text.contains("step"))
            #expect(try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "object", "text": "异议"], as: rival).status == .notFound)
            #expect(try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "object", "text": "已整改"], as: shop).status == .ok)
            let self_ = try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "decide", "decision": "list"], as: gulou)
            #expect(self_.status == .conflict && self_.text.contains("second person"))
            #expect(try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "decide", "decision": "list"], as: chief).status == .ok)

            // before publication the public sees nothing; after, the list and the penalty
            #expect(try await client.send(.get, "/api/v1/public/dishonesty-list", as: .anonymous).jsonArray.isEmpty)
            #expect(try await client.send(.post, "/api/v1/penalties/\(pid)/publish", as: gulou).status == .ok)
            // decided by the city bureau: the province consents before publication (issue #18, item 10)
            let unconsented = try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "publish"], as: chief)
            #expect(unconsented.status == .conflict && unconsented.text.contains("consent"))
            #expect(try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "consent", "approve": true], as: chief).status == .conflict)
            let consented = try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "consent", "approve": true, "text": "同意"], as: .admin)
            #expect(consented.status == .ok && consented.json["consent_on"] as? String == "2026-11-26" && consented.json["decided_region"] as? String == "350100")
            let published = try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "publish"], as: chief)
            #expect(published.json["repair_eligible_on"] as? String == "2027-11-26" && published.json["removal_on"] as? String == "2029-11-26")
            let list = try await client.send(.get, "/api/v1/public/dishonesty-list?q=\(APIFlowTests.ownerCode)", as: .anonymous)
            #expect(list.status == .ok && list.jsonArray.count == 1, "\(list.text)")
            #expect((try await client.send(.get, "/api/v1/listings/\(lid)", as: shop).json["history"] as? [Any])?.count == 6)  // with the consent
            // repair is not before a year
            let early = try await client.send(.post, "/api/v1/listings/\(lid)/steps", json: ["step": "apply_repair", "text": "已缴", "fulfilled": true, "remedied": true], as: shop)
            #expect(early.status == .conflict && early.text.contains("2027-11-26"))

            // the class: staff of the region only, never the owner or the public
            #expect(try await client.send(.get, "/api/v1/credit/owners/\(ids.owner)", as: shop).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/credit/owners/\(ids.owner)", as: xiamen).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/credit/owners/\(ids.owner)", as: .anonymous).status == .unauthorized)
            let a = try await client.send(.get, "/api/v1/credit/owners/\(ids.owner)", as: gulou)
            #expect(a.json["class"] as? String == "D" && (a.json["note"] as? String)?.contains("not a rating") == true)
            #expect(try await client.send(.get, "/api/v1/credit/classes?class=D", as: gulou).json["items"].flatMap { $0 as? [Any] }?.count == 1)
        }
    }
}
