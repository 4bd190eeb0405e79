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
            throw RegistryError.conflict(field: "templates", message: "the page templates are missing from the build")
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

    func addRoutes(to router: Router<AppRequestContext>) {
        for (file, type) in [("app.css", "text/css; charset=utf-8"), ("import.js", "text/javascript; charset=utf-8"), ("print.js", "text/javascript; charset=utf-8")] {
            router.get(RouterPath("/assets/" + file)) { _, _ in try Self.asset(file, type: type) }
        }
        router.get(Site.login.path) { request, _ in try await loginPage(request, error: nil, login: "") }
        router.post(Site.login.path) { request, _ in try await signIn(request) }
        router.post(Site.logout.path) { request, _ in try await signOut(request) }
        // Every other staff page: a signed-in caller only (`SignedInContext`; anonymous requests
        // get the sign-in page before any handler runs).
        let router = router.group(context: SignedInContext.self)
        router.get(Site.importPage.path) { request, _ in try await page(request) { p in try await importPage(request, p) } }
        router.post(Site.importProfiles.path) { request, _ in try await json(request) { p in try await saveImportProfile(request, p) } }
        router.get(Site.importTemplate.path) { _, _ in
            let csv = "\u{FEFF}种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,使用单位,启用日期,表类型,口径,常用流量,介质\n"
                + "2,电子计价秤,SN-0001,贸易结算,350102,鼓楼区某农贸市场A1,91350102MA00000000,某农贸市场,2026-01-05,,,,\n"
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"jiliang-import-template.csv\""],
                            body: .init(byteBuffer: .init(string: csv)))
        }
        router.post(Site.importPage.path) { request, _ in try await json(request) { p in try await startImport(request, p) } }
        router.get(Site.jobProgress.path) { request, context in
            try await json(request) { p in try await jobProgress(p, id: try context.parameters.require("id", as: Int.self), lang: language(request)) }
        }
        router.get(Site.jobErrors.path) { request, context in
            try await page(request) { p in
                let job = try await ImportJobs.job(try context.parameters.require("id", as: Int.self), visibleTo: p, on: db)
                guard let csv = ImportJobs.errorsCSV(of: job) else {
                    throw RegistryError.conflict(field: "id", message: "the import has not finished")
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"import-\(job.id!)-errors.csv\""],
                    body: .init(byteBuffer: .init(string: csv)))
            }
        }
        addPublicServiceRoutes(to: router)
        addCreditRoutes(to: router)
        addStatisticsRoutes(to: router)
        addStandardsRoutes(to: router)
        addCatalogueRoutes(to: router)
        SurveysController(app: self).addRoutes(to: router)
        router.get(Site.dashboard.path) { request, _ in try await page(request) { p in try await dashboard(request, p) } }
        router.get(Site.instruments.path) { request, _ in try await page(request) { p in try await instrumentList(request, p) } }
        router.get(Site.instrumentsCSV.path) { request, _ in try await page(request) { p in try await instrumentCSV(request, p) } }
        router.get(Site.regions.path) { request, _ in
            try await page(request) { p in redirect(Site.region(p.region?.value ?? "350000")) }
        }
        router.get(Site.region.path) { request, context in
            try await page(request) { p in try await regionPage(request, p, code: context.parameters.get("code") ?? "") }
        }
        router.get(Site.owner.path) { request, context in
            try await page(request) { p in try await ownerPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get(Site.institution.path) { request, context in
            try await page(request) { p in try await institutionPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get(Site.newInstrument.path) { request, _ in try await page(request) { p in try await newInstrument(request, p, error: nil) } }
        router.post(Site.instruments.path) { request, _ in try await page(request) { p in try await createInstrument(request, p) } }
        router.get(Site.instrument.path) { request, context in
            try await page(request) { p in try await instrumentPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get(Site.certificate.path) { request, context in
            try await page(request) { p in try await certificatePage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.post(Site.instrumentFiling.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                _ = try await form(request)
                _ = try await Filings.submit(instrumentID: id, by: p, on: db)
                return redirect(Site.instrument(id) + "?flash=filedNotice")
            }
        }
        router.post(Site.instrumentApply.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                _ = try await VerificationRequests.apply(
                    instrumentID: id, institutionID: f["institution_id"].flatMap(Int.init), mode: f["mode"], note: nil, today: today, by: p, on: db)
                return redirect(Site.instrument(id) + "?flash=appliedNotice")
            }
        }
        router.get(Site.users.path) { request, _ in try await page(request) { p in try await usersPage(request, p, error: nil) } }
        router.post(Site.users.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                do {
                    _ = try await Accounts.createUser(
                        .init(login: f["login"], displayName: f["display_name"], password: f["password"], role: f["role"],
                              regionCode: f["region_code"].flatMap { $0.isEmpty ? nil : $0 }, institutionID: f["institution_id"].flatMap { Int($0) },
                              ownerID: f["owner_id"].flatMap { Int($0) }),
                        by: p, on: db)
                } catch let e as ValidationFailure {
                    return try await usersPage(request, p, error: e.description)
                } catch let e as RegistryError {
                    if case .forbidden = e { throw e }
                    return try await usersPage(request, p, error: e.description)
                }
                return redirect(Site.users() + "?flash=done")
            }
        }
        router.post(Site.userPassword.path) { request, context in
            try await page(request) { p in
                let f = try await form(request)
                try await Accounts.resetPassword(userID: try context.parameters.require("id", as: Int.self), to: f["password"], by: p, on: db)
                return redirect(Site.users() + "?flash=done")
            }
        }
        router.post(Site.userToggle.path) { request, context in
            try await page(request) { p in
                _ = try await form(request)
                let toggle = context.parameters.get("toggle")
                guard toggle == "disable" || toggle == "enable" else { throw RegistryError.notFound(entity: "page", key: toggle ?? "") }
                _ = try await Accounts.setDisabled(userID: try context.parameters.require("id", as: Int.self), toggle == "disable", by: p, on: db)
                return redirect(Site.users() + "?flash=done")
            }
        }
        router.get(Site.tokens.path) { request, _ in try await page(request) { p in try await tokensPage(request, p, newToken: nil, error: nil) } }
        router.post(Site.tokens.path) { request, _ in
            try await page(request) { p in
                // Checkboxes repeat the same name: read every "permission" value.
                let fields = try await formFields(request)
                let f = Dictionary(fields, uniquingKeysWith: { a, _ in a })
                let permissions = fields.filter { $0.0 == "permission" }.map(\.1)
                do {
                    let made = try await Accounts.createToken(
                        .init(name: f["name"], role: f["role"], regionCode: f["region_code"].flatMap { $0.isEmpty ? nil : $0 },
                              institutionID: f["institution_id"].flatMap { Int($0) }, ownerID: f["owner_id"].flatMap { Int($0) },
                              permissions: permissions),
                        by: p, on: db)
                    return try await tokensPage(request, p, newToken: made.token, error: nil)
                } catch let e as ValidationFailure {
                    return try await tokensPage(request, p, newToken: nil, error: e.description)
                } catch let e as RegistryError {
                    if case .forbidden = e { throw e }
                    return try await tokensPage(request, p, newToken: nil, error: e.description)
                }
            }
        }
        router.post(Site.tokenRevoke.path) { request, context in
            try await page(request) { p in
                _ = try await form(request)
                try await Accounts.revokeToken(try context.parameters.require("id", as: Int.self), by: p, on: db)
                return redirect(Site.tokens() + "?flash=done")
            }
        }
        router.get(Site.institutions.path) { request, _ in try await page(request) { p in try await institutionsPage(request, p, error: nil) } }
        router.post(Site.institutions.path) { request, _ in try await page(request) { p in try await createInstitution(request, p) } }
        router.post(Site.institutionAuthorisations.path) { request, context in
            try await page(request) { p in try await addAuthorisation(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get(Site.audit.path) { request, _ in try await page(request) { p in try await auditPage(request, p) } }
        router.get(Site.calendar.path) { request, _ in try await page(request) { p in try await calendarPage(request, p) } }
        router.get(Site.reference.path) { request, _ in try await page(request) { p in try await referencePage(request, p) } }
        router.post(Site.calendar.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                _ = try await VerificationRequests.setCalendarDay(f["date"] ?? "", kind: f["kind"], name: f["name"], by: p, on: db)
                return redirect(Site.calendar() + "?flash=done")
            }
        }
        router.post(Site.calendarDelete.path) { request, context in
            try await page(request) { p in
                _ = try await form(request)
                try await VerificationRequests.removeCalendarDay(context.parameters.get("date") ?? "", by: p, on: db)
                return redirect(Site.calendar() + "?flash=done")
            }
        }
        router.get(Site.filings.path) { request, _ in try await page(request) { p in try await filingQueue(request, p) } }
        router.post(Site.filingDecision.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                let approve = context.parameters.get("decision") == "approve"
                _ = try await Filings.decide(id, approve: approve, reason: f["reason"], by: p, on: db)
                return redirect(Site.filings() + "?flash=done")
            }
        }
        router.get(Site.requests.path) { request, _ in try await page(request) { p in try await requestQueue(request, p) } }
        router.post(Site.requestStep.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                switch context.parameters.get("step") {
                case "accept":
                    _ = try await VerificationRequests.accept(
                        id, mode: nil, scheduledFor: nil, today: today, deadlines: config.verificationDeadlines, by: p, on: db)
                case "result":
                    // Its kind (first or periodic) is the store's rule.
                    _ = try await VerificationRequests.complete(id, result: f["result"], number: f["number"], today: today, by: p, on: db)
                default: throw RegistryError.notFound(entity: "step", key: context.parameters.get("step") ?? "")
                }
                return redirect(Site.requests() + "?flash=done")
            }
        }
    }
}
