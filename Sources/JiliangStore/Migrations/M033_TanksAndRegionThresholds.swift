import FluentKit
import SQLKit

/// 033: tank reconciliation and thresholds per region (issue #21, item 4).
///
/// A tank is one of a gauge's tanks (液位仪 report several), with the capacity table (容积表) from its
/// own verification, the dispensers' nozzles that draw from it, and the gauge reading the next
/// reconciliation starts from (`anchor_seq`). A region's thresholds are the settings it changed,
/// as JSON; a region nearer the instrument wins.
struct M033_TanksAndRegionThresholds: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("telemetry_tanks")
            .field("id", .int, .identifier(auto: true))
            .field("gauge_id", .int, .required, .references("telemetry_devices", "id"))
            .field("tank", .int, .required)
            .field("capacity_table", .string, .required)
            .field("anchor_seq", .int64)
            .field("registered_by", .string, .required)
            .field("registered_at", .datetime, .required)
            .unique(on: "gauge_id", "tank")
            .create()
        try await db.schema("telemetry_tank_nozzles")
            .field("tank_id", .int, .required, .references("telemetry_tanks", "id"))
            .field("dispenser_id", .int, .required, .references("telemetry_devices", "id"))
            .field("nozzle", .int, .required)
            .compositeIdentifier(over: "dispenser_id", "nozzle")
            .create()
        // When the server last received something from a device (its own clock gives last_seen_at):
        // a tank's window waits for its dispensers' deliveries until they have been silent this long.
        try await db.schema("telemetry_devices").field("last_received_at", .datetime).update()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "telemetry_tank_nozzles_tank").on("telemetry_tank_nozzles").column("tank_id").run()
        try await db.schema("telemetry_thresholds")
            .field("region_code", .string, .identifier(auto: false))
            .field("settings", .string, .required)
            .field("set_by", .string, .required)
            .field("set_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        for table in ["telemetry_thresholds", "telemetry_tank_nozzles", "telemetry_tanks"] { try await db.schema(table).delete() }
    }
}
