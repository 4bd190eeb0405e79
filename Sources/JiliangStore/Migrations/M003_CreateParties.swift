import FluentKit

/// 003: owners (使用单位), institutions (计量技术机构) and authorisation scopes.
struct M003_CreateParties: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("owners")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("credit_code", .string, .required)
            .field("address", .string, .required)
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("industry", .string, .required)
            .field("contact_name", .string)
            .field("contact_phone", .string)
            .field("parent_id", .int, .references("owners", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "credit_code")
            .create()
        try await db.schema("institutions")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("credit_code", .string)
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("address", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "name")
            .create()
        try await db.schema("institution_scopes")
            .field("id", .int, .identifier(auto: true))
            .field("institution_id", .int, .required, .references("institutions", "id"))
            .field("sub_no", .int, .required, .references("catalogue_entries", "sub_no"))
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("valid_from", .string, .required)
            .field("valid_until", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        for t in ["institution_scopes", "institutions", "owners"] { try await db.schema(t).delete() }
    }
}
