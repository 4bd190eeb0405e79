import FluentKit

/// 001: administrative divisions, keyed by their GB/T 2260 code.
struct M001_CreateRegions: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("regions")
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("parent_code", .string)
            .field("operational", .bool, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("regions").delete() }
}
