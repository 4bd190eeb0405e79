import FluentKit
import SQLKit

/// 031: smart supervision's devices, their readings and what the detectors found (issue #21).
/// A reading is kept as the line the gateway sent (its JSON), keyed by (device, seq) so that a
/// retried batch adds nothing; a finding is keyed by (device, detector, subject) — the reading, the
/// changed value or the lasting state it is about — so that running the detectors again, over a
/// window that has moved on, adds nothing either.
struct M031_CreateTelemetry: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("telemetry_devices")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .field("kind", .string, .required)
            .field("software_id", .string)
            .field("pulse_equivalent", .double)
            .field("registered_by", .string, .required)
            .field("registered_at", .datetime, .required)
            .field("last_seen_at", .datetime)
            .unique(on: "name")
            .create()
        try await db.schema("telemetry_readings")
            .field("device_id", .int, .required, .references("telemetry_devices", "id"))
            .field("seq", .int64, .required)
            .field("at", .datetime, .required)
            .field("type", .string, .required)
            .field("line", .string, .required)
            .field("received_at", .datetime, .required)
            .compositeIdentifier(over: "device_id", "seq")
            .create()
        try await db.schema("telemetry_findings")
            .field("id", .int, .identifier(auto: true))
            .field("device_id", .int, .required, .references("telemetry_devices", "id"))
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .field("detector", .string, .required)
            .field("first_seq", .int64, .required)
            .field("subject", .string, .required)
            .field("at", .datetime, .required)
            .field("seqs", .string, .required)
            .field("evidence", .string, .required)
            .field("state", .string, .required)  // open (confirmed and dismissed come with the bureau's review)
            .field("found_at", .datetime, .required)
            .unique(on: "device_id", "detector", "subject")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "telemetry_readings_at").on("telemetry_readings").column("device_id").column("at").run()
        try await sql.create(index: "telemetry_devices_instrument").on("telemetry_devices").column("instrument_id").run()
        // The job worker asks for devices gone quiet whenever it is idle.
        try await sql.create(index: "telemetry_devices_last_seen").on("telemetry_devices").column("last_seen_at").run()
        try await sql.create(index: "telemetry_findings_instrument").on("telemetry_findings").column("instrument_id").run()
    }

    func revert(on db: any Database) async throws {
        for table in ["telemetry_findings", "telemetry_readings", "telemetry_devices"] { try await db.schema(table).delete() }
    }
}
