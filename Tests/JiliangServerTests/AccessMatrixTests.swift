import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Who may see and do what (issue #3): every operation without credentials, every role against a
/// record outside its scope, and every role against a write its role does not allow.
@Suite struct AccessMatrixTests {
    /// Two counties in two cities, an owner and an instrument in each, an institution authorised
    /// for Fuzhou's scales, and an API token per role.
    struct World {
        var mine: (owner: Int, institution: Int, instrument: Int)
        var otherOwner: Int
        var otherInstrument: Int
        var otherCode: String
        var tokens: [String: String]
    }

    static func world(_ store: Store, _ client: any TestClientProtocol) async throws -> World {
        let mine = try await APIFlowTests.seed(client)
        let xiamen = Fixtures.creditCode(77, region: Fixtures.otherCounty)
        let o = try await client.send(.post, "/api/v1/owners", json: [
            "name": "思明区加油站", "credit_code": xiamen.value, "address": "思明区1号", "region_code": "350203", "industry": "fuel_station",
        ])
        let i = try await client.send(.post, "/api/v1/instruments", json: [
            "sub_no": 10, "name": "燃油加油机", "serial_no": "FD-9", "purpose": "trade_settlement", "region_code": "350203",
            "address": "一号岛", "owner_credit_code": xiamen.value, "in_service_date": "2025-01-05",
        ])
        #expect(o.status == .created && i.status == .created, "\(o.text) \(i.text)")
        var tokens: [String: String] = [:]
        for (name, t) in [
            ("gulou", Accounts.NewToken(name: "gulou", role: "bureau_staff", regionCode: "350102")),
            ("xiamen", .init(name: "xiamen", role: "bureau_staff", regionCode: "350200")),
            ("owner", .init(name: "owner", role: "owner", ownerID: mine.owner)),
            ("institute", .init(name: "institute", role: "institute_staff", institutionID: mine.institution)),
        ] {
            tokens[name] = try await Accounts.createToken(t, by: .system("tests"), on: store.db).token
        }
        return World(
            mine: mine, otherOwner: o.json["id"] as! Int, otherInstrument: i.json["id"] as! Int, otherCode: i.json["code"] as! String,
            tokens: tokens)
    }

    @Test func everyOperationButHealthAndSignInNeedsACaller() async throws {
        try await withApp { store, client in
            let w = try await Self.world(store, client)
            let ops = try RouteCoverageTests.operations()
            for (method, template) in ops where !["/health", "/auth/sign-in"].contains(template) && !template.hasPrefix("/public/") {
                let uri = "/api/v1" + template.replacingOccurrences(of: "{code}", with: template.hasPrefix("/regions") ? "350102" : w.otherCode)
                    .replacingOccurrences(of: "{sub_no}", with: "2").replacingOccurrences(of: "{id}", with: "\(w.mine.instrument)")
                    + (template == "/inbox" ? "?recipient=admin" : "")
                let r = try await client.send(HTTPRequest.Method(method)!, uri, json: [:], as: .anonymous)
                #expect(r.status == .unauthorized, "\(method) \(template): \(r.status) \(r.text)")
                #expect(!r.text.contains("思明区") && !r.text.contains("SC-0001"), "\(method) \(template) leaks data")
            }
            // the public lists answer anyone, and hold only what is published (nothing yet)
            for (_, template) in ops where template.hasPrefix("/public/") {
                let r = try await client.send(.get, "/api/v1" + template, as: .anonymous)
                #expect(r.status == .ok && r.jsonArray.isEmpty, "\(template): \(r.status) \(r.text)")
            }
            let health = try await client.send(.get, "/api/v1/health", as: .anonymous)
            #expect(health.status == .ok)
            let forged = try await client.send(.get, "/api/v1/instruments", as: .bearer("jlt_not-a-token"))
            #expect(forged.status == .unauthorized)
        }
    }

    /// Reads of the other region's records by each scoped role: 404 for single records, absent
    /// from lists and counts, and the error does not echo the record.
    @Test(arguments: ["gulou", "owner", "institute"])
    func aRecordOutsideTheScopeIsNotFoundAnywhere(role: String) async throws {
        try await withApp { store, client in
            let w = try await Self.world(store, client)
            let auth = TestAuth.bearer(w.tokens[role]!)
            for uri in [
                "/api/v1/instruments/\(w.otherInstrument)", "/api/v1/instruments/by-code/\(w.otherCode)", "/api/v1/owners/\(w.otherOwner)",
                "/api/v1/verification-records?instrument_id=\(w.otherInstrument)",
            ] {
                let r = try await client.send(.get, uri, as: auth)
                #expect(r.status == .notFound, "\(role) \(uri): \(r.status) \(r.text)")
                #expect(!r.text.contains("思明区") && !r.text.contains("FD-9"))
            }
            for uri in ["/api/v1/instruments", "/api/v1/instruments?region=350203", "/api/v1/owners", "/api/v1/owners?q=思明", "/api/v1/warnings"] {
                let r = try await client.send(.get, uri, as: auth)
                #expect(r.status == .ok, "\(role) \(uri): \(r.text)")
                #expect(!r.text.contains("思明区") && !r.text.contains("FD-9") && !r.text.contains("\"id\":\(w.otherInstrument),"), "\(role) \(uri) leaks")
            }
            // What is in scope stays visible (the institute sees Fuzhou's scales it is authorised for).
            let own = try await client.send(.get, "/api/v1/instruments/\(w.mine.instrument)", as: auth)
            #expect(own.status == .ok, "\(role): \(own.text)")
            // Another bureau's inbox is as good as absent.
            let inbox = try await client.send(.get, "/api/v1/inbox?recipient=region:350203", as: auth)
            #expect(inbox.status == .notFound)
        }
    }

    /// Writes a role may not make: 403 naming what is not allowed, and nothing stored.
    @Test func rolesCannotWriteBeyondTheirPermissions() async throws {
        try await withApp { store, client in
            let w = try await Self.world(store, client)
            let record: [String: Any] = [
                "instrument_id": w.mine.instrument, "institution_id": w.mine.institution, "date": "2026-11-20", "kind": "first", "result": "pass",
                "certificate_no": "X-1", "recorded_by": "x",
            ]
            let cases: [(String, HTTPRequest.Method, String, [String: Any])] = [
                ("owner", .post, "/api/v1/verification-records", record),
                ("gulou", .post, "/api/v1/verification-records", record),
                ("institute", .post, "/api/v1/instruments", ["sub_no": 2]),
                ("gulou", .put, "/api/v1/regions/350102", ["name": "改"]),
                ("owner", .post, "/api/v1/owners", ["name": "x"]),
                ("gulou", .post, "/api/v1/warning-runs", [:]),
                ("gulou", .get, "/api/v1/audit", [:]),
                ("gulou", .get, "/api/v1/users", [:]),
                ("institute", .post, "/api/v1/api-tokens", ["name": "x", "role": "owner"]),
            ]
            for (role, method, uri, body) in cases {
                let r = try await client.send(method, uri, json: body, as: .bearer(w.tokens[role]!))
                #expect(r.status == .forbidden, "\(role) \(method) \(uri): \(r.status) \(r.text)")
            }
            // An owner imports its own instruments (issue #19, item 5), never an owner or institution roll.
            for roll in ["owners", "institutions"] {
                let upload = try await client.sendRaw(.post, "/api/v1/imports/\(roll)", contentType: "text/csv", body: "sub_no\n2\n",
                                                      as: .bearer(w.tokens["owner"]!))
                #expect(upload.status == .forbidden, "\(roll)")
            }
            // A bureau files and registers only inside its region.
            let outside = try await client.send(.post, "/api/v1/owners", json: [
                "name": "外地", "credit_code": Fixtures.creditCode(78, region: Fixtures.otherCounty).value, "address": "A", "region_code": "350203",
                "industry": "market",
            ], as: .bearer(w.tokens["gulou"]!))
            #expect(outside.status == .forbidden)
            let fileOutside = try await client.send(.put, "/api/v1/instruments/\(w.otherInstrument)", json: [
                "sub_no": 10, "name": "改", "serial_no": "FD-9", "purpose": "trade_settlement", "region_code": "350203", "address": "A",
                "owner_credit_code": Fixtures.creditCode(77, region: Fixtures.otherCounty).value, "in_service_date": "2025-01-05",
            ], as: .bearer(w.tokens["gulou"]!))
            #expect(fileOutside.status == .notFound)
            // The institute records its own results, not another institution's.
            let other = try await Fixtures.institution("别的所", on: store.db)
            var forOther = record
            forOther["institution_id"] = other.id!
            let r = try await client.send(.post, "/api/v1/verification-records", json: forOther, as: .bearer(w.tokens["institute"]!))
            #expect(r.status == .forbidden)
            let ok = try await client.send(.post, "/api/v1/verification-records", json: record, as: .bearer(w.tokens["institute"]!))
            #expect(ok.status == .created, "\(ok.text)")
            #expect(try await store.count("verification_records") == 1)
            #expect(try await store.count("owners") == 2)
        }
    }

    /// The bureau's import job: rows outside its region are refused by row, and the job is the
    /// importer's alone.
    @Test func aBureauImportStaysInsideItsRegionAndItsJobIsPrivate() async throws {
        try await withApp { store, client in
            let w = try await Self.world(store, client)
            let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
                + "2,秤,IMP-1,trade_settlement,350102,A,\(APIFlowTests.ownerCode),2025-01-01\n"
                + "10,加油机,IMP-2,trade_settlement,350203,B,\(Fixtures.creditCode(77, region: Fixtures.otherCounty).value),2025-01-01\n"
                // in its region, but for Xiamen's owner (issue #17: rows stored under an owner the bureau cannot see)
                + "10,加油机,IMP-3,trade_settlement,350102,C,\(Fixtures.creditCode(77, region: Fixtures.otherCounty).value),2025-01-01\n"
            let job = try await client.sendRaw(.post, "/api/v1/imports/instruments?mode=valid_rows_only", contentType: "text/csv", body: csv,
                                               as: .bearer(w.tokens["gulou"]!))
            #expect(job.status == .accepted, "\(job.text)")
            let id = job.json["id"] as! Int
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
            while try await worker.runOnce() {}
            let done = try await client.send(.get, "/api/v1/jobs/\(id)", as: .bearer(w.tokens["gulou"]!))
            #expect(done.json["state"] as? String == "done", "\(done.text)")
            let errors = try await client.send(.get, "/api/v1/jobs/\(id)/errors", as: .bearer(w.tokens["gulou"]!))
            #expect(errors.text.contains("3,region_code,") && errors.text.contains("outside what you may file"), "\(errors.text)")
            let listed = try await client.send(.get, "/api/v1/instruments?limit=500").text
            #expect(listed.contains("IMP-1") && !listed.contains("IMP-2") && !listed.contains("IMP-3"))
            #expect(errors.text.contains("4,owner_credit_code,") && errors.text.contains("registered outside what you may file"), "\(errors.text)")
            let peek = try await client.send(.get, "/api/v1/jobs/\(id)", as: .bearer(w.tokens["xiamen"]!))
            #expect(peek.status == .notFound)
        }
    }
}
