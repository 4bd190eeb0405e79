import ArgumentParser
import Foundation
import JiliangCore
import JiliangServer
import JiliangStore
import Logging

/// The `jiliang` command. `main` only parses arguments; the work is in the modules.
@main
struct Jiliang: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jiliang",
        abstract: "计量 Jiliang — legal-metrology supervision platform",
        subcommands: [
            Serve.self, Migrate.self, Demo.self, Import.self, Warnings.self, Credit.self, User.self, LedgerCommand.self, AuditCommand.self,
            Verify.self, WitnessCommand.self, Bench.self, Simulate.self, BackupCommand.self, RestoreCommand.self,
        ])
}

/// Options shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "SQLite file (ignored when DATABASE_URL is set)")
    var sqlite: String = "data/jiliang.sqlite"

    @Option(help: "Pretend today is this date (YYYY-MM-DD, China time); for demos and rehearsals")
    var today: String?

    var location: DatabaseLocation {
        DatabaseLocation.fromEnvironment(ProcessInfo.processInfo.environment, defaultPath: sqlite)
    }

    func todayProvider() throws -> @Sendable () -> CalendarDay {
        guard let today else { return { CalendarDay(instant: Date()) } }
        guard let d = CalendarDay(today) else { throw ValidationError("--today must be a date written YYYY-MM-DD, got '\(today)'") }
        return { d }
    }

    /// Opens (migrating and seeding) the store, runs `body`, and always closes the store, also on error.
    func withStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        let store = try await openStore()
        do {
            // Whoever runs the command on the server machine acts as the system; the audit log says which command.
            let command = "command line: jiliang " + CommandLine.arguments.dropFirst().prefix(2).joined(separator: " ")
            let value = try await Audit.$actor.withValue(.system(command)) { try await body(store) }
            await store.shutdown()
            return value
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Notices and above to standard error (once per process: a command may open more than one store).
    static let logging: Void = LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = .notice
        return h
    }

    func openStore() async throws -> Store {
        _ = Self.logging
        let store = try Store(location: location)
        do {
            let config = AppConfiguration(database: location, today: try todayProvider())
            try await prepare(store, config: config)
        } catch {
            await store.shutdown()
            throw error
        }
        return store
    }
}
