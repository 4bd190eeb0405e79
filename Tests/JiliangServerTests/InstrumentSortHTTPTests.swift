import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Sorting over HTTP: the API's `sort` parameter and the list page's sort menu, with bad values
/// refused by name.
@Suite struct InstrumentSortHTTPTests {
    @Test func apiAndPageSortByNextDueAndRefuseUnknownOrders() async throws {
        try await withApp { store, client in
            _ = try await APIFlowTests.seed(client)
            for (serial, day) in [("B1", "2025-05-01"), ("B2", "2024-02-01"), ("B3", "2026-03-01")] {
                let r = try await client.send(.post, "/api/v1/instruments", json: [
                    "sub_no": 2, "name": "秤", "serial_no": serial, "purpose": "trade_settlement", "region_code": "350102",
                    "address": "A", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": day,
                ])
                #expect(r.status == .created, "\(r.text)")
            }
            var dues: [String] = []
            var cursor = ""
            repeat {
                let r = try await client.send(.get, "/api/v1/instruments?sort=next_due&limit=2" + (cursor.isEmpty ? "" : "&cursor=\(cursor)"))
                #expect(r.status == .ok, "\(r.text)")
                dues += (r.json["items"] as? [[String: Any]] ?? []).map { $0["next_due"] as? String ?? "9999-12-31" }
                cursor = r.json["next_cursor"] as? String ?? ""
            } while !cursor.isEmpty
            #expect(dues.count >= 4)
            #expect(dues == dues.sorted())

            let bad = try await client.send(.get, "/api/v1/instruments?sort=bogus")
            #expect(bad.status == .badRequest, "\(bad.text)")
            #expect(bad.text.contains("sort"))

            _ = try await Accounts.createUser(
                .init(login: "sorter", displayName: "排序", password: "sorter-password-1", role: "province_admin"), by: .system("tests"), on: store.db)
            let browser = PageTests.Browser(client)
            try await browser.signIn("sorter", "sorter-password-1")
            let page = try await browser.get("/app/instruments?sort=next_due")
            #expect(page.status == .ok)
            #expect(page.text.contains("<option value=\"next_due\" selected>"))
            #expect(page.text.contains("sort=next_due"))  // the CSV export keeps the order
            let refused = try await browser.get("/app/instruments?sort=bogus")
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("sort"))
        }
    }
}
