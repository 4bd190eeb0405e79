import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Logging
import NIOCore
import OpenAPIRuntime

/// An RFC 9457 problem document.
struct Problem: Codable, Sendable {
    struct Field: Codable, Sendable {
        var field: String
        var message: String
    }
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var errors: [Field]?
    /// Seconds for a `Retry-After` header (a 429); not part of the document.
    var retryAfter: Int? = nil

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }
}

/// Maps every error to an RFC 9457 `application/problem+json` answer that names the field, in one
/// place (STYLE.md idiom 9). Bad input is never a 500: validation, decoding and lookup errors
/// become 400/404/409; only a genuine fault is a 500, and its details go to the log, not the client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let e = error as? BodyTooLarge ?? (error as? ServerError)?.underlyingError as? BodyTooLarge {
                return Self.tooLarge(e, path: Site.canonical(request.uri.path), method: request.method)
            }
            return Self.response(Self.problem(for: error, logger: context.logger))
        }
    }

    /// A body over its cap: a problem for the API and for the import page's script (which reads
    /// JSON), a plain page for the other pages.
    static func tooLarge(_ e: BodyTooLarge, path: String, method: HTTPRequest.Method) -> Response {
        let p = Problem(type: "/problems/too-large", title: "Content Too Large", status: 413, detail: e.description, errors: [.init(field: "body", message: e.description)])
        if path.hasPrefix("/api/") || Site.answersJSON(path, method: method) { return response(p) }
        return PlainErrorPage.response(.contentTooLarge, title: "文件过大 Too large", heading: "提交的内容过大", text: e.description)
    }

    static func response(_ p: Problem) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(p)) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json; charset=utf-8"]
        if let wait = p.retryAfter { headers[.retryAfter] = "\(wait)" }
        return Response(status: .init(code: p.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(for error: any Error, logger: Logger) -> Problem {
        switch error {
        case let e as ServerError:
            // The generated server wraps both our handler errors and its own decoding errors.
            if e.underlyingError is BodyTooLarge { return problem(for: e.underlyingError, logger: logger) }
            if e.operationInput == nil, !(e.underlyingError is RegistryError), !(e.underlyingError is ValidationFailure) {
                let target = e.request.path ?? ""
                var p = badRequest(decoding: e.underlyingError, cause: e.causeDescription, path: String(target.prefix { $0 != "?" }))
                let length = e.request.headerFields[.contentLength], chunked = e.request.headerFields[.transferEncoding] != nil
                if p.errors?.first?.field == "body", length == "0" || length == nil && !chunked, e.request.method != .get {
                    p.errors = [.init(field: "body", message: "is required")]
                    p.detail = "body: is required"
                }
                // Query values are decoded without a coding path: name the parameter whose value the
                // decoder's own words quote (they are not shown to the client).
                if p.errors?.first?.field == "body", let query = target.split(separator: "?", maxSplits: 1).dropFirst().first {
                    let raw = "\(e.underlyingError)"
                    let message = p.errors?.first?.message ?? ""
                    for pair in query.split(separator: "&") {
                        let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                        // An integer the decoder could not read quotes no value: the integer
                        // parameter whose value is not one.
                        let notAnInteger = message == "must be an integer" && kv.count == 2 && Int64(kv[1]) == nil
                            && (kv[0].hasSuffix("_id") || ["limit", "sub_no", "item_no", "year", "month", "as_of_year"].contains(kv[0]))
                        if notAnInteger || kv.count == 2 && !kv[1].isEmpty && (raw.contains(" \(kv[1]) ") || raw.hasSuffix(" \(kv[1])")
                            || raw.contains("'\(kv[1])'") || raw.contains("\"\(kv[1])\"") || raw.contains("value \(kv[1])"))
                        {
                            let said = message == "could not be read" ? "is not a valid value" : message
                            p.errors = [.init(field: kv[0], message: said)]
                            p.detail = "\(kv[0]): \(said)"
                            break
                        }
                    }
                }
                return p
            }
            return problem(for: e.underlyingError, logger: logger)
        case let e as RegistryError:
            switch e {
            case .invalid(let v): return invalid(v)
            case .notFound:
                return Problem(type: "/problems/not-found", title: "Not found", status: 404, detail: RefusalText.words(e, .en))
            case .conflict(let field, let reason):
                let message = RefusalText.words(reason, .en)
                return Problem(
                    type: "/problems/conflict", title: "Conflict", status: 409, detail: message, errors: [.init(field: field, message: message)])
            case .unauthenticated:
                return Problem(type: "/problems/unauthenticated", title: "Unauthorized", status: 401, detail: "sign in, or send an API token as 'Authorization: Bearer …'")
            case .forbidden:
                return Problem(type: "/problems/forbidden", title: "Forbidden", status: 403, detail: RefusalText.words(e, .en))
            }
        case let e where WriteContention.isContention(e):
            // Another writer held the database for longer than the store waits (SQLite's busy
            // timeout, or retries exhausted): nothing was written; the client may try again.
            logger.warning("write contention: \(String(reflecting: e))")
            return Problem(type: "/problems/busy", title: "Service Unavailable", status: 503, detail: "the database is busy; nothing was stored, try again", retryAfter: 1)
        case let e where DatabaseAvailability.isUnavailable(e):
            // The primary is gone or being replaced (issue #22, item 3): the pool reconnects on a
            // later request. A write whose answer was lost on the way may have been committed.
            logger.warning("database unavailable: \(String(reflecting: e))")
            return Problem(
                type: "/problems/unavailable", title: "Service Unavailable", status: 503,
                detail: "the database cannot be reached just now (a failover may be under way); try again in a few seconds — a write whose answer was lost may have been stored, so look it up before repeating it",
                retryAfter: 5)
        case let e as PageProblem:
            // A page's problem met on a route that answers JSON (a script's, or a rate limit).
            var p = Problem(type: "/problems/page", title: e.status.reasonPhrase, status: e.status.code, detail: e.detail.isEmpty ? e.status.reasonPhrase : e.detail)
            if case .tooManyRequests(let wait) = e.kind { p.retryAfter = max(wait, 1) }
            if e.kind == .signIn { p = Problem(type: "/problems/unauthenticated", title: "Unauthorized", status: 401, detail: "sign in") }
            return p
        case let e as BodyTooLarge:
            return Problem(type: "/problems/too-large", title: "Content Too Large", status: 413, detail: e.description, errors: [.init(field: "body", message: e.description)])
        case let e as Accounts.SignInError:
            if case .throttled(let wait) = e {
                return Problem(type: "/problems/sign-in-throttled", title: "Too Many Requests", status: 429, detail: RefusalText.signIn(e, false), retryAfter: wait)
            }
            return Problem(type: "/problems/sign-in", title: "Unauthorized", status: 401, detail: RefusalText.signIn(e, false))
        case let v as ValidationFailure:
            return invalid(v)
        case let e as InstrumentImport.FileError:
            let message = RefusalText.words(e.refusal, .en)
            return Problem(type: "/problems/bad-file", title: "Unusable file", status: 400, detail: message, errors: [.init(field: "file", message: message)])
        case let e as any HTTPResponseError:
            let status = e.status
            return Problem(type: "/problems/http", title: status.reasonPhrase, status: status.code, detail: status.code < 500 ? "\(error)" : nil)
        case let e as DecodingError:
            return badRequest(decoding: e, cause: "invalid request body")
        default:
            logger.error("unhandled error: \(String(reflecting: error))")
            return Problem(type: "/problems/internal", title: "Internal Server Error", status: 500, detail: "an unexpected error was logged")
        }
    }

    static func invalid(_ v: ValidationFailure) -> Problem {
        Problem(
            type: "/problems/invalid-input", title: "Invalid input", status: 400,
            detail: RefusalText.words(v, .en),
            errors: v.errors.map { .init(field: $0.field, message: RefusalText.words($0.reason, .en)) })
    }

    /// A request the generated code could not decode: wrong JSON type, missing body, bad query value.
    /// A value the generated code could not decode, told in the client's terms: the field or
    /// parameter, and what it must be — never the decoder's types or coding paths (issue #17).
    static func badRequest(decoding error: any Error, cause: String, path: String? = nil) -> Problem {
        var field = "body"
        var message = "could not be read"
        if let d = error as? DecodingError {
            let codingPath: [any CodingKey]
            switch d {
            case .typeMismatch(let t, let c):
                codingPath = c.codingPath
                message = "must be \(jsonKind(of: t))"
            case .valueNotFound(_, let c):
                codingPath = c.codingPath
                message = "is required"
            case .keyNotFound(let k, let c):
                codingPath = c.codingPath + [k]
                message = "is required"
            case .dataCorrupted(let c):
                codingPath = c.codingPath
                message = if c.debugDescription.contains("does not fit") || c.debugDescription.contains("out of range") { "is out of range" }
                    // Foundation on Linux says so for a number too large for its type as well.
                    else if c.debugDescription.contains("not valid JSON") { "is not valid JSON (or holds a number out of range)" }
                    else if c.debugDescription.hasPrefix("Cannot initialize") { "is not one of the allowed values" }
                    else if c.debugDescription.lowercased().contains("date") { "must be a date (YYYY-MM-DD) or date-time (RFC 3339)" }
                    else { "is malformed" }
            @unknown default:
                codingPath = []
            }
            if !codingPath.isEmpty {
                field = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                    .replacingOccurrences(of: ".[", with: "[")
            }
        } else if let text = Optional("\(error)"), let r = text.range(of: "name: \"") ?? text.range(of: "key: ") {
            field = String(text[r.upperBound...].prefix { $0 != "\"" && $0 != "," && $0 != ")" })
        }
        // A path parameter that does not decode (`/owners/abc`): name it from the API document.
        if field == "body", let path, let (_, parameters) = APIRoutes.shared.match(path),
            let (name, _) = parameters.first(where: { Int64($0.value) == nil && $0.key.hasSuffix("id") || $0.key == "sub_no" && Int($0.value) == nil })
        {
            field = name
            message = "must be an integer id"
        }
        let what = field == "body" && message == "could not be read" ? "the request could not be read (\(cause.prefix { $0 != ":" }))" : "\(field): \(message)"
        return Problem(type: "/problems/bad-request", title: "Bad request", status: 400, detail: what, errors: [.init(field: field, message: message)])
    }

    /// A Swift type a JSON value failed to decode into, said as a JSON kind.
    static func jsonKind(of type: Any.Type) -> String {
        let name = String(describing: type)
        if ["Int", "Int64", "Int32", "Int16", "Int8", "UInt", "UInt64", "UInt32"].contains(name) { return "an integer" }
        if ["Double", "Float", "Decimal"].contains(name) { return "a number" }
        if name == "String" || name == "Substring" { return "text (a JSON string)" }
        if name == "Bool" { return "true or false" }
        if name == "Date" { return "a date-time (RFC 3339)" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list (a JSON array)" }
        if name.hasPrefix("Dictionary") || name.contains("Object") || name.hasPrefix("[String") { return "an object (a JSON object)" }
        return "one of the allowed values"
    }
}
