import FluentKit

/// 038: readings received per region and minute, kept by the ingest in the batch's transaction, so
/// that the live supervision screen's "readings in the last hour" — asked every 2 seconds by every
/// open screen — sums at most 60 rows a region instead of counting a province's hour of readings
/// (2,000,000 of them took 0.46 s on PostgreSQL; BENCHMARKS.md, 2026-12-06 night). Counting starts
/// at the upgrade: for its first hour the figure counts only what came since. Rows older than two
/// days are removed by the daily telemetry retention run.
struct M038_TelemetryMinuteCounts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("telemetry_minute_counts")
            .field("region_code", .string, .required)
            .field("minute", .int64, .required)  // minutes since 1970, UTC
            .field("n", .int64, .required)
            .compositeIdentifier(over: "region_code", "minute")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("telemetry_minute_counts").delete()
    }
}
