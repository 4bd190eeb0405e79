import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTestSupport
import Logging
import NIOCore
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `/metrics` (issue #22, item 6): what a Prometheus server scrapes, who may, and the figures it
/// shows — requests by route, the job queue, the early-warning runs, the ledger's lag, the pool.
@Suite struct MetricsEndpointTests {
    /// One sample's value from the exposition text: `name{labels} value`, labels in any order.
    static func value(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let seriesName = series.split(separator: "{", maxSplits: 1).first.map(String.init) ?? ""
            guard seriesName == name else { continue }
            let inside = series.contains("{") ? String(series.drop { $0 != "{" }.dropFirst().dropLast()) : ""
            let pairs = Set(inside.split(separator: ",").map(String.init))
            if labels.allSatisfy({ pairs.contains("\($0.key)=\"\($0.value)\"") }) { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    static func metricsToken(_ store: Store) async throws -> String {
        try await Accounts.createToken(
            .init(name: "prometheus", role: Role.provinceAdmin.rawValue, permissions: [Permission.readMetrics.rawValue]), by: .system("tests"), on: store.db
        ).token
    }

    /// Only `metrics:read` opens it; the public, staff without it and a wrong path all get the same
    /// not-found answer. A scraper's token opens nothing else.
    @Test func onlyAMetricsReaderSeesTheMetrics() async throws {
        try await withApp(setup: .live) { store, client in
            let scraper = try await Self.metricsToken(store)
            let staff = try await Accounts.createToken(
                .init(name: "staff", role: Role.bureauStaff.rawValue, regionCode: "350102"), by: .system("tests"), on: store.db
            ).token
            let unknown = try await client.send(.get, "/metricz", as: .anonymous)
            #expect(unknown.status == .notFound)
            for auth in [TestAuth.anonymous, .bearer(staff)] {
                let r = try await client.send(.get, "/metrics", as: auth)
                #expect(r.status == unknown.status && r.headers[.contentType] == unknown.headers[.contentType], "\(auth)")
                #expect(!r.text.contains("jiliang_"))
            }
            let ok = try await client.send(.get, "/metrics", as: .bearer(scraper))
            #expect(ok.status == .ok && ok.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(ok.text.contains("# TYPE jiliang_http_requests_total counter"))
            // The administrator holds every permission, metrics:read among them.
            #expect(try await client.send(.get, "/metrics").status == .ok)
            // The scraper's token is no one anywhere else: it reads no registry row, job or page.
            #expect(try await client.send(.get, "/api/v1/instruments", as: .bearer(scraper)).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/auth/me", as: .bearer(scraper)).status == .unauthorized)
            #expect(try await client.send(.get, "//metrics/", as: .bearer(scraper)).status == .ok)
        }
    }

    /// Requests are counted by the route's pattern (one series for every instrument code), timed,
    /// and those in flight are 0 between requests; process figures are there.
    @Test func requestsAreCountedByRouteAndTimed() async throws {
        try await withApp(setup: .live) { store, client in
            for _ in 0..<3 { #expect(try await client.send(.get, "/api/v1/health", as: .anonymous).status == .ok) }
            for code in ["AAAA0000", "BBBB1111"] { _ = try await client.send(.get, "/p/i/\(code)", as: .anonymous) }
            _ = try await client.send(.get, "/no/such/page", as: .anonymous)
            let text = try await client.send(.get, "/metrics", as: .bearer(try await Self.metricsToken(store))).text
            #expect(Self.value(text, "jiliang_http_requests_total", ["route": "/api/v1/health", "method": "GET", "status": "200"]) == 3)
            #expect(Self.value(text, "jiliang_http_request_duration_seconds_count", ["route": "/api/v1/health", "method": "GET"]) == 3)
            #expect(Self.value(text, "jiliang_http_request_duration_seconds_bucket", ["route": "/api/v1/health", "le": "+Inf"]) == 3)
            let lookups = text.split(separator: "\n").filter { $0.hasPrefix("jiliang_http_requests_total{") && $0.contains("/p/i/") }
            #expect(lookups.count == 1 && lookups.allSatisfy { $0.contains("{code}") && $0.hasSuffix(" 2") }, "\(lookups)")
            #expect(Self.value(text, "jiliang_http_requests_total", ["route": "unmatched", "status": "404"]) == 1)
            #expect(!text.contains("/no/such/page"))
            // The scrape itself is in flight while it is written.
            #expect(Self.value(text, "jiliang_http_requests_in_flight") == 1)
            #expect((Self.value(text, "jiliang_process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((Self.value(text, "jiliang_process_open_fds") ?? 0) > 3)
            #expect((Self.value(text, "jiliang_database_pool_connections_max") ?? 0) >= 1)
            #expect((Self.value(text, "jiliang_database_ping_seconds") ?? -1) >= 0)
            #expect(Self.value(text, "jiliang_database_up") == 1)
            // The process's own start, before this test began (not the first scrape's time).
            let started = try #require(Self.value(text, "jiliang_process_start_time_seconds"))
            #expect(started < Date().timeIntervalSince1970 - 0.5 && started > Date().timeIntervalSince1970 - 86_400)
        }
    }

    /// The database's figures as they change: a queued job, an early-warning run, ledger facts
    /// pending, then sequenced and published.
    @Test func theQueueTheWarningRunsAndTheLedgerLag() async throws {
        try await withApp(setup: .live) { store, client in
            let token = try await Self.metricsToken(store)
            func scrape() async throws -> String { try await client.send(.get, "/metrics", as: .bearer(token)).text }

            var text = try await scrape()
            #expect(Self.value(text, "jiliang_jobs", ["state": "queued"]) == 0)
            #expect(Self.value(text, "jiliang_warning_runs") == 0 && Self.value(text, "jiliang_warning_last_run_found") == nil)
            #expect(Self.value(text, "jiliang_ledger_pending") == 0)

            _ = try await JobQueue.enqueue(kind: "import", payload: "{}", runAfter: Date().addingTimeInterval(-120), on: store.db)
            let owner = try await Fixtures.owner(on: store.db)
            let institution = try await Fixtures.institution(on: store.db)
            let scale = try await Fixtures.instrument(owner: owner, on: store.db)
            _ = try await Fixtures.record(scale, institution: institution, date: "2025-01-10", on: store.db)
            let run = try await WarningRunner(dueSoonWindow: 30).run(asOf: CalendarDay("2026-11-26")!, on: store.db)

            text = try await scrape()
            #expect(Self.value(text, "jiliang_jobs", ["state": "queued"]) == 1)
            #expect((Self.value(text, "jiliang_jobs_oldest_queued_wait_seconds") ?? 0) >= 119)
            #expect(Self.value(text, "jiliang_warning_runs") == 1)
            #expect(Self.value(text, "jiliang_warning_last_run_found") == Double(run.found))
            #expect(Self.value(text, "jiliang_warning_last_run_raised") == Double(run.raised))
            let pending = try #require(Self.value(text, "jiliang_ledger_pending"))
            #expect(pending >= 1 && Self.value(text, "jiliang_ledger_size") == 0)
            #expect(Self.value(text, "jiliang_ledger_checkpoint_published_timestamp_seconds") == nil)

            let ledger = try TestLedger.ledger(store)
            let appended = try await ledger.sequenceAll()
            text = try await scrape()
            #expect(Self.value(text, "jiliang_ledger_pending") == 0 && Self.value(text, "jiliang_ledger_size") == Double(appended))
            #expect(Self.value(text, "jiliang_ledger_unpublished") == Double(appended))
            _ = try await ledger.publish()
            text = try await scrape()
            #expect(Self.value(text, "jiliang_ledger_unpublished") == 0)
            #expect(abs((Self.value(text, "jiliang_ledger_checkpoint_published_timestamp_seconds") ?? 0) - Date().timeIntervalSince1970) < 60)
        }
    }
}

extension MetricsEndpointTests {
    /// Every series the shipped alert rules (deploy/prometheus-alerts.yml) ask about is one the
    /// server exposes once it has run a warning run and published a checkpoint — a renamed metric
    /// would otherwise leave an alert silently never firing.
    /// The series the shipped alert rules ask about.
    static func alertSeries() throws -> Set<String> {
        let rules = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/prometheus-alerts.yml"),
            encoding: .utf8)
        return Set(rules.matches(of: /jiliang_[a-z_]+/).map { String($0.output) })
    }

    /// The read replica's series exist only where one is configured; `ReadReplicaTests` checks them.
    static let replicaSeriesPrefix = "jiliang_database_replica"

    @Test func theShippedAlertRulesAskOnlyForExposedSeries() async throws {
        let asked = try Self.alertSeries().filter { !$0.hasPrefix(Self.replicaSeriesPrefix) }
        #expect(asked.count >= 8, "\(asked)")
        try await withApp(setup: .live) { store, client in
            _ = try await WarningRunner(dueSoonWindow: 30).run(asOf: CalendarDay("2026-11-26")!, on: store.db)
            let ledger = try TestLedger.ledger(store)
            try await ledger.sequenceAll()
            _ = try await ledger.publish()
            _ = try await client.send(.get, "/p/i/AAAA0000", as: .anonymous)
            let text = try await client.send(.get, "/metrics", as: .bearer(try await Self.metricsToken(store))).text
            let exposed = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init) })
            for name in asked { #expect(exposed.contains(name), "the alert rules ask for \(name), which /metrics does not expose") }
        }
    }
}

/// The JSON log lines (`jiliang serve --log-format json`): one object per line that any JSON
/// reader parses, the metadata as fields, odd characters escaped.
@Suite struct JSONLogTests {
    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var all: [String] = []
        func add(_ s: String) { lock.lock(); all.append(s); lock.unlock() }
    }

    @Test func eachLineIsOneJSONObjectWithTheMetadataAsFields() throws {
        let lines = Lines()
        var logger = Logger(label: "jiliang.test") { JSONLogHandler(label: $0, level: .info, write: lines.add) }
        logger[metadataKey: "hb.request.id"] = "42"
        logger.debug("not written: below the level")
        logger.notice("引号 \" 反斜杠 \\ 换行\n制表\t控制\u{01}", metadata: ["route": "/p/i/{code}", "counts": .dictionary(["a": "1"]), "list": .array(["x", "y"])])
        logger.error("with an error", error: CancellationError(), metadata: ["message": "kept aside", "error": "the cause, as metadata"])
        logger.warning("a library's error field", metadata: ["error": "connection refused"])
        #expect(lines.all.count == 3 && lines.all.allSatisfy { $0.hasSuffix("}\n") && $0.dropLast().split(separator: "\n").count == 1 })
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(first["message"] as? String == "引号 \" 反斜杠 \\ 换行\n制表\t控制\u{01}")
        #expect(first["level"] as? String == "notice" && first["logger"] as? String == "jiliang.test")
        #expect(first["hb.request.id"] as? String == "42" && first["route"] as? String == "/p/i/{code}")
        #expect((first["counts"] as? [String: String]) == ["a": "1"] && (first["list"] as? [String]) == ["x", "y"])
        #expect((first["file"] as? String)?.hasPrefix("MetricsEndpointTests.swift:") == true)
        let time = try #require(first["time"] as? String)
        #expect(try Date(time, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)).timeIntervalSinceNow.magnitude < 60)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[1].utf8)) as? [String: Any])
        #expect(second["message"] as? String == "with an error" && (second["error"] as? String)?.contains("CancellationError") == true)
        #expect(second["metadata.message"] as? String == "kept aside" && second["metadata.error"] as? String == "the cause, as metadata")
        // Without an error of the event's own, a metadata "error" (Hummingbird's and the pool's
        // failures carry their cause so) is the line's "error".
        let third = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[2].utf8)) as? [String: Any])
        #expect(third["error"] as? String == "connection refused")
    }
}

/// The built server as production runs it: `--log-format json` writes nothing but JSON lines (the
/// start-up notices too), and a Prometheus scraper's token reads `/metrics` over the socket.
@Suite(.serialized) struct ServedMetricsTests {
    @Test func aServedProcessLogsJSONAndIsScraped() async throws {
        try await TestDatabase.withStore { store in
            let dir = NSTemporaryDirectory() + "jiliang-metrics-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let token = try await MetricsEndpointTests.metricsToken(store)
            let port = ServerProcess.freePort()
            let server = try await ServerProcess(
                port: port, location: store.location, dir: dir, arguments: ["--log-format", "json", "--log-level", "debug"], output: dir + "/out.log")
            defer { server.stop() }
            try await server.waitUntilServing()
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let text = String(decoding: data, as: UTF8.self)
            #expect((MetricsEndpointTests.value(text, "jiliang_http_requests_total", ["route": "/api/v1/health", "status": "200"]) ?? 0) >= 1)
            server.stop()

            let lines = try String(contentsOfFile: dir + "/out.log", encoding: .utf8).split(separator: "\n")
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(!lines.isEmpty && objects.count == lines.count, "not JSON: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
            #expect(objects.contains { ($0["message"] as? String)?.hasPrefix("计量 Jiliang:") == true && $0["level"] as? String == "notice" })
            // Hummingbird's request log at debug, with the request's id as a field of its own.
            #expect(objects.contains { $0["hb.request.id"] != nil && ($0["hb.request.path"] as? String) == "/metrics" })
        }
    }
}
