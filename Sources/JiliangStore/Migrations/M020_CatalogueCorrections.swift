import FluentKit
import SQLKit

/// 020: two corrections to catalogue rows seeded before (issue #18, item 15), made only where the
/// row still holds the value first seeded (an administrator's own edit is kept):
/// - 血压计和血压表 (provisional sub 921) belongs to first-level item 14 血压计（表）, beside sub 18
///   无创自动测量血压计 — one catalogue item, not a second provisional item 920;
/// - 焦度计 (961) and 验光仪 (971) are P+V (型式批准 and 强制检定), not V: SAMR's 2022 notice on
///   eyewear shops, after the 2019 and 2020 catalogue revisions (docs/catalogue.md).
/// The catalogue rows added with them (电动汽车充电桩, 压力表, …) are seeded at start-up like any
/// missing row.
struct M020_CatalogueCorrections: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("UPDATE catalogue_entries SET item_no = 14, item_name = '血压计（表）' WHERE sub_no = 921 AND item_no = 920").run()
        try await sql.raw("UPDATE catalogue_entries SET mode = 'P+V' WHERE sub_no IN (961, 971) AND mode = 'V'").run()
    }

    func revert(on db: any Database) async throws {}
}
