import FluentKit
import SQLKit

/// 022: a listing decided below the provincial level needs the consent of the bureau above before
/// it is published (the county or city proposes and decides; the upper level agrees): the region
/// of the bureau that decided, and who consented, when, with what note. Listings decided before are
/// left as they are (their region is unknown: treated as decided at the provincial level).
struct M022_ListingConsent: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for column in ["decided_region", "consent_by", "consent_on", "consent_note"] {
            try await sql.raw("ALTER TABLE listings ADD COLUMN \(unsafeRaw: column) TEXT").run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for column in ["consent_note", "consent_on", "consent_by", "decided_region"] {
            try await sql.raw("ALTER TABLE listings DROP COLUMN \(unsafeRaw: column)").run()
        }
    }
}
