import ArgumentParser
import Foundation
import Hummingbird
import JiliangCore
import JiliangLedger
import JiliangServer
import JiliangStore
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server and the job worker")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on") var host = "127.0.0.1"
    @Option(help: "Port to listen on") var port = 8080
    @Option(help: "Load a demo province of this many instruments when the registry is empty (0: none)") var demoIfEmpty = 0
    @Option(help: "Seed of the demo province") var seed: UInt64 = 2022
    @Option(help: "Days before a due date that count as due soon") var dueSoonDays = 30
    @Flag(help: "Mark the session cookie Secure (when served behind TLS)") var secureCookies = false
    @OptionGroup var ledger: LedgerOptions
    @Option(help: "The public address printed in label QR codes (default: http://HOST:PORT)") var publicUrl: String?
    @Option(help: "Requests per minute per client on the public site (0: no limit, e.g. behind a limiting proxy)") var publicRateLimit = 120.0
    @Flag(help: "Take the client address from X-Forwarded-For (only behind a proxy that sets it)") var trustForwardedFor = false
    @Option(help: "Working days the bureau has to answer a complaint") var complaintDays = 15
    @Flag(help: "Run no background services (job worker, ledger sequencer): benchmarks of the request path only") var noBackground = false
    @Option(help: "Largest region whose records behind a figure are listed directly; larger ones split by sub-region") var plainPathLimit = Statistics.plainPathLimit
    @Option(help: "Offending meters listed on the 三表 report page and PDF (the CSV and XLSX list all)") var offenderPageLimit = 2_000
    @Option(help: "The largest import file accepted, in MB") var importMaxMb = 512
    @Option(help: "The most data rows one import file may have") var importMaxRows = InstrumentImport.defaultMaxRows
    @Option(help: "Days of raw telemetry kept before it is summed up by day (0: keep all)") var telemetryRawDays = 180
    @Option(help: "Seconds the job worker's claim on a running job lasts unless renewed: after a crash, the job runs again this long later") var jobLeaseSeconds = Int(JobWorker.defaultLease)
    @Option(help: "Seconds a PostgreSQL read replica (DATABASE_READ_URL) may lag and still answer public lookups and statistics") var replicaMaxLagSeconds = ReadReplica.defaultMaxLag
    @Option(help: "Log lines as text (for a terminal) or json (one object per line, for journald or a log store)") var logFormat: LogFormat = .text
    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error, critical") var logLevel = "info"

    func run() async throws {
        guard (0...365).contains(dueSoonDays) else { throw ValidationError("--due-soon-days must be from 0 to 365") }
        guard publicRateLimit >= 0 else { throw ValidationError("--public-rate-limit must be 0 or more") }
        guard (1...60).contains(complaintDays) else { throw ValidationError("--complaint-days must be from 1 to 60") }
        guard (1...Statistics.plainPathLimit).contains(plainPathLimit) else {
            throw ValidationError("--plain-path-limit must be from 1 to \(Statistics.plainPathLimit) (the plain computation reads no more)")
        }
        guard (1...100_000).contains(offenderPageLimit) else { throw ValidationError("--offender-page-limit must be from 1 to 100000") }
        if let publicUrl, URL(string: publicUrl)?.scheme.map({ $0 == "http" || $0 == "https" }) != true {
            throw ValidationError("--public-url must be an http:// or https:// address, got '\(publicUrl)'")
        }
        var config = AppConfiguration(
            host: host, port: port, database: db.location, today: try db.todayProvider(), dueSoonWindow: dueSoonDays,
            demoInstrumentsIfEmpty: demoIfEmpty > 0 ? demoIfEmpty : nil, demoSeed: seed, secureCookies: secureCookies)
        try ledger.apply(to: &config)
        config.publicBaseURL = (publicUrl ?? "http://\(host):\(port)").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        config.publicRateLimit = .init(perMinute: publicRateLimit, burst: max(publicRateLimit / 2, 10))
        config.trustForwardedFor = trustForwardedFor
        config.complaintRules.deadlineWorkingDays = complaintDays
        config.runWorker = !noBackground
        config.plainPathLimit = plainPathLimit
        config.offenderPageLimit = offenderPageLimit
        guard (1...4096).contains(importMaxMb) else { throw ValidationError("--import-max-mb must be from 1 to 4096") }
        guard importMaxRows >= 1 else { throw ValidationError("--import-max-rows must be at least 1") }
        config.bodyLimits.import = importMaxMb << 20
        config.importMaxRows = importMaxRows
        guard (0...36_500).contains(telemetryRawDays) else { throw ValidationError("--telemetry-raw-days must be from 0 to 36500") }
        config.telemetryRetention.rawDays = telemetryRawDays > 0 ? telemetryRawDays : nil
        guard (3...3_600).contains(jobLeaseSeconds) else { throw ValidationError("--job-lease-seconds must be from 3 to 3600") }
        config.jobLease = TimeInterval(jobLeaseSeconds)
        let readURL = ProcessInfo.processInfo.environment["DATABASE_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let readURL {
            guard case .postgres = db.location else { throw ValidationError("DATABASE_READ_URL needs DATABASE_URL: a read replica is PostgreSQL's") }
            guard readURL.hasPrefix("postgres://") || readURL.hasPrefix("postgresql://") else {
                throw ValidationError("DATABASE_READ_URL must be a postgres:// address")
            }
        }
        // Above the one-second measurement interval, or no read would ever go to the replica.
        guard (2...3_600).contains(replicaMaxLagSeconds) else { throw ValidationError("--replica-max-lag-seconds must be from 2 to 3600") }
        config.readReplicaURL = readURL
        config.replicaMaxLag = replicaMaxLagSeconds
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(logLevel)'")
        }
        config.logLevel = level
        logFormat.bootstrap(level: level)
        // Through the log, so that `--log-format json` writes nothing but JSON lines.
        let log = Logger(label: "jiliang")
        let logKey = try config.ledgerConfiguration().signer.verifier
        log.notice("ledger log key: \(logKey)")
        log.notice("计量 Jiliang: \(db.location) — http://\(host):\(port)/")
        if let readURL { log.notice("reads that may be \(replicaMaxLagSeconds) s stale: \(DatabaseLocation.postgres(url: readURL)) while it keeps up") }
        try await runApplication(config)
    }
}

/// How `serve` writes its log (issue #22, item 6).
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json

    func bootstrap(level: Logger.Level) {
        switch self {
        case .text: LoggingSystem.bootstrap { var h = StreamLogHandler.standardOutput(label: $0); h.logLevel = level; return h }
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database and load the reference data")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        try await db.withStore { store in print("migrated: \(store.location)") }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate a realistic, deterministic demo province")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Number of instruments") var instruments = 20_000
    @Option(help: "Random seed (same seed, same province)") var seed: UInt64 = 2022
    @Option(help: "Years of periodic verification history (records per instrument: 1.6 with 3 years, 2.9 with 20)") var historyYears = 3

    func run() async throws {
        guard instruments > 0, instruments <= 50_000_000 else { throw ValidationError("--instruments must be from 1 to 50000000") }
        guard (1...30).contains(historyYears) else { throw ValidationError("--history-years must be from 1 to 30") }
        let today = try db.todayProvider()()
        try await db.withStore { store in
            let start = Date()
            let summary = try await DemoProvince(instruments: instruments, seed: seed, today: today, historyYears: historyYears).load(into: store)
            try await Audit.$actor.withValue(.system("demo")) {
                try await DemoCredit.load(today: today, on: store.db)
                try await DemoStandards.load(today: today, on: store.db)
            }
            let fleet = try await DemoTelemetry.load(today: today, seed: seed, on: store.db)
            print("demo province: \(summary); \(fleet) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import registry data", subcommands: [ImportInstruments.self])
}

struct ImportInstruments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruments",
        abstract: "Import instruments from a roll: CSV (UTF-8 or GB18030) or an XLSX workbook, Chinese or English headers",
        discussion: """
            The header may sit below title rows. Preview first with --dry-run: it checks every row, shows how each
            column was read and a few rows as they will be stored, and stores nothing. Correct a column with
            --map 'header=field' (repeat; an empty field ignores the column) and keep the corrections for the next
            file from the same source with --save-profile NAME; use them with --profile NAME.
            """)
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The CSV or XLSX file") var file: String
    @Option(help: "all-or-nothing: store nothing if any row is bad; valid-rows-only: store the good rows")
    var mode: String = "all-or-nothing"
    @Option(help: "Write the error report (row, column, message) to this CSV file") var errors: String?
    @Flag(help: "Check everything and show what would be stored, but store nothing") var dryRun = false
    @Option(help: "The workbook sheet to read (default: the first)") var sheet: String?
    @Option(name: .customLong("map"), help: "header=field: read this column as this field (empty field: ignore it); repeatable")
    var map: [String] = []
    @Option(help: "The institution (name or credit code) that verified rows with a last verification but no 检定机构")
    var verifiedBy: String?
    @Option(help: "Read the file with this saved profile (mapping, sheet, institution)") var profile: String?
    @Option(help: "Save this run's mapping, sheet and institution as a profile of this name") var saveProfile: String?
    @Option(help: "The most data rows the file may have") var maxRows = InstrumentImport.defaultMaxRows

    func run() async throws {
        guard let m = InstrumentImport.Mode(rawValue: mode.replacingOccurrences(of: "-", with: "_")) else {
            throw ValidationError("--mode must be all-or-nothing or valid-rows-only")
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let today = try db.todayProvider()()
        let bar = ProgressBar(label: dryRun ? "预览 preview" : "导入 import")
        let cli = Principal.system("cli import")
        let report: InstrumentImport.Report = try await db.withStore { store in
            var rng = SystemRandomNumberGenerator()
            do {
                var options = try await ImportJobs.options(
                    dryRun: dryRun, sheet: sheet, profile: profile, map: map, verifiedBy: verifiedBy, by: cli, on: store.db)
                options.maxRows = maxRows
                if let saveProfile {
                    try await Audit.$actor.withValue(cli) { try await ImportProfiles.save(name: saveProfile, options: options, by: cli, on: store.db) }
                    print("profile saved: \(saveProfile)")
                }
                return try await InstrumentImport(mode: m, options: options).run(
                    bytes: Array(data), on: store.db, today: today, progress: { bar.update($0, $1) }, generator: &rng)
            } catch let e as InstrumentImport.FileError {
                bar.finish()
                throw ValidationError("\(file): \(RefusalWords.english(e))")
            } catch let e as RegistryError {
                bar.finish()
                throw ValidationError(RefusalWords.english(e))
            }
        }
        bar.finish()
        print("file: \(file) (\(report.encoding)\(report.sheet.map { ", sheet \($0)" } ?? ""), header on row \(report.headerRow ?? 1))")
        if let mapping = report.mapping {
            print("columns:")
            for c in mapping { print("  \(c.header) → \(c.field ?? "(ignored)")\(c.mapped ? " (mapped)" : "")") }
        }
        if report.dryRun == true {
            print("""
                PREVIEW — nothing stored
                rows: \(report.rows), valid: \(report.valid), errors: \(report.errors.count)
                would add: \(report.wouldInsert ?? 0), already present: \(report.alreadyPresent)
                """)
            for s in report.sample ?? [] {
                print("  row \(s.row): \(s.name) → \(s.subNo) \(s.subItem) | \(s.serialNo) | \(s.region) | last: \(s.lastVerification ?? "—") | \(s.status)\(s.nextDue.map { ", due \($0)" } ?? "")")
            }
        } else {
            print("""
                rows: \(report.rows), valid: \(report.valid), errors: \(report.errors.count)
                stored: \(report.stored ? "yes" : "no") — new: \(report.inserted), already present: \(report.alreadyPresent), owners created: \(report.ownersCreated)
                """)
        }
        if !report.ignoredColumns.isEmpty { print("ignored columns: \(report.ignoredColumns.joined(separator: ", "))") }
        // The same problem on many rows is one line first (e.g. one unknown instrument name).
        for s in (report.summary ?? []).prefix(10) where s.rows > 1 { print("  " + RefusalWords.english(s)) }
        for e in report.errors.prefix(20) { print("  row \(e.row), \(e.column): \(RefusalWords.english(e.reason))") }
        if report.errors.count > 20 { print("  … \(report.errors.count - 20) more") }
        if let path = errors {
            try Data(RefusalWords.errorsCSV(report.errors).utf8).write(to: URL(fileURLWithPath: path))
            print("error report: \(path)")
        }
        if !report.errors.isEmpty { throw ExitCode(report.stored ? 3 : 2) }
    }
}

struct Warnings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the early warnings once (the server's worker runs them daily)")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Days before a due date that count as due soon") var dueSoonDays = 30
    @Flag(help: "Mark the session cookie Secure (when served behind TLS)") var secureCookies = false

    func run() async throws {
        guard (0...365).contains(dueSoonDays) else { throw ValidationError("--due-soon-days must be from 0 to 365") }
        let day = try db.todayProvider()()
        let o = try await db.withStore { store in try await WarningRunner(dueSoonWindow: dueSoonDays).run(asOf: day, on: store.db) }
        print("warning run #\(o.runID) as of \(day): found \(o.found), newly raised \(o.raised)")
        for (k, v) in o.counts.sorted(by: { $0.key < $1.key }) { print("  \(k): \(v)") }
        if let a = o.alarm { print("ALARM: \(a)") }
    }
}

struct Credit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daily credit run once: penalty take-downs, listing removals, reminders, every owner's credit-risk class")

    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let day = try db.todayProvider()()
        let start = Date()
        let o = try await db.withStore { store in
            try await CreditDaily.run(today: day, on: store.db)
        }
        print("credit run as of \(day): \(o.expiredPenalties) penalties taken down, \(o.removedListings) listings removed, \(o.reminders) reminders, "
              + "\(o.scores) classes in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
