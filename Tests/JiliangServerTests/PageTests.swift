import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// The server-rendered pages over real HTTP: sign-in with its CSRF cookie, the workflows as forms
/// by each role, the language switch, and refusals as HTML pages that leak nothing.
@Suite struct PageTests {
    /// A browser stand-in: keeps cookies, posts forms, reads the CSRF token from the page.
    final class Browser: @unchecked Sendable {
        let client: any TestClientProtocol
        var cookies: [String: String] = [:]
        init(_ client: any TestClientProtocol) { self.client = client }

        @discardableResult
        func get(_ uri: String) async throws -> TestResponse { try await send(.get, uri, form: nil) }

        @discardableResult
        func post(_ uri: String, _ form: [String: String]) async throws -> TestResponse { try await send(.post, uri, form: form) }

        func send(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]?) async throws -> TestResponse {
            var headers = HTTPFields()
            if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
                body = ByteBuffer(string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
            }
            let r = try await client.execute(uri: uri, method: method, headers: headers, body: body)
            for field in r.headers where field.name == .setCookie {
                let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { cookies[pair[0]] = pair[1].isEmpty ? nil : pair[1] }
            }
            return r
        }

        func csrf(from page: TestResponse) -> String {
            let html = page.text
            guard let r = html.range(of: "name=\"csrf\" value=\"") else { return "" }
            return String(html[r.upperBound...].prefix { $0 != "\"" })
        }

        func signIn(_ login: String, _ password: String = DemoAccounts.password) async throws -> TestResponse {
            cookies = [:]
            let page = try await get("/login")
            return try await post("/login", ["csrf": csrf(from: page), "login": login, "password": password])
        }
    }

    static func demoAccounts(_ store: Store) async throws -> (owner: Int, institution: Int) {
        let owner = try await Fixtures.owner(on: store.db)
        let institution = try await Fixtures.institution("福州市计量所", on: store.db)
        for (login, role, o, i, r) in [
            ("owner", Role.owner, owner.id, nil, nil), ("gulou", .bureauStaff, nil, nil, "350102"), ("xiamen", .bureauStaff, nil, nil, "350200"),
            ("institute", .instituteStaff, nil, institution.id, nil),
        ] as [(String, Role, Int?, Int?, String?)] {
            _ = try await Accounts.createUser(
                .init(login: login, displayName: login, password: DemoAccounts.password, role: role.rawValue, regionCode: r, institutionID: i, ownerID: o),
                by: .system("tests"), on: store.db)
        }
        return (owner.id!, institution.id!)
    }

    @Test func signInNeedsTheFormsCSRFValueAndTheRightPassword() async throws {
        try await withApp { store, client in
            _ = try await Self.demoAccounts(store)
            let b = Browser(client)
            let anonymous = try await b.get("/app")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login")
            let page = try await b.get("/login")
            #expect(page.text.contains("<html lang=\"zh-CN\">") && page.text.contains("登录"))
            let forged = try await b.post("/login", ["csrf": "forged", "login": "gulou", "password": DemoAccounts.password])
            #expect(forged.status == .forbidden && b.cookies["jiliang_session"] == nil)
            let wrong = try await b.post("/login", ["csrf": b.csrf(from: page), "login": "gulou", "password": "wrong-password"])
            #expect(wrong.status == .unauthorized && wrong.text.contains("账号或密码错误"))
            let ok = try await b.signIn("gulou")
            #expect(ok.status == .seeOther && ok.headers[.location] == "/app" && b.cookies["jiliang_session"] != nil)
            let dashboard = try await b.get("/app")
            #expect(dashboard.status == .ok && dashboard.text.contains("工作台") && dashboard.text.contains("gulou"))
            let english = try await b.get("/app?lang=en")
            #expect(english.text.contains("<html lang=\"en\">") && english.text.contains("Dashboard"))
            #expect(try await b.get("/app").text.contains("Dashboard"))  // the choice is remembered
            let css = try await b.get("/assets/app.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            // Signing out needs the form's token, then ends the session.
            #expect(try await b.post("/logout", ["csrf": "forged"]).status == .forbidden)
            let out = try await b.post("/logout", ["csrf": b.csrf(from: dashboard)])
            #expect(out.headers[.location] == "/login")
            #expect(try await b.get("/app").headers[.location] == "/login")
        }
    }

    @Test func filingAndVerificationThroughTheForms() async throws {
        try await withApp(today: "2026-11-26") { store, client in
            let ids = try await Self.demoAccounts(store)
            let owner = Browser(client)
            _ = try await owner.signIn("owner")
            let form = try await owner.get("/app/instruments/new")
            #expect(form.status == .ok && form.text.contains("name=\"serial_no\""))
            let bad = try await owner.post("/app/instruments", ["csrf": owner.csrf(from: form), "sub_no": "2", "name": "秤", "serial_no": "", "address": "A", "in_service_date": "2026-11-01"])
            #expect(bad.text.contains("serial_no"), "\(bad.text)")
            let made = try await owner.post("/app/instruments", [
                "csrf": owner.csrf(from: form), "sub_no": "2", "name": "电子计价秤", "serial_no": "PAGE-1", "address": "A区1号", "in_service_date": "2026-11-01",
            ])
            let instrumentPath = made.headers[.location] ?? ""
            #expect(made.status == .seeOther && instrumentPath.hasPrefix("/app/instruments/"), "\(made.status) \(made.text)")
            let draft = try await owner.get(instrumentPath)
            #expect(draft.text.contains("id=\"lifecycle\">draft") && draft.text.contains("id=\"submit-filing\""))
            // Without the session's token a form does nothing.
            #expect(try await owner.post(instrumentPath + "/filing", ["csrf": "x"]).status == .forbidden)
            #expect(try await owner.post(instrumentPath + "/filing", ["csrf": owner.csrf(from: draft)]).status == .seeOther)

            let bureau = Browser(client)
            _ = try await bureau.signIn("gulou")
            let queue = try await bureau.get("/app/filings")
            #expect(queue.text.contains("PAGE-1"))
            let filingID = try #require(queue.text.firstMatch(of: /\/app\/filings\/(\d+)\/approve/)?.1)
            // Another city's bureau is refused with a page that shows nothing of it.
            let other = Browser(client)
            _ = try await other.signIn("xiamen")
            let foreign = try await other.get(instrumentPath)
            #expect(foreign.status == .notFound && !foreign.text.contains("PAGE-1") && !foreign.text.contains("电子计价秤"))
            #expect(try await other.post("/app/filings/\(filingID)/approve", ["csrf": other.csrf(from: try await other.get("/app"))]).status == .notFound)
            #expect(try await bureau.post("/app/filings/\(filingID)/approve", ["csrf": bureau.csrf(from: queue)]).status == .seeOther)

            let filed = try await owner.get(instrumentPath)
            #expect(filed.text.contains("id=\"lifecycle\">filed") && filed.text.contains("福州市计量所"))
            #expect(try await owner.post(instrumentPath + "/apply", ["csrf": owner.csrf(from: filed), "institution_id": "\(ids.institution)", "mode": "laboratory"]).status == .seeOther)

            let lab = Browser(client)
            _ = try await lab.signIn("institute")
            let requests = try await lab.get("/app/requests")
            let requestID = try #require(requests.text.firstMatch(of: /\/app\/requests\/(\d+)\/accept/)?.1)
            #expect(try await lab.post("/app/requests/\(requestID)/accept", ["csrf": lab.csrf(from: requests)]).status == .seeOther)
            let accepted = try await lab.get("/app/requests")
            #expect(accepted.text.contains("2026-12-07"))  // 7 working days after Thursday 26 November
            #expect(try await lab.post("/app/requests/\(requestID)/result", ["csrf": lab.csrf(from: accepted), "result": "pass", "number": "JD-PAGE-1"]).status == .seeOther)

            let valid = try await owner.get(instrumentPath)
            #expect(valid.text.contains("id=\"instrument-status\">有效") && valid.text.contains("JD-PAGE-1"), "\(valid.text)")
            // The owner may not reach the bureau's queue.
            #expect(try await owner.get("/app/filings").status == .forbidden)
        }
    }

    @Test func searchExportAndDrillDownStayInsideTheScope() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)  // a scale SC-0001 in 鼓楼区 350102
            for (login, role, region, owner) in [("gulou", "bureau_staff", "350102", nil), ("owner", "owner", nil, ids.owner)] as [(String, String, String?, Int?)] {
                _ = try await Accounts.createUser(
                    .init(login: login, displayName: login, password: DemoAccounts.password, role: role, regionCode: region, ownerID: owner),
                    by: .system("tests"), on: store.db)
            }
            let xiamenOwner = try await Fixtures.owner(77, region: Fixtures.otherCounty, on: store.db)
            let xiamen = try await Fixtures.instrument(serial: "XM-1", owner: xiamenOwner, region: Fixtures.otherCounty, on: store.db)
            // An owner-typed name that a spreadsheet would run as a formula (issue #17, item 6).
            let evil = try await client.send(.post, "/api/v1/instruments", json: [
                "sub_no": 10, "name": "=cmd|'/c calc'!A1", "serial_no": "EV-1", "purpose": "trade_settlement", "region_code": "350102",
                "address": "A区2号摊", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-05",
            ])
            #expect(evil.status == .created, "\(evil.text)")
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            let found = try await b.get("/app/instruments?q=SC-0001")
            #expect(found.text.contains("SC-0001") || found.text.contains("电子计价秤"))
            let byOwner = try await b.get("/app/instruments?q=%E9%91%AB%E7%9B%9B")  // 鑫盛, part of the owner's name
            #expect(byOwner.text.contains("/app/instruments/\(ids.instrument)\""))
            let foreign = try await b.get("/app/instruments?q=XM-1")
            #expect(!foreign.text.contains("/app/instruments/\(xiamen.id!)\"") && !foreign.text.contains(xiamen.code))
            let csv = try await b.get("/app/instruments.csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.text.hasPrefix("\u{FEFF}code,"))
            #expect(csv.text.contains("SC-0001") && !csv.text.contains("XM-1"))
            #expect(csv.text.contains(",'=cmd|'/c calc'!A1,EV-1,") && !csv.text.contains(",=cmd"), "\(csv.text)")
            let badRegion = try await b.get("/app/instruments?region=35")
            #expect(badRegion.status == .badRequest)
            // Drill-down: the county's own page; another county's is not found.
            let county = try await b.get("/app/regions")
            #expect(county.headers[.location] == "/app/regions/350102")
            let drill = try await b.get("/app/regions/350102")
            #expect(drill.status == .ok && drill.text.contains("鼓楼区") && drill.text.contains("id=\"drill\""))
            // The catalogue item × status table: each count links to the list behind it.
            #expect(drill.text.contains("id=\"by-item\""))
            let itemLink = "/app/instruments?region=350102&amp;sub_no=2"
            #expect(drill.text.contains("href=\"\(itemLink)\">1</a>"), "\(drill.text)")
            let behind = try await b.get(itemLink.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(behind.text.contains("/app/instruments/\(ids.instrument)\"") && behind.text.contains("name=\"sub_no\" value=\"2\""))
            #expect(try await b.get("/app/instruments?sub_no=abc").status == .badRequest)
            #expect(try await b.get("/app/regions/350203").status == .notFound)
            #expect(try await b.get("/app/owners/\(xiamenOwner.id!)").status == .notFound)
            let owner = try await b.get("/app/owners/\(ids.owner)")
            #expect(owner.status == .ok && owner.text.contains("鑫盛"))
            let institution = try await b.get("/app/institutions/\(ids.institution)")
            #expect(institution.status == .ok && institution.text.contains("2030-12-31"))
            // The province administrator drills from the province into the cities.
            _ = try await Accounts.createUser(
                .init(login: "boss", displayName: "省局", password: DemoAccounts.password, role: "province_admin"), by: .system("tests"), on: store.db)
            let admin = Browser(client)
            _ = try await admin.signIn("boss")
            let province = try await admin.get("/app/regions/350000")
            #expect(province.text.contains("href=\"/app/regions/350100\"") && province.text.contains("厦门市"))
            // The owner has no regional statistics.
            let owner2 = Browser(client)
            _ = try await owner2.signIn("owner")
            let refused = try await owner2.get("/app/regions/350102").status
            #expect(refused == .notFound || refused == .forbidden)
        }
    }

    @Test func theImportPageUploadsWithTheCSRFHeaderAndReportsProgress() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            for (login, role, region, owner) in [("gulou", "bureau_staff", "350102", nil), ("owner", "owner", nil, ids.owner)] as [(String, String, String?, Int?)] {
                _ = try await Accounts.createUser(
                    .init(login: login, displayName: login, password: DemoAccounts.password, role: role, regionCode: region, ownerID: owner),
                    by: .system("tests"), on: store.db)
            }
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            let page = try await b.get("/app/import")
            #expect(page.status == .ok && page.text.contains("/assets/import.js"))
            let csrf = b.csrf(from: try await b.get("/app"))
            let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
                + "2,秤,UP-1,trade_settlement,350102,A,\(APIFlowTests.ownerCode),2026-01-01\n"
                + "2,秤,UP-2,trade_settlement,350102,A,\(APIFlowTests.ownerCode),never\n"
            func upload(_ token: String?, as browser: Browser, kind: String = "instruments") async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.cookie] = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                headers[.contentType] = "text/csv"
                if let token { headers[HTTPField.Name("X-CSRF-Token")!] = token }
                return try await client.execute(uri: "/app/import?mode=valid_rows_only&kind=\(kind)", method: .post, headers: headers, body: ByteBuffer(string: csv))
            }
            #expect(try await upload(nil, as: b).status == .forbidden)
            let started = try await upload(csrf, as: b)
            #expect(started.status == .ok, "\(started.text)")
            let id = started.json["id"] as! Int
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
            while try await worker.runOnce() {}
            let progress = try await b.get("/app/jobs/\(id).json")
            #expect(progress.json["state"] as? String == "done" && progress.json["inserted"] as? Int == 1 && progress.json["errors"] as? Int == 1, "\(progress.text)")
            #expect(progress.json["done"] as? Int == progress.json["total"] as? Int)
            let report = try await b.get("/app/jobs/\(id)/errors.csv")
            #expect(report.text.contains("3,in_service_date,"))
            // Someone else's job is not there; an owner imports its own instruments only (issue #19,
            // item 5), not owner or institution rolls.
            let owner = Browser(client)
            _ = try await owner.signIn("owner")
            #expect(try await owner.get("/app/jobs/\(id).json").status == .notFound)
            let ownerCSRF = owner.csrf(from: try await owner.get("/app"))
            #expect(try await upload(ownerCSRF, as: owner, kind: "owners").status == .forbidden)
            #expect(try await upload(ownerCSRF, as: owner, kind: "institutions").status == .forbidden)
            #expect(try await upload(ownerCSRF, as: owner, kind: "nonsense").status == .badRequest)
            let ownPage = try await owner.get("/app/import")
            #expect(ownPage.status == .ok && ownPage.text.contains("id=\"owner-note\"") && !ownPage.text.contains("value=\"owners\""))
        }
    }

    @Test func administratorsManageAccountsTheCalendarAndReadTheAudit() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            _ = try await Accounts.createUser(
                .init(login: "boss", displayName: "省局", password: DemoAccounts.password, role: "province_admin"), by: .system("tests"), on: store.db)
            let admin = Browser(client)
            _ = try await admin.signIn("boss")
            let users = try await admin.get("/app/admin/users")
            #expect(users.status == .ok && users.text.contains("boss"))
            let csrf = admin.csrf(from: users)
            let short = try await admin.post("/app/admin/users", ["csrf": csrf, "login": "li.si", "display_name": "李四", "password": "short", "role": "bureau_staff", "region_code": "350102"])
            #expect(short.status == .badRequest && short.text.contains("password"))
            // The store refuses with a fact; the page words it in its own language (issue #20):
            // Chinese by default, English when the reader switches, never the two run together.
            #expect(short.text.contains("password：至少 10 个字符") && !short.text.contains("must be at least"), "\(short.text)")
            _ = try await admin.get("/app/admin/users?lang=en")
            let shortEnglish = try await admin.post(
                "/app/admin/users", ["csrf": csrf, "login": "li.si", "display_name": "李四", "password": "short", "role": "bureau_staff", "region_code": "350102"])
            #expect(shortEnglish.status == .badRequest && shortEnglish.text.contains("password: must be at least 10 characters"), "\(shortEnglish.text)")
            _ = try await admin.get("/app/admin/users?lang=zh")
            let made = try await admin.post("/app/admin/users", [
                "csrf": csrf, "login": "li.si", "display_name": "李四", "password": "long enough password", "role": "bureau_staff", "region_code": "350102",
            ])
            #expect(made.status == .seeOther, "\(made.text)")
            // The new bureau account invites an owner account of its region, but no administrator.
            let bureau = Browser(client)
            #expect(try await bureau.signIn("li.si", "long enough password").status == .seeOther)
            let page = try await bureau.get("/app/admin/users")
            #expect(page.status == .ok && !page.text.contains("boss") && !page.text.contains("province_admin\""))
            let b = bureau.csrf(from: page)
            let invite = try await bureau.post("/app/admin/users", [
                "csrf": b, "login": "shop", "display_name": "鑫盛", "password": "another long one", "role": "owner", "owner_id": "\(ids.owner)",
            ])
            #expect(invite.status == .seeOther, "\(invite.text)")
            #expect(try await bureau.get("/app/admin/users").text.contains("shop"))
            let escalate = try await bureau.post("/app/admin/users", [
                "csrf": b, "login": "evil", "display_name": "x", "password": "another long one", "role": "province_admin",
            ])
            #expect(escalate.status == .forbidden)
            #expect(try await bureau.get("/app/admin/audit").status == .forbidden)
            #expect(try await bureau.get("/app/admin/calendar").status == .forbidden)
            // The calendar, and the audit log with its filters.
            #expect(try await admin.post("/app/admin/calendar", ["csrf": csrf, "date": "2027-01-01", "kind": "holiday", "name": "元旦"]).status == .seeOther)
            #expect(try await admin.get("/app/admin/calendar?year=2027").text.contains("元旦"))
            #expect(try await admin.post("/app/admin/calendar/2027-01-01/delete", ["csrf": csrf]).status == .seeOther)
            #expect(!(try await admin.get("/app/admin/calendar?year=2027")).text.contains("元旦"))
            let audit = try await admin.get("/app/admin/audit?entity=users")
            #expect(audit.text.contains("li.si") && audit.text.contains("shop") && !audit.text.contains("passwordHash"))
            #expect(try await admin.get("/app/admin/audit?since=yesterday").status == .badRequest)
            // Disabling an account ends its session and its sign-ins; enabling restores them.
            let liSi = try await UserModel.query(on: store.db).filter(\.$login == "li.si").first()!
            #expect(try await admin.post("/app/admin/users/\(liSi.id!)/disable", ["csrf": csrf]).status == .seeOther)
            #expect(try await bureau.get("/app").headers[.location] == "/login")
            #expect(try await bureau.signIn("li.si", "long enough password").status == .unauthorized)
            #expect(try await admin.post("/app/admin/users/\(liSi.id!)/enable", ["csrf": csrf]).status == .seeOther)
            #expect(try await bureau.signIn("li.si", "long enough password").status == .seeOther)
            // API tokens: shown once on creation, then only listed; revocable.
            let created = try await admin.post("/app/admin/tokens", [
                "csrf": csrf, "name": "水务LIMS", "role": "institute_staff", "institution_id": "\(ids.institution)", "permission": "registry:read",
            ])
            let token = try #require(created.text.firstMatch(of: /id="new-token">(jlt_[A-Za-z0-9_-]+)</)?.1)
            #expect(try await client.send(.get, "/api/v1/auth/me", as: .bearer(String(token))).json["permissions"] as? [String] == ["registry:read"])
            let listed = try await admin.get("/app/admin/tokens")
            #expect(listed.text.contains("水务LIMS") && !listed.text.contains(String(token)))
            let row = try #require(listed.text.components(separatedBy: "<tr>").first { $0.contains("水务LIMS") })
            let tokenID = try #require(row.firstMatch(of: /\/app\/admin\/tokens\/(\d+)\/revoke/)?.1)
            #expect(try await admin.post("/app/admin/tokens/\(tokenID)/revoke", ["csrf": csrf]).status == .seeOther)
            #expect(try await client.send(.get, "/api/v1/auth/me", as: .bearer(String(token))).status == .unauthorized)
            #expect(try await bureau.get("/app/admin/tokens").status == .forbidden)
            // The instrument page lists its schedules.
            let inst = try await admin.get("/app/instruments/\(ids.instrument)")
            #expect(inst.text.contains("id=\"schedules\"") && inst.text.contains("id=\"warnings\""))
        }
    }
}
