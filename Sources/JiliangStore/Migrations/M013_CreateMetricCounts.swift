import FluentKit
import SQLKit

/// 013: the incrementally kept event counts behind the statistics (issue #4's fast path). The key
/// order serves the views: one level and metric, a region or a range of them, a range of buckets.
struct M013_CreateMetricCounts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // The key is the table: SQLite stores the rows in key order (WITHOUT ROWID) and PostgreSQL
        // carries the counts in the key's index, so a view's range scan reads no other page.
        let suffix = sql.dialect.name == "postgresql" ? " INCLUDE (met_n, total_n))" : ") WITHOUT ROWID"
        try await sql.raw("""
            CREATE TABLE metric_counts (
              level TEXT NOT NULL,        -- place, city, province
              metric TEXT NOT NULL,
              grain TEXT NOT NULL,        -- d (day), m (month), s (snapshot)
              region_code TEXT NOT NULL,
              bucket TEXT NOT NULL,       -- YYYY-MM-DD, YYYY-MM, or the retirement day for snapshots
              sub_no INTEGER NOT NULL,
              met_n BIGINT NOT NULL,
              total_n BIGINT NOT NULL,
              PRIMARY KEY (level, metric, grain, region_code, bucket, sub_no)\(unsafeRaw: suffix)
            """).run()
        // An existing registry gets its counts before any view reads the table: at the end of
        // `Store.migrate`, by `DerivedData`, with the current code. (A migration calling the statistics would read tables as later migrations shape them — 019's
        // `effective_until` did not exist yet here.)
    }

    func revert(on db: any Database) async throws {
        try await db.schema("metric_counts").delete()
    }
}
