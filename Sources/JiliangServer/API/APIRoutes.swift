import Foundation
import HTTPTypes
import Hummingbird
import JiliangAPI
import JiliangCore

/// The paths of the API document, the methods each answers and the bounds of their parameters,
/// read once from openapi.yaml (the contract): used to answer 405 with `Allow` for a method a path
/// does not have, to refuse a parameter outside its documented bounds before any handler runs
/// (so that the server accepts exactly what the document allows), and to name the path parameter
/// a malformed value was given for.
struct APIRoutes: Sendable {
    /// A parameter's documented bounds (the one-line `- { name: …, in: …, schema: { … } }` form the
    /// document uses for every scalar parameter, and the shared Cursor and Limit).
    struct Bound: Sendable, Equatable {
        var name: String
        var inPath: Bool
        var integer: Bool
        var minimum: Int64?
        var maximum: Int64?
        var maxLength: Int?

        init?(line: Substring) {
            guard let n = Self.value(after: "name: ", in: line), let place = Self.value(after: "in: ", in: line), place == "query" || place == "path" else { return nil }
            name = n
            inPath = place == "path"
            integer = line.contains("type: integer")
            minimum = Self.value(after: "minimum: ", in: line).flatMap { Int64($0) }
            maximum = Self.value(after: "maximum: ", in: line).flatMap { Int64($0) }
            maxLength = Self.value(after: "maxLength: ", in: line).flatMap { Int($0) }
        }

        static func value(after key: String, in line: Substring) -> String? {
            guard let r = line.range(of: key) else { return nil }
            let v = line[r.upperBound...].prefix { $0 != "," && $0 != " " && $0 != "}" }
            return v.isEmpty ? nil : String(v)
        }

        /// Why `value` is outside the bounds, or nil.
        func problem(_ value: String) -> Refusal? {
            if integer {
                guard let n = Int64(value) else { return .request(.notAnInteger) }
                if let lo = minimum, n < lo { return maximum.map { .field(.outOfRange(from: Int(lo), to: Int($0))) } ?? .request(.atLeast(lo)) }
                if let hi = maximum, n > hi { return minimum.map { .field(.outOfRange(from: Int($0), to: Int(hi))) } ?? .request(.atMost(hi)) }
                return nil
            }
            // JSON Schema counts code points, not grapheme clusters.
            if let most = maxLength, value.unicodeScalars.count > most { return .request(.atMostCharacters(most)) }
            return nil
        }
    }

    struct Route: Sendable {
        var segments: [String]
        var methods: Set<String>
        var bounds: [Bound] = []
        /// The body cap an operation declares (`x-body-limit: upload|import`; JSON's otherwise), by
        /// method: the document names its file and batch operations, the body limits read it.
        var bodyLimits: [String: String] = [:]
    }
    let routes: [Route]

    static let shared = APIRoutes(spec: (try? APISpec.yaml()) ?? "")

    init(spec: String) {
        var routes: [Route] = []
        var inPaths = false
        let lines = spec.split(separator: "\n", omittingEmptySubsequences: false)
        // The shared parameters (`components/parameters`), written over several lines each.
        var shared: [String: Bound] = [:]
        if let start = lines.firstIndex(where: { $0 == "  parameters:" }) {
            var name: String?, text = ""
            for line in lines[(start + 1)...] {
                if !line.hasPrefix("    ") { break }
                if line.hasPrefix("    "), !line.hasPrefix("     ") {
                    if let name, let b = Bound(line: Substring(text)) { shared[name] = b }
                    name = String(line.trimmingCharacters(in: .whitespaces).dropLast())
                    text = ""
                } else {
                    text += line.trimmingCharacters(in: .whitespaces) + ", "
                }
            }
            if let name, let b = Bound(line: Substring(text)) { shared[name] = b }
        }
        var method: String?
        for line in lines {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, !line.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("#") { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                routes.append(Route(segments: line.dropFirst(3).dropLast().split(separator: "/").map(String.init), methods: []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !routes.isEmpty {
                let word = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "PUT", "POST", "DELETE", "PATCH"].contains(word) {
                    routes[routes.count - 1].methods.insert(word)
                    method = word
                }
            } else if !routes.isEmpty, let method, line.trimmingCharacters(in: .whitespaces).hasPrefix("x-body-limit:") {
                routes[routes.count - 1].bodyLimits[method] = line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
            } else if !routes.isEmpty, line.contains("- { name: "), let b = Bound(line: line) {
                if !routes[routes.count - 1].bounds.contains(b) { routes[routes.count - 1].bounds.append(b) }
            } else if !routes.isEmpty, line.contains("$ref: '#/components/parameters/"),
                let name = line.split(separator: "/").last?.prefix(while: { $0 != "'" }), let b = shared[String(name)]
            {
                if !routes[routes.count - 1].bounds.contains(b) { routes[routes.count - 1].bounds.append(b) }
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

/// Holds requests to the API document before any handler runs (issue #17, item 10): a method the
/// path does not have is 405 with `Allow` (TRACE answered 404), and a parameter outside its
/// documented bounds is 400 naming it (ids of 0 or past 2^53, years and search texts beyond their
/// limits were answered 200).
struct APIContractMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        guard let (route, parameters) = APIRoutes.shared.match(request.uri.path) else { return try await next(request, context) }
        if route.methods.contains(method) || method == "HEAD" && route.methods.contains("GET") || method == "OPTIONS" {
            var c = FieldChecker()
            let query = request.uri.queryParameters
            for b in route.bounds {
                let values = b.inPath ? parameters[b.name].map { [$0] } ?? [] : query.getAll(b.name).map { String($0) }
                for v in values where !v.isEmpty {
                    if let why = b.problem(v) { c.fail(b.name, why) }
                }
            }
            try c.finish()
            return try await next(request, context)
        }
        var r = ProblemMiddleware<Context>.response(Problem(
            type: "/problems/method-not-allowed", title: "Method Not Allowed", status: 405,
            detail: "\(method) is not an operation of \(request.uri.path); it answers \(route.methods.sorted().joined(separator: ", "))"))
        r.headers[.allow] = route.methods.sorted().joined(separator: ", ")
        return r
    }
}
