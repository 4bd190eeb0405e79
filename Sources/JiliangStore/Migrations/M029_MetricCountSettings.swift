import FluentKit
import SQLKit

/// 029: the kept counts' own shape, stored beside them (issue #20): from which day on their changes
/// are kept by day (before it, on their month's first day). It was a process-wide variable that the
/// server and the CLI set and tests did not, so two writers could keep the same table in two shapes.
struct M029_MetricCountSettings: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            CREATE TABLE metric_count_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)
            """).run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("metric_count_settings").delete()
    }
}
