import Foundation
import JiliangStore
import Testing

/// The sign-in throttle's arithmetic on a fixed clock (issue #17, item 4; policy in
/// docs/access-control.md, after OWASP's Authentication Cheat Sheet: slow down, do not lock).
@Suite struct SignInThrottleTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// failures from one client for one login → the wait before the next try (seconds).
    @Test(arguments: [(0, nil), (4, nil), (5, 1), (6, 2), (7, 4), (10, 32), (14, 512), (15, 900), (40, 900)] as [(Int, Int?)])
    func oneClientOneLogin(failures: Int, wait: Int?) {
        var policy = SignInThrottle.Policy()
        policy.clientBurst = 1_000  // isolate the per-pair rule
        let t = SignInThrottle(policy: policy)
        for _ in 0..<failures { t.failed(client: "a", login: "Zhang.San ", now: Self.t0) }
        #expect(t.wait(client: "a", login: "zhang.san", now: Self.t0) == wait)
        // The wait runs from the last failure; once over, the try is heard.
        if let wait { #expect(t.wait(client: "a", login: "zhang.san", now: Self.t0.addingTimeInterval(Double(wait))) == nil) }
        // Another client trying the same login is not slowed by this one (below the shared threshold).
        if failures < policy.freePerLogin { #expect(t.wait(client: "b", login: "zhang.san", now: Self.t0) == nil) }
    }

    /// failures for one login spread over many clients → the shared wait, capped at a minute.
    @Test(arguments: [(19, nil), (20, 1), (21, 2), (25, 32), (26, 60), (100, 60)] as [(Int, Int?)])
    func oneLoginManyClients(failures: Int, wait: Int?) {
        let t = SignInThrottle()
        for n in 0..<failures { t.failed(client: "c\(n)", login: "admin", now: Self.t0) }
        #expect(t.wait(client: "fresh", login: "admin", now: Self.t0) == wait)
    }

    /// Spraying: twenty failures over any logins empty the client's bucket; it refills at one a minute.
    @Test func oneClientManyLogins() {
        let t = SignInThrottle()
        for n in 0..<19 { t.failed(client: "s", login: "u\(n)", now: Self.t0) }
        #expect(t.wait(client: "s", login: "other", now: Self.t0) == nil)
        t.failed(client: "s", login: "u19", now: Self.t0)
        #expect(t.wait(client: "s", login: "other", now: Self.t0) == 60)
        #expect(t.wait(client: "s", login: "other", now: Self.t0.addingTimeInterval(30)) == 30)
        #expect(t.wait(client: "s", login: "other", now: Self.t0.addingTimeInterval(60)) == nil)
        #expect(t.wait(client: "elsewhere", login: "other", now: Self.t0) == nil)
    }

    @Test func aSuccessClearsTheLoginsStreaks() {
        let t = SignInThrottle()
        for _ in 0..<6 { t.failed(client: "a", login: "li", now: Self.t0) }
        #expect(t.wait(client: "a", login: "li", now: Self.t0) != nil)
        t.succeeded(client: "a", login: "li")
        #expect(t.wait(client: "a", login: "li", now: Self.t0) == nil)
    }
}
