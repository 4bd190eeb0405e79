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
    public static func summary(of store: Store) async throws -> Summary {
        let sql = store.sql
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
    static func keptDigest(_ sql: any SQLDatabase) async throws -> String {
        var lines: [String] = []
        for table in ["metric_counts", "utility_counts"] {
            for row in try await sql.raw("SELECT * FROM \(ident: table)").all() {
                let text = row.allColumns.sorted().map { c in
                    (try? row.decode(column: c, as: Int64.self)).map(String.init) ?? (try? row.decode(column: c, as: String.self)) ?? ""
                }
                lines.append(table + "\t" + text.joined(separator: "\t"))
            }
        }
        return SHA256.hash(data: Data(lines.sorted().joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes a backup of the database `store` opens to `path` (refused if something is there),
    /// and its manifest beside it (`path` + ".json"). Returns the figures.
    @discardableResult
    public static func backup(_ store: Store, to path: String, databaseURL: String? = nil) async throws -> Summary {
        let manifest = path + ".json"
        for p in [path, manifest] where FileManager.default.fileExists(atPath: p) {
            throw Failure(description: "\(p) exists already: a backup never overwrites one")
        }
        // The figures first, then the copy: a write between them shows as a difference when the
        // backup is checked, never as a backup that silently misses it.
        let summary = try await self.summary(of: store)
        if store.sql.dialect.name == "sqlite" {
            try await store.sql.raw("VACUUM INTO \(bind: path)").run()
        } else {
            guard let databaseURL else { throw Failure(description: "a PostgreSQL backup needs DATABASE_URL") }
            try run("/usr/bin/pg_dump", ["--format=custom", "--no-owner", "--file", path, databaseURL])
        }
        let data = try JSONEncoder.sortedPretty.encode(summary)
        try data.write(to: URL(fileURLWithPath: manifest))
        return summary
    }

    /// The manifest written beside a backup.
    public static func manifest(of path: String) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: path + ".json") else {
            throw Failure(description: "no manifest \(path).json beside the backup")
        }
        return try JSONDecoder().decode(Summary.self, from: data)
    }

    /// Puts a backup in place of the database at `location`: an SQLite file is copied in (the old
    /// one, with its journal files, replaced only with `force`); a PostgreSQL database is restored
    /// with `pg_restore` (one that has tables, only with `force`). The store is opened afterwards
    /// by the caller, which compares `summary(of:)` with the manifest.
    public static func restore(from path: String, into location: DatabaseLocation, force: Bool) async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "no backup at \(path)") }
        switch location {
        case .sqliteFile(let target):
            let fm = FileManager.default
            if fm.fileExists(atPath: target), !force { throw Failure(description: "\(target) exists: give --force to replace it") }
            // Copied beside the target, then renamed over it: a crash leaves the old file or the new.
            let temporary = target + ".restoring"
            try? fm.removeItem(atPath: temporary)
            try fm.copyItem(atPath: path, toPath: temporary)
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: target + suffix) }
            // rename(2) replaces the target in one step.
            guard rename(temporary, target) == 0 else {
                throw Failure(description: "could not put the backup in place of \(target) (errno \(errno))")
            }
        case .sqliteMemory:
            throw Failure(description: "an in-memory database cannot be restored into")
        case .postgres(let url):
            let listing = try output("/usr/bin/psql", ["--no-psqlrc", "--tuples-only", "--command",
                                                       "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()", url])
            if (Int(listing.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, !force {
                throw Failure(description: "the database has tables: give --force to replace them")
            }
            try run("/usr/bin/pg_restore", ["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--dbname", url, path])
        }
    }

    static func run(_ tool: String, _ arguments: [String]) throws { _ = try output(tool, arguments) }

    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw Failure(description: "\(tool) is not installed (Debian's postgresql-client; scripts/deps.sh installs it)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: tool).lastPathComponent) failed: \(String(decoding: message, as: UTF8.self).prefix(2_000))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONEncoder {
    static var sortedPretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }
}
