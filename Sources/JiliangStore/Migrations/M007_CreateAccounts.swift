import FluentKit
import SQLKit

/// 007: accounts, sessions, API tokens, the audit log, and who queued each job.
struct M007_CreateAccounts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .field("id", .int, .identifier(auto: true))
            .field("login", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .references("regions", "code"))
            .field("institution_id", .int, .references("institutions", "id"))
            .field("owner_id", .int, .references("owners", "id"))
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "login")
            .create()
        try await db.schema("sessions")
            .field("id", .int, .identifier(auto: true))
            .field("token_hash", .string, .required)
            .field("user_id", .int, .required, .references("users", "id"))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema("api_tokens")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .references("regions", "code"))
            .field("institution_id", .int, .references("institutions", "id"))
            .field("owner_id", .int, .references("owners", "id"))
            .field("permissions", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema("audit_log")
            .field("id", .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string)
            .field("before", .string)
            .field("after", .string)
            .create()
        try await db.schema("jobs").field("created_by", .string).update()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "sessions_user").on("sessions").column("user_id").run()
        try await sql.create(index: "audit_entity").on("audit_log").column("entity").column("entity_id").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("jobs").deleteField("created_by").update()
        for t in ["audit_log", "api_tokens", "sessions", "users"] { try await db.schema(t).delete() }
    }
}
