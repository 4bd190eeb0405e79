import FluentKit
import SQLKit

/// 008: the filing and verification workflows, and the working-day calendar.
struct M008_CreateWorkflows: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("filings")
            .field("id", .int, .identifier(auto: true))
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .field("owner_id", .int, .required, .references("owners", "id"))
            .field("region_code", .string, .required)
            .field("state", .string, .required)
            .field("submitted_by", .string, .required)
            .field("submitted_at", .datetime, .required)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .field("reason", .string)
            .create()
        try await db.schema("verification_requests")
            .field("id", .int, .identifier(auto: true))
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .field("owner_id", .int, .required, .references("owners", "id"))
            .field("region_code", .string, .required)
            .field("institution_id", .int, .required, .references("institutions", "id"))
            .field("mode", .string, .required)
            .field("state", .string, .required)
            .field("note", .string)
            .field("applied_by", .string, .required)
            .field("applied_on", .string, .required)
            .field("accepted_on", .string)
            .field("scheduled_for", .string)
            .field("deadline", .string)
            .field("completed_on", .string)
            .field("record_id", .int, .references("verification_records", "id"))
            .field("reason", .string)
            .create()
        try await db.schema("calendar_days")
            .field("id", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "filings_instrument").on("filings").column("instrument_id").run()
        try await sql.create(index: "filings_state_region").on("filings").column("state").column("region_code").run()
        try await sql.create(index: "requests_instrument").on("verification_requests").column("instrument_id").run()
        try await sql.create(index: "requests_institution_state").on("verification_requests").column("institution_id").column("state").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["calendar_days", "verification_requests", "filings"] { try await db.schema(t).delete() }
    }
}
