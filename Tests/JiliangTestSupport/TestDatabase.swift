import FluentKit
import Foundation
import JiliangCore
import JiliangServer
import JiliangStore
import Logging
import SQLKit
import Synchronization
import Testing

/// A fresh, migrated and seeded database for each test, on the database the run is for:
/// SQLite by default; PostgreSQL when `JILIANG_TEST_POSTGRES` holds an admin URL of a (throwaway)
/// server, as `make test` sets for its second pass. Templates make this cheap: SQLite copies a
/// migrated file; PostgreSQL runs `CREATE DATABASE … TEMPLATE` (SPI's DatabasePool idea).
public enum TestDatabase {
    public static var postgresAdminURL: String? {
        ProcessInfo.processInfo.environment["JILIANG_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var kind: String { postgresAdminURL == nil ? "sqlite" : "postgresql" }

    static var logger: Logger {
        var l = Logger(label: "jiliang.test")
        l.logLevel = ProcessInfo.processInfo.environment["JILIANG_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return l
    }

    /// Runs `body` with a store on a new database and closes the store afterwards.
    ///
    /// On PostgreSQL at most `PostgresGate.permits` test databases are open at once: Swift Testing
    /// starts every test together, and each store's pool opens up to 4 connections per event loop,
    /// so on a slow machine many parked tests exhausted the server's `max_connections` ("sorry,
    /// too many clients already") and requests failed with a 500. A test already holding a permit
    /// (a nested `withStore`) does not wait for a second one, so nesting cannot deadlock.
    public static func withStore<T: Sendable>(_ body: (Store) async throws -> T) async throws -> T {
        guard postgresAdminURL != nil, !PostgresGate.held else { return try await openStore(body) }
        await PostgresGate.shared.acquire()
        do {
            let value = try await PostgresGate.$held.withValue(true) { try await openStore(body) }
            await PostgresGate.shared.release()
            return value
        } catch {
            await PostgresGate.shared.release()
            throw error
        }
    }

    private static func openStore<T: Sendable>(_ body: (Store) async throws -> T) async throws -> T {
        let location = try await Templates.shared.freshDatabase()
        let store = try Store(location: location, logger: logger)
        do {
            try await store.prepareConnections()  // as `migrate` does for the server
            let value = try await body(store)
            try await expectRegionCopiesAgree(store)
            if let file = ProcessInfo.processInfo.environment["JILIANG_TEST_STRAYS"], !store.writesOutsideTransactions.isEmpty,
                let h = FileHandle(forWritingAtPath: file) ?? { FileManager.default.createFile(atPath: file, contents: nil); return FileHandle(forWritingAtPath: file) }() {
                h.seekToEndOfFile()
                h.write(Data("\(Test.current?.name ?? "?") \(Test.current?.sourceLocation.fileID ?? "") \(store.writesOutsideTransactions)\n".utf8))
                try? h.close()
            }
            await store.shutdown()
            await Templates.shared.discard(location)
            return value
        } catch {
            await store.shutdown()
            await Templates.shared.discard(location)
            throw error
        }
    }
}

/// After every test's writes, each row that carries its parent's region (M041, `RegionCopies`)
/// carries the parent's own: so every writer any test drives — the API, the pages, imports, the
/// telemetry ingest, the demo — is held to it, on both databases. (`JILIANG_TEST_COPIES=<file>`
/// lists each table's rows seen, to show which writers the suite reached.)
func expectRegionCopiesAgree(_ store: Store) async throws {
    let copies: [(table: String, rows: Int, differing: Int)]
    do {
        copies = try await RegionCopies.disagreements(on: store.db)
    } catch {
        Issue.record("the region copies could not be compared with their parents: \(String(reflecting: error))")
        return
    }
    for c in copies where c.differing > 0 {
        Issue.record("\(c.table): \(c.differing) of \(c.rows) rows carry another region (or owner) than their parent's")
    }
    // Appended (O_APPEND): tests run side by side.
    if let file = ProcessInfo.processInfo.environment["JILIANG_TEST_COPIES"], let f = fopen(file, "a") {
        fputs(copies.filter { $0.rows > 0 }.map { "\($0.table) \($0.rows)\n" }.joined(), f)
        fclose(f)
    }
}

/// A counting semaphore for the PostgreSQL test databases open at once (see `withStore`).
actor PostgresGate {
    static let shared = PostgresGate()
    /// 12 stores × (2 event loops × 4) connections + the admin connections stay well under the
    /// test cluster's `max_connections=200` (scripts/pg.sh).
    static let permits = 12
    @TaskLocal static var held = false
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if inUse < Self.permits {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the permit straight to the next waiter, if any.
    func release() {
        if waiting.isEmpty { inUse -= 1 } else { waiting.removeFirst().resume() }
    }
}

/// Builds each template once per test process (a memoised task, because actor methods re-enter at
/// every `await`) and hands out copies.
actor Templates {
    static let shared = Templates()
    private var sqliteTemplate: Task<String, any Error>?
    /// The template's name and how to copy it (` STRATEGY FILE_COPY` from PostgreSQL 15 on).
    private var postgresTemplate: Task<(name: String, strategy: String), any Error>?
    private let directory = NSTemporaryDirectory() + "jiliang-tests-\(ProcessInfo.processInfo.processIdentifier)"

    func freshDatabase() async throws -> DatabaseLocation {
        if let admin = TestDatabase.postgresAdminURL { return try await freshPostgres(admin: admin) }
        return try await freshSQLite()
    }

    /// Migrates and seeds a database, closing the store whatever happens.
    private static func prepared(_ location: DatabaseLocation, finally: @Sendable (Store) async throws -> Void = { _ in }) async throws {
        let store = try Store(location: location, logger: TestDatabase.logger)
        do {
            var config = AppConfiguration(database: location, runWorker: false)
            config.countsByDayFromThisMonth = false  // tests of any date share this template
            try await prepare(store, config: config)
            try await finally(store)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    private func freshSQLite() async throws -> DatabaseLocation {
        let dir = directory
        if sqliteTemplate == nil {
            sqliteTemplate = Task {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let path = dir + "/template.sqlite"
                try? FileManager.default.removeItem(atPath: path)
                // Closing the last connection checkpoints the WAL, so the file alone is the database.
                try await Self.prepared(.sqliteFile(path))
                return path
            }
        }
        let template = try await sqliteTemplate!.value
        let path = dir + "/\(UUID().uuidString).sqlite"
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return .sqliteFile(path)
    }

    private func freshPostgres(admin: String) async throws -> DatabaseLocation {
        if postgresTemplate == nil {
            postgresTemplate = Task {
                let template = "jiliang_template_\(ProcessInfo.processInfo.processIdentifier)"
                let version = Mutex(0)
                try await Self.admin(admin) { sql in
                    _ = try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: template)").all()
                    _ = try await sql.raw("CREATE DATABASE \(unsafeRaw: template)").all()
                    let v = try await sql.raw("SHOW server_version_num").first()?.decode(column: "server_version_num", as: String.self)
                    version.withLock { $0 = v.flatMap { Int($0) } ?? 0 }
                }
                try await Self.prepared(.postgres(url: Self.url(admin, database: template)))
                // From PostgreSQL 15 a copy is WAL-logged block by block unless it asks for
                // FILE_COPY: 0.08 s against 0.25 s for this 11 MB template on the CI machine kind.
                return (template, version.withLock { $0 } >= 150_000 ? " STRATEGY FILE_COPY" : "")
            }
        }
        let (template, strategy) = try await postgresTemplate!.value
        let name = "jiliang_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        // Serialised by the actor (no await between here and the end of the statement's task):
        // PostgreSQL refuses concurrent copies of one template.
        try await Self.admin(admin) { sql in
            _ = try await sql.raw("CREATE DATABASE \(unsafeRaw: name) TEMPLATE \(unsafeRaw: template)\(unsafeRaw: strategy)").all()
        }
        return .postgres(url: Self.url(admin, database: name))
    }

    /// Runs statements on the admin database with a short-lived store.
    static func admin(_ url: String, _ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let store = try Store(location: .postgres(url: url), logger: TestDatabase.logger)
        do { try await body(store.sql) } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    func discard(_ location: DatabaseLocation) async {
        switch location {
        case .sqliteFile(let p):
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + suffix) }
        case .postgres(let url):
            guard let admin = TestDatabase.postgresAdminURL, let name = url.split(separator: "/").last.map(String.init) else { return }
            try? await Self.admin(admin) { sql in _ = try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name)").all() }
        case .sqliteMemory: break
        }
    }

    /// The admin URL with its database name replaced.
    static func url(_ admin: String, database: String) -> String {
        var parts = admin.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let last = parts.removeLast()
        let query = last.firstIndex(of: "?").map { String(last[$0...]) } ?? ""
        return (parts + [database + query]).joined(separator: "/")
    }
}

extension Store {
    /// Rows in a table, for "nothing was written" assertions.
    public func count(_ table: String) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table).first(decoding: Row.self)?.n ?? 0
    }
}
