import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Logging
import SQLKit
import Testing

/// Migration 015 on the two kinds of database it meets, on SQLite and PostgreSQL: one counted by 014
/// as it first shipped (offences without codes: filled from the registry) and one whose 014 only
/// created the tables (an existing registry: its utility meters are counted at the end of the
/// migrations, by `DerivedData`). Either way the kept
/// tables end up as a recount makes them, and the 通报 lists the meters' codes and types.
@Suite struct OffenceCodesMigrationTests {
    @Test(arguments: ["counted by the first 014", "not counted yet"])
    func migration015LeavesTheTablesAsARecount(_ start: String) async throws {
        try await TestDatabase.withStore { store in
            let today = CalendarDay("2026-11-26")!
            _ = try await DemoProvince(instruments: 600, seed: 11, today: today).load(into: store)
            let db = store.db, sql = db as! any SQLDatabase
            try await MetricCounts.rebuild(on: db)
            let expected = try await MetricCounts.all(on: db)
            let listed = try await sql.raw("SELECT instrument_id, problem, code, meter_type FROM utility_offences ORDER BY instrument_id, problem").all()
            #expect(listed.count > 10 && !expected.isEmpty)  // the demo has offending utility meters
            // the database as 015 finds it
            try await M015_KeepOffenceCodes().revert(on: db)
            if start == "not counted yet" {
                try await sql.raw("DELETE FROM utility_counts").run()
                try await sql.raw("DELETE FROM utility_offences").run()
            }
            // MUT
            try await M015_KeepOffenceCodes().prepare(on: db)
            if start == "not counted yet" {
                // Counted at the end of `Store.migrate`, by `DerivedData` (017), with the current code.
                try await sql.raw("DELETE FROM derived_versions").run()
                _ = try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test"))
            }
            // validate
            #expect(try await MetricCounts.all(on: db) == expected)
            let after = try await sql.raw("SELECT instrument_id, problem, code, meter_type FROM utility_offences ORDER BY instrument_id, problem").all()
            func rows(_ rs: [any SQLRow]) throws -> [String] {
                try rs.map { r in
                    "\(try r.decode(column: "instrument_id", as: Int.self)) \(try r.decode(column: "problem", as: String.self)) "
                        + "\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "meter_type", as: String?.self) ?? "-")"
                }
            }
            #expect(try rows(after) == rows(listed))
            let codes = try await sql.raw("""
                SELECT COUNT(*) AS n FROM utility_offences o JOIN instruments i ON i.id = o.instrument_id
                WHERE o.code = i.code AND o.meter_type = i.meter_type
                """).first()?.decode(column: "n", as: Int.self)
            #expect(codes == after.count)
        }
    }
}
