import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import SQLKit
import Testing

/// Backups and the restore drill (issue #22, item 4), on the built binary as an operator runs
/// them: a backup of a demo province with a ledger, restored into a fresh database, comes back
/// with every table's rows, the kept statistics and the ledger's root identical; a backup never
/// overwrites, a restore never replaces a database without --force, and a restore that does not
/// match its manifest says so and fails.
@Suite(.serialized) struct BackupCLITests {
    /// A backup made by the version before this one (its last migration not yet run) restores
    /// identical to its manifest and is then migrated to this version: the drill of an upgrade
    /// that goes wrong and is rolled back to last night's backup by the new binary.
    @Test func aBackupOfTheVersionBeforeRestoresAndIsMigrated() async throws {
        let db = CLITests.temp("old.sqlite"), backup = CLITests.temp("old-backup.sqlite"), restored = CLITests.temp("old-restored.sqlite")
        #expect(try await CLITests.run(["demo", "--instruments", "40", "--sqlite", db]).status == 0)
        // The database as the version before wrote it: the newest migration undone and forgotten.
        let newest = try #require(Store.migrations.last)
        let old = try Store(location: .sqliteFile(db))
        try await newest.revert(on: old.db).get()
        try await old.sql.raw("DELETE FROM _fluent_migrations WHERE name = \(bind: newest.name)").run()
        struct Object: Decodable, Hashable { var type: String; var name: String }
        // Tables, indexes and every table's columns (a migration may add only a column).
        let schemaQuery: SQLQueryString = """
            SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index')
            UNION ALL SELECT 'column' AS type, m.name || '.' || p.name AS name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'
            """
        let olderSchema = Set(try await old.sql.raw(schemaQuery).all(decoding: Object.self))
        await old.shutdown()

        let made = try await CLITests.run(["backup", "--sqlite", db, "--to", backup])
        #expect(made.status == 0, "\(made.output)")
        let manifest = try Backup.manifest(of: backup)
        #expect((manifest.tables["instruments"] ?? 0) >= 40)
        let back = try await CLITests.run(["restore", "--sqlite", restored, "--from", backup])
        #expect(back.status == 0 && back.output.contains("identical to the backup's manifest"), "\(back.output)")

        // Migrated on opening: the newest migration is recorded and every table of this version
        // is there, with the backup's rows.
        let now = try Store(location: .sqliteFile(restored))
        struct Count: Decodable { var n: Int }
        let applied = try await now.sql.raw("SELECT COUNT(*) AS n FROM _fluent_migrations WHERE name = \(bind: newest.name)").first(decoding: Count.self)?.n
        #expect(applied == 1)
        let summary = try await Backup.summary(of: now)
        let schema = Set(try await now.sql.raw(schemaQuery).all(decoding: Object.self))
        await now.shutdown()
        for (table, n) in manifest.tables {
            // One row more where the migrations are recorded: the one the upgrade ran.
            let expected = table == "_fluent_migrations" ? n + 1 : n
            #expect(summary.tables[table] == expected, "\(table): \(summary.tables[table] ?? -1) rows after the upgrade, \(n) in the backup")
        }
        #expect(Set(summary.tables.keys).isSuperset(of: manifest.tables.keys))
        // The newest migration's tables, indexes or columns are there after the restore.
        #expect(schema.isStrictSuperset(of: olderSchema), "the newest migration's tables, indexes or columns are there after the restore")
    }

    @Test func aSQLiteBackupRestoresIdentical() async throws {
        let db = CLITests.temp("live.sqlite"), key = CLITests.temp("ledger.key"), backup = CLITests.temp("backup.sqlite")
        let restored = CLITests.temp("restored.sqlite")
        #expect(try await CLITests.run(["demo", "--instruments", "40", "--sqlite", db]).status == 0)
        let sync = try await CLITests.run(["ledger", "sync", "--sqlite", db, "--ledger-key", key])
        #expect(sync.status == 0, "\(sync.output)")
        let made = try await CLITests.run(["backup", "--sqlite", db, "--to", backup])
        #expect(made.status == 0 && FileManager.default.fileExists(atPath: backup + ".json"), "\(made.output)")
        // The ledger is in it: a size above zero.
        #expect(made.output.contains("ledger size") && !made.output.contains("ledger size 0,"), "\(made.output)")
        let again = try await CLITests.run(["backup", "--sqlite", db, "--to", backup])
        #expect(again.status != 0 && again.output.contains("exists already"), "\(again.output)")

        let back = try await CLITests.run(["restore", "--sqlite", restored, "--from", backup])
        #expect(back.status == 0 && back.output.contains("identical to the backup's manifest"), "\(back.output)")
        // Over a database that is there: only with --force.
        let refused = try await CLITests.run(["restore", "--sqlite", db, "--from", backup])
        #expect(refused.status != 0 && refused.output.contains("--force"), "\(refused.output)")
        let forced = try await CLITests.run(["restore", "--sqlite", db, "--from", backup, "--force"])
        #expect(forced.status == 0 && forced.output.contains("identical"), "\(forced.output)")
        // A backup that does not match its manifest (here: the manifest edited) is refused naming the
        // difference, and the database it was to replace is left as it was.
        let manifest = backup + ".json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "\"ledgerSize\" : ", with: "\"ledgerSize\" : 9").write(toFile: manifest, atomically: true, encoding: .utf8)
        let before = try FileManager.default.attributesOfItem(atPath: db)[.modificationDate] as? Date
        let differs = try await CLITests.run(["restore", "--sqlite", db, "--from", backup, "--force"])
        #expect(differs.status != 0 && differs.output.contains("ledger: size 9") && differs.output.contains("nothing was replaced"), "\(differs.output)")
        #expect(try FileManager.default.attributesOfItem(atPath: db)[.modificationDate] as? Date == before)
        // Not a database at all: refused, nothing replaced.
        let junk = CLITests.temp("junk.sqlite")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        try text.write(toFile: junk + ".json", atomically: true, encoding: .utf8)
        let refusedJunk = try await CLITests.run(["restore", "--sqlite", db, "--from", junk, "--force"])
        #expect(refusedJunk.status != 0 && refusedJunk.output.contains("not a database"), "\(refusedJunk.output)")
    }

    /// An import queued before the backup — its job and its upload, which waits in the database
    /// (migration 040) — is in the backup whole: restored into a fresh database, a worker there
    /// runs it, stores every row and removes the upload with the job.
    static func queuedImportDrill(live: DatabaseLocation, restored: DatabaseLocation, backUpAndRestore: () async throws -> Void) async throws {
        let rows = 25
        let store = try Store(location: live)
        let owner = try #require(try await OwnerModel.query(on: store.db).first())
        var csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
        for i in 0..<rows { csv += "2,电子秤,QD\(i),trade_settlement,\(owner.regionCode),市场\(i)号,\(owner.creditCode),2025-01-01\n" }
        let queued = try await ImportJobs.enqueue(bytes: Array(csv.utf8), mode: .allOrNothing, by: .system("tests"), on: store.db)
        let before = try await InstrumentModel.query(on: store.db).count()
        await store.shutdown()

        try await backUpAndRestore()

        let back = try Store(location: restored)
        let today = CalendarDay("2026-11-26")!
        // The demo may have queued work of its own: claim until the import comes up.
        var claimed = try await JobQueue.claim(on: back.db)
        while let other = claimed, other.id != queued.id { claimed = try await JobQueue.claim(on: back.db) }
        let job = try #require(claimed, "the queued import was not in the restored database")
        try await JobWorker(store: back, today: { today }, warnings: WarningRunner()).run(job, today: today)
        let done = try #require(try await JobModel.find(job.id, on: back.db))
        #expect(done.state == "done", "\(done.error ?? "")")
        #expect(try await InstrumentModel.query(on: back.db).count() == before + rows)
        #expect(try await InstrumentModel.query(on: back.db).filter(\.$serialNo == "QD\(rows - 1)").count() == 1)
        struct Count: Decodable { var n: Int }
        #expect(try await back.sql.raw("SELECT COUNT(*) AS n FROM job_uploads").first(decoding: Count.self)?.n == 0)
        await back.shutdown()
    }

    @Test func aQueuedSQLiteImportIsRestoredWithItsUploadAndRuns() async throws {
        let db = CLITests.temp("queued.sqlite"), backup = CLITests.temp("queued-backup.sqlite"), restored = CLITests.temp("queued-restored.sqlite")
        #expect(try await CLITests.run(["demo", "--instruments", "20", "--sqlite", db]).status == 0)
        try await Self.queuedImportDrill(live: .sqliteFile(db), restored: .sqliteFile(restored)) {
            let made = try await CLITests.run(["backup", "--sqlite", db, "--to", backup])
            #expect(made.status == 0, "\(made.output)")
            let back = try await CLITests.run(["restore", "--sqlite", restored, "--from", backup])
            #expect(back.status == 0 && back.output.contains("identical to the backup's manifest"), "\(back.output)")
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["JILIANG_TEST_POSTGRES"] != nil))
    func aQueuedPostgreSQLImportIsRestoredWithItsUploadAndRuns() async throws {
        let base = ProcessInfo.processInfo.environment["JILIANG_TEST_POSTGRES"]!
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let live = "queued_live_\(suffix)", restored = "queued_restored_\(suffix)"
        try await Self.psql("CREATE DATABASE \(live)", base)
        try await Self.psql("CREATE DATABASE \(restored)", base)
        func url(_ name: String) -> String { String(base[..<base.lastIndex(of: "/")!]) + "/" + name }
        let drill: () async throws -> Void = {
            #expect(try await CLITests.run(["demo", "--instruments", "20"], databaseURL: url(live)).status == 0)
            let backup = CLITests.temp("queued.pgdump")
            try await Self.queuedImportDrill(live: .postgres(url: url(live)), restored: .postgres(url: url(restored))) {
                let made = try await CLITests.run(["backup", "--to", backup], databaseURL: url(live))
                #expect(made.status == 0, "\(made.output)")
                let back = try await CLITests.run(["restore", "--from", backup], databaseURL: url(restored))
                #expect(back.status == 0 && back.output.contains("identical to the backup's manifest"), "\(back.output)")
            }
        }
        // The databases are dropped whether the drill passed or threw (a `defer` cannot wait).
        let outcome: Result<Void, any Error>
        do { try await drill(); outcome = .success(()) } catch { outcome = .failure(error) }
        for name in [live, restored] { try? await Self.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", base) }
        try outcome.get()
    }

    static func psql(_ command: String, _ url: String) async throws {
        let r = try await ChildProcess.run("/usr/bin/psql", ["--no-psqlrc", "--quiet", "--command", command, url])
        #expect(r.status == 0, "psql: \(command): \(r.errorText)")
    }

    /// The same drill on PostgreSQL (pg_dump and pg_restore), when the tests have a cluster.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["JILIANG_TEST_POSTGRES"] != nil))
    func aPostgreSQLBackupRestoresIdentical() async throws {
        let base = ProcessInfo.processInfo.environment["JILIANG_TEST_POSTGRES"]!
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let live = "drill_live_\(suffix)", restored = "drill_restored_\(suffix)"
        for name in [live, restored] { try await Self.psql("CREATE DATABASE \(name)", base) }
        func url(_ name: String) -> String { String(base[..<base.lastIndex(of: "/")!]) + "/" + name }
        let key = CLITests.temp("pg-ledger.key"), backup = CLITests.temp("backup.pgdump")
        #expect(try await CLITests.run(["demo", "--instruments", "40"], databaseURL: url(live)).status == 0)
        #expect(try await CLITests.run(["ledger", "sync", "--ledger-key", key], databaseURL: url(live)).status == 0)
        let made = try await CLITests.run(["backup", "--to", backup], databaseURL: url(live))
        #expect(made.status == 0, "\(made.output)")
        let back = try await CLITests.run(["restore", "--from", backup], databaseURL: url(restored))
        #expect(back.status == 0 && back.output.contains("identical to the backup's manifest"), "\(back.output)")
        let refused = try await CLITests.run(["restore", "--from", backup], databaseURL: url(live))
        #expect(refused.status != 0 && refused.output.contains("--force"), "\(refused.output)")
        let forced = try await CLITests.run(["restore", "--from", backup, "--force"], databaseURL: url(live))
        #expect(forced.status == 0 && forced.output.contains("identical"), "\(forced.output)")
        for name in [live, restored] { try await Self.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", base) }
    }
}
