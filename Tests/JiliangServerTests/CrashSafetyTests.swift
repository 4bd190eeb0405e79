import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The kill harness (issue #22, item 1): a real `jiliang serve` — with its job worker and ledger
/// sequencer running — is killed with SIGKILL at a random point of each write path, again and
/// again on one database, and started anew. After every kill: every write it acknowledged is
/// there, none is there twice, the kept statistics equal a recount, and the ledger verifies (its
/// tiles, root and checkpoints) and matches the rows it covers. `JILIANG_KILLS` kills per path
/// (3 in `make test`; `make crash` runs 20 per path on SQLite and PostgreSQL).
@Suite(.serialized) struct CrashSafetyTests {
    static let kills = max(1, Int(ProcessInfo.processInfo.environment["JILIANG_KILLS"] ?? "") ?? 3)

    /// One database and one ledger key for every server of a test, and the checks run between them.
    final class Harness: @unchecked Sendable {
        let store: Store
        let dir: String
        let port = ServerProcess.freePort()
        let ledger: Ledger
        let token: String
        var server: ServerProcess?

        init(_ store: Store) async throws {
            self.store = store
            dir = NSTemporaryDirectory() + "jiliang-crash-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // The key the servers sign checkpoints with, so that the checks here verify them.
            let key = try LedgerConfiguration.loadOrCreateKey(at: dir + "/ledger.key", origin: "jiliang.local/ledger")
            ledger = Ledger(store: store, configuration: try LedgerConfiguration(signer: key, witnesses: [], quorum: nil))
            // The counts in the shape a server keeps them (this month by day, earlier months by
            // month; a test database's template keeps every day), so that a recount matches row
            // for row — as it does in production, where the server sets this at start-up.
            try await MetricCounts.keepDayRows(from: MetricPeriod.month(of: CalendarDay(instant: Date())).start, on: store.db)
            token = try await Accounts.createToken(.init(name: "crash", role: Role.provinceAdmin.rawValue), by: .system("tests"), on: store.db).token
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        /// Starts a server with its background services; a claim on a job lasts 3 s, so that a job
        /// the killed server held runs again within the test.
        func start() async throws {
            let s = try await ServerProcess(port: port, location: store.location, dir: dir, background: true, arguments: ["--job-lease-seconds", "3"])
            server = s
            try await s.waitUntilServing()
        }

        func kill() { server?.kill(); server = nil }
        func stop() { server?.stop(); server = nil }

        /// What must hold after any kill.
        func checkInvariants(_ round: Int) async throws {
            // The kept statistics are a recount: rebuilt from the rows, they are what was kept.
            let kept = try await Backup.keptLines(store.sql)
            try await MetricCounts.rebuild(on: store.db)
            let recount = try await Backup.keptLines(store.sql)
            #expect(recount == kept, "round \(round): the kept statistics differ from a recount: kept \(Set(kept).subtracting(recount).sorted().prefix(5)), recounted \(Set(recount).subtracting(kept).sorted().prefix(5))")
            // The ledger: tiles, root and every checkpoint; every ledgered row as its leaf says.
            let problems = try await ledger.verifyLog()
            #expect(problems.isEmpty, "round \(round): \(problems.prefix(3))")
            let audit = try await ledger.audit()
            #expect(audit.findings.isEmpty, "round \(round): \(audit.findings.prefix(3))")
        }

        /// A POST to the killed-or-not server: its JSON and status, or nil when no answer came.
        func post(_ path: String, contentType: String = "application/json", body: Data) async -> (status: Int, json: [String: Any])? {
            var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            r.httpMethod = "POST"
            r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            r.setValue(contentType, forHTTPHeaderField: "Content-Type")
            r.httpBody = body
            r.timeoutInterval = 30
            guard let (data, response) = try? await URLSession.shared.data(for: r), let status = (response as? HTTPURLResponse)?.statusCode else { return nil }
            return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
        }
    }

    /// Kills the server once `trigger` says so (polled every millisecond) while `work` runs — or
    /// once the work has ended without it (every request refused, say), so that nothing waits for
    /// a trigger that cannot come.
    static func killDuring(_ h: Harness, when trigger: @escaping @Sendable () async -> Bool, _ work: @escaping @Sendable () async -> Void) async {
        let finished = AckLog()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await work(); await finished.add(0) }
            group.addTask {
                while await finished.count == 0, await !trigger() { try? await Task.sleep(for: .milliseconds(1)) }
                h.kill()
            }
        }
    }

    /// Whether enough kills ran to ask that some landed in each phase of the work (`make crash`).
    static var manyKills: Bool { kills >= 10 }

    // MARK: Workflow writes

    /// Verification records posted from three clients at once; the server is killed after a random
    /// number of them were acknowledged, with others in flight.
    @Test func workflowWritesSurviveKills() async throws {
        try await TestDatabase.withStore { store in
            let h = try await Harness(store)
            let owner = try await Fixtures.owner(on: store.db)
            let institution = try await Fixtures.institution(on: store.db)
            var pool: [Int] = []
            for i in 0..<(Self.kills * 30) { pool.append(try await Fixtures.instrument(serial: "CR\(i)", owner: owner, on: store.db).id!) }
            let instruments = pool
            let acknowledged = AckLog()
            var next = 0
            for round in 1...Self.kills {
                try await h.start()
                let target = await acknowledged.count + Int.random(in: 1...8)
                let start = next
                next += 30
                await Self.killDuring(h, when: { await acknowledged.count >= target }) {
                    await withTaskGroup(of: Void.self) { lanes in
                        for lane in 0..<3 {
                            lanes.addTask {
                                for i in stride(from: start + lane, to: start + 30, by: 3) {
                                    let body = try! JSONSerialization.data(withJSONObject: [
                                        "instrument_id": instruments[i], "institution_id": institution.id!, "date": "2026-11-20", "kind": "periodic",
                                        "result": "pass", "certificate_no": "CRASH-\(i)", "recorded_by": "harness",
                                    ])
                                    guard let r = await h.post("/api/v1/verification-records", body: body) else { return }
                                    if r.status == 201 { await acknowledged.add(i) }
                                }
                            }
                        }
                    }
                }
                struct Row: Decodable { var certificate_no: String?; var n: Int }
                let rows = try await store.sql.raw(
                    "SELECT certificate_no, COUNT(*) AS n FROM verification_records WHERE certificate_no LIKE 'CRASH-%' GROUP BY certificate_no"
                ).all(decoding: Row.self)
                let stored = Dictionary(uniqueKeysWithValues: rows.map { ($0.certificate_no ?? "", $0.n) })
                for i in await acknowledged.all { #expect(stored["CRASH-\(i)"] == 1, "round \(round): acknowledged record CRASH-\(i) is not there once") }
                #expect(stored.values.allSatisfy { $0 == 1 }, "round \(round): a record stored twice")
                try await h.checkInvariants(round)
            }
        }
    }

    // MARK: Ledger publication

    /// Each round, `jiliang import` brings 6,000 instruments with their last verifications while no
    /// server runs — 6,000 records waiting for the ledger. A server starts; its sequencer appends
    /// them and publishes a checkpoint, and it is killed at a random moment from its launch on:
    /// before, during or after the batch's transaction or the checkpoint. The last server then
    /// catches up, and the ledger covers every record.
    @Test func ledgerPublicationSurvivesKills() async throws {
        try await TestDatabase.withStore { store in
            let h = try await Harness(store)
            let owner = try await Fixtures.owner(on: store.db)
            let institution = try await Fixtures.institution(on: store.db)
            var phases: [String] = []
            var grewAfterMs = 2_000  // a first guess; each round that sees the ledger grow refines it
            for round in 1...Self.kills {
                let file = h.dir + "/round\(round).csv"
                let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date,last_verified_on,last_result,certificate_no\n"
                    + (0..<Self.ledgerRows).map { "2,电子秤,LG\(round)-\($0),trade_settlement,350102,市场\($0)号,\(owner.creditCode),2025-01-01,2026-11-20,pass,LG-\(round)-\($0)" }
                    .joined(separator: "\n")
                try csv.write(toFile: file, atomically: true, encoding: .utf8)
                let imported = try await Self.cli(["import", "instruments", file, "--verified-by", institution.name], store: store)
                #expect(imported.status == 0, "\(imported.output)")
                let pending = try await h.ledger.pendingCount()
                #expect(pending >= Self.ledgerRows)
                let size = try await h.ledger.state().size
                // Killed from its launch on, not once it answers (its sequencer starts with it), at
                // a random moment up to a little past when the last uncut round saw the ledger grow:
                // the window follows the machine's speed, so kills land on both sides of the commit.
                let server = try await ServerProcess(port: h.port, location: store.location, dir: h.dir, background: true)
                let launched = ContinuousClock.now
                let killAt = launched + .milliseconds(Int.random(in: 0...Int(Double(grewAfterMs) * 1.3)))
                while ContinuousClock.now < killAt {
                    if try await h.ledger.state().size > size {
                        grewAfterMs = Int((ContinuousClock.now - launched) / .milliseconds(1))
                        break
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await Task.sleep(until: killAt)
                server.kill()
                let after = try await h.ledger.state().size
                // Not seen to grow before the kill: the window was too short for this machine.
                if after == size, ContinuousClock.now - launched >= .milliseconds(grewAfterMs) { grewAfterMs = grewAfterMs * 3 / 2 }
                phases.append(after == size ? "before" : try await h.ledger.latestCheckpoint().map { (try? Checkpoint(text: Note(parsing: $0).text))?.size == after } == true ? "published" : "sequenced")
                try await h.checkInvariants(round)
            }
            print("ledger kills landed: \(Dictionary(grouping: phases, by: { $0 }).mapValues(\.count)) (window \(grewAfterMs) ms)")
            if Self.manyKills { #expect(phases.contains("before") && phases.contains { $0 != "before" }, "kills on both sides of the commit: \(phases)") }
            try await h.start()
            defer { h.stop() }
            for _ in 0..<240 {
                let pending = try await h.ledger.pendingCount()
                let state = try await h.ledger.state()
                let published = try await h.ledger.latestCheckpoint().flatMap { try? Checkpoint(text: Note(parsing: $0).text) }
                if pending == 0, published?.size == state.size { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(try await h.ledger.pendingCount() == 0)
            #expect(try await h.ledger.state().size >= Int64(Self.ledgerRows * Self.kills))
            h.stop()
            try await h.checkInvariants(Self.kills + 1)
        }
    }

    static let ledgerRows = 6_000

    /// Runs the built `jiliang` on the test's database; its exit status and output.
    static func cli(_ arguments: [String], store: Store) async throws -> CLITests.Result {
        switch store.location {
        case .sqliteFile(let path): try await CLITests.run(arguments + ["--sqlite", path])
        case .postgres(let url): try await CLITests.run(arguments, databaseURL: url)
        default: try await CLITests.run(arguments)
        }
    }

    // MARK: Import

    /// An import of 3,000 instruments per round, killed at a random moment of its job; a job the
    /// killed server held runs again (its claim lapses) and adds nothing twice.
    @Test func importsSurviveKills() async throws {
        try await TestDatabase.withStore { store in
            let h = try await Harness(store)
            let owner = try await Fixtures.owner(on: store.db)
            let rows = 3_000
            var jobs: [Int] = []
            var phases: [String] = []
            var jobTookMs = 1_000  // a first guess; each job seen to its end refines it
            for round in 1...Self.kills {
                let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
                    + (0..<rows).map { "2,电子秤,IM\(round)-\($0),trade_settlement,350102,市场\($0)号,\(owner.creditCode),2025-01-01" }.joined(separator: "\n")
                try await h.start()
                let r = try #require(await h.post("/api/v1/imports/instruments", contentType: "text/csv", body: Data(csv.utf8)))
                #expect(r.status == 202, "\(r.json)")
                let job = try #require(r.json["id"] as? Int)
                jobs.append(job)
                // Killed at a random moment of its job: once it is claimed, after a random share of
                // what the last uncut job took (the file's check, then one write transaction; on
                // SQLite its progress cannot be written meanwhile, so time is the measure).
                var claimed: ContinuousClock.Instant?
                let share = Double.random(in: 0..<1.2)
                for _ in 0..<20_000 {
                    guard let j = try await JobModel.find(job, on: store.db) else { break }
                    if j.state == "done" || j.state == "failed" {
                        if let claimed { jobTookMs = Int((ContinuousClock.now - claimed) / .milliseconds(1)) }
                        break
                    }
                    if j.state == "running", claimed == nil, j.attempts > 0 { claimed = .now }
                    if let claimed, ContinuousClock.now - claimed >= .milliseconds(Int(share * Double(jobTookMs))) { break }
                    try await Task.sleep(for: .milliseconds(2))
                }
                h.kill()
                try await Self.checkNoDoubles(store, rows: rows, rounds: round)
                struct Count: Decodable { var n: Int }
                let written = try await store.sql.raw("SELECT COUNT(*) AS n FROM instruments WHERE serial_no LIKE \(bind: "IM\(round)-%")")
                    .first(decoding: Count.self)?.n ?? 0
                let state = try await JobModel.find(job, on: store.db)?.state ?? "lost"
                phases.append(state == "running" ? (written > 0 ? "written, not finished" : "running, nothing written") : state)
                // The acknowledged job is there, to run (again) when it is claimed.
                #expect(try await JobModel.find(job, on: store.db) != nil, "round \(round): job \(job) lost")
                try await Self.checkNoDoubles(store, rows: rows, rounds: round)
                try await h.checkInvariants(round)
            }
            print("import kills landed: \(Dictionary(grouping: phases, by: { $0 }).mapValues(\.count)) (job took \(jobTookMs) ms)")
            if Self.manyKills { #expect(phases.contains("running, nothing written"), "some kills in the middle of a job: \(phases)") }
            try await h.start()
            defer { h.stop() }
            for _ in 0..<480 {
                let open = try await JobModel.query(on: store.db).filter(\.$state ~~ ["queued", "running"]).count()
                if open == 0 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            h.stop()
            for job in jobs {
                let j = try #require(try await JobModel.find(job, on: store.db))
                #expect(j.state == "done" && j.error == nil, "job \(job): \(j.state) \(j.error ?? "")")
            }
            let imported = try await Self.checkNoDoubles(store, rows: rows, rounds: Self.kills)
            #expect(imported == rows * Self.kills, "every row of every file once: \(imported)")
            try await h.checkInvariants(Self.kills + 1)
        }
    }

    /// No serial number of the files is registered twice; returns how many are.
    @discardableResult
    static func checkNoDoubles(_ store: Store, rows: Int, rounds: Int) async throws -> Int {
        struct Row: Decodable { var serial_no: String; var n: Int }
        let counts = try await store.sql.raw(
            "SELECT serial_no, COUNT(*) AS n FROM instruments WHERE serial_no LIKE 'IM%' GROUP BY serial_no"
        ).all(decoding: Row.self)
        #expect(counts.allSatisfy { $0.n == 1 }, "registered twice: \(counts.filter { $0.n > 1 }.prefix(3))")
        #expect(counts.count <= rows * rounds)
        return counts.count
    }

    // MARK: Telemetry ingest

    /// Gateways' batches (`TelemetryKillTests`' shape), round after round; each round sends new
    /// batches and again those no answer came for. Every acknowledged batch is whole after each
    /// kill; at the end the device holds each reading once.
    @Test func telemetryIngestSurvivesKills() async throws {
        try await TestDatabase.withStore { store in
            let h = try await Harness(store)
            let owner = try await Fixtures.owner(on: store.db)
            let scale = try await Fixtures.instrument(serial: "KILL", owner: owner, on: store.db)
            let device = try await Telemetry.register(
                name: "KILL-1", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: .system("tests"), on: store.db)
            let perRound = 9
            let total = perRound * Self.kills
            let startAt = Date().addingTimeInterval(-Double(total * TelemetryKillTests.perBatch) - 3_600)
            let bodies = (0..<total).map { TelemetryKillTests.batch($0, start: startAt) }
            let acknowledged = AckLog()
            for round in 1...Self.kills {
                try await h.start()
                let unacknowledged = await (0..<(round * perRound)).asyncFilter { !(await acknowledged.all.contains($0)) }
                let target = await acknowledged.count + Int.random(in: 1...4)
                await Self.killDuring(h, when: { let n = await acknowledged.count; return n >= target || n == round * perRound }) {
                    await withTaskGroup(of: Void.self) { lanes in
                        for lane in 0..<3 {
                            lanes.addTask {
                                for b in stride(from: lane, to: unacknowledged.count, by: 3) {
                                    let batch = unacknowledged[b]
                                    guard let r = await TelemetryKillTests.send(bodies[batch], port: h.port, token: h.token) else { return }
                                    if r.errors == 0 && r.accepted + r.duplicates == TelemetryKillTests.perBatch { await acknowledged.add(batch) }
                                }
                            }
                        }
                    }
                }
                let stored = Set(try await Self.readingSeqs(store, device: device.id!))
                for b in await acknowledged.all {
                    let seqs = (1...TelemetryKillTests.perBatch).map { Int64(b * TelemetryKillTests.perBatch + $0) }
                    #expect(seqs.allSatisfy(stored.contains), "round \(round): acknowledged batch \(b) is not whole")
                }
                try await h.checkInvariants(round)
            }
            // Every batch once more, as a gateway that cannot know which landed: nothing doubles.
            try await h.start()
            defer { h.stop() }
            for (b, body) in bodies.enumerated() {
                let r = try #require(await TelemetryKillTests.send(body, port: h.port, token: h.token), "batch \(b)")
                #expect(r.errors == 0 && r.accepted + r.duplicates == TelemetryKillTests.perBatch)
                if await acknowledged.all.contains(b) { #expect(r.accepted == 0, "acknowledged batch \(b) stored again in part") }
            }
            let final = try await Self.readingSeqs(store, device: device.id!)
            #expect(final.count == total * TelemetryKillTests.perBatch && Set(final).count == final.count)
        }
    }

    static func readingSeqs(_ store: Store, device: Int) async throws -> [Int64] {
        struct Row: Decodable { var seq: Int64 }
        return try await store.sql.select().column("seq").from("telemetry_readings")
            .where("device_id", .equal, SQLBind(device)).all(decoding: Row.self).map(\.seq)
    }
}

extension Sequence where Element: Sendable {
    func asyncFilter(_ keep: (Element) async -> Bool) async -> [Element] {
        var out: [Element] = []
        for e in self where await keep(e) { out.append(e) }
        return out
    }
}
