import FluentKit

/// 028: messages and warnings kept as facts (`Notice`, JSON) instead of text worded at creation in
/// both languages at once (issue #20). Older rows keep their text and are shown with it.
struct M028_NoticesAsFacts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        for table in ["inbox_messages", "warnings", "outbox_messages"] {
            try await db.schema(table).field("notice", .string).update()
        }
    }

    func revert(on db: any Database) async throws {
        for table in ["inbox_messages", "warnings", "outbox_messages"] {
            try await db.schema(table).deleteField("notice").update()
        }
    }
}
