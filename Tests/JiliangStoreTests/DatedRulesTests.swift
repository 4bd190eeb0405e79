import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// Issue #18, item 14, on SQLite and PostgreSQL: the seeded rules are in force from their
/// regulation's date, with the earlier rule before it (rules.csv names each source), and migration
/// 019 brings a registry seeded with the old undated rules to the same answers.
@Suite struct DatedRulesTests {
    /// (sub, meter type, DN, Q3, day, form, cycle or life in months, the source names)
    static let cases: [(Int, MeterType?, Int?, Double?, String, VerificationForm, Int, String)] = [
        // Water meters, JJG 162-2019 in force 2020-03-31; before it the 1991 规定 / JJG 162-2009 (DN only).
        (14, .water, 15, 25.0, "2020-03-30", .firstOnlyRotation, 72, "JJG 162-2009"),
        (14, .water, 15, 25.0, "2020-03-31", .periodic, 24, "JJG 162-2019"),
        (14, .water, 15, 2.5, "2020-03-31", .firstOnlyRotation, 72, "JJG 162-2019"),
        (14, .water, 40, 20.0, "2019-06-01", .firstOnlyRotation, 48, "JJG 162-2009"),
        (14, .water, 40, 20.0, "2021-06-01", .periodic, 24, "JJG 162-2019"),
        (14, .water, 80, 40.0, "2019-06-01", .periodic, 24, "DN>50"),
        // Fuel dispensers: JJG 443-2023 from 2024-05-01; JJG 443-98's half year before.
        (10, nil, nil, nil, "2024-04-30", .periodic, 6, "JJG 443-98"),
        (10, nil, nil, nil, "2024-05-01", .periodic, 6, "JJG 443-2023"),
        // Breath-alcohol testers: JJG 657-2019 from 2020-03-27.
        (931, nil, nil, nil, "2020-03-26", .periodic, 6, "JJG 657-2006"),
        (931, nil, nil, nil, "2020-03-27", .periodic, 6, "JJG 657-2019"),
        // Household electricity meters: JJG 596-2012 from 2013-04-08.
        (901, nil, nil, nil, "2013-04-07", .firstOnlyRotation, 96, "JJG 596-1999"),
        (901, nil, nil, nil, "2013-04-08", .firstOnlyRotation, 96, "JJG 596-2012"),
    ]

    static func check(_ book: RuleBook) {
        for (sub, type, dn, q3, day, form, months, source) in cases {
            let r = book.rule(subNo: sub, attributes: .init(meterType: type, dn: dn, q3: q3), on: CalendarDay(day)!)
            #expect(r?.form == form && (r?.cycleMonths ?? r?.serviceLifeMonths) == months, "sub \(sub) DN \(dn ?? 0) Q3 \(q3 ?? 0) on \(day): \(String(describing: r))")
            #expect(r?.source.contains(source) == true, "sub \(sub) on \(day): source \(r?.source ?? "none")")
        }
    }

    @Test func seededRulesApplyFromTheirRegulationsDate() async throws {
        try await TestDatabase.withStore { store in
            Self.check(try await Registry.ruleBook(on: store.db))
        }
    }

    /// A registry seeded before 019 (every rule from 1990-01-01, version 1, no end): the migration
    /// dates the seeded rows in place (records keep their `rule_id`), adds the earlier versions, and
    /// leaves a rule an administrator added alone.
    @Test func migration019DatesARegistrySeededBefore() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db, sql = store.sql
            try await sql.raw("DELETE FROM verification_rules").run()
            // Seeded before the rows 981 (EV chargers) and 986 existed: their rules wait for the rows.
            try await sql.raw("DELETE FROM instrument_names WHERE sub_no IN (981, 986)").run()
            try await sql.raw("DELETE FROM catalogue_entries WHERE sub_no IN (981, 986)").run()
            let old = try Seed.rows("rules").map(Seed.rule).filter { $0.effectiveUntil == nil && $0.subNo != 981 && $0.subNo != 986 }
            var ids: [Int] = []
            for var r in old {
                r.effectiveFrom = CalendarDay("1990-01-01")!
                r.version = 1
                r.source = "旧"
                let m = RuleModel()
                m.apply(r)
                try await m.create(on: db)
                ids.append(m.id!)
            }
            let mine = RuleModel()
            mine.apply(VerificationRule(id: 0, subNo: 3, version: 7, effectiveFrom: CalendarDay("2026-01-01")!, form: .periodic, cycleMonths: 6, confidence: .partial))
            try await mine.create(on: db)
            try await sql.raw("ALTER TABLE verification_rules DROP COLUMN effective_until").run()
            // 019's two steps (its `prepare` runs them on a registry that has rules). Called one by
            // one: on SQLite another pooled connection may still hold the schema from before the
            // DROP above when `prepare` runs in the same breath.
            try await sql.raw("ALTER TABLE verification_rules ADD COLUMN effective_until TEXT").run()
            try await M019_DatedRules.dateSeededRules(try Seed.rows("rules").map(Seed.rule), on: db)
            Self.check(try await Registry.ruleBook(on: db))
            let after = try await RuleModel.query(on: db).all()
            #expect(Set(ids).isSubset(of: Set(after.compactMap(\.id))))  // the seeded rows were dated in place
            #expect(after.count == (try Seed.rows("rules")).count - 2 + 1)  // not 981's and 986's; the administrator's
            #expect(!after.contains { $0.subNo == 981 })
            #expect(after.first { $0.id == mine.id }?.version == 7 && after.filter { $0.source == "旧" }.isEmpty)
        }
    }
}
