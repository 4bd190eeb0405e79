import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Logging
import SQLKit
import Testing

/// Issue #18, items 1, 3 and 12 through the registry, on SQLite and PostgreSQL: the rule's form
/// decides (JJG 162-2019: a water meter DN > 50 is verified every 24 months, DN ≤ 25 rotated after
/// 6 years, both catalogue sub-item 14), and what an older engine stored is re-derived at start-up.
@Suite struct RuleFormTests {
    static let today = CalendarDay("2026-06-01")!

    @Test func aBulkWaterMeterIsVerifiedPeriodicallyAndAHouseholdOneRotated() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let bulk = try await Fixtures.instrument(subNo: 14, serial: "DN80", owner: owner, inService: "2024-03-01", meter: (.water, 80, nil), on: db)
            _ = try await Fixtures.record(bulk, institution: lab, date: "2024-02-20", kind: .first, on: db)
            _ = try await Fixtures.record(bulk, institution: lab, date: "2026-02-10", on: db)
            let household = try await Fixtures.instrument(subNo: 14, serial: "DN15", owner: owner, inService: "2020-03-01", meter: (.water, 15, nil), on: db)
            _ = try await Fixtures.record(household, institution: lab, date: "2020-02-20", kind: .first, on: db)
            _ = try await Fixtures.record(household, institution: lab, date: "2025-12-01", on: db)  // does not extend the life
            let b = try await InstrumentModel.find(bulk.id!, on: db)!, h = try await InstrumentModel.find(household.id!, on: db)!
            // The periodic pass renews the 24-month cycle: valid to 2028-02-09, not "life expired".
            #expect(b.complianceBase == "active" && b.dueKind == "verification" && b.nextDue == "2028-02-09")
            #expect(h.dueKind == "rotation" && h.nextDue == "2026-02-19")  // 72 months from the first verification
            // The statistics read the same forms: the bulk meter's cycle end is a 受检率 event met on
            // time; the household meter's life end is a rotation event, not met (still in use).
            let facts = try await Statistics.facts(region: RegionCode("350102")!, by: Principal.system("tests"), on: db)
            let year2026 = MetricPeriod.year(of: Self.today)
            let onTime = Metrics.onTimeEvents(facts, in: MetricPeriod.year(of: CalendarDay("2026-02-01")!))
            #expect(onTime.filter { $0.instrumentID == bulk.id! }.map(\.met) == [true])
            #expect(onTime.filter { $0.instrumentID == household.id! }.isEmpty)
            #expect(Metrics.rotationEvents(facts, in: year2026).map(\.instrumentID) == [household.id!])
        }
    }

    /// Rows stored by the engine before version 2 (first verification due on the in-service day, a
    /// bulk water meter stuck "life expired") are re-derived once at start-up; warnings raised for
    /// the old first-verification date are kept as the same warning; the counts are recounted.
    @Test func startUpReDerivesWhatAnOlderEngineStored() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let sql = store.sql
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let never = try await Fixtures.instrument(serial: "never", owner: owner, inService: "2026-05-01", on: db)
            let bulk = try await Fixtures.instrument(subNo: 14, serial: "DN80", owner: owner, inService: "2022-03-01", meter: (.water, 80, nil), on: db)
            _ = try await Fixtures.record(bulk, institution: lab, date: "2022-02-20", kind: .first, on: db)
            _ = try await Fixtures.record(bulk, institution: lab, date: "2024-02-10", on: db)
            let run = try await WarningRunner().run(asOf: Self.today, on: db)
            #expect(run.raised == 2)  // the never-verified one (overdue since 2026-04-30) and the bulk meter (since 2026-02-09)
            // What version 1 stored.
            try await sql.raw("UPDATE instruments SET next_due = '2026-05-01' WHERE id = \(bind: never.id!)").run()
            try await sql.raw("UPDATE warnings SET due_key = '2026-05-01' WHERE instrument_id = \(bind: never.id!)").run()
            try await sql.raw("UPDATE instruments SET due_kind = 'rotation', next_due = '2024-02-29' WHERE id = \(bind: bulk.id!)").run()
            try await sql.raw("UPDATE warnings SET kind = 'life_expired', due_key = '2024-02-29' WHERE instrument_id = \(bind: bulk.id!)").run()
            try await sql.raw("DELETE FROM metric_counts").run()
            try await sql.raw("DELETE FROM derived_versions").run()
            let outcome = try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test"))
            #expect(outcome?.changed == 2 && outcome?.recounted == true)
            let n = try await InstrumentModel.find(never.id!, on: db)!, b = try await InstrumentModel.find(bulk.id!, on: db)!
            #expect(n.nextDue == "2026-04-30" && b.dueKind == "verification" && b.nextDue == "2026-02-09")
            // The warning already sent is the same warning: nothing new to send.
            #expect(try await WarningRunner().run(asOf: Self.today, on: db).raised == 1)  // the bulk meter, now overdue
            #expect(try await WarningModel.query(on: db).filter(\.$instrumentID == never.id!).count() == 1)
            // The recount matches what the writes keep incrementally.
            let recounted = try await MetricCounts.all(on: db)
            try await MetricCounts.rebuild(.all, on: db)
            #expect(try await MetricCounts.all(on: db) == recounted && !recounted.isEmpty)
            // Once derived, a second start does nothing.
            #expect(try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test")) == nil)
        }
    }

    /// A rule added for a sub-item whose instruments had none: the change marks the derivation
    /// stale and the job worker re-derives — "rule missing" becomes a due date.
    @Test func theWorkerReDerivesAfterARuleChange() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let entry = CatalogueEntryModel()
            entry.apply(CatalogueEntry(itemNo: 990, itemName: "测试器具", subNo: 990, subName: "测试器具", mode: .pv, form: nil, confidence: .unconfirmed))
            try await entry.create(on: db)
            let owner = try await Fixtures.owner(on: db)
            let m = try await Fixtures.instrument(subNo: 990, serial: "later-rule", owner: owner, inService: "2026-01-01", on: db)
            #expect(m.complianceBase == "rule_missing")
            _ = try await Registry.addRule(
                VerificationRule(id: 0, subNo: 990, effectiveFrom: CalendarDay("2020-01-01")!, form: .periodic, cycleMonths: 12, confidence: .partial), on: db)
            try await DerivedData.markStale(on: db)
            let worker = JobWorker(store: store, today: { Self.today }, warnings: WarningRunner())
            #expect(try await worker.runOnce())
            let after = try await InstrumentModel.find(m.id!, on: db)!
            #expect(after.complianceBase == "active" && after.dueKind == "first_verification" && after.nextDue == "2025-12-31")
            #expect(try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test")) == nil)
        }
    }

    /// One instance derives at a time (issue #22, item 2): while one holds the derivation, another
    /// asking gets nothing to do — two that took turns marking each other's work stale derived for
    /// ever. A holder that died (no sign of life for the lease) is taken over; a change during the
    /// derivation leaves it stale for the next pass.
    @Test func oneInstanceDerivesAtATime() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            _ = try await Fixtures.instrument(serial: "claimed", owner: owner, on: db)
            try await DerivedData.markStale(on: db)
            let now = Date()
            #expect(try await DerivedData.claim("first", now: now, on: db))
            #expect(try await DerivedData.claim("second", now: now.addingTimeInterval(60), on: db) == false)
            #expect(try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test"), now: now.addingTimeInterval(60)) == nil)
            // The holder gave no sign of life for the lease: the next asker takes over and derives.
            let later = now.addingTimeInterval(DerivedData.claimLease + 1)
            let outcome = try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test"), now: later)
            #expect(outcome?.instruments == 1 && outcome?.recounted == true)
            #expect(try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test")) == nil)
            // A change marks it stale again, whoever held it.
            try await DerivedData.markStale(on: db)
            #expect(try await DerivedData.claim("third", now: Date(), on: db))
            try await DerivedData.markStale(on: db)
            #expect(try await DerivedData.claim("fourth", now: Date(), on: db))
        }
    }
}
