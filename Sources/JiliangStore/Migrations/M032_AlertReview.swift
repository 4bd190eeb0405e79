import FluentKit
import FluentSQL
import SQLKit

/// 032: a bureau's review of what the detectors found (issue #21, item 5), and a device's gateway. A finding gets its
/// detector's severity (kept so that the queue sorts in SQL), the decision (who, when, the day it
/// counts from in the owner's credit facts, why), and — once confirmed — its evidence frozen as
/// text with that text's SHA-256 and the ledger index it was sequenced at. A confirmed alert opens
/// an inspection task for the instrument's region; one task per origin.
///
/// Holds the SQL of its day: the severities below are written out, not read from `DetectorKind`.
struct M032_AlertReview: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // One column a statement: SQLite adds one at a time. Fluent's types, so that a date is
        // stored as every other date is (TIMESTAMPTZ on PostgreSQL).
        try await db.schema("telemetry_findings").field("severity", .int, .required, .sql(.default(2))).update()
        try await db.schema("telemetry_findings").field("decided_by", .string).update()
        try await db.schema("telemetry_findings").field("decided_at", .datetime).update()
        try await db.schema("telemetry_findings").field("decided_on", .string).update()
        try await db.schema("telemetry_findings").field("decision_reason", .string).update()
        try await db.schema("telemetry_findings").field("frozen_evidence", .string).update()
        try await db.schema("telemetry_findings").field("evidence_hash", .string).update()
        try await db.schema("telemetry_findings").field("ledger_index", .int64).update()
        // One credential per gateway (issue #21, item 1): a device bound to a gateway's API token
        // takes readings from that token only.
        try await db.schema("telemetry_devices").field("gateway_token_id", .int).update()
        try await sql.raw("""
            UPDATE telemetry_findings SET severity = CASE
              WHEN detector IN ('price_arithmetic', 'dispenser_identity', 'scale_tamper', 'meter_backwards', 'taximeter_distance') THEN 3
              WHEN detector = 'device_silent' THEN 1 ELSE 2 END
            """).run()
        // The queue: open alerts by severity and time; the sequencer: confirmed ones not yet ledgered.
        try await sql.create(index: "telemetry_findings_queue").on("telemetry_findings").column("state").column("severity").column("at").run()
        // The live screen counts the readings received in the last hour, every 2 seconds.
        try await sql.create(index: "telemetry_readings_received").on("telemetry_readings").column("received_at").run()
        try await sql.raw(
            "CREATE INDEX telemetry_findings_ledger_pending ON telemetry_findings (id) WHERE ledger_index IS NULL AND state = 'confirmed'"
        ).run()
        try await db.schema("inspection_tasks")
            .field("id", .int, .identifier(auto: true))
            .field("region_code", .string, .required)
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .field("owner_id", .int, .required, .references("owners", "id"))
            .field("origin", .string, .required)  // telemetry_alert (field inspection will add its own)
            .field("origin_id", .int, .required)
            .field("state", .string, .required)  // open (the field-inspection workflow closes it)
            .field("opened_by", .string, .required)
            .field("opened_at", .datetime, .required)
            .unique(on: "origin", "origin_id")
            .create()
        try await sql.create(index: "inspection_tasks_region").on("inspection_tasks").column("region_code").column("state").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await db.schema("telemetry_devices").deleteField("gateway_token_id").update()
        try await db.schema("inspection_tasks").delete()
        try await sql.raw("DROP INDEX telemetry_findings_ledger_pending").run()
        try await sql.raw("DROP INDEX telemetry_findings_queue").run()
        try await sql.raw("DROP INDEX telemetry_readings_received").run()
        for column in ["ledger_index", "evidence_hash", "frozen_evidence", "decision_reason", "decided_on", "decided_at", "decided_by", "severity"] {
            try await db.schema("telemetry_findings").deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}
