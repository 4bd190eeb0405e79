import Hummingbird
import JiliangCore
import JiliangStore
import NIOCore

/// The request context of every route: Hummingbird's basic context plus the connected client's
/// address, which the public site's rate limits key on (`RateLimitMiddleware`).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The context of a staff page (issue #20): made from the application's context only when the
/// caller signed in, so no handler on the signed-in group sees an anonymous request — it is
/// answered by the sign-in page (`PageErrorMiddleware`) before any handler runs.
struct SignedInContext: ChildRequestContext, RemoteAddressRequestContext {
    typealias ParentContext = AppRequestContext
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// Who is signed in: what they may see and do.
    let principal: Principal
    /// The session's CSRF token, which every form carries (checked by `FormCSRFMiddleware`).
    let csrf: String?

    init(context: AppRequestContext) throws {
        guard let p = RequestCaller.principal else { throw RegistryError.unauthenticated }
        // The parent's storage as it is, with the path parameters the router already matched.
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
        principal = p
        csrf = RequestCaller.csrf
    }
}
