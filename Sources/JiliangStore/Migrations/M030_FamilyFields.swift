import FluentKit
import SQLKit

/// 030: an instrument's family fields (issue #20, item 8: `FamilyFields` — a dispenser's nozzles,
/// a taximeter's plate), kept as one JSON object so that a new family field is a declaration, not a
/// column. NULL when the instrument has none.
struct M030_FamilyFields: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE instruments ADD COLUMN attributes TEXT").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE instruments DROP COLUMN attributes").run()
    }
}
