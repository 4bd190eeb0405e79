import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The SQL status filter must say exactly what the engine says, instrument by instrument, on random
/// data and random days.
@Suite struct StatusAgreementTests {
    @Test(arguments: [(UInt64(7), "2026-11-26"), (UInt64(99), "2025-02-28")])
    func sqlFilterEqualsEngine(seed: UInt64, day: String) async throws {
        try await TestDatabase.withStore { store in
            let today = CalendarDay(day)!
            _ = try await DemoProvince(instruments: 600, seed: seed, today: today).load(into: store)
            let all = try await InstrumentModel.query(on: store.db).all()
            for probe in [today, today.adding(days: 45), today.adding(days: 400)] {
                var expected: [ComplianceStatus: Set<Int>] = [:]
                for m in all {
                    let s = try await Registry.evaluation(of: m, on: store.db).status(on: probe, dueSoonWindow: 30)
                    expected[s, default: []].insert(m.id!)
                }
                for status in ComplianceStatus.allCases {
                    var got = Set<Int>()
                    var cursor: String?
                    repeat {
                        let page = try await Registry.instruments(.init(status: status), today: probe, window: 30, cursor: cursor, limit: 500, scope: .everything, on: store.db)
                        got.formUnion(page.items.map { $0.id! })
                        cursor = page.nextCursor
                    } while cursor != nil
                    #expect(got == expected[status, default: []], "status \(status) on \(probe)")
                }
                #expect(expected.values.map(\.count).reduce(0, +) == 600)
            }
            // Every rule branch is in the data (issue #18): periodic, rotation and periodic within one
            // sub-item (bulk water meters), 失准报废 aside, and "rule missing".
            let kinds = Set(all.filter { $0.subNo == 14 }.compactMap(\.dueKind))
            #expect(kinds.isSuperset(of: ["rotation", "verification"]), "water meters: \(kinds)")
            #expect(all.contains { $0.complianceBase == ComplianceBase.ruleMissing.rawValue })
        }
    }

    @Test func demoIsDeterministicAndRealistic() async throws {
        let today = CalendarDay("2026-11-26")!
        let first = try await TestDatabase.withStore { store in
            let s = try await DemoProvince(instruments: 800, seed: 42, today: today).load(into: store)
            #expect(s.instruments == 800 && s.records > 800)
            let codes = try await InstrumentModel.query(on: store.db).sort(\.$id).all().map(\.code)
            let owners = try await OwnerModel.query(on: store.db).all()
            for o in owners { #expect((try? CreditCode(validating: o.creditCode)) != nil) }
            // 三表 dominate
            let meters = try await InstrumentModel.query(on: store.db).filter(\.$meterType != nil).count()
            #expect(meters > 400)
            // some overdue, failed and expired cases exist
            for status in [ComplianceStatus.overdue, .failed, .lifeExpired] {
                let page = try await Registry.instruments(.init(status: status), today: today, window: 30, cursor: nil, limit: 1, scope: .everything, on: store.db)
                #expect(!page.items.isEmpty, "no \(status) instrument")
            }
            return codes
        }
        let second = try await TestDatabase.withStore { store in
            _ = try await DemoProvince(instruments: 800, seed: 42, today: today).load(into: store)
            return try await InstrumentModel.query(on: store.db).sort(\.$id).all().map(\.code)
        }
        #expect(first == second)
    }

    /// A longer history (`jiliang demo --history-years`) means more periodic records reaching further
    /// back; first verifications are kept whatever their age, periodic ones only within the history.
    @Test func aLongerHistoryGivesMoreRecordsWithinIt() async throws {
        let today = CalendarDay("2026-11-26")!
        var counts: [Int: Int] = [:]
        for years in [3, 12] {
            try await TestDatabase.withStore { store in
                let s = try await DemoProvince(instruments: 300, seed: 5, today: today, historyYears: years).load(into: store)
                counts[years] = s.records
                let oldest = try await (store.db as! any SQLDatabase).raw(
                    "SELECT MIN(verified_on) AS d FROM verification_records WHERE kind <> 'first'").first()?.decode(column: "d", as: String?.self)
                let limit = today.adding(days: -years * 365)
                #expect(oldest.flatMap { CalendarDay($0) }.map { $0 >= limit } ?? false, "\(years) years: oldest periodic record \(oldest ?? "none")")
                #expect(oldest.flatMap { CalendarDay($0) }.map { $0 < today.adding(days: -(years - 2) * 365) } ?? false, "\(years) years: history reaches back")
            }
        }
        // About half again as many (periodic instruments are installed over max(10, years) years).
        #expect(counts[12]! > counts[3]! * 4 / 3, "\(counts)")
    }
}
