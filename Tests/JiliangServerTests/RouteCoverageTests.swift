import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangAPI
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Every operation in openapi.yaml answers (no 500, no missing route), read from the document itself.
@Suite struct RouteCoverageTests {
    /// (method, path template) pairs from the spec's `paths`.
    static func operations() throws -> [(String, String)] {
        var out: [(String, String)] = []
        var path: String?
        for line in try APISpec.yaml().split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            else if line.hasPrefix("components:") { path = nil }
            for m in ["get", "put", "post", "delete", "patch"] where line == "    \(m):" {
                if let path { out.append((m.uppercased(), path)) }
            }
        }
        return out
    }

    nonisolated(unsafe) static let bodies: [String: [String: Any]] = [
        "PUT /regions/{code}": ["name": "测试区"],
        "PUT /catalogue/{sub_no}": ["item_no": 2, "item_name": "非自动衡器", "sub_name": "非自动衡器", "confidence": "partial"],
        "POST /catalogue/{sub_no}/rules": ["effective_from": "2027-01-01", "form": "periodic", "cycle_months": 12, "confidence": "partial"],
        "POST /owners": ["name": "新市场", "credit_code": "9144030071526726XG", "address": "A", "region_code": "350102", "industry": "market"],
        "PUT /owners/{id}": ["name": "改名市场", "credit_code": APIFlowTests.ownerCode, "address": "A", "region_code": "350102", "industry": "market"],
        "POST /institutions": ["name": "新机构", "kind": "authorised", "region_code": "350100", "address": "A", "scopes": []],
        "PUT /institutions/{id}": ["name": "福州市计量所", "kind": "legal", "region_code": "350100", "address": "B",
                                   "scopes": [["sub_no": 2, "region_code": "350100", "valid_from": "2020-01-01", "valid_until": "2030-12-31"]]],
        "POST /instruments": ["sub_no": 2, "name": "秤", "serial_no": "R-2", "purpose": "trade_settlement", "region_code": "350102",
                              "address": "A", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-01"],
        "PUT /instruments/{id}": ["sub_no": 2, "name": "秤(改)", "serial_no": "SC-0001", "purpose": "trade_settlement", "region_code": "350102",
                                  "address": "A", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-05", "status": "in_service"],
        "POST /instruments/{id}/schedules": ["name": "seal", "due_date": "2027-01-01"],
        "POST /auth/sign-in": ["login": "coverage", "password": "coverage-password"],
        "POST /users": ["login": "cov.user", "display_name": "覆盖", "password": "another-long-password", "role": "province_admin"],
        "PUT /users/{id}/password": ["password": "a-brand-new-password"],
        "PUT /users/{id}/disabled": ["disabled": false],
        "POST /api-tokens": ["name": "LIMS", "role": "owner", "owner_id": 1, "permissions": ["registry:read"]],
        "POST /filings/{id}/return": ["reason": "资料不全"],
        "POST /verification-requests": ["instrument_id": 1, "institution_id": 1, "mode": "laboratory"],
        "POST /verification-requests/{id}/accept": [:],
        "POST /verification-requests/{id}/decline": ["reason": "无法安排"],
        "POST /verification-requests/{id}/result": ["date": "2026-11-26", "kind": "first", "result": "pass", "certificate_no": "C9"],
        "PUT /calendar-days/{date}": ["kind": "holiday", "name": "元旦"],
        "POST /verification-records": ["instrument_id": 1, "institution_id": 1, "date": "2026-11-01", "kind": "periodic", "result": "pass",
                                       "certificate_no": "C1", "recorded_by": "t"],
        "PUT /commitment-templates/{sector}": ["title": "诚信计量承诺书", "body": "本单位承诺……"],
        "POST /commitments": ["owner_id": 1, "signer_name": "张三", "signer_title": "负责人"],
        "POST /commitments/{id}/end": ["outcome": "breached", "reason": "使用作弊秤"],
        "PUT /demo-checklists/{sector}": ["criteria": "强检器具备案与按期检定 | 30\n公平秤设置与使用 | 20\n经营户计量管理 | 20\n无计量投诉与违法记录 | 20\n计量宣传与承诺公示 | 10"],
        "POST /demo-rounds": ["region_code": "350102", "sector": "market", "title": "示范单位评价", "opens_on": "2020-01-01", "closes_on": "2099-12-31"],
        "POST /demo-rounds/{id}/applications": ["owner_id": 1, "statement": "申请"],
        "POST /demo-applications/{id}/score": ["points": ["30", "20", "20", "20", "10"], "evidence": ["a", "b", "c", "d", "e"]],
        "POST /demo-applications/{id}/revoke": ["reason": "后续违法"],
        "POST /penalties": ["owner_id": 1, "decision_no": "罚-1", "kind": "fine", "amount_yuan": "200000", "heavy": true, "legal_basis": "计量法",
                            "facts": "作弊", "decided_on": "2026-11-01", "evidence": [["filename": "d.pdf", "content_base64": "JVBERi0xLjQ="]]],
        "POST /listings": ["reason": "情节严重"],
        "POST /listings/{id}/steps": ["step": "notify"],
        "POST /penalties/{id}/withdraw": ["reason": "复议撤销"],
        "POST /penalties/{id}/repair-application": ["statement": "已缴纳罚款并整改", "fulfilled": true, "remedied": true],
        "POST /penalties/{id}/repair-decision": ["approve": true, "note": "符合条件"],
        "PUT /import-profiles/{name}": ["mapping": ["辖区": "region_code", "备注": ""], "sheet": "台账"],
        "POST /surveys": ["title": "鼓楼区集贸市场摸排", "industry": "market", "region_code": "350102", "closes_on": "2026-12-31"],
        "POST /telemetry/devices": ["name": "COV-1", "instrument_id": 1, "kind": "scale"],
        "POST /telemetry/alerts/{id}/decision": ["decision": "confirm", "reason": "现场核实：机壳封印已被破坏"],
        "POST /telemetry/tanks": ["tank": 1, "capacity_table": [["mm": 0, "litres": 0], ["mm": 2_000, "litres": 20_000]]],
        "PUT /telemetry/thresholds/{region}": ["settings": ["amount_tolerance_yuan": 0.02]],
    ]

    /// Operations only the party's own account may take.
    /// What anyone may read without signing in — all a metrics-only token reads of the API.
    static let anyCallerReads: Set<String> = ["GET /health", "GET /public/demonstration-units", "GET /public/dishonesty-list"]

    static let ownerOnly: Set<String> = ["POST /commitments", "POST /demo-rounds/{id}/applications", "POST /penalties/{id}/repair-application"]

    @Test func everyOperationAnswers() async throws {
        let ops = try Self.operations()
        #expect(ops.count == 111)
        try await withApp { store, client in
            let user = try await Accounts.createUser(
                .init(login: "coverage", displayName: "覆盖", password: "coverage-password", role: "province_admin"), by: .system("tests"), on: store.db)
            var session = "", createdToken = 0
            // A Prometheus scraper's token (metrics:read alone) must read nothing of the registry.
            let scraper = try await MetricsEndpointTests.metricsToken(store)
            var scraperRead: [String] = []
            let ids = try await APIFlowTests.seed(client)
            let record = try await client.send(.post, "/api/v1/verification-records", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "date": "2026-11-20", "kind": "first", "result": "pass",
                "certificate_no": "JD-1", "recorded_by": "t",
            ])
            // The record's certificate needs it ledgered and a checkpoint published (the server's
            // ledger service does this every second; `.router` tests drive it).
            let ledger = try TestLedger.ledger(store)
            try await ledger.sequenceAll()
            _ = try await ledger.publish()
            let job = try await client.sendRaw(.post, "/api/v1/imports/instruments", contentType: "text/csv", body: "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n")
            let code = try await client.send(.get, "/api/v1/instruments/\(ids.instrument)").json["code"] as! String
            // Workflow steps need objects in the right state: two drafts (one already submitted) and a
            // second filed instrument with an open application (to decline).
            func instrument(_ serial: String, status: String) async throws -> Int {
                try await client.send(.post, "/api/v1/instruments", json: [
                    "sub_no": 2, "name": "秤", "serial_no": serial, "purpose": "trade_settlement", "region_code": "350102", "address": "A",
                    "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-01", "status": status,
                ]).json["id"] as! Int
            }
            // The owner's own account, for the steps only the party takes.
            _ = try await Accounts.createUser(
                .init(login: "cov.owner", displayName: "业主", password: "coverage-password", role: "owner", ownerID: ids.owner), by: .system("tests"), on: store.db)
            let ownerToken = try await client.send(.post, "/api/v1/auth/sign-in", json: ["login": "cov.owner", "password": "coverage-password"]).json["token"] as! String
            let draft = try await instrument("D-1", status: "draft"), draft2 = try await instrument("D-2", status: "draft")
            let second = try await instrument("F-2", status: "filed")
            // A station: a tank gauge on a metering tank and a dispenser, for the tank's registration.
            func device(_ name: String, subNo: Int, kind: String) async throws -> Int {
                let i = try await client.send(.post, "/api/v1/instruments", json: [
                    "sub_no": subNo, "name": name, "serial_no": name, "purpose": "trade_settlement", "region_code": "350102", "address": "A",
                    "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-01", "status": "filed",
                ]).json["id"] as! Int
                let d = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": name, "instrument_id": i, "kind": kind])
                return d.json["id"] as! Int
            }
            let gauge = try await device("COV-G", subNo: 7, kind: "tank_gauge"), dispenser = try await device("COV-D", subNo: 10, kind: "fuel_dispenser")
            // A penalty on display for six months: its early end is applied for and decided.
            let gulou = Principal(kind: .user, id: 1, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            let shown = try await Penalties.record(
                .init(ownerID: ids.owner, decisionNo: "罚-覆盖-修复", kind: "fine", legalBasis: "计量法", facts: "作弊", amountYuan: "60000", heavy: false,
                      decidedOn: "2026-05-01"),
                today: CalendarDay("2026-05-01")!, by: gulou, on: store.db)
            _ = try await Penalties.publish(shown.id!, today: CalendarDay("2026-05-20")!, by: gulou, on: store.db)
            var idFor: [String: Int] = [
                "/telemetry/devices/{id}/daily": gauge,
                "/instruments/{id}/filing": draft,
                "/penalties/{id}/repair-application": shown.id!, "/penalties/{id}/repair-decision": shown.id!,
                "/filings/{id}/return": try await client.send(.post, "/api/v1/instruments/\(draft2)/filing").json["id"] as! Int,
                "/verification-requests/{id}/decline": try await client.send(.post, "/api/v1/verification-requests", json: [
                    "instrument_id": second, "institution_id": ids.institution, "mode": "on_site",
                ]).json["id"] as! Int,
            ]
            for (method, template) in ops {
                let fallback =
                    template.hasPrefix("/owners") ? ids.owner : template.hasPrefix("/institutions") ? ids.institution
                    : template.hasPrefix("/verification-records") ? record.json["id"] as! Int : template.hasPrefix("/jobs") ? job.json["id"] as! Int
                    : template.hasPrefix("/users") ? user.id! : template.hasPrefix("/api-tokens") ? createdToken
                    : template.hasPrefix("/filings") ? idFor["filing"] ?? 0 : template.hasPrefix("/verification-requests") ? idFor["request"] ?? 0
                    : template.hasPrefix("/commitments") ? idFor["commitment"] ?? 0 : template.hasPrefix("/demo-rounds") ? idFor["round"] ?? 0
                    : template.hasPrefix("/demo-applications") ? idFor["application"] ?? 0 : template.hasPrefix("/penalties") ? idFor["penalty"] ?? 0
                    : template.hasPrefix("/listings") ? idFor["listing"] ?? 0 : template.hasPrefix("/credit/owners") ? ids.owner
                    : template.hasPrefix("/surveys") ? idFor["survey"] ?? 0 : template.hasPrefix("/telemetry/alerts") ? idFor["alert"] ?? 0
                    : ids.instrument
                let uri = "/api/v1" + template
                    .replacingOccurrences(of: "{code}", with: template.hasPrefix("/regions") ? "350102" : code)
                    .replacingOccurrences(of: "{sub_no}", with: "2")
                    .replacingOccurrences(of: "{date}", with: "2027-01-01")
                    .replacingOccurrences(of: "{sector}", with: "market")
                    .replacingOccurrences(of: "{name}", with: "gulou-roll")
                    .replacingOccurrences(of: "{region}", with: "350102")
                    .replacingOccurrences(of: "{id}", with: String(idFor[template] ?? fallback))
                    + (template == "/inbox" ? "?recipient=admin" : "") + (template == "/commitments" && method == "GET" ? "?owner_id=\(ids.owner)" : "")
                let key = "\(method) \(template)"
                let r: TestResponse
                if template == "/imports/instruments" {
                    r = try await client.sendRaw(.post, uri, contentType: "text/csv", body: "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n")
                } else if template == "/imports/owners" {
                    r = try await client.sendRaw(.post, uri, contentType: "text/csv", body: "使用单位名称,统一社会信用代码,地址,所属区县,行业\n")
                } else if template == "/imports/institutions" {
                    r = try await client.sendRaw(.post, uri, contentType: "text/csv", body: "机构名称,机构类别,所在地区,地址\n")
                } else if template == "/telemetry/readings" {
                    r = try await client.sendRaw(.post, uri, contentType: "application/x-ndjson", body: #"{"device":"COV-1","seq":1,"at":"2026-11-28T23:30:00+08:00","type":"scale_event","event":"case_opened"}"#)
                } else if key == "POST /auth/sign-out" {
                    r = try await client.send(.post, uri, as: .bearer(session))  // a session, not the admin's API token
                } else {
                    var body = Self.bodies[key]
                    if body?["owner_id"] != nil { body?["owner_id"] = ids.owner }
                    if body?["instrument_id"] != nil { body?["instrument_id"] = ids.instrument }
                    if key == "POST /listings" { body?["penalty_id"] = idFor["penalty"] }
                    if key == "POST /telemetry/tanks" {
                        body?["gauge_id"] = gauge
                        body?["nozzles"] = [["device_id": dispenser, "nozzle": 1]]
                    }
                    r = try await client.send(HTTPRequest.Method(method)!, uri, json: body, as: Self.ownerOnly.contains(key) ? .bearer(ownerToken) : .admin)
                }
                if key == "POST /auth/sign-in" { session = r.json["token"] as? String ?? "" }
                if key == "POST /instruments/{id}/filing" { idFor["filing"] = r.json["id"] as? Int }
                if key == "POST /verification-requests" { idFor["request"] = r.json["id"] as? Int }
                if key == "POST /commitments" { idFor["commitment"] = r.json["id"] as? Int }
                if key == "POST /demo-rounds" { idFor["round"] = r.json["id"] as? Int }
                if key == "POST /demo-rounds/{id}/applications" { idFor["application"] = r.json["id"] as? Int }
                if key == "POST /penalties" { idFor["penalty"] = r.json["id"] as? Int }
                if key == "POST /listings" { idFor["listing"] = r.json["id"] as? Int }
                if key == "POST /surveys" { idFor["survey"] = r.json["id"] as? Int }
                // The case opened outside any visit is an alert to look at and decide.
                if key == "GET /telemetry/alerts" { idFor["alert"] = ((r.json["items"] as? [[String: Any]])?.first)?["id"] as? Int }
                if key == "POST /api-tokens" { createdToken = (r.json["details"] as? [String: Any])?["id"] as? Int ?? 0 }
                #expect(r.status.code < 500, "\(key): \(r.status) \(r.text)")
                #expect(r.json["type"] as? String != "/problems/http" || r.status != .notFound, "\(key) has no route")
                // with good input, every operation succeeds (the job's error report waits for the job)
                if !template.hasSuffix("/errors") { #expect((200..<300).contains(Int(r.status.code)), "\(key): \(r.status) \(r.text)") }
                if method == "GET", (200..<300).contains(Int(try await client.send(.get, uri, as: .bearer(scraper)).status.code)) {
                    scraperRead.append(key)
                }
            }
            #expect(Set(scraperRead).subtracting(Self.anyCallerReads).isEmpty, "a metrics:read token read \(scraperRead.sorted())")
        }
    }
}
