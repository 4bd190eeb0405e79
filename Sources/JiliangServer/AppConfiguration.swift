import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import Logging

/// Everything the application needs to start. `main` builds it from arguments and the environment;
/// tests build it with an in-memory or throwaway database and a pinned clock (STYLE.md idiom 2).
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// Today in China, injected so that rules are testable on any date.
    public var today: @Sendable () -> CalendarDay
    /// Days before a due date that count as "due soon".
    public var dueSoonWindow: Int
    /// Where uploaded import files wait for the job worker.
    public var uploadDirectory: String
    /// Load a demo province when the database has no instruments.
    public var demoInstrumentsIfEmpty: Int?
    public var demoSeed: UInt64
    /// Run the job worker (imports, daily early warnings) inside the server process.
    public var runWorker: Bool
    public var logLevel: Logger.Level
    /// Working days an institution has to record a result after accepting an application
    /// (on site 10, laboratory 7: the figures of issue #3, to be confirmed by the province).
    public var verificationDeadlines = VerificationRequests.Deadlines()
    /// Mark the session cookie `Secure` (serve behind TLS in production; off for http://127.0.0.1).
    public var secureCookies: Bool

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .sqliteFile("data/jiliang.sqlite"),
        today: @escaping @Sendable () -> CalendarDay = { CalendarDay(instant: Date()) }, dueSoonWindow: Int = 30,
        uploadDirectory: String = "data/uploads", demoInstrumentsIfEmpty: Int? = nil, demoSeed: UInt64 = 2022,
        runWorker: Bool = true, logLevel: Logger.Level = .info, secureCookies: Bool = false
    ) {
        self.secureCookies = secureCookies
        self.host = host
        self.port = port
        self.database = database
        self.today = today
        self.dueSoonWindow = dueSoonWindow
        self.uploadDirectory = uploadDirectory
        self.demoInstrumentsIfEmpty = demoInstrumentsIfEmpty
        self.demoSeed = demoSeed
        self.runWorker = runWorker
        self.logLevel = logLevel
    }
}
