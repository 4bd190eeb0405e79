import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Sign-in, sessions, CSRF, lock-out and the audit log, through real HTTP.
@Suite struct SessionAndAuditTests {
    static let password = "correct horse battery"

    static func user(_ store: Store, login: String = "zhang.san", role: Role = .provinceAdmin) async throws -> UserModel {
        try await Accounts.createUser(
            .init(login: login, displayName: "张三", password: password, role: role.rawValue, regionCode: role == .bureauStaff ? "350102" : nil),
            by: .system("tests"), on: store.db)
    }

    static func signIn(_ client: any TestClientProtocol, login: String = "zhang.san", password: String = password) async throws -> TestResponse {
        try await client.send(.post, "/api/v1/auth/sign-in", json: ["login": login, "password": password], as: .anonymous)
    }

    @Test func aSessionCookieWorksAndStateChangesNeedTheCSRFToken() async throws {
        try await withApp(setup: .live) { store, client in
            _ = try await Self.user(store)
            let s = try await Self.signIn(client)
            #expect(s.status == .ok, "\(s.text)")
            let cookie = s.headers[.setCookie] ?? ""
            #expect(cookie.contains("jiliang_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "\(cookie)")
            let token = s.json["token"] as! String, csrf = s.json["csrf_token"] as! String
            #expect((s.json["me"] as? [String: Any])?["role"] as? String == "province_admin")
            let me = try await client.send(.get, "/api/v1/auth/me", as: .cookie(token, csrf: nil))
            #expect(me.json["label"] as? String == "zhang.san")
            let body: [String: Any] = ["name": "测试区"]
            let noCSRF = try await client.send(.put, "/api/v1/regions/350102", json: body, as: .cookie(token, csrf: nil))
            #expect(noCSRF.status == .forbidden && noCSRF.text.contains("CSRF"))
            let wrongCSRF = try await client.send(.put, "/api/v1/regions/350102", json: body, as: .cookie(token, csrf: "guess"))
            #expect(wrongCSRF.status == .forbidden)
            let ok = try await client.send(.put, "/api/v1/regions/350102", json: body, as: .cookie(token, csrf: csrf))
            #expect(ok.status == .ok, "\(ok.text)")
            // The token is not in the database, only its hash.
            let stored = try await SessionModel.query(on: store.db).all()
            #expect(stored.count == 1 && stored[0].tokenHash != token && !stored[0].tokenHash.contains(token))
            let out = try await client.send(.post, "/api/v1/auth/sign-out", as: .cookie(token, csrf: csrf))
            #expect(out.status == .noContent)
            let after = try await client.send(.get, "/api/v1/auth/me", as: .cookie(token, csrf: nil))
            #expect(after.status == .unauthorized)
        }
    }

    @Test func fiveWrongPasswordsLockTheAccountUntilAnAdministratorResetsIt() async throws {
        try await withApp { store, client in
            let u = try await Self.user(store)
            for _ in 0..<Accounts.lockAfterFailures {
                let r = try await Self.signIn(client, password: "wrong password!")
                #expect(r.status == .unauthorized && r.text.contains("wrong login or password"))
            }
            let locked = try await Self.signIn(client)
            #expect(locked.status == .unauthorized && locked.text.contains("locked"), "\(locked.text)")
            // An unknown login answers exactly like a wrong password.
            let unknown = try await Self.signIn(client, login: "nobody")
            #expect(unknown.status == .unauthorized && unknown.text.contains("wrong login or password"))
            let reset = try await client.send(.put, "/api/v1/users/\(u.id!)/password", json: ["password": "a fresh password"])
            #expect(reset.status == .noContent)
            #expect(try await Self.signIn(client).status == .unauthorized)
            #expect(try await Self.signIn(client, password: "a fresh password").status == .ok)
            let short = try await client.send(.put, "/api/v1/users/\(u.id!)/password", json: ["password": "short"])
            #expect(short.status == .badRequest && short.problemFields == ["password"])
        }
    }

    @Test func signOutEverywhereEndsEverySession() async throws {
        try await withApp { store, client in
            _ = try await Self.user(store)
            let a = try await Self.signIn(client).json["token"] as! String
            let b = try await Self.signIn(client).json["token"] as! String
            #expect(try await client.send(.get, "/api/v1/auth/me", as: .bearer(b)).status == .ok)
            let out = try await client.send(.post, "/api/v1/auth/sign-out?everywhere=true", as: .bearer(a))
            #expect(out.status == .noContent)
            #expect(try await client.send(.get, "/api/v1/auth/me", as: .bearer(a)).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/auth/me", as: .bearer(b)).status == .unauthorized)
        }
    }

    @Test func tokensAreShownOnceStoredHashedAndRevocable() async throws {
        try await withApp { store, client in
            let made = try await client.send(.post, "/api/v1/api-tokens", json: ["name": "水务公司LIMS", "role": "owner", "owner_id": try await Fixtures.owner(on: store.db).id!])
            #expect(made.status == .created, "\(made.text)")
            let token = made.json["token"] as! String
            let id = (made.json["details"] as! [String: Any])["id"] as! Int
            #expect(token.hasPrefix("jlt_"))
            let list = try await client.send(.get, "/api/v1/api-tokens")
            #expect(!list.text.contains(token))
            #expect(try await APITokenModel.query(on: store.db).all().allSatisfy { $0.tokenHash != token })
            #expect(try await client.send(.get, "/api/v1/instruments", as: .bearer(token)).status == .ok)
            let tooMuch = try await client.send(.post, "/api/v1/api-tokens", json: ["name": "x", "role": "owner", "owner_id": 1, "permissions": ["records:write"]])
            #expect(tooMuch.status == .badRequest && tooMuch.problemFields == ["permissions"])
            #expect(try await client.send(.delete, "/api/v1/api-tokens/\(id)").status == .noContent)
            #expect(try await client.send(.get, "/api/v1/instruments", as: .bearer(token)).status == .unauthorized)
        }
    }

    /// Every write and sign-in leaves an entry naming who did it, with before and after, and no secret.
    @Test func theAuditLogRecordsWritesAndSignInsWithoutSecrets() async throws {
        try await withApp { store, client in
            _ = try await Self.user(store, login: "li.si", role: .bureauStaff)
            let token = try await Self.signIn(client, login: "li.si").json["token"] as! String
            _ = try await APIFlowTests.seed(client)
            let owner = try await client.send(.get, "/api/v1/owners?limit=1").jsonItems.first!
            let id = owner["id"] as! Int
            var changed: [String: Any] = ["credit_code": APIFlowTests.ownerCode, "address": "新地址", "region_code": "350102", "industry": "market"]
            changed["name"] = "改名后的市场"
            let put = try await client.send(.put, "/api/v1/owners/\(id)", json: changed, as: .bearer(token))
            #expect(put.status == .ok, "\(put.text)")
            let entries = try await client.send(.get, "/api/v1/audit?entity=owners&entity_id=\(id)").jsonItems
            let update = entries.first { $0["action"] as? String == "update" }
            #expect((update?["actor"] as? String)?.hasSuffix("li.si") == true)
            #expect((update?["before"] as? String)?.contains("鑫盛农贸市场") == true && (update?["after"] as? String)?.contains("改名后的市场") == true)
            let creates = entries.filter { $0["action"] as? String == "create" }
            #expect(creates.count == 1 && (creates[0]["actor"] as? String)?.hasPrefix("token:") == true)
            let signIns = try await client.send(.get, "/api/v1/audit?entity=user").jsonItems.map { $0["action"] as? String }
            #expect(signIns.contains("sign_in"))
            let all = try await client.send(.get, "/api/v1/audit?limit=500")
            #expect(!all.text.contains("password_hash") && !all.text.contains("$2b$") && !all.text.contains(token), "\(all.text.prefix(3000))")
            #expect(!all.text.contains("unattributed"))
            // Entries page newest first.
            let page = try await client.send(.get, "/api/v1/audit?limit=2")
            #expect(page.jsonItems.count == 2 && page.json["next_cursor"] != nil)
        }
    }
}

extension TestResponse {
    var jsonItems: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
}
