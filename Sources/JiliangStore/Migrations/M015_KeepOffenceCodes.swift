import FluentKit
import SQLKit

/// 015: each offending meter's registration code and meter type kept in `utility_offences`. The
/// 通报 lists up to 2,000 of them on a page and every one in CSV/XLSX (790k for a province's year
/// at 10M instruments); with the code beside the offence the list is one range read instead of a
/// registry lookup per meter (most of the report's time before, BENCHMARKS.md session 10). A
/// meter's code never changes and its offences are rewritten with every change of the meter.
struct M015_KeepOffenceCodes: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE utility_offences ADD COLUMN code TEXT NOT NULL DEFAULT ''").run()
        try await sql.raw("ALTER TABLE utility_offences ADD COLUMN meter_type TEXT").run()
        let counted = try await sql.raw("SELECT 1 AS x FROM utility_counts LIMIT 1").first() != nil
        if counted {
            // Counted by 014 as it first shipped: fill the new columns from the registry.
            try await sql.raw("""
                UPDATE utility_offences SET code = i.code, meter_type = i.meter_type
                FROM instruments i WHERE i.id = utility_offences.instrument_id
                """).run()
        }
        // 014 only creates the tables; an existing registry's utility meters are counted at the end
        // of `Store.migrate` by `DerivedData` (017), with the current code, once every table has its
        // columns.
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE utility_offences DROP COLUMN meter_type").run()
        try await sql.raw("ALTER TABLE utility_offences DROP COLUMN code").run()
    }
}
