import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// Request-size caps and security headers (issue #17, items 7 and 8).
@Suite struct HTTPHardeningTests {
    static let small = BodyLimits(json: 4_096, upload: 65_536, import: 131_072)

    static func jsonBody(bytes: Int) -> ByteBuffer {
        ByteBuffer(string: #"{"name":""# + String(repeating: "a", count: bytes) + #""}"#)
    }

    /// Over a real socket (the client sends Content-Length): refused with 413 before anything
    /// reads it — the unauthenticated sign-in too, which answered 401 after reading 32 MB.
    @Test(arguments: ["/api/v1/owners", "/api/v1/auth/sign-in", "/api/v1/regions/350102"])
    func aDeclaredBodyOverTheCapIs413(path: String) async throws {
        try await withApp(setup: .live, configure: { $0.bodyLimits = Self.small }) { _, client in
            let r = try await client.execute(
                uri: path, method: path.hasSuffix("350102") ? .put : .post, headers: [.contentType: "application/json"], body: Self.jsonBody(bytes: 5_000))
            #expect(r.status == .contentTooLarge, "\(path): \(r.status) \(String(buffer: r.body))")
            #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(String(buffer: r.body).contains("larger than 4 KB"))
        }
    }

    /// Without Content-Length (streamed): the read stops at the cap and the answer is 413; a body
    /// under the cap is read as before; uploads and imports have their own, larger caps.
    @Test func aStreamedBodyOverTheCapIs413AndSmallerOnesPass() async throws {
        try await withApp(configure: { $0.bodyLimits = Self.small }) { store, client in
            let big = try await client.execute(
                uri: "/api/v1/owners", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer \(TestAuth.adminToken!)"],
                body: Self.jsonBody(bytes: 5_000))
            #expect(big.status == .contentTooLarge, "\(big.text)")
            #expect(try await store.count("owners") == 0)
            let ok = try await client.send(.post, "/api/v1/owners", json: [
                "name": "鼓楼区市场", "credit_code": Fixtures.creditCode(5).value, "address": "五四路", "region_code": "350102", "industry": "market",
            ])
            #expect(ok.status == .created, "\(ok.text)")
            // An import may be larger than a JSON post (here 5 KB of CSV passes the import cap).
            let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
                + String(repeating: "2,秤,X,trade_settlement,350102,A,\(Fixtures.creditCode(5).value),2025-01-01\n", count: 60)
            let job = try await client.sendRaw(.post, "/api/v1/imports/instruments", contentType: "text/csv", body: csv)
            #expect(job.status == .accepted, "\(job.text)")
            // So may a gateway's batch of readings (the document declares it: `x-body-limit: upload`);
            // its lines are read, not refused whole.
            let batch = String(repeating: #"{"device":"NONE","seq":1,"at":"2026-11-26T09:00:00+08:00","type":"heartbeat"}"# + "\n", count: 80)
            let readings = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "application/x-ndjson", body: batch)
            #expect(readings.status == .ok, "\(readings.text)")
            // A page form over its cap: a plain page, not JSON.
            let form = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "login=" + String(repeating: "x", count: 5_000)))
            #expect(form.status == .contentTooLarge && form.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    /// Pages carry a strict Content-Security-Policy, no framing and a same-origin Referrer-Policy;
    /// every answer says nosniff.
    @Test(arguments: ["/login", "/p", "/", "/app"])
    func pagesCarrySecurityHeaders(path: String) async throws {
        try await withApp { _, client in
            let r = try await client.send(.get, path, as: .anonymous)
            #expect(r.headers[.xContentTypeOptions] == "nosniff")
            #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            if r.headers[.contentType]?.hasPrefix("text/html") == true {
                let csp = r.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && csp.contains("object-src 'none'"), "\(path): \(csp)")
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            } else {
                #expect(r.status == .seeOther, "\(path) is neither a page nor a redirect")
            }
        }
    }

    @Test func apiAnswersAreNotFramedAsPages() async throws {
        try await withApp { _, client in
            let r = try await client.send(.get, "/api/v1/health", as: .anonymous)
            #expect(r.headers[.xContentTypeOptions] == "nosniff" && r.headers[.contentSecurityPolicy] == nil)
        }
    }

    /// Issue #17, item 10: a method a path does not have is 405 with Allow (TRACE was 404); an
    /// unknown path stays 404.
    @Test(arguments: [("TRACE", "/api/v1/owners", "GET, POST"), ("DELETE", "/api/v1/owners", "GET, POST"), ("PATCH", "/api/v1/owners/1", "GET, PUT"),
                      ("POST", "/api/v1/instruments/by-code/350102-7K3M-9QXT-R2AB-4", "GET")])
    func aMethodThePathDoesNotHaveIs405(method: String, path: String, allow: String) async throws {
        try await withApp { _, client in
            let r = try await client.send(HTTPRequest.Method(method)!, path)
            #expect(r.status == .methodNotAllowed && r.headers[.allow] == allow, "\(r.status) \(r.text)")
            #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(try await client.send(HTTPRequest.Method(method)!, "/api/v1/no-such-thing").status == .notFound)
        }
    }

    /// Issue #17, item 10: `%` and `_` in a search match themselves (`q=%` listed everything).
    @Test func searchWildcardsMatchThemselves() async throws {
        try await withApp { store, client in
            let plain = try await Fixtures.owner(1, on: store.db)
            let db = store.db
            let d = try OwnerDraft.parse(
                name: "百分_之百%市场", creditCode: Fixtures.creditCode(2).value, address: "路", regionCode: "350102", industry: "market",
                contactName: nil, contactPhone: nil, parentID: nil, context: try await Registry.context(on: db))
            _ = try await Registry.createOwner(d, scope: .everything, on: db)
            func names(_ q: String) async throws -> [String] {
                let r = try await client.send(.get, "/api/v1/owners?q=" + q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                return ((r.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await names("%") == ["百分_之百%市场"])
            #expect(try await names("_") == ["百分_之百%市场"])
            #expect(try await names("测试%").isEmpty)
            #expect(try await names("测试") == [plain.name])
        }
    }

    /// No template carries an inline script or event handler: the CSP (script-src 'self') would
    /// block it (the review found two print buttons with onclick).
    @Test func noTemplateHasInlineScript() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/JiliangServer/Resources/templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".mustache") }
        #expect(files.count > 20)
        let handler = try NSRegularExpression(pattern: #"\son[a-z]+\s*="#), inline = try NSRegularExpression(pattern: #"<script(?![^>]*\bsrc=)[^>]*>"#)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            #expect(handler.firstMatch(in: text, range: range) == nil, "\(f) has an inline event handler")
            #expect(inline.firstMatch(in: text, range: range) == nil, "\(f) has an inline script")
        }
    }

    /// The client behind a trusted proxy is the last X-Forwarded-For address (the one the proxy
    /// saw; earlier ones are the client's to write), and an IPv6 client is its /64.
    @Test func theClientIsTheAddressTheProxySaw() async throws {
        try await withApp(configure: {
            $0.publicRateLimit = .init(perMinute: 6, burst: 3)
            $0.publicRateLimitClock = { 0 }
            $0.trustForwardedFor = true
        }) { _, client in
            func get(_ forwarded: String) async throws -> TestResponse {
                try await client.execute(uri: "/p", method: .get, headers: [.init("X-Forwarded-For")!: forwarded], body: nil)
            }
            // Three reads from 203.0.113.7, each claiming another origin first: one bucket.
            var answers: [HTTPResponse.Status] = []
            for n in 0..<4 { answers.append(try await get("10.0.0.\(n), 203.0.113.7").status) }
            #expect(answers == [.ok, .ok, .ok, .tooManyRequests])
            // One /64 is one client.
            answers = []
            for forwarded in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2::3", "2001:db8:1:2:ffff::1", "2001:db8:1:3::1"] {
                answers.append(try await get(forwarded).status)
            }
            #expect(answers == [.ok, .ok, .ok, .tooManyRequests, .ok])
        }
    }
}
