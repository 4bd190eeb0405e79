import FluentKit
import SQLKit

/// 034: raw telemetry for a window, daily aggregates for years (issue #21, item 3).
///
/// `telemetry_daily` holds one row per device, China day and reading type: how many, and the
/// type's main quantity summed with its least and greatest (litres delivered, metered km, kg
/// weighed, a meter's index, a tank's level) and the money (amount, fare). `telemetry_retention_runs`
/// records each day's run: the cutoff, the days rolled up, the readings removed. An index on the
/// readings' own time finds the oldest ones.
struct M034_TelemetryRetention: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("telemetry_daily")
            .field("device_id", .int, .required, .references("telemetry_devices", "id"))
            .field("day", .string, .required)
            .field("type", .string, .required)
            .field("n", .int, .required)
            .field("value_sum", .double)
            .field("value_min", .double)
            .field("value_max", .double)
            .field("amount_sum", .double)
            .compositeIdentifier(over: "device_id", "day", "type")
            .create()
        try await db.schema("telemetry_retention_runs")
            .field("day", .string, .identifier(auto: false))
            .field("cutoff", .datetime, .required)
            .field("rolled_through", .string)
            .field("rolled_days", .int, .required)
            .field("deleted", .int64, .required)
            .field("finished_at", .datetime, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "telemetry_readings_time").on("telemetry_readings").column("at").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "telemetry_readings_time").run()
        for table in ["telemetry_retention_runs", "telemetry_daily"] { try await db.schema(table).delete() }
    }
}
