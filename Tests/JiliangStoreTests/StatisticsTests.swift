import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The rates of docs/metrics.md computed from the database (the plain path) on a hand-built county
/// with known answers, on SQLite and PostgreSQL, and who may ask for them.
@Suite struct StatisticsTests {
    @Test func ratesOfAHandBuiltCounty() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let lab = try await Fixtures.institution(on: db)
            func scale(_ serial: String) async throws -> InstrumentModel {
                let i = try await Fixtures.instrument(serial: serial, owner: shop, on: db)
                try await (db as! any SQLDatabase).raw("UPDATE instruments SET lifecycle = 'in_service' WHERE id = \(bind: i.id!)").run()
                return try await InstrumentModel.find(i.id!, on: db)!
            }
            let a = try await scale("A"), b = try await scale("B"), c = try await scale("C")
            let draft = try await Fixtures.instrument(serial: "DRAFT", owner: shop, on: db)
            try await (db as! any SQLDatabase).raw("UPDATE instruments SET lifecycle = 'draft' WHERE id = \(bind: draft.id!)").run()  // surveyed, not filed
            _ = try await Fixtures.record(a, institution: lab, date: "2025-05-20", on: db)  // valid until 2026-05-19
            _ = try await Fixtures.record(a, institution: lab, date: "2026-05-19", on: db)  // re-verified on the last valid day
            _ = try await Fixtures.record(b, institution: lab, date: "2025-06-01", on: db)  // valid until 2026-05-31, never re-verified
            _ = try await Fixtures.record(c, institution: lab, date: "2026-03-01", result: .fail, on: db)
            let year = MetricPeriod.year(of: CalendarDay("2026-06-01")!)
            let gulou = Principal(kind: .user, id: 1, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            // MUT
            let r = try await Statistics.report(region: Fixtures.county, period: year, by: gulou, on: db)
            // validate
            #expect(r.instruments == 4)
            // A met its cycle end; B missed it; C, in use unverified since 2024-01-10 and first
            // verified (failing) in March, entered 2026 overdue (issue #18, item 4).
            #expect(r.onTime == Rate(1, 3))
            #expect(r.passRates.firstPass == Rate(1, 2) && r.passRates.afterAdjustment == Rate(1, 2))
            #expect(r.filing == Rate(3, 4))
            #expect(r.coverage.items == Rate(1, 1) && r.coverage.instruments == Rate(3, 3) && r.coverage.gaps.isEmpty)
            #expect(r.firstVerification == Rate(0, 0) && r.rotationOnTime == Rate(0, 0))
            // the city sees the same county; another city's bureau does not; an owner has no statistics
            let fuzhou = Principal(kind: .user, id: 2, label: "fuzhou", role: .bureauStaff, region: RegionCode("350100")!)
            #expect(try await Statistics.report(region: RegionCode("350100")!, period: year, by: fuzhou, on: db).onTime == Rate(1, 3))
            let xiamen = Principal(kind: .user, id: 3, label: "xiamen", role: .bureauStaff, region: RegionCode("350200")!)
            await #expect(throws: RegistryError.self) { try await Statistics.report(region: Fixtures.county, period: year, by: xiamen, on: db) }
            await #expect(throws: RegistryError.self) {
                try await Statistics.report(region: Fixtures.county, period: year, by: Principal(kind: .user, id: 4, label: "o", role: .owner, ownerIDs: [shop.id!]), on: db)
            }
        }
    }
}
