import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import JiliangStore
import Logging

/// Everything the application needs to start. `main` builds it from arguments and the environment;
/// tests build it with an in-memory or throwaway database and a pinned clock (STYLE.md idiom 2).
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// A PostgreSQL streaming replica (`DATABASE_READ_URL`) for public lookups and statistics, read
    /// while at most `replicaMaxLag` seconds behind (issue #22, item 3; docs/operations.md).
    public var readReplicaURL: String?
    public var replicaMaxLag: TimeInterval = ReadReplica.defaultMaxLag
    /// How often the replica's lag is measured; a read may go there while the lag at the last
    /// measurement plus the time since is within `replicaMaxLag`.
    public var replicaCheckInterval: Duration = .seconds(1)
    /// Today in China, injected so that rules are testable on any date.
    public var today: @Sendable () -> CalendarDay
    /// Days before a due date that count as "due soon".
    public var dueSoonWindow: Int
    /// Load a demo province when the database has no instruments.
    public var demoInstrumentsIfEmpty: Int?
    public var demoSeed: UInt64
    /// Run the job worker (imports, daily early warnings) inside the server process.
    public var runWorker: Bool
    /// How long the job worker's claim on a job lasts unless renewed (it renews every third of it):
    /// after a crash, the job in hand runs again this long later (`JobWorker.lease`).
    public var jobLease: TimeInterval = JobWorker.defaultLease
    public var logLevel: Logger.Level
    /// Working days an institution has to record a result after accepting an application
    /// (on site 10, laboratory 7: the figures of issue #3, to be confirmed by the province).
    public var verificationDeadlines = VerificationRequests.Deadlines()
    /// Mark the session cookie `Secure` (serve behind TLS in production; off for http://127.0.0.1).
    public var secureCookies: Bool

    // The tamper-evident ledger (docs/ledger.md).
    /// The log's signer key file, created on first start (keep it secret and backed up).
    public var ledgerKeyPath = "data/ledger.key"
    /// The checkpoint origin (and key name) used when the key file is created.
    public var ledgerOrigin = "jiliang.local/ledger"
    /// A key given directly (tests); otherwise read from `ledgerKeyPath`.
    public var ledgerKey: SignerKey?
    /// Witnesses asked to cosign each checkpoint (`<vkey> <url>`), and how many must.
    public var witnesses: [LedgerConfiguration.WitnessEndpoint] = []
    public var witnessQuorum: Int?
    /// How often the sequencer looks for new facts and publishes a checkpoint.
    public var ledgerInterval: Duration = .seconds(1)
    /// The live supervision screen's event stream (issue #21): how often it sends the region's
    /// figures, and how long one stream lasts before the browser reconnects (0: the first figures only).
    public var liveInterval: Duration = .seconds(2)
    /// Raw telemetry kept for this many days, then summed up by day (issue #21, item 3); a
    /// deployment's choice, not a rule (`jiliang serve --telemetry-raw-days`).
    public var telemetryRetention = TelemetryRetention()
    public var liveLifetime: TimeInterval = 300

    // The public site (docs/public-service.md).
    /// The address printed in label QR codes: `<publicBaseURL>/p/i/<code>` opens the public page.
    public var publicBaseURL = "http://127.0.0.1:8080"
    /// Per-client limits on the public site; `perMinute: 0` turns them off.
    public var publicRateLimit = RateLimiter.Limits(perMinute: 120, burst: 60)
    /// The clock (seconds) the public rate limit refills by; tests freeze it, so that a slow machine
    /// cannot refill a bucket in the middle of a test.
    public var publicRateLimitClock: @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }
    /// The most a request body may hold, by kind of route (413 beyond).
    public var bodyLimits = BodyLimits()
    /// How failed sign-ins slow the next tries (per client and login, per login, per client).
    public var signInThrottle = SignInThrottle.Policy.standard
    /// Take the client from `X-Forwarded-For` (only behind a proxy that sets it).
    public var trustForwardedFor = false
    /// Complaint deadline (working days) and the repeated-complaint warning.
    public var complaintRules = Complaints.Rules()
    /// Penalty publication periods, the dishonesty list's windows and the credit score's weights
    /// (issue #7; figures marked unconfirmed in docs/credit.md are configurable here).
    public var credit = CreditConfiguration()
    /// The most instruments a page computes "the records behind a figure" for from the instruments
    /// themselves; a larger region shows the figure split by its sub-regions (from the kept counts).
    public var plainPathLimit = Statistics.plainPathLimit
    /// The offending meters the 三表 page and its PDF list (the CSV and XLSX files list all).
    public var offenderPageLimit = 2_000
    /// The statistics' kept counts keep the running month's changes by day and earlier months' by
    /// month (`MetricCounts.keepDayRows`, set at start-up and daily). Off for a test database's
    /// template, prepared once for tests of any date: it keeps every day.
    public var countsByDayFromThisMonth = true
    /// The most data rows one import file may have (the largest file is `bodyLimits.import`).
    public var importMaxRows = InstrumentImport.defaultMaxRows

    /// The ledger configuration: the key from the file (created if missing) unless one is given.
    public func ledgerConfiguration() throws -> LedgerConfiguration {
        let key = try ledgerKey ?? LedgerConfiguration.loadOrCreateKey(at: ledgerKeyPath, origin: ledgerOrigin)
        return try LedgerConfiguration(signer: key, witnesses: witnesses, quorum: witnessQuorum)
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .sqliteFile("data/jiliang.sqlite"),
        today: @escaping @Sendable () -> CalendarDay = { CalendarDay(instant: Date()) }, dueSoonWindow: Int = 30,
        demoInstrumentsIfEmpty: Int? = nil, demoSeed: UInt64 = 2022,
        runWorker: Bool = true, logLevel: Logger.Level = .info, secureCookies: Bool = false
    ) {
        self.secureCookies = secureCookies
        self.host = host
        self.port = port
        self.database = database
        self.today = today
        self.dueSoonWindow = dueSoonWindow
        self.demoInstrumentsIfEmpty = demoInstrumentsIfEmpty
        self.demoSeed = demoSeed
        self.runWorker = runWorker
        self.logLevel = logLevel
    }
}
