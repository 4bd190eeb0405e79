import FluentKit
import SQLKit

/// 006: instrument indexes shaped by the measured workload (BENCHMARKS.md).
/// - `instruments_owner` goes: the natural-key unique index (owner_id, sub_no, serial_no) already
///   starts with owner_id, and every extra index slows imports.
/// - `instruments_region_due` (region_code, next_due) becomes (region_code, compliance_base, id):
///   a county's status list is an equality on region and compliance base, paged by id, so the
///   database walks the index in page order and stops after one page instead of reading and
///   sorting the whole county.
struct M006_ReshapeInstrumentIndexes: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.drop(index: "instruments_owner").ifExists().run()
        try await sql.drop(index: "instruments_region_due").ifExists().run()
        try await sql.create(index: "instruments_region_status").on("instruments")
            .column("region_code").column("compliance_base").column("id").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.drop(index: "instruments_region_status").ifExists().run()
        try await sql.create(index: "instruments_region_due").on("instruments").column("region_code").column("next_due").run()
        try await sql.create(index: "instruments_owner").on("instruments").column("owner_id").run()
    }
}
