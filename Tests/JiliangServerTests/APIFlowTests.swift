import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The registry over HTTP, end to end: file → verify → status, and the import job.
@Suite struct APIFlowTests {
    static let ownerCode = Fixtures.creditCode(42).value

    /// Creates an owner, an institution and an instrument through the API; returns their ids.
    static func seed(_ client: any TestClientProtocol) async throws -> (owner: Int, institution: Int, instrument: Int) {
        let o = try await client.send(.post, "/api/v1/owners", json: [
            "name": "鼓楼区鑫盛农贸市场", "credit_code": ownerCode, "address": "鼓楼区五四路1号", "region_code": "350102", "industry": "market",
            "contact_phone": "13900000000",
        ])
        #expect(o.status == .created, "\(o.text)")
        let i = try await client.send(.post, "/api/v1/institutions", json: [
            "name": "福州市计量所", "kind": "legal", "region_code": "350100", "address": "福州",
            "scopes": [["sub_no": 2, "region_code": "350100", "valid_from": "2020-01-01", "valid_until": "2030-12-31"]],
        ])
        #expect(i.status == .created, "\(i.text)")
        let m = try await client.send(.post, "/api/v1/instruments", json: [
            "sub_no": 2, "name": "电子计价秤", "serial_no": "SC-0001", "purpose": "trade_settlement", "region_code": "350102",
            "address": "A区1号摊", "owner_credit_code": ownerCode, "in_service_date": "2026-01-05", "latitude": 26.08, "longitude": 119.3,
        ])
        #expect(m.status == .created, "\(m.text)")
        return (o.json["id"] as! Int, i.json["id"] as! Int, m.json["id"] as! Int)
    }

    @Test func fileVerifyAndSeeTheStatusChange() async throws {
        try await withApp { _, client in
            let ids = try await Self.seed(client)
            // never verified and in use since 2026-01-05 → overdue
            let before = try await client.send(.get, "/api/v1/instruments/\(ids.instrument)")
            #expect(before.json["status"] as? String == "overdue")
            #expect(before.json["due_kind"] as? String == "first_verification")
            // MUT: the institute records a pass
            let r = try await client.send(.post, "/api/v1/verification-records", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "date": "2026-11-20", "kind": "first", "result": "pass",
                "certificate_no": "JD2026-0001", "recorded_by": "李工",
            ])
            #expect(r.status == .created, "\(r.text)")
            #expect(r.json["valid_until"] as? String == "2027-11-19")
            // validate: valid, in service, with its verification schedule; and findable by code
            let after = try await client.send(.get, "/api/v1/instruments/\(ids.instrument)")
            #expect(after.json["status"] as? String == "valid" && after.json["lifecycle"] as? String == "in_service")
            let schedules = after.json["schedules"] as? [[String: Any]]
            #expect(schedules?.first?["due_date"] as? String == "2027-11-19")
            let grouped = after.json["code_grouped"] as! String
            let byCode = try await client.send(.get, "/api/v1/instruments/by-code/\(grouped.lowercased())")
            #expect(byCode.json["id"] as? Int == ids.instrument)
            let valid = try await client.send(.get, "/api/v1/instruments?status=valid&region=350100")
            #expect((valid.json["items"] as? [[String: Any]])?.count == 1)
            let overdue = try await client.send(.get, "/api/v1/instruments?status=overdue")
            #expect((overdue.json["items"] as? [[String: Any]])?.isEmpty == true)
            // a seal-check schedule due before the verification governs the next due date
            let s = try await client.send(.post, "/api/v1/instruments/\(ids.instrument)/schedules", json: ["name": "seal check", "due_date": "2026-12-01"])
            #expect(s.status == .created && s.json["next_due"] as? String == "2026-12-01" && s.json["status"] as? String == "due_soon")
        }
    }

    @Test func importsThroughAJobWithProgressAndAnErrorReport() async throws {
        try await withApp { store, client in
            _ = try await Self.seed(client)
            let csv = "种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,启用日期\n"
                + "2,电子秤,N1,贸易结算,350102,B1,\(Self.ownerCode),2026-01-01\n"
                + "2,电子秤,N2,贸易结算,350102,B2,\(Self.ownerCode),2026-13-01\n"
            let accepted = try await client.sendRaw(.post, "/api/v1/imports/instruments?mode=valid_rows_only", contentType: "text/csv", body: csv)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let id = accepted.json["id"] as! Int
            #expect(accepted.json["state"] as? String == "queued")
            // the worker (not running in router tests) takes it
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
            while try await worker.runOnce() {}
            let job = try await client.send(.get, "/api/v1/jobs/\(id)")
            #expect(job.json["state"] as? String == "done")
            #expect(job.json["progress_done"] as? Int == job.json["progress_total"] as? Int)
            let errors = try await client.send(.get, "/api/v1/jobs/\(id)/errors")
            #expect(errors.status == .ok)
            #expect(errors.text.contains("3,启用日期,"))
            let list = try await client.send(.get, "/api/v1/instruments?limit=10")
            #expect((list.json["items"] as? [[String: Any]])?.count == 2)
            // the worker's first pass ran the day's warnings before the import; a run now sees both
            let runs = try await client.send(.get, "/api/v1/warning-runs")
            #expect(runs.jsonArray.first?["found"] as? Int == 1)
            let now = try await client.send(.post, "/api/v1/warning-runs?as_of=2026-11-26")
            #expect(now.json["found"] as? Int == 2 && now.json["raised"] as? Int == 1)
            let warnings = try await client.send(.get, "/api/v1/warnings?kind=overdue&region=350100")
            #expect((warnings.json["items"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func looksUpACodeEndingInTheStarCheckSymbol() async throws {
        try await withApp { _, client in
            _ = try await Self.seed(client)
            var rng = SystemRandomNumberGenerator()
            var code = InstrumentCode.issue(region: RegionCode("350102")!, using: &rng)
            while !code.value.hasSuffix("*") { code = InstrumentCode.issue(region: RegionCode("350102")!, using: &rng) }
            let m = try await client.send(.post, "/api/v1/instruments", json: [
                "code": code.grouped, "sub_no": 2, "name": "秤", "serial_no": "STAR", "purpose": "trade_settlement", "region_code": "350102",
                "address": "A", "owner_credit_code": Self.ownerCode, "in_service_date": "2026-01-05",
            ])
            #expect(m.status == .created && m.json["code"] as? String == code.value, "\(m.text)")
            for form in [code.grouped, code.value, code.value.replacingOccurrences(of: "*", with: "%2A")] {
                let r = try await client.send(.get, "/api/v1/instruments/by-code/\(form)")
                #expect(r.json["code"] as? String == code.value, "\(form): \(r.text)")
            }
        }
    }

    @Test func servesTheContractAndALandingPage() async throws {
        try await withApp { _, client in
            let spec = try await client.send(.get, "/api/v1/openapi.yaml")
            #expect(spec.status == .ok && spec.text.hasPrefix("openapi: 3.1.0"))
            let home = try await client.send(.get, "/")
            #expect(home.status == .ok && home.text.contains("超期未检"))
        }
    }

    @Test func answersOverARealSocket() async throws {
        try await withApp(setup: .live) { _, client in
            let health = try await client.send(.get, "/api/v1/health")
            #expect(health.status == .ok)
            #expect(health.json["database"] as? String == TestDatabase.kind)
        }
    }
}
