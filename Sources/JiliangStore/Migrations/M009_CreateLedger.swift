import FluentKit
import SQLKit

/// 009: the tamper-evident ledger. Ledgered rows get their leaf index; instrument status changes
/// become append-only rows; tiles, the tree state, published checkpoints and what each witness has
/// cosigned live in the database, so one transaction moves rows and tiles together.
struct M009_CreateLedger: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("verification_records").field("ledger_index", .int64).update()
        try await db.schema("filings").field("ledger_index", .int64).update()
        try await db.schema("status_changes")
            .field("id", .int, .identifier(auto: true))
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .field("from_status", .string, .required)
            .field("to_status", .string, .required)
            .field("changed_on", .string, .required)
            .field("changed_by", .string, .required)
            .field("reason", .string)
            .field("ledger_index", .int64)
            .create()
        try await db.schema("ledger_tiles")
            .field("path", .string, .identifier(auto: false))
            .field("data", .data, .required)
            .create()
        try await db.schema("ledger_state")
            .field("id", .int, .identifier(auto: false))
            .field("size", .int64, .required)
            .field("root", .string, .required)
            .create()
        try await db.schema("ledger_checkpoints")
            .field("size", .int64, .identifier(auto: false))
            .field("note", .string, .required)
            .field("published_at", .datetime, .required)
            .create()
        try await db.schema("ledger_witnesses")
            .field("name", .string, .identifier(auto: false))
            .field("size", .int64, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("INSERT INTO ledger_state (id, size, root) VALUES (1, 0, '')").run()
        try await sql.create(index: "status_changes_instrument").on("status_changes").column("instrument_id").run()
        // The sequencer's work list: partial indexes stay tiny once rows are ledgered.
        for table in ["verification_records", "filings", "status_changes"] {
            try await sql.raw("CREATE INDEX \(unsafeRaw: table)_ledger_pending ON \(unsafeRaw: table) (id) WHERE ledger_index IS NULL").run()
        }
    }

    func revert(on db: any Database) async throws {
        for t in ["ledger_witnesses", "ledger_checkpoints", "ledger_state", "ledger_tiles", "status_changes"] {
            try await db.schema(t).delete()
        }
        try await db.schema("filings").deleteField("ledger_index").update()
        try await db.schema("verification_records").deleteField("ledger_index").update()
    }
}
