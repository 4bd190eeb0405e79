import Crypto
import FluentKit
import Foundation
import SQLKit
#if canImport(Glibc)
import Glibc
#endif

/// Backups and restores (issue #22, item 4), with a manifest that lets a restore prove itself:
/// every table's row count, a digest of the kept statistics, and the ledger's size and root.
///
/// - SQLite: `VACUUM INTO` writes a transactionally consistent copy while the server keeps
///   serving (it reads as one transaction; writers are not blocked under WAL), compacted.
/// - PostgreSQL: Debian's `pg_dump` in its custom format, `pg_restore` to bring it back.
///
/// The ledger's signing key (`data/ledger.key`) is not in the database and not in a backup: it is
/// a secret, kept once and apart (docs/operations.md).
public enum Backup {
    /// What a database holds, in figures that must come back identical.
    public struct Summary: Codable, Equatable, Sendable {
        /// Rows per table.
        public var tables: [String: Int]
        /// SHA-256 of the kept statistics' rows (metric_counts, utility_counts), in key order.
        public var keptCounts: String
        public var ledgerSize: Int64
        public var ledgerRoot: String
    }

    /// Why a backup or restore could not be made; the message says what to do.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The figures of the database `store` opens.
    public static func summary(of store: Store) async throws -> Summary { try await summary(store.sql) }

    /// The figures as one connection (a transaction's) sees them.
    static func summary(_ sql: any SQLDatabase) async throws -> Summary {
        let sqlite = sql.dialect.name == "sqlite"
        struct Name: Decodable { var name: String }
        let names = try await sql.raw(
            sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                : "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).all(decoding: Name.self).map(\.name)
        var tables: [String: Int] = [:]
        struct Count: Decodable { var n: Int }
        for name in names {
            // Names come from the database's own catalogue, quoted as identifiers.
            tables[name] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first(decoding: Count.self)?.n ?? 0
        }
        let keptCounts = try await keptDigest(sql)
        struct Head: Decodable { var size: Int64; var root: String }
        let head = try await sql.raw("SELECT size, root FROM ledger_state WHERE id = 1").first(decoding: Head.self)
        return Summary(tables: tables, keptCounts: keptCounts, ledgerSize: head?.size ?? 0, ledgerRoot: head?.root ?? "")
    }

    /// The kept statistics as sorted lines of text, hashed: rows are compared as values, whatever
    /// order a database returns them in.
    public static func keptDigest(_ sql: any SQLDatabase) async throws -> String {
        let lines = try await keptLines(sql)
        return SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The kept statistics' rows as sorted lines of text (`keptDigest` hashes them; a test shows
    /// the lines that differ).
    public static func keptLines(_ sql: any SQLDatabase) async throws -> [String] {
        var lines: [String] = []
        for table in ["metric_counts", "utility_counts"] {
            for row in try await sql.raw("SELECT * FROM \(ident: table)").all() {
                let text = row.allColumns.sorted().map { c in
                    (try? row.decode(column: c, as: Int64.self)).map(String.init) ?? (try? row.decode(column: c, as: String.self)) ?? ""
                }
                lines.append(table + "\t" + text.joined(separator: "\t"))
            }
        }
        return lines.sorted()
    }

    /// Writes a backup of the database `store` opens to `path` (refused if something is there),
    /// and its manifest beside it (`path` + ".json"), taken from what the backup holds: the copy is
    /// the database at one instant, and the manifest describes that instant. Returns the figures.
    @discardableResult
    public static func backup(_ store: Store, to path: String, databaseURL: String? = nil) async throws -> Summary {
        let manifest = path + ".json"
        for p in [path, manifest] where FileManager.default.fileExists(atPath: p) {
            throw Failure(description: "\(p) exists already: a backup never overwrites one")
        }
        let summary: Summary
        if store.sql.dialect.name == "sqlite" {
            // One read transaction; writers go on under WAL. Then the copy itself is counted.
            try await store.sql.raw("VACUUM INTO \(bind: path)").run()
            try sync(path)
            summary = try await withBareStore(.sqliteFile(path)) { try await Backup.summary(of: $0) }
        } else {
            guard let databaseURL else { throw Failure(description: "a PostgreSQL backup needs DATABASE_URL") }
            // One snapshot for both: counted in a repeatable-read transaction whose snapshot
            // pg_dump reads too, while the transaction is held open (on a `LiveConnection`: a
            // primary lost meanwhile fails the backup instead of leaving it waiting).
            summary = try await store.db.postgresTransaction { tx in
                let sql = tx as! any SQLDatabase
                try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run()
                struct Snapshot: Decodable { var s: String }
                guard let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS s").first(decoding: Snapshot.self)?.s else {
                    throw Failure(description: "PostgreSQL gave no snapshot to dump")
                }
                let figures = try await Backup.summary(sql)
                try await run("/usr/bin/pg_dump", ["--format=custom", "--no-owner", "--snapshot=\(snapshot)", "--file", path], databaseURL: databaseURL)
                return figures
            }
            try sync(path)
        }
        try JSONEncoder.sortedPretty.encode(summary).write(to: URL(fileURLWithPath: manifest))
        return summary
    }

    /// Opens a database without migrating or seeding it (a backup, a file about to be restored).
    static func withBareStore<T: Sendable>(_ location: DatabaseLocation, _ body: (Store) async throws -> T) async throws -> T {
        let store = try Store(location: location)
        do {
            let value = try await body(store)
            await store.shutdown()
            return value
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Flushes a written file to the disk (VACUUM INTO and a copy do not).
    static func sync(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.synchronize()
        try handle.close()
    }

    /// Where two sets of figures differ, in words.
    public static func differences(_ a: Summary, _ b: Summary) -> [String] {
        var out: [String] = []
        for name in Set(a.tables.keys).union(b.tables.keys).sorted() where a.tables[name] != b.tables[name] {
            out.append("table \(name): \(a.tables[name].map(String.init) ?? "absent") rows in the backup, \(b.tables[name].map(String.init) ?? "absent") here")
        }
        if a.keptCounts != b.keptCounts { out.append("the kept statistics differ") }
        if a.ledgerSize != b.ledgerSize || a.ledgerRoot != b.ledgerRoot {
            out.append("ledger: size \(a.ledgerSize) root \(a.ledgerRoot) in the backup, size \(b.ledgerSize) root \(b.ledgerRoot) here")
        }
        return out
    }

    /// The manifest written beside a backup.
    public static func manifest(of path: String) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: path + ".json") else {
            throw Failure(description: "no manifest \(path).json beside the backup")
        }
        return try JSONDecoder().decode(Summary.self, from: data)
    }

    /// Puts a backup in place of the database at `location`, after checking it against its
    /// manifest. An SQLite backup is copied beside the target and checked there — a copy that does
    /// not match leaves the target untouched — then the target's journal is checkpointed, the copy
    /// renamed over it in one step, and its journal files removed. A PostgreSQL backup is restored
    /// in one transaction (`pg_restore`'s SQL run by `psql` after the schema is emptied), then checked. A database that is there is replaced only
    /// with `force` (stop the server first). The caller then opens it as usual (migrating a backup
    /// of an older version).
    public static func restore(from path: String, into location: DatabaseLocation, force: Bool) async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "no backup at \(path)") }
        let expected = try manifest(of: path)
        switch location {
        case .sqliteFile(let target):
            let fm = FileManager.default
            if fm.fileExists(atPath: target), !force { throw Failure(description: "\(target) exists: give --force to replace it") }
            let temporary = target + ".restoring"
            try? fm.removeItem(atPath: temporary)
            try fm.copyItem(atPath: path, toPath: temporary)
            try sync(temporary)
            let found: Summary
            do { found = try await withBareStore(.sqliteFile(temporary)) { try await summary(of: $0) } } catch {
                try? fm.removeItem(atPath: temporary)
                throw Failure(description: "\(path) is not a database Jiliang can read: \(error)")
            }
            let differences = differences(expected, found)
            guard differences.isEmpty else {
                for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: temporary + suffix) }
                throw Failure(description: "the backup does not match its manifest; nothing was replaced:\n  " + differences.joined(separator: "\n  "))
            }
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: temporary + suffix) }
            if fm.fileExists(atPath: target) {
                // Whatever the old database's journal holds goes into it first, so that no stale
                // journal is left to be replayed onto the new file.
                try await withBareStore(.sqliteFile(target)) { try await $0.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run() }
            }
            guard rename(temporary, target) == 0 else {
                throw Failure(description: "could not put the backup in place of \(target) (errno \(errno))")
            }
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: target + suffix) }
        case .sqliteMemory:
            throw Failure(description: "an in-memory database cannot be restored into")
        case .postgres(let url):
            let listing = try await output("/usr/bin/psql", ["--no-psqlrc", "--tuples-only", "--command", "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"],
                                     databaseURL: url)
            // Fail closed: an answer that is not a count is not "empty".
            guard let tables = Int(listing.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw Failure(description: "could not tell whether the database is empty (psql said: \(listing.prefix(200)))")
            }
            if tables > 0, !force { throw Failure(description: "the database has tables: give --force to replace them") }
            // pg_restore's own `--clean` cannot drop a partitioned table's partitions (it drops the
            // partition's inherited key first, which PostgreSQL refuses): the schema's tables (with
            // their keys, indexes and sequences) and its other sequences are dropped instead, in the
            // same transaction as the backup's SQL — all or nothing. pg_restore writes that SQL to a
            // file first, whole (psql reading a pipe from a pg_restore that died half-way would see
            // the end of its input and commit what it had). The schema itself stays (the role need
            // not own it), with its grants.
            let script = FileManager.default.temporaryDirectory.appendingPathComponent("jiliang-restore-\(UUID().uuidString).sql").path
            defer { try? FileManager.default.removeItem(atPath: script) }
            try await run("/usr/bin/pg_restore", ["--no-owner", "--file", script, path], databaseURL: url)
            try await run("/usr/bin/psql", [
                "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", "--output", "/dev/null",
                "--command", """
                DO $$ DECLARE t record; BEGIN
                  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition LOOP
                    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', t.relname);
                  END LOOP;
                  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = current_schema() AND c.relkind = 'S' LOOP
                    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', t.relname);
                  END LOOP;
                END $$
                """,
                "--file", script,
            ], databaseURL: url)
            let found = try await withBareStore(location) { try await summary(of: $0) }
            let differences = differences(expected, found)
            guard differences.isEmpty else {
                throw Failure(description: "restored, but the database does not match the backup's manifest:\n  " + differences.joined(separator: "\n  "))
            }
        }
    }

    static func run(_ tool: String, _ arguments: [String], databaseURL: String, dbnameFlag: Bool = false) async throws {
        _ = try await output(tool, arguments, databaseURL: databaseURL, dbnameFlag: dbnameFlag)
    }

    /// Runs a PostgreSQL client tool and answers what it wrote, with the connection in its
    /// environment (PGHOST, PGPASSWORD, …), not on its command line, where any user of the machine
    /// could read the password. A tool that fails is named with its own words.
    static func output(_ tool: String, _ arguments: [String], databaseURL: String, dbnameFlag: Bool = false) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw Failure(description: "\(tool) is not installed (Debian's postgresql-client; scripts/deps.sh installs it)")
        }
        guard let url = URLComponents(string: databaseURL), let host = url.host else { throw Failure(description: "DATABASE_URL is not a postgres:// address") }
        var env = ProcessInfo.processInfo.environment
        env["PGHOST"] = host
        if let port = url.port { env["PGPORT"] = String(port) }
        if let user = url.user { env["PGUSER"] = user }
        if let password = url.password { env["PGPASSWORD"] = password }
        let database = String(url.path.drop { $0 == "/" })
        if !database.isEmpty { env["PGDATABASE"] = database }
        for item in url.queryItems ?? [] where item.name == "sslmode" { env["PGSSLMODE"] = item.value }
        // pg_restore reads its target from --dbname (the environment's PGDATABASE names it).
        let r = try await ChildProcess.run(tool, dbnameFlag ? ["--dbname", database] + arguments : arguments, environment: env)
        guard r.status == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: tool).lastPathComponent) failed: \(r.errorText.prefix(2_000))")
        }
        return r.text
    }
}

extension JSONEncoder {
    static var sortedPretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }
}
