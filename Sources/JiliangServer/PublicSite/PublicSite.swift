import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangLedger
import JiliangStore
import Mustache

/// The public site under `/p` (issue #6): no sign-in, phone first, small pages with their style
/// inline and no script, so that a scan on a slow network shows the answer in one round trip.
/// Instrument lookup, a business's instruments, complaints, free checks, campaigns and quizzes,
/// the list of institutes. Every route sits behind the per-client rate limit.
struct PublicSite {
    let store: Store
    let config: AppConfiguration
    let ledger: Ledger
    let templates: MustacheLibrary
    let limiter: RateLimiter
    let certificateChecks = CertificateChecks()
    let honesty = HonestyIndex()

    init(store: Store, config: AppConfiguration, ledger: Ledger, templates: MustacheLibrary) {
        self.store = store
        self.config = config
        self.ledger = ledger
        self.templates = templates
        limiter = RateLimiter(limits: config.publicRateLimit, clock: config.publicRateLimitClock)
    }

    var db: any Database { store.db }
    var today: CalendarDay { config.today() }

    func addRoutes(to router: Router<AppRequestContext>) {
        let site = router.group("p").add(middleware: RateLimitMiddleware(limiter: limiter, trustForwardedFor: config.trustForwardedFor))
        site.get { request, _ in try await guarded(request) { try await home(request, error: nil, code: "") } }
        site.get("lookup") { request, _ in try await guarded(request) { try await lookup(request) } }
        site.get("i/{code}") { request, context in
            try await guarded(request) { try await instrumentPage(request, code: context.parameters.get("code") ?? "") }
        }
        site.get("i/{code}/certificate") { request, context in
            try await guarded(request) { try await certificateFile(request, code: context.parameters.get("code") ?? "") }
        }
        site.get("b/{credit}") { request, context in
            try await guarded(request) { try await businessPage(request, credit: context.parameters.get("credit") ?? "") }
        }
        site.get("complaints/new") { request, _ in try await guarded(request) { try await complaintForm(request, form: nil, error: nil) } }
        site.post("complaints") { request, _ in try await guarded(request) { try await fileComplaint(request) } }
        site.get("complaints/track") { request, _ in try await guarded(request) { try await trackComplaint(request) } }
        site.get("complaints/{code}") { request, context in
            try await guarded(request) { try await complaintPage(request, code: context.parameters.get("code") ?? "") }
        }
        site.get("checks") { request, _ in try await guarded(request) { try await checksPage(request, error: nil, status: .ok) } }
        site.post("checks/book") { request, _ in try await guarded(request) { try await bookCheck(request) } }
        site.post("checks/meter") { request, _ in try await guarded(request) { try await requestMeterCheck(request) } }
        site.get("checks/track") { request, _ in try await guarded(request) { try await trackCheck(request) } }
        site.get("checks/{code}") { request, context in
            try await guarded(request) { try await checkPage(request, code: context.parameters.get("code") ?? "") }
        }
        site.get("campaigns") { request, _ in try await guarded(request) { try await campaignsPage(request) } }
        site.get("campaigns/{slug}") { request, context in
            try await guarded(request) { try await campaignPage(request, slug: context.parameters.get("slug") ?? "", score: nil) }
        }
        site.post("campaigns/{slug}/quiz") { request, context in
            try await guarded(request) { try await answerQuiz(request, slug: context.parameters.get("slug") ?? "") }
        }
        addSurveyRoutes(to: site)
        site.get("institutions") { request, _ in try await guarded(request) { try await institutionsPage(request) } }
        site.get("honest") { request, _ in try await guarded(request) { try await demonstrationUnitsPage(request) } }
        site.get("dishonest") { request, _ in try await guarded(request) { try await listedPartiesPage(request) } }
        site.get("commitments/{id}") { request, context in
            try await guarded(request) { try await commitmentLetter(request, id: Int(context.parameters.get("id") ?? "") ?? -1) }
        }
    }

    // MARK: Plumbing

    /// Bad input → 400 and not found → 404, each as a page in the citizen's language (never a 500).
    /// Runs a public page; its failures are answered by `PageErrorMiddleware` in the public frame.
    func guarded(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        try await body()
    }

    /// The public site's error page, in its frame (`PageErrorMiddleware`).
    func errorPage(_ request: Request, _ problem: PageProblem) -> Response {
        let t = PublicStrings.strings(language(request))
        let heading: String, message: String
        switch problem.kind {
        case .notFound: (heading, message) = (t[.notFound], problem.detail)
        case .forbidden, .badInput, .signIn: (heading, message) = (t[.badInput], problem.detail)
        case .tooLarge: (heading, message) = (t[.tooLarge], problem.detail)
        case .busy: (heading, message) = (t[.busy], t[.busyText])
        case .unavailable: (heading, message) = (t[.unavailable], t[.unavailableText])
        case .fault: (heading, message) = (t[.fault], t[.faultText])
        case .tooManyRequests(let wait): (heading, message) = (t[.tooMany], String(format: t[.tooManyText], wait))
        }
        // The public site answered a refusal with 400 before (it has no sign-in to ask for).
        let status: HTTPResponse.Status = problem.kind == .forbidden || problem.kind == .signIn ? .badRequest : problem.status
        var r = render("public-message", view: PublicMessageView(heading: heading, message: message), title: heading, request: request, status: status)
        if case .tooManyRequests(let wait) = problem.kind { r.headers[.retryAfter] = "\(max(wait, 1))" }
        if problem.kind == .unavailable { r.headers[.retryAfter] = "5" }
        return r
    }

    func language(_ request: Request) -> PageStrings.Language { PageStrings.Language.of(request) }

    /// A body (HTML) in the public frame, with its caching and the language cookie.
    func page(body: String, title: String, request: Request, status: HTTPResponse.Status = .ok, cache: Int? = nil) -> Response {
        let lang = language(request)
        let other: PageStrings.Language = lang == .zh ? .en : .zh
        let html = PublicHTML.layout(lang: lang, title: title, otherLangLink: request.uri.path + "?lang=\(other.rawValue)", body: body)
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: .init(string: html)))
        // Shared caches may keep a lookup for a minute; anything with a citizen's code stays private.
        response.headers[.cacheControl] = cache.map { "public, max-age=\($0)" } ?? "no-store"
        if let q = request.uri.queryParameters["lang"], PageStrings.Language(rawValue: String(q)) != nil {
            response.headers.append(HTTPField(name: .setCookie, value: Cookie(name: "lang", value: String(q), path: "/", httpOnly: true, sameSite: .lax).description))
        }
        return response
    }

    /// A miss (an unknown code) costs the client extra tokens (see `RateLimitMiddleware`).
    func miss(_ response: Response) -> Response {
        var r = response
        r.headers[RateLimitMiddleware.costHeader] = "10"
        return r
    }

    func redirect(_ to: String) -> Response { Response(status: .seeOther, headers: [.location: to]) }

    static func escapePath(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
