import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

@Suite struct MigrationTests {
    @Test func seedsFujianAndTheCatalogueIdempotently() async throws {
        try await TestDatabase.withStore { store in
            // setup: the template is migrated and seeded; do both again
            try await store.migrate()
            try await Seed.referenceData(on: store.db)
            // validate
            let regions = try await RegionModel.query(on: store.db).all()
            #expect(regions.count == 94)
            #expect(regions.filter { $0.level == "city" }.count == 9)
            #expect(regions.first { $0.id == "350527" }?.operational == false)  // 金门县
            let catalogue = try await Registry.catalogue(on: store.db)
            #expect(catalogue.count == 34)  // 18 numbered, 16 provisional (9xx) rows (docs/catalogue.md)
            #expect(catalogue.first { $0.id == 14 }?.entry.form == .firstOnlyRotation)
            #expect(catalogue.first { $0.id == 901 }?.confidence == "unconfirmed")
            let rules = try await Registry.rules(subNo: 14, on: store.db)
            // JJG 162-2019 from 2020-03-31 (with Q3 ≤ 16), the 1991 规定 / JJG 162-2009 rules before it (issue #18, item 14).
            #expect(rules.filter { $0.effectiveFrom == "2020-03-31" }.map(\.serviceLifeMonths).sorted { ($0 ?? 0) < ($1 ?? 0) } == [nil, 48, 72])
            #expect(rules.filter { $0.effectiveUntil == "2020-03-30" }.map(\.serviceLifeMonths).sorted { ($0 ?? 0) < ($1 ?? 0) } == [nil, 48, 72])
        }
    }
}

@Suite struct RegistryTests {
    @Test func filesAnInstrumentAndTracksItsVerifications() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            // setup
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let inst = try await Fixtures.instrument(owner: owner, inService: "2025-01-10", on: db)
            #expect((try? InstrumentCode(validating: inst.code))?.issuingRegion == "350102")
            #expect(inst.complianceBase == "active" && inst.nextDue == "2025-01-09" && inst.dueKind == "first_verification")
            // MUT: a pass on 2025-01-10 with the 12-month rule of sub-item 2
            let r = try await Fixtures.record(inst, institution: lab, date: "2025-01-10", kind: .first, on: db)
            // validate
            #expect(r.validUntil == "2026-01-09")
            let again = try await Registry.instrument(inst.id!, scope: .everything, on: db)
            #expect(again.nextDue == "2026-01-09" && again.dueKind == "verification")
            let eval = try await Registry.evaluation(of: again, on: db)
            #expect(eval.status(on: CalendarDay("2026-01-09")!) == .dueSoon)
            #expect(eval.status(on: CalendarDay("2026-01-10")!) == .overdue)
            // a failure, then a correction of it back to a pass on another date
            let f = try await Fixtures.record(inst, institution: lab, date: "2025-06-01", result: .fail, on: db)
            #expect(try await Registry.instrument(inst.id!, scope: .everything, on: db).complianceBase == "failed")
            let c = try await Fixtures.record(inst, institution: lab, date: "2025-06-02", corrects: f.id, on: db)
            #expect(c.correctsID == f.id && c.validUntil == "2026-06-01")
            let corrected = try await Registry.instrument(inst.id!, scope: .everything, on: db)
            #expect(corrected.complianceBase == "active" && corrected.nextDue == "2026-06-01")
            // a record is never edited: three rows exist
            #expect(try await VerificationRecordModel.query(on: db).filter(\.$instrumentID == inst.id!).count() == 3)
        }
    }

    @Test func refusesWhatWouldCorruptTheRegistry() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(subNos: [14], on: db)
            let inst = try await Fixtures.instrument(owner: owner, on: db)
            // duplicate owner credit code
            await #expect(throws: RegistryError.conflict(field: "credit_code", reason: .registry(.ownerExists(creditCode: owner.creditCode)))) {
                try await Fixtures.owner(on: db)
            }
            // duplicate natural key
            await #expect(throws: RegistryError.self) { try await Fixtures.instrument(owner: owner, on: db) }
            // an institution outside its authorisation scope (it may verify water meters only)
            do {
                _ = try await Fixtures.record(inst, institution: lab, date: "2025-01-10", on: db)
                Issue.record("expected a refusal")
            } catch let RegistryError.invalid(v) {
                #expect(v.errors.first?.field == "institution_id")
            }
            // correcting a record of another instrument
            let other = try await Fixtures.instrument(serial: "S2", owner: owner, on: db)
            let full = try await Fixtures.institution("全项机构", on: db)
            let r = try await Fixtures.record(other, institution: full, date: "2025-01-10", on: db)
            do {
                _ = try await Fixtures.record(inst, institution: full, date: "2025-01-11", corrects: r.id, on: db)
                Issue.record("expected a refusal")
            } catch let RegistryError.invalid(v) {
                #expect(v.errors.first?.field == "corrects")
            }
            // retired is final
            var raw = Fixtures.raw(owner: try CreditCode(validating: owner.creditCode))
            raw.status = "scrapped"
            _ = try await Registry.updateInstrument(inst.id!, try InstrumentDraft.parse(raw, context: try await Registry.context(on: db)), scope: .everything, on: db)
            raw.status = "in_service"
            await #expect(throws: RegistryError.self) {
                try await Registry.updateInstrument(inst.id!, try InstrumentDraft.parse(raw, context: try await Registry.context(on: db)), scope: .everything, on: db)
            }
            // nothing half-written: still exactly the two instruments and one record
            #expect(try await InstrumentModel.query(on: db).count() == 2)
            #expect(try await VerificationRecordModel.query(on: db).count() == 1)
        }
    }

    @Test func aNewRuleVersionDoesNotRewritePastDueDates() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let inst = try await Fixtures.instrument(owner: owner, on: db)
            let before = try await Fixtures.record(inst, institution: lab, date: "2025-03-01", on: db)
            #expect(before.validUntil == "2026-02-28")
            // MUT: the administrator shortens the cycle of sub-item 2 to 6 months from 2025-07-01
            let v2 = try await Registry.addRule(
                VerificationRule(id: 0, subNo: 2, effectiveFrom: CalendarDay("2025-07-01")!, form: .periodic, cycleMonths: 6, confidence: .partial), on: db)
            #expect(v2.version == 3)  // after the seeded versions 1 (JJG 539-1997) and 2 (JJG 539-2016)
            // validate: the old record keeps its date and rule; a new one uses version 2
            let old = try await Registry.record(before.id!, scope: .everything, on: db)
            #expect(old.validUntil == "2026-02-28" && old.ruleID == before.ruleID)
            let after = try await Fixtures.record(inst, institution: lab, date: "2025-08-01", on: db)
            #expect(after.validUntil == "2026-01-31" && after.ruleID == v2.id)
        }
    }

    @Test func refusesARecordNoRuleCanDate() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await Registry.saveCatalogueEntry(
                CatalogueEntry(itemNo: 998, itemName: "新器具", subNo: 998, subName: "新器具", mode: .pv, form: .periodic, confidence: .unconfirmed), on: db)
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(subNos: [998], on: db)
            let inst = try await Fixtures.instrument(subNo: 998, owner: owner, on: db)
            do {
                _ = try await Fixtures.record(inst, institution: lab, date: "2025-01-10", on: db)
                Issue.record("expected a refusal")
            } catch let RegistryError.invalid(v) {
                #expect(v.errors.first?.field == "date")
            }
            #expect(try await VerificationRecordModel.query(on: db).count() == 0)
        }
    }

    @Test func threeMeterRotationFollowsDNAndMedium() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(industry: .waterUtility, on: db)
            let lab = try await Fixtures.institution(on: db)
            let dn15 = try await Fixtures.instrument(subNo: 14, serial: "W15", owner: owner, meter: (.water, 15, nil), on: db)
            let dn40 = try await Fixtures.instrument(subNo: 14, serial: "W40", owner: owner, meter: (.water, 40, nil), on: db)
            let gas = try await Fixtures.instrument(subNo: 15, serial: "G1", owner: owner, meter: (.gas, nil, .naturalGas), on: db)
            for m in [dn15, dn40, gas] { _ = try await Fixtures.record(m, institution: lab, date: "2020-03-01", kind: .first, on: db) }
            let due = try await InstrumentModel.query(on: db).sort(\.$serialNo).all().map { "\($0.serialNo):\($0.nextDue ?? "-"):\($0.dueKind ?? "-")" }
            #expect(due == ["G1:2030-02-28:rotation", "W15:2026-02-28:rotation", "W40:2024-02-29:rotation"])
        }
    }

    @Test func listsPageWithCursorsAndFilterBySubtree() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let a = try await Fixtures.owner(1, on: db)
            let b = try await Fixtures.owner(2, region: Fixtures.otherCounty, on: db)
            for i in 0..<7 { _ = try await Fixtures.instrument(serial: "A\(i)", owner: a, on: db) }
            for i in 0..<3 { _ = try await Fixtures.instrument(serial: "B\(i)", owner: b, region: Fixtures.otherCounty, on: db) }
            let today = CalendarDay("2026-11-26")!
            var cursor: String?
            var seen: [Int] = []
            repeat {
                let page = try await Registry.instruments(.init(region: RegionCode("350100")!), today: today, window: 30, cursor: cursor, limit: 3, scope: .everything, on: db)
                seen += page.items.map { $0.id! }
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == 7 && seen == seen.sorted())
            // the scope applies even without a filter
            let scoped = try await Registry.instruments(.init(), today: today, window: 30, cursor: nil, limit: 100, scope: .region(RegionCode("350200")!), on: db)
            #expect(scoped.items.count == 3)
            await #expect(throws: RegistryError.self) {
                try await Registry.instrument(seen[0], scope: .region(RegionCode("350200")!), on: db)
            }
            await #expect(throws: RegistryError.invalid("cursor", .notACursor)) {
                try await Registry.instruments(.init(), today: today, window: 30, cursor: "zzz", limit: 3, scope: .everything, on: db)
            }
        }
    }
}
