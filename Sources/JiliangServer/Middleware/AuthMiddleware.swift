import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Finds out who is calling — an API token or session token in `Authorization: Bearer …`, or the
/// session cookie — and runs the rest of the request with that caller in `RequestCaller` (what it
/// may see and do) and `Audit.actor` (whom its writes are attributed to). A request without
/// credentials goes on as anonymous; the handlers refuse it where a caller is needed. Credentials
/// that are present but wrong or expired are refused here.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: Store
    /// Take the client's address from `X-Forwarded-For` (behind a trusted proxy only).
    let trustForwardedFor: Bool
    static var cookieName: String { "jiliang_session" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var caller: Principal?
        var session: String?
        var sessionCSRF: String?
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw RegistryError.unauthenticated }
            let token = parts[1].trimmingCharacters(in: .whitespaces)
            if token.hasPrefix("jls_") {
                caller = try await Accounts.session(token: token, on: store.db)?.0
                session = token
            } else {
                caller = try await Accounts.principal(apiToken: token, on: store.db)
            }
            guard caller != nil else { throw RegistryError.unauthenticated }
        } else if let cookie = request.cookies[Self.cookieName]?.value, let (p, csrf) = try await Accounts.session(token: cookie, on: store.db) {
            // A cookie rides along with cross-site requests; a header the page must add cannot.
            // (Pages post forms: their token is checked by `FormCSRFMiddleware`.) The path as the
            // router matches it: "//api/…" is the API too.
            if Site.canonical(request.uri.path).hasPrefix("/api/"), ![.get, .head, .options].contains(request.method), request.headers[AuthNames.csrfHeader] != csrf {
                throw RegistryError.forbidden(.request(.cookieWithoutCSRFHeader))
            }
            caller = p
            session = cookie
            sessionCSRF = csrf
        }
        // The API needs a caller everywhere but these, checked before any input is decoded.
        let path = Site.canonical(request.uri.path)
        // A scraper's credential (metrics:read and nothing else) is no one anywhere but /metrics:
        // whatever its role, it reads no registry row, job or credit record.
        if let c = caller, c.permissions == [.readMetrics], path != MetricsRoute.path { caller = nil }
        if caller == nil, path.hasPrefix("/api/v1/"), !AuthNames.publicPaths.contains(path), !path.hasPrefix("/api/v1/public/")
        {
            throw RegistryError.unauthenticated
        }
        let jar = CookieJar()
        let client = ClientAddress.of(request, (context as? any RemoteAddressRequestContext)?.remoteAddress, trustForwardedFor: trustForwardedFor)
        let caught = RequestCaller.Values(principal: caller, sessionToken: session, csrf: sessionCSRF, cookies: jar, client: client)
        var response = try await RequestCaller.$current.withValue(caught) {
            try await Audit.$actor.withValue(caller ?? .anonymous) { try await next(request, context) }
        }
        // Set here rather than through the generated response headers, which percent-encode values.
        for cookie in jar.all { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }
}

/// `AuthMiddleware`'s constants, kept once: a generic type cannot hold stored statics, and a
/// `static var { … }` would rebuild them on every request.
enum AuthNames {
    static let publicPaths: Set<String> = ["/api/v1/health", "/api/v1/auth/sign-in", "/api/v1/openapi.yaml"]
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
}

/// The caller of the request being handled (set by `AuthMiddleware`).
enum RequestCaller {
    /// Everything about the caller, in one task-local value: one push per request on the lookup's
    /// hot path rather than one per fact (issue #23).
    struct Values: Sendable {
        var principal: Principal?
        /// The session token when the caller came with one (sign-out needs it).
        var sessionToken: String?
        /// The session's CSRF token when the caller came with the session cookie (pages put it in forms).
        var csrf: String?
        /// `Set-Cookie` values a handler wants on its response.
        var cookies: CookieJar?
        /// The client's address (sign-in throttling keys on it).
        var client: String?
    }
    @TaskLocal static var current = Values()

    static var principal: Principal? { current.principal }
    static var sessionToken: String? { current.sessionToken }
    static var csrf: String? { current.csrf }
    static var cookies: CookieJar? { current.cookies }
    static var client: String? { current.client }
}

/// Who is at the other end, as the rate limits and the sign-in throttle key it: the connection's
/// address, or — behind one proxy the server trusts (`--trust-forwarded-for`) — the last
/// `X-Forwarded-For` address, the one that proxy saw. Earlier entries are whatever the client
/// wrote and are never used (a client choosing its own key would walk past every limit). An IPv6
/// client is keyed by its /64, which one subscriber usually holds whole.
enum ClientAddress {
    static func of(_ request: Request, _ remote: SocketAddress?, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = request.headers[values: .init("X-Forwarded-For")!].last,
            let last = forwarded.split(separator: ",").last
        {
            return key(last.trimmingCharacters(in: .whitespaces))
        }
        return remote?.ipAddress.map(key) ?? "local"
    }

    /// An IPv4 address as it is; an IPv6 address as its first 64 bits.
    static func key(_ address: String) -> String {
        guard address.utf8.contains(UInt8(ascii: ":")) else { return address }  // not Foundation's substring search
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        if bytes[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] { return bytes[12...].map(String.init).joined(separator: ".") }  // v4-mapped
        return stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/64"
    }
}

final class CookieJar: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func set(_ cookie: String) { lock.withLock { values.append(cookie) } }
    var all: [String] { lock.withLock { values } }
}
