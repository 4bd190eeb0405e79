import Hummingbird
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
