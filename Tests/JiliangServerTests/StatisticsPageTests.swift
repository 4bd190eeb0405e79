import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The statistics page: rates with their definitions, bad input named, scope enforced.
@Suite struct StatisticsPageTests {
    typealias Browser = PageTests.Browser

    @Test func ratesWithDefinitionsForTheCallersRegion() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let owner = try #require(try await OwnerModel.find(ids.owner, on: store.db))
            _ = try await Fixtures.instrument(serial: "ST-1", owner: owner, on: store.db)
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            let page = try await b.get("/app/statistics?period=quarter&day=2026-11-26")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"rate-onTime\"") && page.text.contains("受检率") && page.text.contains("2026-10-01 – 2026-12-31"))
            #expect(page.text.contains("id=\"rate-filing\"") && page.text.contains("1 / 1"))
            let bad = try await b.get("/app/statistics?region=35&period=week")
            #expect(bad.status == .badRequest && bad.text.contains("region") && bad.text.contains("period"))
            _ = try await b.signIn("xiamen")
            #expect(try await b.get("/app/statistics?region=350102").status == .notFound)
            _ = try await b.signIn("owner")
            #expect(try await b.get("/app/statistics").status == .forbidden)
        }
    }
}
