import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The administrator's day-one page (issue #19, item 7): what reference data is unconfirmed, which
/// holiday years are loaded, and — in December — that next year's are missing, also on the
/// calendar page and the dashboard. A bureau may not see it.
@Suite struct ReferencePageTests {
    @Test(arguments: [("2026-12-05", true), ("2026-11-26", false)])
    func theAdministratorSeesWhatIsUnconfirmedAndTheCalendarsYears(today: String, warned: Bool) async throws {
        try await withApp(today: today) { store, client in
            _ = try await PageTests.demoAccounts(store)
            _ = try await Accounts.createUser(
                .init(login: "boss", displayName: "省局", password: DemoAccounts.password, role: "province_admin"), by: .system("tests"), on: store.db)
            let admin = PageTests.Browser(client)
            _ = try await admin.signIn("boss")
            let page = try await admin.get("/app/admin/reference")
            #expect(page.status == .ok)
            let text = page.text
            // Unconfirmed catalogue rows and rules in force are listed with links to correct them.
            #expect(text.contains("href=\"/app/catalogue/987\""), "the unconfirmed 角膜曲率计 row")
            #expect(text.contains("JJG 539-2016"), "the unconfirmed cycle of scales (rule 2 v2)")
            #expect(!text.contains("JJG 162-2019（2020-03-31实施）: DN>50"), "a confirmed rule is not listed")
            // The configurable figures with their values in use.
            #expect(text.contains("10 个工作日") && text.contains("15 个工作日"))
            // The calendar's years and their notices; next year's warning only in December.
            #expect(text.contains("国办发明电〔2024〕12号") && text.contains("2026年部分节假日安排"))
            #expect(text.contains("id=\"calendar-warning\"") == warned)
            #expect(try await admin.get("/app/admin/calendar").text.contains("id=\"calendar-warning\"") == warned)
            #expect(try await admin.get("/app").text.contains("2027年的放假安排尚未载入") == warned)
            // A bureau may not see it; its dashboard says nothing of the calendar.
            let bureau = PageTests.Browser(client)
            _ = try await bureau.signIn("gulou")
            #expect(try await bureau.get("/app/admin/reference").status == .forbidden)
            #expect(!(try await bureau.get("/app")).text.contains("放假安排"))
        }
    }
}
