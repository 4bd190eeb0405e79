import FluentKit
import SQLKit

/// 021: ending a penalty's publication early (信用修复, SAMR Order 45 art. 14): whether the penalty is
/// in the food, drug or special-equipment fields (a year on display before the party may apply,
/// otherwise six months), the party's application and the day the publication was ended. The
/// decision itself is a credit event with who decided, and the take-down a ledgered list change.
struct M021_PenaltyRepair: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE penalties ADD COLUMN special_domain BOOLEAN NOT NULL DEFAULT FALSE").run()
        try await sql.raw("ALTER TABLE penalties ADD COLUMN repair_statement TEXT").run()
        try await sql.raw("ALTER TABLE penalties ADD COLUMN repair_applied_on TEXT").run()
        try await sql.raw("ALTER TABLE penalties ADD COLUMN repaired_on TEXT").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for column in ["repaired_on", "repair_applied_on", "repair_statement", "special_domain"] {
            try await sql.raw("ALTER TABLE penalties DROP COLUMN \(unsafeRaw: column)").run()
        }
    }
}
