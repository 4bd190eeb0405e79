import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteNIO

/// Where the data lives: an SQLite file by default, PostgreSQL when `DATABASE_URL` is set.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqliteFile(String)
    case sqliteMemory(String)
    case postgres(url: String)

    /// `DATABASE_URL=postgres://…` selects PostgreSQL; otherwise the SQLite file at `defaultPath`.
    public static func fromEnvironment(_ env: [String: String], defaultPath: String = "data/jiliang.sqlite") -> DatabaseLocation {
        if let url = env["DATABASE_URL"], !url.isEmpty { return .postgres(url: url) }
        return .sqliteFile(env["JILIANG_SQLITE"] ?? defaultPath)
    }

    public var description: String {
        switch self {
        case .sqliteFile(let p): "SQLite file \(p)"
        case .sqliteMemory(let n): "SQLite in memory (\(n))"
        case .postgres(let url):
            // Never log the password.
            "PostgreSQL " + url.replacingOccurrences(of: #":[^:@/]+@"#, with: ":***@", options: .regularExpression)
        }
    }
}

/// The persistence layer: FluentKit's `Databases` plus the migrations, with SQLKit reachable for
/// bulk and analytic paths. Whoever opens a store closes it (`shutdown`); the server does so after
/// its `ServiceGroup` has ended (`runApplication`), when nothing can use the pool any more.
public final class Store: Sendable {
    public let databases: Databases
    public let logger: Logger
    public let location: DatabaseLocation
    let eventLoopGroup: any EventLoopGroup
    /// Prepared-statement reads for the public lookup (SQLite files only; see `SQLiteLookupReader`).
    let lookupReader: SQLiteLookupReader?
    /// The PostgreSQL streaming replica that reads which may be a few seconds stale go to
    /// (`reading`), when one is configured (`DATABASE_READ_URL`).
    public let replica: ReadReplica?
    /// The progress of the jobs this process runs (SQLite cannot store it while they run).
    public let runningJobs = RunningJobs()

    public var isPostgres: Bool { if case .postgres = location { true } else { false } }

    /// `readReplicaURL` (PostgreSQL only) adds a streaming replica for reads that may be up to
    /// `replicaMaxLag` seconds stale.
    public init(
        location: DatabaseLocation, readReplicaURL: String? = nil, replicaMaxLag: TimeInterval = ReadReplica.defaultMaxLag,
        logger: Logger = Logger(label: "jiliang.store")
    ) throws {
        self.location = location
        self.logger = logger
        self.eventLoopGroup = MultiThreadedEventLoopGroup.singleton
        if case .sqliteFile(let path) = location { lookupReader = SQLiteLookupReader(path: path) } else { lookupReader = nil }
        databases = Databases(threadPool: NIOThreadPool.singleton, on: eventLoopGroup)
        switch location {
        case .sqliteFile(let path):
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // One write gate for the file, shared by the requests' and the worker's connections.
            let gate = WriteGate(logger: logger)
            databases.use(Self.gated(.file(path: path), gate), as: .sqlite)
            // The job worker's own connections (`workerDB`), to the same file.
            databases.use(Self.gated(.file(path: path), gate), as: Self.workerID, isDefault: false)
        case .sqliteMemory(let name):
            databases.use(Self.gated(.memory(identifier: name), WriteGate(logger: logger)), as: .sqlite)
        case .postgres(let url):
            databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: Self.postgresConnectionsPerLoop, sqlLogLevel: .trace), as: .psql)
        }
        if case .postgres = location, let readReplicaURL, !readReplicaURL.isEmpty {
            databases.use(
                try .postgres(url: readReplicaURL, maxConnectionsPerEventLoop: Self.replicaConnectionsPerLoop, sqlLogLevel: .trace),
                as: ReadReplica.databaseID, isDefault: false)
            replica = ReadReplica(url: readReplicaURL, maxLag: replicaMaxLag)
        } else {
            replica = nil
        }
        Store.registerAuditing(on: databases, id: nil)
        if hasWorkerPool { Store.registerAuditing(on: databases, id: Self.workerID) }
    }

    /// Every SQLite pool's configuration: its writes take `gate` in turn (`writeTransaction`).
    private static func gated(_ storage: SQLiteConfiguration.Storage, _ gate: WriteGate) -> GatedConfiguration {
        GatedConfiguration(inner: DatabaseConfigurationFactory.sqlite(.init(storage: storage), sqlLogLevel: .trace).make(), gate: gate)
    }

    /// The most connections the requests' pool opens: one per event loop on SQLite (one writer at a
    /// time in any case; the job worker has as many again, `workerDB`), `postgresConnectionsPerLoop`
    /// per loop on PostgreSQL.
    public var poolSize: Int {
        eventLoopGroup.makeIterator().reduce(0) { n, _ in n + (isPostgres ? Self.postgresConnectionsPerLoop : 1) }
    }
    static let postgresConnectionsPerLoop = 4
    /// As many as the primary's: a statistics page runs several queries at once.
    static let replicaConnectionsPerLoop = postgresConnectionsPerLoop

    /// A database handle. Cheap: a new context over the shared connection pool.
    public var db: any Database { databases.database(logger: logger, on: eventLoopGroup.any())! }

    /// The job worker's handle. On a SQLite file, a pool of its own: FluentSQLiteDriver keeps one
    /// connection per event loop, and a job holds its connection for the whole of its transaction
    /// (a roll of a million rows: a minute and more). On the shared pool, every request given that
    /// event loop waited for it and was answered 503 after the pool's 10 s — half the pages and
    /// API calls during a large import. With its own connections the worker's transactions leave
    /// the requests' alone: reads go on beside them (WAL), writes wait for SQLite's one write lock
    /// as before. PostgreSQL (a pool of several per loop) and in-memory SQLite share one pool.
    public var workerDB: any Database { workerDB(on: eventLoopGroup.any()) }
    func workerDB(on loop: any EventLoop) -> any Database {
        databases.database(hasWorkerPool ? Self.workerID : nil, logger: logger, on: loop)!
    }
    static let workerID = DatabaseID(string: "sqlite-worker")
    var hasWorkerPool: Bool { if case .sqliteFile = location { true } else { false } }
    public var sql: any SQLDatabase { db as! any SQLDatabase }

    public static let migrations: [any Migration] = [
        M001_CreateRegions(),  // regions keyed by GB/T 2260 code
        M002_CreateCatalogue(),  // catalogue entries and versioned rules
        M003_CreateParties(),  // owners, institutions, scopes
        M004_CreateInstruments(),  // instruments, schedules, verification records
        M005_CreateWork(),  // jobs, warnings, inbox, outbox
        M006_ReshapeInstrumentIndexes(),  // indexes for imports and county status lists
        M007_CreateAccounts(),  // users, sessions, API tokens, audit log
        M008_CreateWorkflows(),  // filings, verification requests, working-day calendar
        M009_CreateLedger(),  // ledger tiles, checkpoints, status changes, leaf indexes
        M010_CreatePublicService(),  // complaints, free checks, campaigns and quizzes
        M011_CreateCredit(),  // commitments, demonstration units, penalties, the dishonesty list, credit classes
        M012_CreateStandards(),  // social public measurement standards, construction targets, monthly report runs
        M013_CreateMetricCounts(),  // the statistics' incrementally kept counts
        M014_CreateUtilityCounts(),  // the 三表 通报's kept counts and offending meters
        M015_KeepOffenceCodes(),  // offending meters' codes and types beside them (counts an existing registry's meters)
        M016_ScrapFailuresAreFinal(),  // 失准报废 instruments that failed once stay failed (#18 item 11)
        M017_CreateDerivedVersions(),  // which engine version derived the stored compliance and counts
        M018_PenaltyProcedureAndParty(),  // penalties: procedure (only 普通程序 published) and party kind (Fujian's low-fine threshold)
        M019_DatedRules(),  // rules in force from their regulation's date, with the earlier rules (#18 item 14)
        M020_CatalogueCorrections(),  // 血压计和血压表 under item 14; 焦度计 and 验光仪 P+V (#18 item 15)
        M021_PenaltyRepair(),  // ending a penalty's publication early (信用修复, #18 item 9)
        M022_ListingConsent(),  // the upper-level bureau's consent to a listing decided below the province (#18 item 10)
        M023_CreateInstrumentNames(),  // instrument names that resolve to a catalogue sub-item on import (#19 item 1)
        M024_RecordProvenance(),  // a verification record imported from a file keeps the file and row it came from (#19 item 3)
        M025_CreateImportProfiles(),  // named import profiles: a source's column mapping, sheet and institution (#19 item 2)
        M026_CalendarSources(),  // calendar days keep their source; shipped holiday years load once (#19 item 7)
        M027_CreateSurveys(),  // the survey of users (使用单位摸排): surveys, invitations, declared instruments (#19 item 6)
        M028_NoticesAsFacts(),  // messages and warnings kept as facts, worded when shown (#20)
        M029_MetricCountSettings(),  // the kept counts' shape (day rows from which day) kept beside them (#20)
        M030_FamilyFields(),  // an instrument's family fields (nozzles, plate) as one JSON object (#20)
        M031_CreateTelemetry(),  // smart devices, their readings and the detectors' findings (#21)
        M032_AlertReview(),  // a bureau confirms or dismisses an alert; confirmed ones are ledgered and open inspection tasks (#21)
        M033_TanksAndRegionThresholds(),  // tank reconciliation (tanks, their nozzles) and detector thresholds per region (#21)
        M034_TelemetryRetention(),  // raw telemetry for a window, daily aggregates for years (#21)
        M035_RecordCertificateIndex(),  // an import's certificate check asks an index, not the whole records table (#19, #23)
        M036_DetectorState(),  // the detectors carry their state between batches: ingest costs the new readings only (#21)
        M037_PartitionReadings(),  // PostgreSQL keeps readings in a partition a day, dropped whole when it leaves the window (#21)
        M038_TelemetryMinuteCounts(),  // readings received per region and minute, for the live screen's last hour (#21)
        M039_DeviceNamesPerOwner(),  // a device's name is unique per owner, not province-wide (#21)
        M040_JobUploads(),  // an import's file waits in the database, not on one instance's disk (#22)
        M041_RegionOnChildRows(),  // records, readings, bookings … carry their parent's region: the path to distribution by region (#22)
    ]

    /// Applies the migrations not yet applied; safe to call on every start.
    public func migrate() async throws {
        if case .sqliteFile = location {
            // WAL lets the HTTP readers proceed while the job worker or an import writes.
            _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
        }
        let m = Migrations()
        m.add(Store.migrations)
        let migrator = Migrator(databases: databases, migrations: m, logger: logger, on: eventLoopGroup.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
        // Stored compliance and counts derived by an older rules engine (or never) are re-derived.
        try await DerivedData.refreshIfStale(on: db, logger: logger)
        try await prepareConnections()
    }

    /// SQLite: every pooled connection waits for another writer by sleeping (SQLite's own busy
    /// timeout), not in SQLiteNIO's busy handler, which retries at once and for ever on a
    /// thread-pool thread — a write outside `writeTransaction` (which sets the timeout itself) would
    /// otherwise hold a core until the lock came free, and two of them starve the process on two
    /// cores. The pool keeps one connection per event loop: one statement on each sets it.
    public func prepareConnections() async throws {
        for sql in pooledConnections() {
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(WriteContention.busyTimeoutMs))").run()
            // Each row written is checked against the write gate's holder: a write outside
            // `writeTransaction` is logged (`WriteGate.wrote`). SQLite's update hook sees rowid
            // tables only: the kept counts' tables (WITHOUT ROWID) are not checked.
            if let gate = (sql as? any Database)?.writeGate, let lite = sql as? any SQLiteDatabase {
                try await lite.withConnection { conn in
                    let id = ObjectIdentifier(conn)
                    guard gate.observe(id) else { return }  // `migrate` and the tests may both prepare
                    _ = try await conn.addUpdateObserver(lifetime: .pinned) { event in gate.wrote(event.table, on: id) }
                }
            }
        }
    }

    /// The tables written outside `writeTransaction` since the store opened (SQLite; tests).
    public var writesOutsideTransactions: [String: Int] { (db.writeGate)?.writesOutsideTransactions ?? [:] }

    /// Each pooled connection's busy timeout, the worker's included (tests).
    public func busyTimeouts() async throws -> [Int] {
        var out: [Int] = []
        for sql in pooledConnections() {
            let row = try await sql.raw("PRAGMA busy_timeout").first()
            out.append(try row?.decode(column: "timeout", as: Int.self) ?? -1)
        }
        return out
    }

    /// SQLite: a handle on each event loop's connection, of each pool (none on PostgreSQL).
    func pooledConnections() -> [any SQLDatabase] {
        guard !isPostgres else { return [] }
        let ids: [DatabaseID?] = hasWorkerPool ? [nil, Self.workerID] : [nil]
        return eventLoopGroup.makeIterator().flatMap { loop in
            ids.map { databases.database($0, logger: logger, on: loop)! as! any SQLDatabase }
        }
    }

    public func shutdown() async { await databases.shutdownAsync() }
}
