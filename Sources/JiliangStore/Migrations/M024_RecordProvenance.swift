import FluentKit
import SQLKit

/// 024: a verification record imported from a bureau's roll (its 最近检定日期, 检定结论, 证书编号,
/// 检定机构) keeps where it came from: the file's SHA-256 and the row (issue #19, item 3). Records
/// entered by people or through the API have none.
struct M024_RecordProvenance: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE verification_records ADD COLUMN import_source TEXT").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE verification_records DROP COLUMN import_source").run()
    }
}
