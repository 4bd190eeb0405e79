import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Testing

/// The drill-down's catalogue item × status table (one GROUP BY) agrees with the list filter
/// for every item and status, in the whole province and inside a city's scope.
@Suite struct DrillDownCountTests {
    @Test func itemByStatusCountsAgreeWithTheListFilter() async throws {
        try await TestDatabase.withStore { store in
            let today = CalendarDay("2026-11-26")!
            _ = try await DemoProvince(instruments: 400, seed: 7, today: today).load(into: store)
            let db = store.db
            for (region, scope) in [(RegionCode("350000")!, AccessScope.everything), (RegionCode("350000")!, .region(RegionCode("350100")!)),
                                    (RegionCode("350102")!, .everything)] {
                let table = try await Registry.countsBySubItemAndStatus(region: region, today: today, window: 30, scope: scope, on: db)
                let totals = try await Registry.countsBySubItem(region: region, scope: scope, on: db)
                #expect(!table.isEmpty)
                for (subNo, total) in totals {
                    var sum = 0
                    for status in ComplianceStatus.allCases {
                        let q = Registry.scoped(InstrumentModel.query(on: db), scope).inSubtree(of: region, \.$regionCode)
                            .filter(\.$subNo == subNo)
                        Registry.applyStatusFilter(q, status: status, today: today, window: 30)
                        let expected = try await q.count()
                        #expect(table[subNo]?[status] ?? 0 == expected, "\(region) sub \(subNo) \(status)")
                        sum += expected
                    }
                    #expect(sum == total, "every instrument of sub-item \(subNo) has exactly one status")
                }
            }
        }
    }
}
