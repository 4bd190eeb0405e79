import FluentKit
import SQLKit

/// 013: the incrementally kept event counts behind the statistics (issue #4's fast path). The key
/// order serves the views: one level and metric, a region or a range of them, a range of buckets.
struct M013_CreateMetricCounts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.create(table: "metric_counts")
            .column("level", type: .text, .notNull)  // place, city, province
            .column("metric", type: .text, .notNull)
            .column("grain", type: .text, .notNull)  // d (day), m (month), s (snapshot)
            .column("region_code", type: .text, .notNull)
            .column("bucket", type: .text, .notNull)  // YYYY-MM-DD, YYYY-MM, or the retirement day for snapshots
            .column("sub_no", type: .int, .notNull)
            .column("met_n", type: .bigint, .notNull)
            .column("total_n", type: .bigint, .notNull)
            .primaryKey("level", "metric", "grain", "region_code", "bucket", "sub_no")
            .run()
        // An existing registry gets its counts now, so that no view ever reads an empty table.
        try await MetricCounts.rebuild(on: db)
    }

    func revert(on db: any Database) async throws {
        try await db.schema("metric_counts").delete()
    }
}
