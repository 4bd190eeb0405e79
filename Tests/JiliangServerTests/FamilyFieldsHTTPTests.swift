import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// A family's own fields (issue #20, item 8) through every way in and out, from the one
/// declaration (`FamilyFields.all`): the API's `attributes`, an import's 枪数/车牌号 columns, the
/// owner's form, and the instrument page. On SQLite and PostgreSQL alike.
@Suite struct FamilyFieldsHTTPTests {
    @Test func theAPIKeepsAndReturnsAFamilysFieldsAndNamesAWrongOne() async throws {
        try await withApp { _, client in
            _ = try await APIFlowTests.seed(client)
            let body: [String: Any] = [
                "sub_no": 10, "name": "燃油加油机", "serial_no": "JY-01", "purpose": "trade_settlement", "region_code": "350102",
                "address": "五四路加油站", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-05",
                "attributes": ["nozzle_count": "4", "fuel_grade": "92#"],
            ]
            let made = try await client.send(.post, "/api/v1/instruments", json: body)
            #expect(made.status == .created, "\(made.text)")
            #expect(made.json["attributes"] as? [String: String] == ["nozzle_count": "4", "fuel_grade": "92#"])
            let id = made.json["id"] as! Int
            let read = try await client.send(.get, "/api/v1/instruments/\(id)")
            #expect(read.json["attributes"] as? [String: String] == ["nozzle_count": "4", "fuel_grade": "92#"])
            // A taximeter's plate on a dispenser: refused by the field's name, nothing stored.
            var wrong = body
            wrong["serial_no"] = "JY-02"
            wrong["attributes"] = ["plate_no": "闽A·T0001"]
            let refused = try await client.send(.post, "/api/v1/instruments", json: wrong)
            #expect(refused.status == .badRequest)
            let errors = refused.json["errors"] as? [[String: Any]]
            #expect(errors?.first?["field"] as? String == "plate_no")
            #expect(errors?.first?["message"] as? String == "plate_no applies only to 出租汽车计价器")
            // An instrument of no family has none.
            let scale = try await client.send(.get, "/api/v1/instruments?limit=10")
            let items = scale.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 2 && items.contains { $0["attributes"] == nil })
        }
    }

    @Test func anImportTakesTheFamilysColumnsAsBureausHeadThem() async throws {
        try await withApp { store, client in
            _ = try await APIFlowTests.seed(client)
            let csv = "器具名称,出厂编号,用途,所属区县,安装地点,统一社会信用代码,启用日期,加油枪数,油品,车牌号码\n"
                + "燃油加油机,D-1,贸易结算,350102,加油站,\(APIFlowTests.ownerCode),2026-01-01,6,95#,\n"
                + "燃油加油机,D-2,贸易结算,350102,加油站,\(APIFlowTests.ownerCode),2026-01-01,40,95#,\n"
                + "燃油加油机,D-3,贸易结算,350102,加油站,\(APIFlowTests.ownerCode),2026-01-01,2,,闽A·T0001\n"
            let accepted = try await client.sendRaw(.post, "/api/v1/imports/instruments?mode=valid_rows_only", contentType: "text/csv", body: csv)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
            while try await worker.runOnce() {}
            let errors = try await client.send(.get, "/api/v1/jobs/\(accepted.json["id"] as! Int)/errors")
            // Row 3: 40 nozzles, named by its column. Row 4's 车牌号码 is a taximeter's column on a
            // dispenser's row: a mixed roll's column serves some rows, and is passed over on the others.
            #expect(errors.text.contains("3,加油枪数,\"must be a whole number from 1 to 16, got '40'\""), "\(errors.text)")
            #expect(!errors.text.contains("4,"), "\(errors.text)")
            let stored = try await InstrumentModel.query(on: store.db).filter(\.$serialNo == "D-1").first()
            #expect(FamilyAttributes.read(stored?.attributes) == ["nozzle_count": "6", "fuel_grade": "95#"])
            let passedOver = try await InstrumentModel.query(on: store.db).filter(\.$serialNo == "D-3").first()
            #expect(FamilyAttributes.read(passedOver?.attributes) == ["nozzle_count": "2"])
        }
    }

    @Test func theOwnersFormOffersEachFamilysFieldsAndThePageShowsThem() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let b = PageTests.Browser(client)
            _ = try await b.signIn("owner")
            let form = try await b.get("/app/instruments/new")
            #expect(form.status == .ok)
            #expect(form.text.contains("name=\"nozzle_count\" type=\"number\" min=\"1\" max=\"16\"") && form.text.contains("name=\"plate_no\""), "\(form.text)")
            #expect(form.text.contains("<legend>燃油加油机 · 仅该种类器具填写</legend>"))
            let made = try await b.post("/app/instruments", [
                "csrf": b.csrf(from: form), "sub_no": "10", "name": "燃油加油机", "serial_no": "F-1", "address": "加油站", "in_service_date": "2026-01-01",
                "nozzle_count": "4", "fuel_grade": "", "plate_no": "",
            ])
            #expect(made.status == .seeOther, "\(made.text)")
            let page = try await b.get(made.headers[.location] ?? "")
            #expect(page.text.contains("<th>枪数</th><td class=\"family-field\">4</td>"), "\(page.text)")
            // The same field on the wrong family: the form again, the field named in Chinese words.
            let wrong = try await b.post("/app/instruments", [
                "csrf": b.csrf(from: form), "sub_no": "10", "name": "燃油加油机", "serial_no": "F-2", "address": "加油站", "in_service_date": "2026-01-01",
                "plate_no": "闽A·T0001",
            ])
            #expect(wrong.status == .badRequest)
            #expect(wrong.text.contains("车牌号：仅适用于出租汽车计价器"))
            let count = try await InstrumentModel.query(on: store.db).filter(\.$serialNo == "F-2").count()
            #expect(count == 0)
        }
    }
}
