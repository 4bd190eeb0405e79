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
///   a delay that doubles up to one minute — it slows everyone trying that login while the
///   attack goes on, but never refuses a try for longer than that.
/// - **one client, all logins** (password spraying): a bucket of twenty failures, refilled at
///   one a minute; when it is empty the client waits.
/// A try is counted as a failure the moment it is admitted (`admit`), before the password is
/// checked, so that a thousand tries sent at once cannot all pass the check while the first are
/// still hashing; a success takes its count back. The state is in this process's memory, like the
/// public rate limiter: with several instances each keeps its own budget (docs/access-control.md);
/// a restart forgets it.
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
        /// Entries kept at most; past it the oldest are forgotten (bounded memory under attack).
        public var capacity = 100_000
        public init() {}
        public static let standard = Policy()
    }

    struct Streak {
        var failures = 0
        var last = Date.distantPast
        /// Whether a refusal in the current wait was already audited (one entry per wait, not per try).
        var refusalLogged = false
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
        var pruned = Date.distantPast
    }

    /// The answer to a try: go ahead (it is counted as a failure until `succeeded`), or wait.
    public enum Verdict: Equatable, Sendable {
        case admitted
        /// `first`: the first refusal in this wait (worth an audit entry; later ones are not).
        case wait(seconds: Int, first: Bool)
    }

    public let policy: Policy
    let state = NIOLockedValueBox(State())

    public init(policy: Policy = .standard) { self.policy = policy }

    static func key(_ login: String) -> String { login.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    /// Decides a try and, when it goes ahead, counts it as a failure at once.
    public func admit(client: String, login: String, now: Date) -> Verdict {
        let login = Self.key(login), p = policy, pair = client + "\u{0}" + login
        return state.withLockedValue { s in
            // Refused tries add entries too (the refusal's audit flag): prune on every try.
            Self.forgetOld(&s, now: now, capacity: p.capacity)
            var wait = s.pairs[pair]?.wait(free: p.freePerClientAndLogin, first: p.firstDelay, max: p.maxClientAndLoginDelay, now: now) ?? 0
            wait = max(wait, s.logins[login]?.wait(free: p.freePerLogin, first: p.firstDelay, max: p.maxLoginDelay, now: now) ?? 0)
            var b = s.clients[client] ?? Bucket(tokens: p.clientBurst, updated: now)
            b.tokens = min(p.clientBurst, b.tokens + now.timeIntervalSince(b.updated) * p.clientRefillPerMinute / 60)
            b.updated = now
            if b.tokens < 1 { wait = max(wait, (1 - b.tokens) * 60 / p.clientRefillPerMinute) }
            if wait > 0 {
                let first = !(s.pairs[pair]?.refusalLogged ?? false)
                s.pairs[pair, default: Streak()].refusalLogged = true
                return .wait(seconds: Int(wait.rounded(.up)), first: first)
            }
            s.pairs[pair, default: Streak()].failures += 1
            s.pairs[pair]!.last = now
            s.pairs[pair]!.refusalLogged = false
            s.logins[login, default: Streak()].failures += 1
            s.logins[login]!.last = now
            b.tokens -= 1
            s.clients[client] = b
            return .admitted
        }
    }

    /// How many entries the throttle holds (its memory).
    public var entries: Int { state.withLockedValue { $0.pairs.count + $0.logins.count + $0.clients.count } }

    /// An admitted try that failed: its wait runs from now (after the password check).
    public func failed(client: String, login: String, now: Date) {
        let login = Self.key(login)
        state.withLockedValue { s in
            if s.pairs[client + "\u{0}" + login] != nil { s.pairs[client + "\u{0}" + login]!.last = now }
            if s.logins[login] != nil { s.logins[login]!.last = now }
        }
    }

    /// A successful sign-in clears the login's streaks and gives the client its token back.
    public func succeeded(client: String, login: String) {
        let login = Self.key(login), p = policy
        state.withLockedValue { s in
            s.pairs[client + "\u{0}" + login] = nil
            s.logins[login] = nil
            if s.clients[client] != nil { s.clients[client]!.tokens = min(p.clientBurst, s.clients[client]!.tokens + 1) }
        }
    }

    /// Bounded memory: past `capacity` entries (checked at most once a minute), streaks idle for
    /// an hour and buckets full again are dropped; if that is not enough, the oldest half goes.
    static func forgetOld(_ s: inout State, now: Date, capacity: Int) {
        guard s.pairs.count + s.logins.count + s.clients.count > capacity, now.timeIntervalSince(s.pruned) > 60 else { return }
        s.pruned = now
        let hour = now.addingTimeInterval(-3_600)
        s.pairs = s.pairs.filter { $0.value.last > hour }
        s.logins = s.logins.filter { $0.value.last > hour }
        s.clients = s.clients.filter { $0.value.updated > hour }
        if s.pairs.count > capacity / 2 {
            let cut = s.pairs.values.map(\.last).sorted()[s.pairs.count / 2]
            s.pairs = s.pairs.filter { $0.value.last >= cut }
        }
        if s.logins.count > capacity / 4 {
            let cut = s.logins.values.map(\.last).sorted()[s.logins.count / 2]
            s.logins = s.logins.filter { $0.value.last >= cut }
        }
        if s.clients.count > capacity / 4 {
            let cut = s.clients.values.map(\.updated).sorted()[s.clients.count / 2]
            s.clients = s.clients.filter { $0.value.updated >= cut }
        }
    }
}
