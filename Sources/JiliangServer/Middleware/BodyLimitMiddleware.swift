import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The most a request body may hold, by kind of route (issue #17, item 7). Before, a 64 MB JSON
/// body was read and parsed before its 400, and the unauthenticated sign-in read 32 MB before
/// its 401.
public struct BodyLimits: Sendable, Equatable {
    /// JSON and form posts: every API operation but those below, every page form.
    public var json: Int
    /// Multipart uploads (complaint photos, penalty evidence) and the penalty API, whose JSON
    /// carries its evidence as base64 (at most 5 × 5 MB).
    public var upload: Int
    /// Registry imports (CSV/XLSX files of a whole province).
    public var `import`: Int

    public init(json: Int = 1 << 20, upload: Int = 40 << 20, import: Int = 512 << 20) {
        self.json = json
        self.upload = upload
        self.import = `import`
    }

    enum Kind: String { case json, upload, `import` }

    /// The routes that take files, by path — never by the client's own `Content-Type`: the API's
    /// as its document declares them (`x-body-limit`), the pages' by name.
    static func kind(method: HTTPRequest.Method, path: String, contentType: String?) -> Kind {
        if let declared = APIRoutes.shared.match(path)?.route.bodyLimits[method.rawValue], let kind = Kind(rawValue: declared) { return kind }
        if path == FileRoute.importPage { return .import }
        if method == .post, FileRoute.uploads.contains(path) { return .upload }
        return .json
    }

    func limit(_ kind: Kind) -> Int {
        switch kind {
        case .json: json
        case .upload: upload
        case .import: self.import
        }
    }
}

/// The routes that take files, named once: the pages register theirs with these names, and the
/// body caps read them (a route renamed in one place is renamed in both).
enum FileRoute {
    static let importPage = Site.importPage()
    static let penaltyForm = Site.penalties()
    static let complaintForm = "/p/complaints"
    /// The pages' multipart forms. (The API's file and batch operations declare their cap in the
    /// document: `x-body-limit`.)
    static let uploads: Set<String> = [penaltyForm, complaintForm]
}

/// Refuses a body over its route's limit with 413 before reading it: at once when
/// `Content-Length` says so, otherwise as soon as the streamed body passes the limit (the
/// handler's read fails with `BodyTooLarge`, which `ProblemMiddleware` answers with 413).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: BodyLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Reads carry no body worth a cap; they include the public lookup's hot path, which should
        // not pay for a wrapped body stream on every request.
        if request.method == .get || request.method == .head, request.headers[.contentLength] == nil, request.headers[.transferEncoding] == nil {
            return try await next(request, context)
        }
        let kind = BodyLimits.kind(method: request.method, path: Site.canonical(request.uri.path), contentType: request.headers[.contentType])
        let limit = limits.limit(kind)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            // Refused before reading; the connection closes so that the rest is not read either.
            var r = ProblemMiddleware<Context>.tooLarge(BodyTooLarge(limit: limit, kind: kind.rawValue), path: Site.canonical(request.uri.path), method: request.method)
            r.headers[.connection] = "close"
            return r
        }
        var request = request
        request.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: limit, kind: kind.rawValue))
        return try await next(request, context)
    }
}

/// A request body larger than its route allows.
public struct BodyTooLarge: Error, CustomStringConvertible, Sendable {
    public var limit: Int
    public var kind: String
    public var description: String { words(.en) }

    /// In the reader's language (a page); the API answers in English.
    func words(_ lang: PageStrings.Language) -> String {
        let size = limit >= 1 << 20 ? "\(limit >> 20) MB" : "\(limit >> 10) KB"
        return lang == .zh ? "提交的内容超过 \(size)，超出此类请求的上限" : "the request body is larger than \(size), the most a \(kind) request may send"
    }
}

/// The body, failing once more than `limit` bytes have come.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int
    let kind: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        let kind: String
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > limit { throw BodyTooLarge(limit: limit, kind: kind) }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit, kind: kind) }
}
