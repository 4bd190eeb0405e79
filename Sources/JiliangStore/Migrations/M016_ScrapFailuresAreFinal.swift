import FluentKit
import SQLKit

/// 016: 失准报废 instruments (catalogue form `first_only_scrap`) that failed a verification or a
/// spot check and later passed were stored as usable; a failure is final for them (issue #18,
/// item 11; the engine decides so from now on). This marks the ones stored before as failed. A
/// failure counts unless a later record corrects it. Plain SQL that both databases run; it reads no
/// application code, so it stays what it is when the engine changes again.
struct M016_ScrapFailuresAreFinal: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            UPDATE instruments SET compliance_base = 'failed'
            WHERE compliance_base = 'active'
              AND sub_no IN (SELECT sub_no FROM catalogue_entries WHERE form = 'first_only_scrap')
              AND EXISTS (
                SELECT 1 FROM verification_records r
                WHERE r.instrument_id = instruments.id AND r.result = 'fail'
                  AND NOT EXISTS (SELECT 1 FROM verification_records c WHERE c.corrects_id = r.id))
            """).run()
    }

    /// The instruments it marked cannot be told from those that failed for good: nothing to undo.
    func revert(on db: any Database) async throws {}
}
