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
        _ = DatabaseOptions.logging
        // The database as it is: not migrated or seeded first (a backup before an upgrade is of
        // the version that wrote it).
        let store = try Store(location: db.location)
        let summary: Backup.Summary
        do {
            summary = try await Backup.backup(store, to: to, databaseURL: url)
            await store.shutdown()
        } catch {
            await store.shutdown()
            throw error
        }
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
        _ = DatabaseOptions.logging
        do {
            try await Backup.restore(from: from, into: db.location, force: force)
        } catch let failure as Backup.Failure {
            print(failure.description)
            throw ExitCode.failure
        }
        let expected = try Backup.manifest(of: from)
        print("restored \(from) into \(db.location): identical to the backup's manifest")
        print(BackupReport.figures(expected))
        // Then opened as the server would: a backup of an older version is migrated to this one.
        try await db.withStore { _ in }
    }
}

enum BackupReport {
    static func figures(_ s: Backup.Summary) -> String {
        "\(s.tables.count) tables, \(s.tables.values.reduce(0, +)) rows; kept statistics \(s.keptCounts.prefix(16))…; ledger size \(s.ledgerSize), root \(s.ledgerRoot)"
    }
}
