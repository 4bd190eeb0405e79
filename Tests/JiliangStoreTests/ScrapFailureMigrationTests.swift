import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// 失准报废 (issue #18, item 11): once such an instrument fails, a pass after repair leaves it
/// failed — written so by the engine from now on, and by migration 016 for rows stored before.
/// On SQLite and PostgreSQL.
@Suite struct ScrapFailureMigrationTests {
    @Test func aScrapInstrumentThatFailedStaysFailed() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let sql = store.sql
            // The rule's form decides (issue #18, item 1); 016 read the catalogue row's, as it shipped.
            try await sql.raw("UPDATE catalogue_entries SET form = 'first_only_scrap' WHERE sub_no = 2").run()
            try await sql.raw("UPDATE verification_rules SET form = 'first_only_scrap', cycle_months = NULL WHERE sub_no = 2").run()
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let repaired = try await Fixtures.instrument(serial: "SCRAP-1", owner: owner, inService: "2025-01-10", on: db)
            let corrected = try await Fixtures.instrument(serial: "SCRAP-2", owner: owner, inService: "2025-01-10", on: db)
            let sound = try await Fixtures.instrument(serial: "SCRAP-3", owner: owner, inService: "2025-01-10", on: db)
            _ = try await Fixtures.record(repaired, institution: lab, date: "2025-01-10", kind: .first, on: db)
            _ = try await Fixtures.record(repaired, institution: lab, date: "2025-06-01", result: .fail, on: db)
            _ = try await Fixtures.record(repaired, institution: lab, date: "2025-07-01", on: db)
            let wrong = try await Fixtures.record(corrected, institution: lab, date: "2025-01-10", result: .fail, kind: .first, on: db)
            _ = try await Fixtures.record(corrected, institution: lab, date: "2025-01-10", kind: .first, corrects: wrong.id, on: db)
            _ = try await Fixtures.record(sound, institution: lab, date: "2025-01-10", kind: .first, on: db)
            func base(_ m: InstrumentModel) async throws -> String { try await InstrumentModel.find(m.id!, on: db)!.complianceBase }
            // The engine: failed for good after repair; a corrected failure does not count.
            #expect(try await base(repaired) == "failed")
            #expect(try await base(corrected) == "active")
            #expect(try await base(sound) == "active")
            // A row stored before the change (as the old engine left it) is mended by 016.
            try await sql.raw("UPDATE instruments SET compliance_base = 'active' WHERE id = \(bind: repaired.id!)").run()
            try await M016_ScrapFailuresAreFinal().prepare(on: db)
            #expect(try await base(repaired) == "failed")
            #expect(try await base(corrected) == "active")
            #expect(try await base(sound) == "active")
        }
    }
}
