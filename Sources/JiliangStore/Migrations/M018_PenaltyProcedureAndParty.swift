import FluentKit
import JiliangCore
import SQLKit

/// 018: a penalty's procedure (普通程序 / 简易程序: only the ordinary procedure's decisions are
/// published, SAMR Order 45 art. 2) and the penalised party's kind (自然人 / 法人或其他组织: Fujian's
/// low-fine threshold differs by kind, 闽市监规〔2024〕3号). Decisions recorded before were all treated
/// as published decisions of organisations, so they take those values.
///
/// Fines shown for 36 months because they exceeded the old, unconfirmed threshold (10,000 yuan for
/// everyone) but are below the organisation threshold of 50,000 yuan are low fines: their display
/// ends 3 months after publication (or with a longer restriction). The figures are written here as
/// they stood when this migration shipped, not read from the configuration, so the migration means
/// the same thing whenever it runs.
struct M018_PenaltyProcedureAndParty: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE penalties ADD COLUMN \"procedure\" TEXT NOT NULL DEFAULT 'ordinary'").run()
        try await sql.raw("ALTER TABLE penalties ADD COLUMN party_kind TEXT NOT NULL DEFAULT 'organisation'").run()
        struct Row: Decodable {
            var id: Int
            var published_on: String
            var restriction_until: String?
        }
        let rows = try await sql.raw("""
            SELECT id, published_on, restriction_until FROM penalties
            WHERE kind = 'fine' AND published_on IS NOT NULL AND amount_yuan > 10000 AND amount_yuan < 50000
            """).all(decoding: Row.self)
        for r in rows {
            guard let published = CalendarDay(r.published_on) else { continue }
            var until = published.lastDayOfPeriod(months: 3)
            if let restriction = r.restriction_until.flatMap({ CalendarDay($0) }), restriction > until { until = restriction }
            try await sql.raw("UPDATE penalties SET display_until = \(bind: until.description) WHERE id = \(bind: r.id)").run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE penalties DROP COLUMN party_kind").run()
        try await sql.raw("ALTER TABLE penalties DROP COLUMN \"procedure\"").run()
    }
}
