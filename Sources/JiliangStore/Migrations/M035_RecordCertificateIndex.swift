import FluentKit
import SQLKit

/// 035: an index on the records' certificate numbers (证书编号). An import refuses a row whose
/// last verification's certificate is already recorded (a roll sent twice under new serials, a
/// typing slip), and asks for each slice's numbers; without an index every question read the whole
/// records table, so a roll imported into a province with millions of records slowed with its size
/// (issue #19's speed; BENCHMARKS.md). Partial: failed verifications and spot checks carry none.
/// `IF NOT EXISTS`: on a large PostgreSQL registry an operator may build it beforehand with
/// `CREATE INDEX CONCURRENTLY` (docs/operations.md), so that the upgrade does not block writes.
struct M035_RecordCertificateIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw(
            "CREATE INDEX IF NOT EXISTS records_certificate ON verification_records (certificate_no) WHERE certificate_no IS NOT NULL"
        ).run()
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "records_certificate").run()
    }
}
