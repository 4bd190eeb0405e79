import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Testing

/// The drill-down's counts (one GROUP BY of the subtree: child region × catalogue item × status)
/// agree with the list filter for every child, item and status — in the whole province, inside a
/// city's scope, for a county, and for an owner's scope (counted in memory).
@Suite struct DrillDownCountTests {
    static let today = CalendarDay("2026-11-26")!

    @Test func drillDownCountsAgreeWithTheListFilter() async throws {
        try await TestDatabase.withStore { store in
            _ = try await DemoProvince(instruments: 400, seed: 7, today: Self.today).load(into: store)
            let db = store.db
            let someOwner = try #require(try await InstrumentModel.query(on: db).filter(\.$regionCode == "350102").first()?.ownerID)
            let cases: [(region: String, scope: AccessScope)] = [
                ("350000", .everything), ("350000", .region(RegionCode("350100")!)), ("350100", .everything), ("350102", .everything),
                ("350000", .owners([someOwner])),
            ]
            for c in cases {
                let region = RegionCode(c.region)!
                // The children as the page lists them (a county stands for itself).
                let listed = try await Registry.regions(parent: c.region, on: db).map { $0.id! }
                let children = listed.isEmpty ? [c.region] : listed
                let cells = try await Registry.drillDownCounts(region: region, today: Self.today, window: 30, scope: c.scope, on: db)
                #expect(!cells.isEmpty, "\(c.region) \(c.scope)")
                #expect(children.count > 1 || region.level == .county)
                #expect(Set(cells.map(\.child)).isSubset(of: Set(children)), "\(c.region) \(c.scope): children \(Set(cells.map(\.child)))")
                // Each sub-item × status over the whole region, as the list behind the number finds it.
                for subNo in Set(cells.map(\.subNo)) {
                    for status in ComplianceStatus.allCases {
                        let q = Registry.scoped(InstrumentModel.query(on: db), c.scope).inSubtree(of: region, \.$regionCode).filter(\.$subNo == subNo)
                        Registry.applyStatusFilter(q, status: status, today: Self.today, window: 30)
                        let got = cells.filter { $0.subNo == subNo && $0.status == status }.map(\.count).reduce(0, +)
                        #expect(got == (try await q.count()), "\(c.region) \(c.scope) sub \(subNo) \(status)")
                    }
                }
                // Each child × status (the page's child rows), as the list behind the number finds it.
                for child in children {
                    for status in ComplianceStatus.allCases {
                        let q = Registry.scoped(InstrumentModel.query(on: db), c.scope).inSubtree(of: RegionCode(child)!, \.$regionCode)
                        Registry.applyStatusFilter(q, status: status, today: Self.today, window: 30)
                        let got = cells.filter { $0.child == child && $0.status == status }.map(\.count).reduce(0, +)
                        #expect(got == (try await q.count()), "\(c.region) \(c.scope) child \(child) \(status)")
                    }
                }
            }
        }
    }
}
