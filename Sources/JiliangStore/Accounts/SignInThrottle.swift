import Foundation
import NIOConcurrencyHelpers

/// Slows password guessing without handing anyone a way to lock an account (issue #17, item 4).
///
/// A hard lock after five failures let anybody lock the administrator out with five requests, and
/// answered "locked" only for logins that exist. Instead, failures are counted for any login
/// string — registered or not, so the answers cannot tell them apart — and each count earns a
/// delay before the next try is heard:
/// - **one client, one login**: five free tries, then 1 s, 2 s, 4 s, … up to 15 minutes. The
///   account's owner, signing in from elsewhere, is not slowed by it.
/// - **one login, all clients** (guessing spread over many addresses): twenty free tries, then
///   a delay that doubles up to one minute — it slows everyone trying that login, but can never
///   keep its owner out for longer than that.
/// - **one client, all logins** (password spraying): a bucket of twenty failures, refilled at
///   one a minute; when it is empty the client waits.
/// A success clears the login's streaks. The state is in this process's memory, like the public
/// rate limiter: with several instances each keeps its own budget (documented in
/// docs/access-control.md); a restart forgets it.
public final class SignInThrottle: Sendable {
    public struct Policy: Sendable, Equatable {
        public var freePerClientAndLogin = 5
        /// The first wait; each further failure doubles it.
        public var firstDelay: TimeInterval = 1
        public var maxClientAndLoginDelay: TimeInterval = 15 * 60
        public var freePerLogin = 20
        public var maxLoginDelay: TimeInterval = 60
        public var clientBurst = 20.0
        public var clientRefillPerMinute = 1.0
        public init() {}
        public static let standard = Policy()
    }

    struct Streak {
        var failures = 0
        var last = Date.distantPast
        func wait(free: Int, first: TimeInterval, max: TimeInterval, now: Date) -> TimeInterval {
            guard failures >= free else { return 0 }
            let delay = Swift.min(max, first * pow(2, Double(Swift.min(failures - free, 30))))
            return Swift.max(0, last.addingTimeInterval(delay).timeIntervalSince(now))
        }
    }

    struct Bucket {
        var tokens: Double
        var updated: Date
    }

    struct State {
        var pairs: [String: Streak] = [:]
        var logins: [String: Streak] = [:]
        var clients: [String: Bucket] = [:]
    }

    public let policy: Policy
    let state = NIOLockedValueBox(State())

    public init(policy: Policy = .standard) { self.policy = policy }

    static func key(_ login: String) -> String { login.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    /// Seconds the caller must wait before this try is heard, or nil to go ahead.
    public func wait(client: String, login: String, now: Date) -> Int? {
        let login = Self.key(login), p = policy
        return state.withLockedValue { s in
            var wait = s.pairs[client + "\u{0}" + login]?.wait(free: p.freePerClientAndLogin, first: p.firstDelay, max: p.maxClientAndLoginDelay, now: now) ?? 0
            wait = max(wait, s.logins[login]?.wait(free: p.freePerLogin, first: p.firstDelay, max: p.maxLoginDelay, now: now) ?? 0)
            if let b = s.clients[client] {
                let tokens = min(p.clientBurst, b.tokens + now.timeIntervalSince(b.updated) * p.clientRefillPerMinute / 60)
                if tokens < 1 { wait = max(wait, (1 - tokens) * 60 / p.clientRefillPerMinute) }
            }
            return wait > 0 ? Int(wait.rounded(.up)) : nil
        }
    }

    /// A failed try (wrong password or unknown login — counted alike).
    public func failed(client: String, login: String, now: Date) {
        let login = Self.key(login), p = policy
        state.withLockedValue { s in
            Self.forgetOld(&s, now: now)
            s.pairs[client + "\u{0}" + login, default: Streak()].failures += 1
            s.pairs[client + "\u{0}" + login]!.last = now
            s.logins[login, default: Streak()].failures += 1
            s.logins[login]!.last = now
            var b = s.clients[client] ?? Bucket(tokens: p.clientBurst, updated: now)
            b.tokens = min(p.clientBurst, b.tokens + now.timeIntervalSince(b.updated) * p.clientRefillPerMinute / 60) - 1
            b.updated = now
            s.clients[client] = b
        }
    }

    /// A successful sign-in clears the login's streaks (not the client's spraying budget).
    public func succeeded(client: String, login: String) {
        let login = Self.key(login)
        state.withLockedValue { s in
            s.pairs[client + "\u{0}" + login] = nil
            s.logins[login] = nil
        }
    }

    /// Bounded memory: past 100,000 entries, streaks idle for a day and full buckets are dropped.
    static func forgetOld(_ s: inout State, now: Date) {
        guard s.pairs.count + s.logins.count + s.clients.count > 100_000 else { return }
        let day = now.addingTimeInterval(-86_400)
        s.pairs = s.pairs.filter { $0.value.last > day }
        s.logins = s.logins.filter { $0.value.last > day }
        s.clients = s.clients.filter { $0.value.updated > now.addingTimeInterval(-3_600) }
    }
}
