import FluentKit
import SQLKit

/// 041: the rows that reached their region only through a parent row — a record through its
/// instrument, a reading through its device, a booking through its institution — carry it
/// themselves (issue #22, item 7; docs/scaling.md). A database distributed Citus-style by region
/// co-locates a table only by a column of its own, so these 18 tables were the re-keying the path
/// past one primary needed. `demo_scores` follows its application's owner instead, the way
/// `demo_applications` is itself placed.
///
/// Each column is added and filled from the parent in one transaction, parents first (a tank takes
/// its gauge's region, which the devices have just been given; a nozzle its tank's). The writers
/// set the copy from the parent's row, read under a lock (`RegionCopies.current`); an instrument,
/// an institution or a standard that moves takes its rows along (`RegionCopies.moved`); and the
/// tests hold every copy to its parent on both databases. SQLite adds a `NOT NULL` column only
/// with a default, so there it keeps `''`; on PostgreSQL the default is dropped, and a writer that
/// forgot the column fails there. The parent columns a move updates by that had no index get one.
///
/// On a large database the fill rewrites every row of these tables once (the records and the
/// readings above all), holding their write locks until it commits: a one-off cost of the
/// upgrade, measured in docs/operations.md ("Upgrading").
struct M041_RegionOnChildRows: AsyncMigration {
    /// (table, column added, the column naming the parent, the parent, the parent's column) — as
    /// the schema stood on the day of this migration; frozen here, not read from the code.
    static let copies: [(table: String, column: String, via: String, parent: String, from: String)] = [
        ("verification_records", "region_code", "instrument_id", "instruments", "region_code"),
        ("schedules", "region_code", "instrument_id", "instruments", "region_code"),
        ("status_changes", "region_code", "instrument_id", "instruments", "region_code"),
        ("telemetry_devices", "region_code", "instrument_id", "instruments", "region_code"),
        ("telemetry_findings", "region_code", "instrument_id", "instruments", "region_code"),
        ("telemetry_readings", "region_code", "device_id", "telemetry_devices", "region_code"),
        ("telemetry_daily", "region_code", "device_id", "telemetry_devices", "region_code"),
        ("telemetry_tanks", "region_code", "gauge_id", "telemetry_devices", "region_code"),
        ("telemetry_tank_nozzles", "region_code", "tank_id", "telemetry_tanks", "region_code"),
        ("survey_instruments", "region_code", "invitation_id", "survey_invitations", "region_code"),
        ("complaint_events", "region_code", "complaint_id", "complaints", "region_code"),
        ("complaint_photos", "region_code", "complaint_id", "complaints", "region_code"),
        ("check_slots", "region_code", "institution_id", "institutions", "region_code"),
        ("free_checks", "region_code", "institution_id", "institutions", "region_code"),
        ("measurement_standards", "region_code", "institution_id", "institutions", "region_code"),
        ("standard_items", "region_code", "standard_id", "measurement_standards", "region_code"),
        ("penalty_attachments", "region_code", "penalty_id", "penalties", "region_code"),
        ("demo_scores", "owner_id", "application_id", "demo_applications", "owner_id"),
    ]

    func prepare(on db: any Database) async throws {
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            let postgres = sql.dialect.name == "postgresql"
            for c in Self.copies {
                let type = c.column == "owner_id" ? (postgres ? "BIGINT" : "INTEGER") : "TEXT"
                let empty = c.column == "owner_id" ? "0" : "''"
                try await sql.raw("ALTER TABLE \(ident: c.table) ADD COLUMN \(ident: c.column) \(unsafeRaw: type) NOT NULL DEFAULT \(unsafeRaw: empty)").run()
                try await sql.raw("""
                    UPDATE \(ident: c.table) SET \(ident: c.column) = p.\(ident: c.from)
                    FROM \(ident: c.parent) p WHERE p.id = \(ident: c.table).\(ident: c.via)
                    """).run()
                if postgres {
                    try await sql.raw("ALTER TABLE \(ident: c.table) ALTER COLUMN \(ident: c.column) DROP DEFAULT").run()
                }
            }
            for (table, column) in Self.movedBy {
                try await sql.create(index: "\(table)_\(column)").on(table).column(column).run()
            }
        }
    }

    /// Parent columns a move updates its rows by (`WHERE institution_id IN …`) that had no index.
    static let movedBy = [("check_slots", "institution_id"), ("measurement_standards", "institution_id"), ("complaint_photos", "complaint_id")]

    func revert(on db: any Database) async throws {
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            for (table, column) in Self.movedBy {
                try await sql.drop(index: "\(table)_\(column)").ifExists().run()
            }
            for c in Self.copies.reversed() {
                try await sql.raw("ALTER TABLE \(ident: c.table) DROP COLUMN \(ident: c.column)").run()
            }
        }
    }
}
