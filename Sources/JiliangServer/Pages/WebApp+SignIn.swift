import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

extension WebApp {
    // MARK: Sign-in

    static let loginCSRFCookie = "jiliang_login_csrf"

    func loginPage(_ request: Request, error: String?, login: String, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = language(request)
        // Login forms need CSRF protection too (against signing a victim into the attacker's account):
        // a random value in a cookie and in the form, which a cross-site page cannot read.
        let token = request.cookies[Self.loginCSRFCookie]?.value ?? Accounts.randomToken()
        let t = PageStrings.strings(lang)
        var response = render("login", view: LoginView(csrf: token, error: error, login: login), title: t[.signIn], request: request, caller: nil, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: Cookie(
            name: Self.loginCSRFCookie, value: token, path: Site.login(), secure: config.secureCookies, httpOnly: true, sameSite: .strict).description))
        return response
    }

    func signIn(_ request: Request) async throws -> Response {
        let f = try await form(request)
        let t = PageStrings.strings(language(request))
        guard let sent = f["csrf"], sent == request.cookies[Self.loginCSRFCookie]?.value else {
            return try await loginPage(request, error: t[.forbidden], login: f["login"] ?? "", status: .forbidden)
        }
        do {
            let s = try await Accounts.signIn(
                login: f["login"] ?? "", password: f["password"] ?? "", client: RequestCaller.client ?? "local", throttle: signInThrottle, on: db)
            var r = redirect(Site.dashboard())
            r.headers.append(HTTPField(name: .setCookie, value: Cookie(
                name: AuthMiddleware<AppRequestContext>.cookieName, value: s.token, maxAge: Int(Accounts.sessionLifetime), path: "/",
                secure: config.secureCookies, httpOnly: true, sameSite: .lax).description))
            return r
        } catch let e as Accounts.SignInError {
            let words = RefusalText.signIn(e, language(request) == .zh)
            guard case .throttled(let wait) = e else {
                return try await loginPage(request, error: words, login: f["login"] ?? "", status: .unauthorized)
            }
            var r = try await loginPage(request, error: words, login: f["login"] ?? "", status: .tooManyRequests)
            r.headers[.retryAfter] = "\(wait)"
            return r
        }
    }

    func signOut(_ request: Request) async throws -> Response {
        // Its CSRF token was checked by `FormCSRFMiddleware`.
        if let token = RequestCaller.sessionToken {
            try await Accounts.signOut(token: token, everywhere: false, on: db)
        }
        var r = redirect(Site.login())
        r.headers.append(HTTPField(name: .setCookie, value: Cookie(
            name: AuthMiddleware<AppRequestContext>.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax).description))
        return r
    }
}
