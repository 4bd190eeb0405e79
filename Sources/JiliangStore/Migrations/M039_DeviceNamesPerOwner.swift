import FluentKit
import SQLKit

/// 039: a device's name is unique per owner, not province-wide (issue #21, item 1). Two filling
/// stations may both call their dispenser "1号机"; and registering a name no longer tells an owner
/// that some device they may not see already has it (unknown and forbidden answer alike).
///
/// The unique key moves to `owner_and_name` ("<owner id>/<name>", the owner being the
/// instrument's at registration). SQLite cannot drop a table's inline unique constraint without
/// rebuilding the table (which other tables' keys point to), so the column that carries it is
/// renamed and filled with the new key, and `name` is added again beside it, with an index of its
/// own for the ingest, which looks devices up by name. The same steps on both databases.
struct M039_DeviceNamesPerOwner: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One transaction: a failure half-way leaves the names as they were.
        try await db.transaction { db in try await prepareSteps(on: db) }
    }

    func prepareSteps(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE telemetry_devices RENAME COLUMN name TO owner_and_name").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw(#"ALTER TABLE telemetry_devices RENAME CONSTRAINT "uq:telemetry_devices.name" TO "uq:telemetry_devices.owner_and_name""#).run()
        }
        try await sql.raw("ALTER TABLE telemetry_devices ADD COLUMN name TEXT NOT NULL DEFAULT ''").run()
        try await sql.raw("""
            UPDATE telemetry_devices SET name = owner_and_name,
              owner_and_name = (SELECT CAST(i.owner_id AS TEXT) FROM instruments i WHERE i.id = telemetry_devices.instrument_id) || '/' || owner_and_name
            """).run()
        try await sql.create(index: "telemetry_devices_name").on("telemetry_devices").column("name").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // Back to one name province-wide: fails (and changes nothing) if two owners share a name.
        try await sql.drop(index: "telemetry_devices_name").run()
        try await sql.raw("UPDATE telemetry_devices SET owner_and_name = name").run()
        try await sql.raw("ALTER TABLE telemetry_devices DROP COLUMN name").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw(#"ALTER TABLE telemetry_devices RENAME CONSTRAINT "uq:telemetry_devices.owner_and_name" TO "uq:telemetry_devices.name""#).run()
        }
        try await sql.raw("ALTER TABLE telemetry_devices RENAME COLUMN owner_and_name TO name").run()
    }
}
