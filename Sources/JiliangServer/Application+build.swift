import FluentKit
import Foundation
import Hummingbird
import JiliangAPI
import JiliangCore
import JiliangStore
import Logging
import OpenAPIHummingbird
import ServiceLifecycle

/// Runs the whole application until it stops: opens and migrates the database, seeds the reference
/// data (and a demo province when asked), mounts every route, runs the long-running services (job
/// worker, ledger publisher) in the application's `ServiceGroup`, and closes the database pool
/// after every one of them has returned.
///
/// The pool is not one of the group's services: a group stops its services in reverse order when
/// asked to (SIGTERM), but cancels them all at once when one fails (a port already taken), and the
/// job worker, stopping mid-job, then met a closed pool and the process died on it (SIGILL) instead
/// of saying why it stopped (`GracefulStopTests`).
public func runApplication(_ config: AppConfiguration) async throws {
    var logger = Logger(label: "jiliang")
    logger.logLevel = config.logLevel
    let store = try Store(location: config.database, readReplicaURL: config.readReplicaURL, replicaMaxLag: config.replicaMaxLag, logger: logger)
    do {
        try await prepare(store, config: config)
        try await buildApplication(config, store: store).runService()
    } catch {
        await store.shutdown()
        throw error
    }
    await store.shutdown()
}

/// The application over a store that the caller owns and closes (`runApplication`; tests use this
/// with a throwaway database already migrated).
public func buildApplication(_ config: AppConfiguration, store: Store) throws -> Application<RouterResponder<AppRequestContext>> {
    let ledger = Ledger(store: store, configuration: try config.ledgerConfiguration())
    let router = try buildRouter(store: store, config: config, ledger: ledger)
    var app = Application(
        router: router, configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Jiliang"),
        logger: store.logger)
    if config.runWorker {
        app.addServices(JobWorker(
            store: store, today: config.today, warnings: WarningRunner(dueSoonWindow: config.dueSoonWindow), credit: config.credit,
            telemetryRetention: config.telemetryRetention, lease: config.jobLease))
        app.addServices(LedgerService(ledger: ledger, interval: config.ledgerInterval))
    }
    if store.replica != nil { app.addServices(ReplicaMonitor(store: store, interval: config.replicaCheckInterval)) }
    return app
}

/// Migrates, seeds reference data, and loads the demo province into an empty registry if configured.
public func prepare(_ store: Store, config: AppConfiguration) async throws {
    try await Audit.$actor.withValue(.system("start-up")) {
        try await store.migrate()
        if config.countsByDayFromThisMonth {
            // Before a demo is counted: a fact stored with the counts, so the server, the CLI and
            // the job worker (daily) keep them alike.
            try await MetricCounts.keepDayRows(from: MetricPeriod.month(of: config.today()).start, on: store.db)
        }
        try await Seed.referenceData(on: store.db)
        if let n = config.demoInstrumentsIfEmpty {
            if try await InstrumentModel.query(on: store.db).count() == 0 {
                store.logger.info("loading a demo province with \(n) instruments (seed \(config.demoSeed))…")
                let summary = try await DemoProvince(instruments: n, seed: config.demoSeed, today: config.today()).load(into: store)
                try await DemoCredit.load(today: config.today(), on: store.db)
                try await DemoStandards.load(today: config.today(), on: store.db)
                let fleet = try await DemoTelemetry.load(today: config.today(), seed: config.demoSeed, on: store.db)
                store.logger.info("demo loaded: \(summary), with commitments, a demonstration round, penalties, a listing, social public measurement standards and \(fleet)")
            }
            let accounts = try await DemoAccounts.ensure(on: store.db)
            let list = accounts.map { "  \($0)" }.joined(separator: "\n")
            store.logger.notice("demo accounts (login / password):\n\(list)")
        }
    }
}

/// Every route of the application, in one place (STYLE.md idiom 3).
public func buildRouter(store: Store, config: AppConfiguration, ledger: Ledger) throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // First, so that every request is counted and timed whole (issue #22, item 6).
    let metrics = ServerMetrics()
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: BodyLimitMiddleware(limits: config.bodyLimits))
    router.add(middleware: APIContractMiddleware())
    router.add(middleware: AuthMiddleware(store: store, trustForwardedFor: config.trustForwardedFor))

    // The page templates are read from the bundle once, for both the staff pages and the public site.
    let templates = try WebApp.loadTemplates()
    // Failed sign-ins are counted once for the pages and the API.
    let signInThrottle = SignInThrottle(policy: config.signInThrottle)
    // The web application for signed-in users (server-rendered, zh-CN with an English switch).
    let webApp = WebApp(store: store, config: config, ledger: ledger, templates: templates, signInThrottle: signInThrottle)
    // The public site for citizens (no sign-in, rate-limited): lookup, complaints, free checks, campaigns.
    let publicSite = PublicSite(store: store, config: config, ledger: ledger, templates: templates)
    // Pages: one error path (each site's error page in its own frame) and one CSRF check.
    router.add(middleware: PageErrorMiddleware(staff: webApp.errorPage, citizen: publicSite.errorPage))
    router.add(middleware: FormCSRFMiddleware())

    // Public landing page.
    LandingPage(store: store, config: config, publicSite: publicSite).addRoutes(to: router)
    webApp.addRoutes(to: router)
    publicSite.addRoutes(to: router)

    // The tamper-evident ledger, public and read-only (C2SP tlog-tiles).
    LedgerRoutes(ledger: ledger).addRoutes(to: router)

    // Operational metrics for Prometheus (metrics:read only).
    MetricsRoute(metrics: metrics, ledger: ledger).addRoutes(to: router)

    // The API contract, served verbatim.
    let spec = try APISpec.yaml()
    router.get("/api/v1/openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: .init(string: spec)))
    }

    // /api/v1: every operation of openapi.yaml, generated server stubs → APIImplementation.
    try APIImplementation(store: store, config: config, ledger: ledger, signInThrottle: signInThrottle).registerHandlers(on: router, serverURL: URL(string: "/api/v1")!)
    return router
}
