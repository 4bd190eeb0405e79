import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Token buckets per client, in memory: each client may spend `burst` tokens at once and gets
/// `perMinute` back each minute. Reads cost 1; a lookup that finds nothing costs more (so that
/// guessing codes is slower still than their 60–80 random bits already make it); a write (a
/// complaint, a booking) costs more again. One process, one map: behind several processes, put the
/// same limit in the proxy in front.
public final class RateLimiter: Sendable {
    public struct Limits: Sendable, Equatable {
        public var perMinute: Double
        public var burst: Double
        public init(perMinute: Double, burst: Double) {
            self.perMinute = perMinute
            self.burst = burst
        }
        /// 0 turns limiting off (benchmarks, or a proxy that limits instead).
        public var isOff: Bool { perMinute <= 0 }
    }

    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let limits: Limits
    let buckets = NIOLockedValueBox<[String: Bucket]>([:])
    let clock: @Sendable () -> Double

    public init(limits: Limits, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.limits = limits
        self.clock = clock
    }

    /// Charges `cost` after the fact (a miss found by the handler), whatever is left: the bucket
    /// may go into debt (down to minus a burst), and the client waits until the debt is paid off,
    /// so that a miss always costs its full price. (`take` charged nothing when fewer than `cost`
    /// tokens remained, and flooring at empty still let a client guess once per refill — the probe
    /// made 69 code guesses in 30 s instead of about 11; issue #17, item 5.)
    public func charge(_ cost: Double, client: String) {
        if limits.isOff { return }
        let now = clock()
        buckets.withLockedValue { map in
            var b = map[client] ?? Bucket(tokens: limits.burst, updated: now)
            b.tokens = max(-limits.burst, min(limits.burst, b.tokens + (now - b.updated) * limits.perMinute / 60) - cost)
            b.updated = now
            map[client] = b
        }
    }

    /// Takes `cost` tokens from `client`'s bucket; false (and nothing taken) when too few are left.
    /// Returns the seconds to wait in `retryAfter` when refused.
    public func take(_ cost: Double, client: String) -> (allowed: Bool, retryAfter: Int) {
        if limits.isOff { return (true, 0) }
        let now = clock()
        return buckets.withLockedValue { map in
            if map.count > 100_000 { map = map.filter { now - $0.value.updated < 600 } }  // forget idle clients
            var b = map[client] ?? Bucket(tokens: limits.burst, updated: now)
            b.tokens = min(limits.burst, b.tokens + (now - b.updated) * limits.perMinute / 60)
            b.updated = now
            defer { map[client] = b }
            guard b.tokens >= cost else { return (false, Int(((cost - b.tokens) * 60 / limits.perMinute).rounded(.up))) }
            b.tokens -= cost
            return (true, 0)
        }
    }
}

/// Applies a `RateLimiter` to the routes it is added to (the public site). The client is the
/// connection's address, or the first `X-Forwarded-For` address when the server is configured to
/// sit behind a proxy it trusts (otherwise that header is the client's to forge).
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter
    let trustForwardedFor: Bool

    static let costHeader = HTTPField.Name("X-Jiliang-Extra-Cost")!

    /// The client `AuthMiddleware` already found for this request (worked out once per request).
    func client(_ request: Request, _ context: AppRequestContext) -> String {
        RequestCaller.client ?? ClientAddress.of(request, context.remoteAddress, trustForwardedFor: trustForwardedFor)
    }

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let who = client(request, context)
        let cost: Double = request.method == .post ? 10 : 1
        let (allowed, wait) = limiter.take(cost, client: who)
        // Answered in the public frame by `PageErrorMiddleware`, with Retry-After.
        guard allowed else { throw PageProblem(.tooManyRequests(wait: wait)) }
        var response = try await next(request, context)
        // A handler marks a miss (an unknown code): it costs extra, charged after the fact.
        if let extra = response.headers[Self.costHeader].flatMap(Double.init) {
            response.headers[Self.costHeader] = nil
            limiter.charge(extra, client: who)
        }
        return response
    }
}

/// The bare page for the one answer given before any page frame can be rendered: a body refused
/// from its `Content-Length` before it is read (the connection then closes). No template, no
/// database, nothing that could fail or cost much.
enum PlainErrorPage {
    static func response(_ status: HTTPResponse.Status, title: String, heading: String, text: String, headers: HTTPFields = [:]) -> Response {
        let html = """
            <!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(title)</title><body style="font-family:system-ui,sans-serif;padding:1rem">
            <h1>\(heading)</h1><p>\(text)</p></body></html>
            """
        var all = headers
        all[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: all, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
