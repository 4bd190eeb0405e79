import FluentKit
import SQLKit

/// 014: the 三表 通报 (utility meter report) from kept counts, so that it answers for a city or the
/// whole province as fast as the dashboard (before, it read every meter and refused regions beyond
/// `Statistics.plainPathLimit`). Two tables kept by the same writes as `metric_counts`:
/// - `utility_counts`: per utility company (owner) and place, the first-verification and rotation
///   events by day and month, and a snapshot of its meters (total) and those in service (met);
/// - `utility_offences`: every meter with a missed first verification or rotation, with the day
///   that decided it, so the offenders of a region and period are a range read.
struct M014_CreateUtilityCounts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let postgres = sql.dialect.name == "postgresql"
        try await sql.raw("""
            CREATE TABLE utility_counts (
              metric TEXT NOT NULL,       -- count (snapshot: meters, met = in service), firstVerification, rotation
              grain TEXT NOT NULL,        -- d (day), m (month), s (snapshot)
              region_code TEXT NOT NULL,  -- the meters' place
              bucket TEXT NOT NULL,
              owner_id INTEGER NOT NULL,  -- 0: meters without an owner
              met_n BIGINT NOT NULL,
              total_n BIGINT NOT NULL,
              PRIMARY KEY (metric, grain, region_code, bucket, owner_id)\(unsafeRaw: postgres ? " INCLUDE (met_n, total_n))" : ") WITHOUT ROWID")
            """).run()
        try await sql.raw("""
            CREATE TABLE utility_offences (
              region_code TEXT NOT NULL,
              day TEXT NOT NULL,          -- the first day of use, or the service life's end
              instrument_id INTEGER NOT NULL,
              problem TEXT NOT NULL,      -- first_verification, rotation
              owner_id INTEGER NOT NULL,  -- 0: a meter without an owner
              PRIMARY KEY (region_code, day, instrument_id, problem))\(unsafeRaw: postgres ? "" : " WITHOUT ROWID")
            """).run()
        try await sql.raw("CREATE INDEX utility_offences_instrument ON utility_offences (instrument_id)").run()
        // A company's offences in the report's order: the first page of a province's list walks it.
        try await sql.raw("CREATE INDEX utility_offences_owner ON utility_offences (owner_id, problem, day, instrument_id)").run()
        // An existing registry's utility meters are counted by 015, once `utility_offences` has all its
        // columns (014 first shipped counting them here; 015 fills the new columns of such a database).
    }

    func revert(on db: any Database) async throws {
        try await db.schema("utility_offences").delete()
        try await db.schema("utility_counts").delete()
    }
}
