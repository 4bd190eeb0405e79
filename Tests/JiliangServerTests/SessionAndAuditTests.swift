import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// Sign-in, sessions, CSRF, lock-out and the audit log, through real HTTP.
@Suite struct SessionAndAuditTests {
    static let password = "correct horse battery"

    static func user(_ store: Store, login: String = "zhang.san", role: Role = .provinceAdmin) async throws -> UserModel {
        try await Accounts.createUser(
            .init(login: login, displayName: "张三", password: password, role: role.rawValue, regionCode: role == .bureauStaff ? "350102" : nil),
            by: .system("tests"), on: store.db)
    }

    /// The login and client of a failed-sign-in notice.
    static func failedSignIns(_ n: Notice?) -> (String, String)? {
        if case .failedSignIns(let login, _, let client)? = n { (login, client) } else { nil }
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

    static func signIn(_ client: any TestClientProtocol, login: String = "zhang.san", password: String = password, from address: String) async throws -> TestResponse {
        let body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["login": login, "password": password]))
        return try await client.execute(
            uri: "/api/v1/auth/sign-in", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: address], body: body)
    }

    /// Issue #17, item 4: five wrong passwords slow the next tries from that client for that
    /// login (429 with Retry-After) without locking the account — its owner signs in from elsewhere
    /// — and an unknown login is answered exactly alike; the account's organisation is told.
    @Test func wrongPasswordsAreSlowedNotLockedAndUnknownLoginsAnswerAlike() async throws {
        // Waits of ten minutes, so that a slow machine cannot outlast them mid-test.
        try await withApp(configure: { $0.trustForwardedFor = true; $0.signInThrottle.firstDelay = 600 }) { store, client in
            let u = try await Self.user(store, role: .bureauStaff)
            let free = SignInThrottle.Policy.standard.freePerClientAndLogin
            for _ in 0..<free {
                let known = try await Self.signIn(client, password: "wrong password!", from: "198.51.100.7")
                let unknown = try await Self.signIn(client, login: "nobody", password: "wrong password!", from: "198.51.100.7")
                #expect(known.status == .unauthorized && known.text.contains("wrong login or password"))
                #expect(unknown.status == known.status && unknown.text == known.text)
            }
            // The guesser now waits — even with the right password — for a real and an unknown login alike.
            let slowed = try await Self.signIn(client, from: "198.51.100.7")
            let slowedUnknown = try await Self.signIn(client, login: "nobody", from: "198.51.100.7")
            #expect(slowed.status == .tooManyRequests && Int(slowed.headers[.retryAfter] ?? "") ?? 0 > 500, "\(slowed.text)")
            #expect(slowedUnknown.status == slowed.status && slowedUnknown.headers[.retryAfter] != nil)
            #expect(slowedUnknown.text.filter { !$0.isNumber } == slowed.text.filter { !$0.isNumber })
            // The account is not locked: its owner, elsewhere, signs in.
            let owner = try await Self.signIn(client, from: "203.0.113.9")
            #expect(owner.status == .ok, "\(owner.text)")
            // Its bureau was told once the fifth wrong password came in; every try is audited.
            let inbox = try await InboxMessageModel.query(on: store.db).filter(\.$recipient == "region:350102").all()
            #expect(inbox.count == 1 && Self.failedSignIns(inbox[0].decodedNotice).map { $0.0 == "zhang.san" && $0.1 == "198.51.100.7" } == true, "\(inbox.map(\.notice))")
            let actions = try await AuditEntryModel.query(on: store.db).all().map(\.action)
            #expect(actions.filter { $0 == "sign_in_failed" }.count == 2 * free && actions.contains("sign_in_throttled"))
            _ = u
            // The page answers the same way (429 and the wait in words).
            let page = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "jiliang_login_csrf=c1", HTTPField.Name("X-Forwarded-For")!: "198.51.100.7"],
                body: ByteBuffer(string: "csrf=c1&login=zhang.san&password=x"))
            #expect(page.status == .tooManyRequests && page.text.contains("秒后再试") && page.headers[.retryAfter] != nil)
        }
    }

    /// Issue #17, item 4: one client trying many logins (password spraying) is stopped after its
    /// budget of failures, whichever logins it tries.
    @Test func oneClientSprayingManyLoginsIsStopped() async throws {
        try await withApp(configure: { $0.trustForwardedFor = true }) { store, client in
            _ = try await Self.user(store)
            let budget = Int(SignInThrottle.Policy.standard.clientBurst)
            for n in 0..<budget {
                let r = try await Self.signIn(client, login: "user\(n)", password: "Spring2026!", from: "192.0.2.44")
                #expect(r.status == .unauthorized)
            }
            let next = try await Self.signIn(client, password: "Spring2026!", from: "192.0.2.44")
            #expect(next.status == .tooManyRequests, "\(next.text)")
            #expect(try await Self.signIn(client, from: "192.0.2.45").status == .ok)
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
