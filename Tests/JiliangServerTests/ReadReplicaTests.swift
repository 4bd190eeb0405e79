import AsyncKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangLedger
@testable import JiliangServer
@testable import JiliangStore
import JiliangTestSupport
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization
import Testing

/// Reads that may be stale go to a PostgreSQL read replica only while it keeps up, and to the
/// primary otherwise (issue #22, item 3); a database that cannot be reached is a 503, never a 500.
/// A real streaming replica and a real failover are in scripts/failover-test.sh (`make
/// test-failover`); these tests hold the rules that need no second server.
@Suite struct ReadReplicaTests {
    static var onPostgres: Bool { TestDatabase.postgresAdminURL != nil }
    /// The pool logs every refused connection as an error; these tests refuse them on purpose.
    static var quiet: Logger { var l = Logger(label: "jiliang.test"); l.logLevel = .critical; return l }

    /// The same database named as the replica: it answers, but it is not a standby, so it is
    /// never taken for a fresh replica — a primary given by mistake (or a split brain's old
    /// primary) gets no reads. Lookups are answered by the primary and counted as such.
    @Test(.enabled(if: onPostgres)) func aPrimaryNamedAsTheReplicaTakesNoReads() async throws {
        try await withApp(readReplicaURL: { $0 }, configure: { $0.replicaCheckInterval = .seconds(3600) }) { store, client in
            let owner = try await Fixtures.owner(on: store.db)
            let i = try await Fixtures.instrument(owner: owner, on: store.db)
            // MUT
            await store.checkReplica()
            let page = try await client.send(.get, "/p/i/\(i.code)", as: .anonymous)
            let metrics = try await client.send(.get, "/metrics")
            // validate
            let figures = try #require(store.replica?.figures)
            #expect(!figures.fresh && figures.lag == nil)
            #expect(page.status == .ok && page.text.contains(i.code))
            #expect(figures.replicaReads == 0 && figures.primaryReads >= 1 && figures.fallbacks == 0)
            #expect(MetricsEndpointTests.value(metrics.text, "jiliang_database_replica_fresh") == 0)
            #expect(MetricsEndpointTests.value(metrics.text, "jiliang_database_replica_lag_seconds") == -1)
            #expect(MetricsEndpointTests.value(metrics.text, "jiliang_database_reads_total", ["target": "primary"]) ?? 0 >= 1)
            // The alert rules' replica series are among those exposed where a replica is configured.
            let asked = try MetricsEndpointTests.alertSeries().filter { $0.hasPrefix(MetricsEndpointTests.replicaSeriesPrefix) }
            #expect(!asked.isEmpty)
            for name in asked { #expect(MetricsEndpointTests.value(metrics.text, name) != nil, "the alert rules ask for \(name)") }
        }
    }

    /// A replica that was fresh at its last check and then went away: the read that finds it gone
    /// is answered by the primary, the citizen sees the page, and no more reads go there until a
    /// check finds it fresh again.
    @Test(.enabled(if: onPostgres)) func aReadTheReplicaFailsIsAnsweredByThePrimary() async throws {
        let dead = ServerProcess.freePort()
        // No measurement during the test: it sets the replica fresh itself, as a measurement just
        // before the replica died would have left it.
        try await withApp(readReplicaURL: { _ in "postgres://postgres@127.0.0.1:\(dead)/postgres" }, configure: { $0.replicaCheckInterval = .seconds(3600) }) { store, client in
            let owner = try await Fixtures.owner(on: store.db)
            let i = try await Fixtures.instrument(owner: owner, on: store.db)
            let replica = try #require(store.replica)
            replica.state.withLock { $0.lag = 0; $0.checkedAt = .now }
            #expect(replica.isFresh)
            // MUT
            let first = try await client.send(.get, "/p/i/\(i.code)", as: .anonymous)
            let second = try await client.send(.get, "/p/i/\(i.code)", as: .anonymous)
            await store.checkReplica()
            // validate
            #expect(first.status == .ok && first.text.contains(i.code) && second.status == .ok)
            let figures = replica.figures
            #expect(figures.fallbacks == 1 && figures.replicaReads == 0 && figures.primaryReads == 1)
            #expect(!figures.fresh && figures.lag == nil)
        }
    }

    /// The primary cannot be reached (it died; the new one has not taken its address yet): a
    /// citizen's page and an API call are each answered 503 with a Retry-After, in their own form,
    /// and nothing is logged as an unhandled fault. No database server is needed: the store points
    /// at a port where nothing listens. A scrape of `/metrics` then says the database is down.
    @Test func aDatabaseThatCannotBeReachedIsA503WithRetryAfter() async throws {
        let dead = ServerProcess.freePort()
        let store = try Store(location: .postgres(url: "postgres://postgres@127.0.0.1:\(dead)/jiliang"), logger: Self.quiet)
        var config = AppConfiguration(database: store.location, today: { CalendarDay("2026-11-26")! }, runWorker: false)
        config.ledgerKey = TestLedger.key
        let app = try buildApplication(config, store: store)
        var rng = SystemRandomNumberGenerator()
        let code = InstrumentCode.issue(region: Fixtures.county, using: &rng).value
        do {
            try await app.test(.router) { client in
                // MUT
                let page = try await client.execute(uri: "/p/i/\(code)", method: .get)
                let api = try await client.execute(uri: "/api/v1/instruments", method: .get, headers: [.authorization: "Bearer jl_unknown"])
                // validate
                #expect(page.status == .serviceUnavailable && page.headers[.retryAfter] == "5")
                #expect(String(buffer: page.body).contains("数据库暂时无法访问"))
                #expect(api.status == .serviceUnavailable && api.headers[.retryAfter] == "5")
                #expect(String(buffer: api.body).contains("/problems/unavailable"))
            }
            // What a scrape shows then (issue #22, item 6): the database down, this process's own figures still there.
            let text = String(decoding: await ServerMetrics().exposition(ledger: try TestLedger.ledger(store)), as: UTF8.self)
            #expect(MetricsEndpointTests.value(text, "jiliang_database_up") == 0)
            #expect(MetricsEndpointTests.value(text, "jiliang_process_open_fds") ?? 0 > 0)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    /// Which errors mean "the database cannot be reached now" (503), and which do not (they keep
    /// their own answers). The errors a dead server gives are taken from a real connection attempt.
    @Test func unavailableErrorsAreTold() async throws {
        let dead = ServerProcess.freePort()
        let store = try Store(location: .postgres(url: "postgres://postgres@127.0.0.1:\(dead)/jiliang"), logger: Self.quiet)
        var refused: (any Error)?
        do { _ = try await store.sql.raw("SELECT 1").all() } catch { refused = error }
        await store.shutdown()
        let cases: [(String, any Error, Bool)] = [
            ("a refused connection, as the pool reports it", try #require(refused), true),
            ("the pool waited too long", ConnectionPoolTimeoutError.connectionRequestTimeout, true),
            // Socket errors from the database come wrapped in PSQLError (the first case); bare ones
            // are a client's or another service's, and keep their own answers.
            ("a bare channel error", ChannelError.ioOnClosedChannel, false),
            ("a bare socket error", IOError(errnoCode: ECONNRESET, reason: "read"), false),
            ("a record not found", RegistryError.notFound(.instrument, key: "x"), false),
            ("a cancelled task", CancellationError(), false),
        ]
        for (what, error, unavailable) in cases {
            #expect(DatabaseAvailability.isUnavailable(error) == unavailable, "\(what): \(String(reflecting: error))")
        }
    }

    /// How stale the replica is, measured against the primary's WAL positions noted at each check
    /// (`ReadReplica.lag`): a replica that has reached the primary's position of this check is 0 s
    /// behind; one that reached an earlier noted position is as old as that note; one behind every
    /// note is not measured (nil) and takes no reads; a verdict ages with the clock.
    @Test func theReplicasLagIsTheAgeOfThePrimarysPositionItHasReached() throws {
        let now = ContinuousClock.now
        let notes = [(10.0, 100), (6.0, 200), (3.0, 300), (0.0, 400)].map { ReadReplica.Sample(at: now - .seconds($0.0), lsn: UInt64($0.1)) }
        let cases: [(replayed: UInt64, lag: Double?)] = [
            (400, 0), (450, 0),  // caught up (a replica may report a little past the primary's note)
            (399, 3), (300, 3),  // reached the note of 3 s ago, not the newest
            (299, 6), (200, 6), (100, 10),
            (99, nil),  // behind every note kept
        ]
        for c in cases {
            let lag = ReadReplica.lag(replayed: c.replayed, primary: notes, now: now)
            #expect(lag.map { ($0 * 1000).rounded() / 1000 } == c.lag, "replayed \(c.replayed)")
        }
        #expect(ReadReplica.lag(replayed: 1, primary: [], now: now) == nil)
        #expect(ReadReplica.lsn("16/B374D848") == 0x16_B374_D848 && ReadReplica.lsn("0/0") == 0)
        #expect(ReadReplica.lsn("nonsense") == nil && ReadReplica.lsn("1/1FFFFFFFF") == nil)
        // Freshness: the lag at the check plus the time since it, within the bound.
        var state = ReadReplica.State()
        state.lag = 1
        state.checkedAt = now - .seconds(3)
        #expect(ReadReplica.isFresh(state, now: now, maxLag: 5))
        #expect(!ReadReplica.isFresh(state, now: now + .seconds(1.5), maxLag: 5))
        state.lag = nil
        #expect(!ReadReplica.isFresh(state, now: now, maxLag: 5))
    }
}
