import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Logging
import OpenAPIRuntime

/// Why a page could not be answered as asked, in the terms a person reads (issue #20: one HTML
/// error path). Each error the layers below throw maps to one kind here, once; the site the request
/// was for (staff or public) words it inside its own frame.
struct PageProblem: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case notFound, forbidden, badInput, tooLarge, busy, fault
        /// The database cannot be reached (a failover): the outcome of a write whose answer was lost is unknown.
        case unavailable
        case tooManyRequests(wait: Int)
        /// A staff page asked for without signing in: answered by the sign-in page.
        case signIn
    }

    var kind: Kind
    /// The store's own explanation (field and reason), where it has one a person may read.
    var detail: String

    var status: HTTPResponse.Status {
        switch kind {
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .badInput: .badRequest
        case .tooLarge: .contentTooLarge
        case .busy, .unavailable: .serviceUnavailable
        case .fault: .internalServerError
        case .tooManyRequests: .tooManyRequests
        case .signIn: .seeOther
        }
    }

    init(_ kind: Kind, _ detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    /// The problem an error means to a page, worded in the page's language, or nil for a genuine
    /// fault.
    init?(_ error: any Error, _ lang: PageStrings.Language) {
        switch error {
        case let e as PageProblem: self = e
        case let e as RegistryError:
            switch e {
            case .notFound: self.init(.notFound, RefusalText.words(e, lang))
            case .forbidden: self.init(.forbidden, RefusalText.words(e, lang))
            case .unauthenticated: self.init(.signIn)
            case .invalid, .conflict: self.init(.badInput, RefusalText.words(e, lang))
            }
        case let e as ValidationFailure: self.init(.badInput, RefusalText.words(e, lang))
        case let e as BodyTooLarge: self.init(.tooLarge, e.words(lang))
        case let e as ServerError where e.underlyingError is BodyTooLarge: self.init(.tooLarge, (e.underlyingError as! BodyTooLarge).words(lang))
        case let e as HTTPError where e.status == .contentTooLarge:
            self.init(.tooLarge, lang == .zh ? "表单超过允许的大小" : "the form is larger than it may be")
        case let e as HTTPError:
            // The router's own refusals: an unknown path, or a path parameter of the wrong kind.
            self.init(e.status == .notFound || e.status == .methodNotAllowed ? .notFound : .badInput, e.body ?? "")
        case let e where WriteContention.isContention(e): self.init(.busy)
        case let e where DatabaseAvailability.isUnavailable(e): self.init(.unavailable)
        default: return nil
        }
    }
}

/// Outside `/api` and `/ledger` (which answer RFC 9457 problems through `ProblemMiddleware`),
/// every failed page is answered here: the error page in the frame of the site it was for — the
/// public site under `/p` and at `/`, the staff site elsewhere — or the sign-in page for a staff
/// page asked for anonymously. A genuine fault is logged and shown as one, never as its details.
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let staff: @Sendable (Request, PageProblem) -> Response
    let citizen: @Sendable (Request, PageProblem) -> Response

    static func isPage(_ path: String, method: HTTPRequest.Method) -> Bool {
        !path.hasPrefix("/api/") && !path.hasPrefix("/ledger/") && !Site.answersJSON(path, method: method)
    }

    static func isPublic(_ path: String) -> Bool { path == "/" || path == "/p" || path.hasPrefix("/p/") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = Site.canonical(request.uri.path)
        guard Self.isPage(path, method: request.method) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            let problem = PageProblem(error, PageStrings.Language.of(request)) ?? {
                context.logger.error("page failed: \(String(reflecting: error))")
                return PageProblem(.fault)
            }()
            if Self.isPublic(path) { return citizen(request, problem) }
            if problem.kind == .signIn { return Response(status: .seeOther, headers: [.location: Site.login()]) }
            return staff(request, problem)
        }
    }
}
