import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangLedger
import JiliangQR
import JiliangStore
import Mustache

/// The server-rendered web application (issue #3): sign-in, a dashboard per role, the instrument
/// list and page, and the filing and verification workflows as forms. Pages call the same
/// `Registry`, `Filings` and `VerificationRequests` functions as the API, with the signed-in
/// caller's scope, so what a page shows is exactly what the API would.
struct WebApp {
    let store: Store
    let config: AppConfiguration
    let ledger: Ledger
    let templates: MustacheLibrary
    let signInThrottle: SignInThrottle

    init(store: Store, config: AppConfiguration, ledger: Ledger, templates: MustacheLibrary, signInThrottle: SignInThrottle) {
        self.store = store
        self.config = config
        self.ledger = ledger
        self.templates = templates
        self.signInThrottle = signInThrottle
    }

    /// Every page template of the bundle (the staff pages' and the public site's).
    static func loadTemplates() throws -> MustacheLibrary {
        guard let dir = Bundle.module.url(forResource: "templates", withExtension: nil) else {
            throw RegistryError.conflict(field: "templates", reason: .request(.templatesMissing))
        }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return library
    }

    var db: any Database { store.db }
    var today: CalendarDay { config.today() }

    /// The mount point of the staff site: the assets and signing in and out on the plain router,
    /// every other page on the signed-in group, registered by its area's controller.
    func addRoutes(to router: Router<AppRequestContext>) {
        for (file, type) in [("app.css", "text/css; charset=utf-8"), ("import.js", "text/javascript; charset=utf-8"), ("print.js", "text/javascript; charset=utf-8"),
                             ("telemetry-live.js", "text/javascript; charset=utf-8")] {
            router.get(RouterPath("/assets/" + file)) { _, _ in try Self.asset(file, type: type) }
        }
        router.get(Site.login.path) { request, _ in try await loginPage(request, error: nil, login: "") }
        router.post(Site.login.path) { request, _ in try await signIn(request) }
        router.post(Site.logout.path) { request, _ in try await signOut(request) }
        // Every other staff page: a signed-in caller only (`SignedInContext`; anonymous requests
        // get the sign-in page before any handler runs).
        let router = router.group(context: SignedInContext.self)
        // The registry: instruments, owners, institutions, regions, labels, certificates, the dashboard
        RegistryController(app: self).addRoutes(to: router)
        // Workflows: filings and verification requests
        WorkflowController(app: self).addRoutes(to: router)
        // Imports and their jobs
        ImportController(app: self).addRoutes(to: router)
        // Surveys of users (摸排)
        SurveysController(app: self).addRoutes(to: router)
        // Smart supervision (远程监管): telemetry alerts and their review
        TelemetryController(app: self).addRoutes(to: router)
        // Statistics, reports, standards
        StatisticsController(app: self).addRoutes(to: router)
        // The catalogue and its rules and names
        CatalogueController(app: self).addRoutes(to: router)
        // Public service, staff side: complaints, free checks, campaigns
        PublicServiceController(app: self).addRoutes(to: router)
        // Credit: commitments, demonstration units, penalties, listings
        CreditController(app: self).addRoutes(to: router)
        // Administration: users, tokens, audit, calendar, reference data
        AdminController(app: self).addRoutes(to: router)
    }
}
