import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The kill test (issue #21, "bad input and faults"): a gateway sends batches to a real `jiliang
/// serve` process, several at once; the server is killed with SIGKILL while batches are in flight
/// and started again. Every batch it acknowledged is stored whole; the gateway then sends every
/// batch again (it cannot know which of the unacknowledged ones landed) and nothing is doubled,
/// nothing refused as a reused sequence number, and the device ends with exactly the readings
/// sent. On SQLite, and on PostgreSQL under `make test`.
@Suite(.serialized) struct TelemetryKillTests {
    static let batches = 40, perBatch = 500

    /// One batch of weighings: sequence numbers `b × perBatch + 1 …`, a second apart, in the past.
    static func batch(_ b: Int, start: Date) -> String {
        (1...perBatch).map { i in
            let seq = b * perBatch + i
            let at = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(seq)))
            return #"{"device":"KILL-1","seq":\#(seq),"at":"\#(at)","type":"weighing","kg":\#(Double(seq % 997) / 100)}"#
        }.joined(separator: "\n")
    }

    /// Sends one batch; the gateway's acknowledgement is a 200 whose counts cover the whole batch.
    static func send(_ body: String, port: Int, token: String) async -> (accepted: Int, duplicates: Int, errors: Int)? {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/telemetry/readings")!)
        r.httpMethod = "POST"
        r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        r.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
        r.httpBody = Data(body.utf8)
        r.timeoutInterval = 30
        guard let (data, response) = try? await URLSession.shared.data(for: r), (response as? HTTPURLResponse)?.statusCode == 200,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return (json["accepted"] as? Int ?? -1, json["duplicates"] as? Int ?? -1, (json["errors"] as? [Any])?.count ?? -1)
    }

    @Test func aKilledServerLosesNoAcknowledgedReadingAndDoublesNone() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let dir = NSTemporaryDirectory() + "jiliang-kill-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(serial: "KILL", owner: owner, on: db)
            let device = try await Telemetry.register(
                name: "KILL-1", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: .system("tests"), on: db)
            let token = try await Accounts.createToken(.init(name: "gateway", role: "province_admin", permissions: ["telemetry:write"]), by: .system("tests"), on: db).token
            let start = Date().addingTimeInterval(-Double(Self.batches * Self.perBatch) - 3_600)
            let bodies = (0..<Self.batches).map { Self.batch($0, start: start) }
            let port = ServerProcess.freePort()

            let first = try await ServerProcess(port: port, location: store.location, dir: dir)
            defer { first.stop() }
            try await first.waitUntilServing()
            // Three batches in flight at a time; the server is killed once ten are acknowledged.
            let acknowledged = AckLog()
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<3 {
                    group.addTask {
                        for b in stride(from: lane, to: Self.batches, by: 3) {
                            guard let r = await Self.send(bodies[b], port: port, token: token) else { return }
                            if r.accepted + r.duplicates == Self.perBatch && r.errors == 0 { await acknowledged.add(b) }
                        }
                    }
                }
                group.addTask {
                    while await acknowledged.count < 10 { try? await Task.sleep(for: .milliseconds(5)) }
                    first.kill()
                }
            }
            let acked = await acknowledged.all
            #expect(acked.count >= 10 && acked.count < Self.batches, "killed after \(acked.count) of \(Self.batches) batches")

            struct Row: Decodable { var seq: Int64 }
            func stored() async throws -> [Int64] {
                try await (db as! any SQLDatabase).select().column("seq").from("telemetry_readings")
                    .where("device_id", .equal, SQLBind(device.id!)).all(decoding: Row.self).map(\.seq)
            }
            // Every acknowledged batch is there, whole.
            let afterKill = Set(try await stored())
            for b in acked {
                let seqs = (1...Self.perBatch).map { Int64(b * Self.perBatch + $0) }
                #expect(seqs.allSatisfy(afterKill.contains), "acknowledged batch \(b) is not whole after the kill")
            }

            // Started again; the gateway sends everything again.
            let second = try await ServerProcess(port: port, location: store.location, dir: dir)
            defer { second.stop() }
            try await second.waitUntilServing()
            var accepted = 0, duplicates = 0
            for (b, body) in bodies.enumerated() {
                let r = try #require(await Self.send(body, port: port, token: token), "batch \(b) after the restart")
                #expect(r.errors == 0 && r.accepted + r.duplicates == Self.perBatch, "batch \(b): \(r)")
                if acked.contains(b) { #expect(r.accepted == 0, "acknowledged batch \(b) was stored again in part: \(r)") }
                accepted += r.accepted
                duplicates += r.duplicates
            }
            #expect(duplicates >= acked.count * Self.perBatch && accepted + duplicates == Self.batches * Self.perBatch)
            let final = try await stored()
            #expect(final.count == Self.batches * Self.perBatch && Set(final).count == final.count)
        }
    }
}

/// The batches a gateway saw acknowledged.
actor AckLog {
    private var batches: Set<Int> = []
    func add(_ b: Int) { batches.insert(b) }
    var count: Int { batches.count }
    var all: Set<Int> { batches }
}
