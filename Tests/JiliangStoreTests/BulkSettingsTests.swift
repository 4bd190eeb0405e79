import FluentKit
import JiliangTestSupport
import SQLKit
import Testing

@testable import JiliangStore

/// The bulk writers' connection settings never fail a write: SQLite refuses to move temporary
/// storage inside a transaction once the connection has opened it — which a migration's
/// `ALTER TABLE … RENAME COLUMN` (039) does on the connection that ran it, so the first import or
/// demo load on a just-migrated database failed ("temporary storage cannot be changed from within a
/// transaction"; found by `jiliang bench telemetry` on SQLite).
@Suite struct BulkSettingsTests {
    @Test func aBulkWriteGoesThroughOnAConnectionWhoseTemporaryStorageIsOpen() async throws {
        try await TestDatabase.withStore { store in
            let written = try await store.db.transaction { tx -> Int in
                let sql = tx as! any SQLDatabase
                // Opens this connection's temporary storage (SQLite), as the rename did.
                try await sql.raw("CREATE TEMPORARY TABLE bulk_probe (n INTEGER)").run()
                return try await InstrumentBulkWriter.withBulkSettings(on: tx) {
                    try await sql.raw("INSERT INTO bulk_probe (n) VALUES (1), (2)").run()
                    struct Count: Decodable { var n: Int }
                    return try await sql.raw("SELECT COUNT(*) AS n FROM bulk_probe").first(decoding: Count.self)?.n ?? 0
                }
            }
            #expect(written == 2)
        }
    }
}
