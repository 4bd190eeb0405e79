import FluentKit

/// 002: the mandatory-management catalogue and its versioned verification rules.
struct M002_CreateCatalogue: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("catalogue_entries")
            .field("sub_no", .int, .identifier(auto: false))
            .field("item_no", .int, .required)
            .field("item_name", .string, .required)
            .field("sub_name", .string, .required)
            .field("mode", .string)
            .field("form", .string)
            .field("scope_note", .string, .required)
            .field("regulation", .string, .required)
            .field("source", .string, .required)
            .field("confidence", .string, .required)
            .create()
        try await db.schema("verification_rules")
            .field("id", .int, .identifier(auto: true))
            .field("sub_no", .int, .required, .references("catalogue_entries", "sub_no"))
            .field("version", .int, .required)
            .field("effective_from", .string, .required)
            .field("meter_type", .string)
            .field("dn_above", .int)
            .field("dn_max", .int)
            .field("q3_max", .double)
            .field("medium", .string)
            .field("form", .string, .required)
            .field("cycle_months", .int)
            .field("service_life_months", .int)
            .field("source", .string, .required)
            .field("confidence", .string, .required)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("verification_rules").delete()
        try await db.schema("catalogue_entries").delete()
    }
}
