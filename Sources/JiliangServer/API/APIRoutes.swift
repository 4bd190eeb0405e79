import Foundation
import HTTPTypes
import Hummingbird
import JiliangAPI

/// The paths of the API document and the methods each answers, read once from openapi.yaml (the
/// contract): used to answer 405 with `Allow` for a method a path does not have, and to name the
/// path parameter a malformed value was given for.
struct APIRoutes: Sendable {
    struct Route: Sendable {
        var segments: [String]
        var methods: Set<String>
    }
    let routes: [Route]

    static let shared = APIRoutes(spec: (try? APISpec.yaml()) ?? "")

    init(spec: String) {
        var routes: [Route] = []
        for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                routes.append(Route(segments: line.dropFirst(3).dropLast().split(separator: "/").map(String.init), methods: []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !routes.isEmpty {
                let word = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "PUT", "POST", "DELETE", "PATCH"].contains(word) { routes[routes.count - 1].methods.insert(word) }
            }
        }
        self.routes = routes
    }

    /// The document's route for a path under /api/v1, with the values of its parameters.
    func match(_ path: String) -> (route: Route, parameters: [String: String])? {
        guard path.hasPrefix("/api/v1/") else { return nil }
        let parts = path.dropFirst("/api/v1/".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var best: (Route, [String: String], literals: Int)?
        for r in routes where r.segments.count == parts.count {
            var parameters: [String: String] = [:], literals = 0, ok = true
            for (s, p) in zip(r.segments, parts) {
                if s.hasPrefix("{") { parameters[String(s.dropFirst().dropLast())] = p.removingPercentEncoding ?? p } else if s == p { literals += 1 } else {
                    ok = false
                    break
                }
            }
            // `/instruments/by-code/{code}` beats `/instruments/{id}/…`: the most literal segments win.
            if ok, literals >= (best?.literals ?? -1) { best = (r, parameters, literals) }
        }
        return best.map { ($0.0, $0.1) }
    }
}

/// A method the path does not have is 405 with `Allow` (TRACE answered 404; issue #17, item 10).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        guard let (route, _) = APIRoutes.shared.match(request.uri.path),
            !(route.methods.contains(method) || method == "HEAD" && route.methods.contains("GET") || method == "OPTIONS")
        else { return try await next(request, context) }
        var r = ProblemMiddleware<Context>.response(Problem(
            type: "/problems/method-not-allowed", title: "Method Not Allowed", status: 405,
            detail: "\(method) is not an operation of \(request.uri.path); it answers \(route.methods.sorted().joined(separator: ", "))"))
        r.headers[.allow] = route.methods.sorted().joined(separator: ", ")
        return r
    }
}
