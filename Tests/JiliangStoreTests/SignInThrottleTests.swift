import Foundation
import JiliangStore
import Testing

/// The sign-in throttle's arithmetic on a fixed clock (issue #17, item 4; policy in
/// docs/access-control.md, after OWASP's Authentication Cheat Sheet: slow down, do not lock).
@Suite struct SignInThrottleTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// `n` failed tries by `client` for `login` from `t0`, each as soon as it is let in; the time of the last.
    @discardableResult
    static func fail(_ t: SignInThrottle, _ n: Int, client: (Int) -> String, login: String) -> Date {
        var now = t0
        for i in 0..<n {
            while case .wait(let s, _) = t.admit(client: client(i), login: login, now: now) { now = now.addingTimeInterval(Double(s)) }
            t.failed(client: client(i), login: login, now: now)
        }
        return now
    }

    static func seconds(_ v: SignInThrottle.Verdict) -> Int? { if case .wait(let s, _) = v { s } else { nil } }

    /// failures from one client for one login → the wait before the next try (seconds).
    @Test(arguments: [(0, nil), (4, nil), (5, 1), (6, 2), (7, 4), (10, 32), (14, 512), (15, 900), (19, 900)] as [(Int, Int?)])
    func oneClientOneLogin(failures: Int, wait: Int?) {
        var policy = SignInThrottle.Policy()
        policy.clientBurst = 1_000  // isolate the per-pair rule
        func fresh() -> (SignInThrottle, Date) {
            let t = SignInThrottle(policy: policy)
            return (t, Self.fail(t, failures, client: { _ in "a" }, login: "Zhang.San "))
        }
        var (t, last) = fresh()
        #expect(Self.seconds(t.admit(client: "a", login: "zhang.san", now: last)) == wait)
        // The wait runs from the last failure; once over, the try is heard.
        (t, last) = fresh()
        if let wait { #expect(t.admit(client: "a", login: "zhang.san", now: last.addingTimeInterval(Double(wait))) == .admitted) }
        // Another client trying the same login is not slowed by this one (below the shared threshold).
        (t, last) = fresh()
        if failures < policy.freePerLogin { #expect(t.admit(client: "b", login: "zhang.san", now: last) == .admitted) }
    }

    /// failures for one login spread over many clients, each as soon as it is let in → the shared
    /// wait after the last, capped at a minute.
    @Test(arguments: [(19, nil), (20, 1), (21, 2), (25, 32), (26, 60), (40, 60)] as [(Int, Int?)])
    func oneLoginManyClients(failures: Int, wait: Int?) {
        let t = SignInThrottle()
        var now = Self.t0
        for i in 0..<failures {
            while case .wait(let s, _) = t.admit(client: "c\(i)", login: "admin", now: now) { now = now.addingTimeInterval(Double(s)) }
            t.failed(client: "c\(i)", login: "admin", now: now)
        }
        #expect(Self.seconds(t.admit(client: "fresh", login: "admin", now: now)) == wait)
    }

    /// Spraying: twenty failures over any logins empty the client's bucket; it refills at one a minute.
    @Test func oneClientManyLogins() {
        let t = SignInThrottle()
        for n in 0..<20 { #expect(t.admit(client: "s", login: "u\(n)", now: Self.t0) == .admitted) }
        #expect(t.admit(client: "s", login: "other", now: Self.t0) == .wait(seconds: 60, first: true))
        #expect(t.admit(client: "s", login: "other", now: Self.t0.addingTimeInterval(30)) == .wait(seconds: 30, first: false))
        #expect(t.admit(client: "s", login: "other", now: Self.t0.addingTimeInterval(60)) == .admitted)
        #expect(t.admit(client: "elsewhere", login: "other", now: Self.t0) == .admitted)
    }

    /// A try counts the moment it is admitted: tries sent together cannot all pass while the first
    /// are still checking their passwords (before, a check and a later count let a burst all through).
    @Test func concurrentTriesAreCountedAsTheyAreAdmitted() {
        var policy = SignInThrottle.Policy()
        policy.clientBurst = 1_000
        let t = SignInThrottle(policy: policy)
        let verdicts = (0..<100).map { _ in t.admit(client: "a", login: "li", now: Self.t0) }
        #expect(verdicts.filter { $0 == .admitted }.count == policy.freePerClientAndLogin)
        // and only the first refusal of a wait is worth an audit entry
        #expect(verdicts.filter { if case .wait(_, true) = $0 { true } else { false } }.count == 1)
    }

    @Test func aSuccessClearsTheLoginsStreaks() {
        let t = SignInThrottle()
        let last = Self.fail(t, 6, client: { _ in "a" }, login: "li")
        #expect(t.admit(client: "a", login: "li", now: last) != .admitted)
        t.succeeded(client: "a", login: "li")
        #expect(t.admit(client: "a", login: "li", now: last) == .admitted)
    }

    /// Bounded memory: past its capacity the throttle forgets the oldest entries.
    @Test func memoryIsBounded() {
        var policy = SignInThrottle.Policy()
        policy.capacity = 1_000
        let t = SignInThrottle(policy: policy)
        // 20,000 tries from new clients for new logins, ten a second (60,000 entries unpruned).
        for i in 0..<20_000 {
            let now = Self.t0.addingTimeInterval(Double(i) * 0.1)
            _ = t.admit(client: "c\(i)", login: "l\(i)", now: now)
        }
        #expect(t.entries < 5 * policy.capacity, "\(t.entries) entries")
        // A client whose budget is spent, spraying new logins, is refused every time: still bounded.
        let start = Self.t0.addingTimeInterval(3_000)
        for i in 0..<20_000 { _ = t.admit(client: "sprayer", login: "x\(i)", now: start.addingTimeInterval(Double(i) * 0.1)) }
        #expect(t.entries < 5 * policy.capacity, "\(t.entries) entries after a refused spray")
    }
}
