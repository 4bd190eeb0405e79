import ArgumentParser
import Foundation
import JiliangStore

/// `jiliang backup` (issue #22, item 4): a consistent copy of the database while the server runs,
/// with a manifest of what it holds (docs/operations.md).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent backup of the database (SQLite: VACUUM INTO; PostgreSQL: pg_dump) and its manifest beside it")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "The backup file to write (refused if it exists); the manifest goes to FILE.json") var to: String

    func run() async throws {
        let url = ProcessInfo.processInfo.environment["DATABASE_URL"]
        let summary = try await db.withStore { store in try await Backup.backup(store, to: to, databaseURL: url) }
        print("backup of \(db.location) written to \(to)")
        print(BackupReport.figures(summary))
    }
}

/// `jiliang restore`: a backup put in place of the database, then checked against its manifest —
/// every table's rows, the kept statistics and the ledger's root identical, or the differences
/// named and a failure status.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Put a backup in place of the database and check it against the backup's manifest")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "The backup file written by jiliang backup") var from: String
    @Flag(help: "Replace a database that is there (stop the server first)") var force = false

    func run() async throws {
        let expected = try Backup.manifest(of: from)
        try await Backup.restore(from: from, into: db.location, force: force)
        let found = try await db.withStore { store in try await Backup.summary(of: store) }
        let differences = BackupReport.differences(expected, found)
        guard differences.isEmpty else {
            print("restored \(from) into \(db.location), but it does not match the backup's manifest:")
            for d in differences { print("  " + d) }
            throw ExitCode.failure
        }
        print("restored \(from) into \(db.location): identical to the backup's manifest")
        print(BackupReport.figures(found))
    }
}

enum BackupReport {
    static func figures(_ s: Backup.Summary) -> String {
        "\(s.tables.count) tables, \(s.tables.values.reduce(0, +)) rows; kept statistics \(s.keptCounts.prefix(16))…; ledger size \(s.ledgerSize), root \(s.ledgerRoot)"
    }

    static func differences(_ a: Backup.Summary, _ b: Backup.Summary) -> [String] {
        var out: [String] = []
        for name in Set(a.tables.keys).union(b.tables.keys).sorted() where a.tables[name] != b.tables[name] {
            out.append("table \(name): \(a.tables[name].map(String.init) ?? "absent") rows in the backup, \(b.tables[name].map(String.init) ?? "absent") now")
        }
        if a.keptCounts != b.keptCounts { out.append("the kept statistics differ") }
        if a.ledgerSize != b.ledgerSize || a.ledgerRoot != b.ledgerRoot {
            out.append("ledger: size \(a.ledgerSize) root \(a.ledgerRoot) in the backup, size \(b.ledgerSize) root \(b.ledgerRoot) now")
        }
        return out
    }
}
