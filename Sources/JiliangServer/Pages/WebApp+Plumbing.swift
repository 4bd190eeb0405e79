import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Mustache

extension WebApp {
    // MARK: Plumbing

    /// A posted form (application/x-www-form-urlencoded); its CSRF token was checked by
    /// `FormCSRFMiddleware` before the handler ran.
    func form(_ request: Request) async throws -> [String: String] {
        Dictionary(try await formFields(request), uniquingKeysWith: { _, last in last })
    }

    /// Every field of a posted form in order, repeated names included.
    func formFields(_ request: Request) async throws -> [(String, String)] {
        FormCSRF.fields(ofURLEncoded: try await request.body.collect(upTo: FormCSRFMiddleware.formLimit))
    }

    /// The CSRF check of a multipart form's fields, read by its own handler (`FormCSRFMiddleware`).
    func checkCSRF(_ form: [String: String]) throws {
        try FormCSRF.check(form["csrf"])
    }

    /// The staff site's error page, in its frame (`PageErrorMiddleware`).
    func errorPage(_ request: Request, _ problem: PageProblem) -> Response {
        let t = PageStrings.strings(language(request))
        let heading: String, message: String
        switch problem.kind {
        case .notFound: (heading, message) = (t[.notFound], t[.notFoundText])  // unknown and forbidden records alike
        case .forbidden: (heading, message) = (t[.forbidden], problem.detail)
        case .badInput, .signIn: (heading, message) = (t[.badInput], problem.detail)
        case .tooLarge: (heading, message) = (t[.tooLarge], problem.detail)
        case .busy: (heading, message) = (t[.busy], t[.busyText])
        case .unavailable: (heading, message) = (t[.unavailable], t[.unavailableText])
        case .fault: (heading, message) = (t[.fault], t[.faultText])
        case .tooManyRequests(let wait): (heading, message) = (t[.tooMany], String(format: t[.tooManyText], wait))
        }
        var r = render("error", view: ErrorView(heading: heading, message: message), title: heading, request: request, caller: RequestCaller.principal, status: problem.status)
        if case .tooManyRequests(let wait) = problem.kind { r.headers[.retryAfter] = "\(max(wait, 1))" }
        if problem.kind == .unavailable { r.headers[.retryAfter] = "5" }
        return r
    }

    func language(_ request: Request) -> PageStrings.Language { PageStrings.Language.of(request) }

    /// A page's body in the staff frame (`layout.mustache`): navigation by what the caller may do,
    /// the language switch, the flash message.
    func frame(_ body: String, title: String, request: Request, caller: Principal?, status: HTTPResponse.Status = .ok) -> Response {
        let lang = language(request)
        let other: PageStrings.Language = lang == .zh ? .en : .zh
        var path = request.uri.path
        if let flash = request.uri.queryParameters["flash"] { path += "?flash=\(flash)" }
        let frame = FrameView(
            lang: lang == .zh ? "zh-CN" : "en", title: title, body: body, signedIn: caller != nil,
            who: caller.map { "\($0.label) · \($0.role.chineseName)" } ?? "",
            canReview: caller?.may(.reviewFilings) == true, canDrill: caller.map { $0.role == .provinceAdmin || $0.role == .bureauStaff } == true,
            canImport: caller.map { $0.may(.importInstruments) || $0.may(.manageOwners) || $0.may(.manageReference) } == true,
            canHandleComplaints: caller?.may(.handleComplaints) == true, canSurvey: caller?.may(.manageOwners) == true,
            canReviewAlerts: caller?.may(.reviewAlerts) == true,
            canCredit: caller.map { ($0.may(.manageCredit) && $0.role != .owner && $0.role != .instituteStaff) || ($0.role == .owner && $0.may(.applyForCredit)) } == true,
            canRunChecks: caller?.may(.runFreeChecks) == true, canManageUsers: caller.map { $0.may(.manageAccounts) || $0.may(.manageOwners) } == true,
            isAdmin: caller?.may(.readAudit) == true, canManageReference: caller?.may(.manageReference) == true,
            canRecord: caller?.may(.recordVerifications) == true, otherLangLink: path + (path.contains("?") ? "&" : "?") + "lang=\(other.rawValue)",
            flash: request.uri.queryParameters["flash"].flatMap { PageStrings.strings(lang).lookup(String($0)) })
        let layout = PageScope(view: frame, t: PageStrings.strings(lang), csrf: RequestCaller.csrf ?? "")
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: .init(string: templates.render(layout, withTemplate: "layout") ?? body)))
        if let q = request.uri.queryParameters["lang"], PageStrings.Language(rawValue: String(q)) != nil {
            response.headers.append(HTTPField(name: .setCookie, value: Cookie(name: "lang", value: String(q), path: "/", httpOnly: true, sameSite: .lax).description))
        }
        return response
    }

    /// Runs a form's action; bad input or a refused step re-renders the page with the message in the
    /// page's language (400). With `alsoNotFound`, a record the form named that does not exist (an
    /// owner, a login) is the form's mistake too; forbidden is always passed on.
    func attempt(
        _ request: Request, alsoNotFound: Bool = false, _ rerender: (String) async throws -> Response, _ body: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await body()
        } catch let e as ValidationFailure {
            return try await rerender(RefusalText.words(e, language(request))).with(status: .badRequest)
        } catch let e as RegistryError {
            switch e {
            case .invalid, .conflict: return try await rerender(RefusalText.words(e, language(request))).with(status: .badRequest)
            case .notFound where alsoNotFound: return try await rerender(RefusalText.words(e, language(request))).with(status: .badRequest)
            default: throw e
            }
        }
    }

    func formEncoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }

    func redirect(_ to: String) -> Response {
        Response(status: .seeOther, headers: [.location: to])
    }

    static func asset(_ name: String, type: String) throws -> Response {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "assets"), let data = FileManager.default.contents(atPath: url.path) else {
            throw HTTPError(.notFound)
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: .init(bytes: data)))
    }
}

extension Response {
    /// The same response with another status (a form page re-rendered with its error: 400).
    func with(status: HTTPResponse.Status) -> Response {
        var r = self
        r.status = status
        return r
    }
}
