import FluentKit
import SQLKit

/// 037: on PostgreSQL, the raw readings are partitioned by their time, one partition a China day,
/// so that a day leaving the window is summed up and its partition dropped, not deleted row by row
/// (issue #21, item 3; `TelemetryPartitions`). The readings already kept get their days'
/// partitions here; later days' are made by the job worker, ahead of their day. Readings with no
/// day's partition (late for a day already dropped, or from days the worker was down) go to a
/// default partition, which the row-by-row path keeps clean.
///
/// A partitioned table's key must hold its partition column, so the key becomes (device, seq, at).
/// A sequence number is still kept once per device: the ingest locks the batch's devices and asks
/// the partitions only about numbers at or below the device's highest one (`max_seq`, new here on
/// both databases), the only ones that can have been kept before.
///
/// `telemetry_partition_rollups` remembers how far the summing of a detached day has come, in the
/// same transaction as the sums, so that a day is summed exactly once across runs and crashes.
/// SQLite keeps one table and has neither partitions nor rollups to track; it gets the same columns.
///
/// The SQL is this migration's own (the schema of its day), not a call into code that may change.
struct M037_PartitionReadings: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One transaction: a failure half-way (a full disk) leaves the table as it was.
        try await db.transaction { db in try await prepareSteps(on: db) }
    }

    func prepareSteps(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await db.schema("telemetry_devices").field("max_seq", .int64).update()
        try await sql.raw("""
            UPDATE telemetry_devices SET max_seq = (SELECT MAX(seq) FROM telemetry_readings r WHERE r.device_id = telemetry_devices.id)
            """).run()
        try await db.schema("telemetry_partition_rollups")
            .field("partition_name", .string, .identifier(auto: false))
            .field("device_id", .int64, .required)
            .field("seq", .int64, .required)
            .field("summed", .int64, .required)
            .create()
        guard sql.dialect.name == "postgresql" else { return }
        for statement in [
            "ALTER TABLE telemetry_readings RENAME TO telemetry_readings_unpartitioned",
            "ALTER INDEX telemetry_readings_pkey RENAME TO telemetry_readings_unpartitioned_pkey",
            "ALTER INDEX telemetry_readings_at RENAME TO telemetry_readings_unpartitioned_at",
            "ALTER INDEX telemetry_readings_time RENAME TO telemetry_readings_unpartitioned_time",
            "ALTER INDEX telemetry_readings_received RENAME TO telemetry_readings_unpartitioned_received",
            """
            CREATE TABLE telemetry_readings (
              device_id BIGINT NOT NULL, seq BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL, type TEXT NOT NULL, line TEXT NOT NULL,
              received_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (device_id, seq, at)
            ) PARTITION BY RANGE (at)
            """,
            "CREATE TABLE telemetry_readings_default PARTITION OF telemetry_readings DEFAULT",
            // The readings already kept go to their own days' partitions, not to the default one:
            // every day's partition made later would otherwise scan them all, under lock, to check
            // that none belongs to it.
            """
            DO $$ DECLARE d date; BEGIN
              FOR d IN SELECT DISTINCT CAST(at AT TIME ZONE 'Asia/Shanghai' AS date) FROM telemetry_readings_unpartitioned LOOP
                -- Bounds written out with their offset (China has no daylight saving), whatever the
                -- session's DateStyle and TimeZone.
                EXECUTE format('CREATE TABLE %I PARTITION OF telemetry_readings FOR VALUES FROM (%L) TO (%L)',
                  'telemetry_readings_p' || to_char(d, 'YYYYMMDD'),
                  to_char(d, 'YYYY-MM-DD') || ' 00:00:00+08', to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+08');
              END LOOP;
            END $$
            """,
            "INSERT INTO telemetry_readings SELECT device_id, seq, at, type, line, received_at FROM telemetry_readings_unpartitioned",
            "DROP TABLE telemetry_readings_unpartitioned",
            "ALTER TABLE telemetry_readings ADD CONSTRAINT telemetry_readings_device_id_fkey FOREIGN KEY (device_id) REFERENCES telemetry_devices (id)",
            "CREATE INDEX telemetry_readings_at ON telemetry_readings (device_id, at)",
            "CREATE INDEX telemetry_readings_time ON telemetry_readings (at)",
            "CREATE INDEX telemetry_readings_received ON telemetry_readings (received_at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            // Every partition's rows back into one table keyed (device, seq) as before; detached days
            // still being summed are summed no more (their readings are dropped with them).
            struct Name: Decodable { var relname: String }
            for t in try await sql.raw("""
                SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'telemetry\\_readings\\_p%' AND NOT relispartition
                """).all(decoding: Name.self) {
                try await sql.raw("DROP TABLE \(ident: t.relname)").run()
            }
            for statement in [
                "ALTER TABLE telemetry_readings RENAME TO telemetry_readings_partitioned",
                "ALTER INDEX telemetry_readings_pkey RENAME TO telemetry_readings_partitioned_pkey",
                "ALTER INDEX telemetry_readings_at RENAME TO telemetry_readings_partitioned_at",
                "ALTER INDEX telemetry_readings_time RENAME TO telemetry_readings_partitioned_time",
                "ALTER INDEX telemetry_readings_received RENAME TO telemetry_readings_partitioned_received",
                """
                CREATE TABLE telemetry_readings (
                  device_id BIGINT NOT NULL, seq BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL, type TEXT NOT NULL, line TEXT NOT NULL,
                  received_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (device_id, seq)
                )
                """,
                "INSERT INTO telemetry_readings SELECT device_id, seq, at, type, line, received_at FROM telemetry_readings_partitioned",
                "DROP TABLE telemetry_readings_partitioned",
                "ALTER TABLE telemetry_readings ADD CONSTRAINT telemetry_readings_device_id_fkey FOREIGN KEY (device_id) REFERENCES telemetry_devices (id)",
                "CREATE INDEX telemetry_readings_at ON telemetry_readings (device_id, at)",
                "CREATE INDEX telemetry_readings_time ON telemetry_readings (at)",
                "CREATE INDEX telemetry_readings_received ON telemetry_readings (received_at)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }
        try await db.schema("telemetry_partition_rollups").delete()
        try await db.schema("telemetry_devices").deleteField("max_seq").update()
    }
}
