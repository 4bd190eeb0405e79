import FluentKit

/// 026: the working-day calendar says where a day comes from (the State Council's notice for that
/// year), and which shipped reference sets were loaded (issue #19, item 7): a year's holidays are
/// loaded once, so a day the administrator deletes stays deleted after a restart.
struct M026_CalendarSources: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("calendar_days").field("source", .string).update()
        try await db.schema("reference_loads")
            .field("name", .string, .identifier(auto: false))
            .field("loaded_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("reference_loads").delete()
        try await db.schema("calendar_days").deleteField("source").update()
    }
}
