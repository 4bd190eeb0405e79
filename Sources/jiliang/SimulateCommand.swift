import ArgumentParser
import Foundation
import JiliangCore
import JiliangTelemetry
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `jiliang simulate` (issue #21, item 7): a seeded fleet of smart instruments, honest and
/// cheating. `--evaluate` runs the detectors in process and prints precision and recall per
/// detector; `--server` drives a running Jiliang through its API as gateways do — binds a device
/// to each instrument of a fitting kind the token may see, sends the readings as NDJSON batches,
/// then reads back what the server found and scores it against what was injected.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive a simulated fleet of smart instruments (honest and cheating) and score what the detectors catch")

    @Option(help: "How many devices") var devices: Int = 100
    @Option(help: "Share of devices that cheat, 0 to 1") var cheatRate: Double = 0.1
    @Option(help: "The fleet's seed (the same seed, the same fleet)") var seed: UInt64 = 1
    @Option(help: "Readings per device (at least 41: 30 teach the drift chart its baseline)") var readings: Int = 60
    @Flag(help: "Run the detectors in process and print the score (no server)") var evaluate = false
    @Option(help: "A running Jiliang, e.g. http://127.0.0.1:8080") var server: String?
    @Option(help: "An API token or session token with telemetry:write and telemetry:review (to read the alerts back)") var token: String?
    @Option(help: "Lines per batch sent to the server") var batch: Int = 2_000
    @Flag(help: "Pair dispensers into stations drawing from one tank with its gauge (tank reconciliation), and draw the cheat only a tank sees")
    var tanks = false
    @Flag(help: "Send batches as protobuf (proto/telemetry.proto) instead of NDJSON") var protobuf = false

    func validate() throws {
        guard devices >= 1, devices <= 100_000 else { throw ValidationError("--devices must be from 1 to 100000") }
        guard (0...1).contains(cheatRate) else { throw ValidationError("--cheat-rate must be from 0 to 1") }
        guard readings >= 41, readings <= 10_000 else { throw ValidationError("--readings must be from 41 to 10000") }
        guard batch >= 1, batch <= 100_000 else { throw ValidationError("--batch must be from 1 to 100000") }
        guard evaluate != (server != nil) else { throw ValidationError("give either --evaluate or --server URL") }
        if server != nil, token == nil { throw ValidationError("--server needs --token (an API token with telemetry:write)") }
    }

    func run() async throws {
        // The fleet ends by the start of today (China time): a server refuses readings from the
        // future, and a run again the same day sends the same readings (kept once, not refused as
        // sequence numbers reused for other contents).
        let span = Double(readings) * 3_600 + 3_600
        let plan = FleetSimulator.Plan(
            devices: devices, cheatRate: cheatRate, seed: seed, start: CalendarDay(instant: Date()).startInstant.addingTimeInterval(-span),
            readingsPerDevice: readings,
            prefix: "SIM\(seed)", tanks: tanks)
        let fleet = FleetSimulator.fleet(plan)
        let cheats = Dictionary(grouping: fleet.devices.compactMap(\.cheat), by: { $0 }).mapValues(\.count)
        print("fleet: \(fleet.devices.count) devices, seed \(seed), \(fleet.devices.filter { $0.cheat != nil }.count) cheating "
            + "(\(cheats.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")))")
        if evaluate {
            let started = Date()
            let score = FleetScore.score(fleet, flags: FleetScore.detect(fleet))
            print("detectors ran over \(fleet.readings.values.map(\.count).reduce(0, +)) readings in \(String(format: "%.2f", Date().timeIntervalSince(started))) s\n")
            print(score.markdown)
            return
        }
        let client = SimulatorClient(base: server!, token: token!)
        let bound = try await client.bind(fleet)
        print("bound \(fleet.devices.filter { bound[$0.name] != nil }.count) of \(fleet.devices.count) devices to instruments")
        let registered = try await client.registerTanks(fleet, bound: bound)
        if tanks { print("registered \(registered) tanks (a gauge and both its dispensers bound)") }
        let sendable = fleet.devices.filter { bound[$0.name] != nil }
        let lines = sendable.flatMap { fleet.readings[$0.name]! }.sorted { ($0.at, $0.device, $0.seq) < ($1.at, $1.device, $1.seq) }
        let bar = ProgressBar(label: "sending")
        let started = Date()
        var accepted = 0, duplicates = 0, refused = 0
        for (i, part) in stride(from: 0, to: lines.count, by: batch).map({ lines[$0..<min($0 + batch, lines.count)] }).enumerated() {
            let r = protobuf ? try await client.send(binary: try ProtobufBatch.encode(Array(part))) : try await client.send(part.map(\.ndjson).joined(separator: "\n"))
            accepted += r.accepted
            duplicates += r.duplicates
            refused += r.refused
            bar.update(min(lines.count, (i + 1) * batch), lines.count)
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        print("sent \(lines.count) readings in \(String(format: "%.1f", seconds)) s (\(Int(Double(lines.count) / max(seconds, 0.001))) readings/s): "
            + "\(accepted) kept, \(duplicates) already kept, \(refused) refused")
        let flags = try await client.alerts()
        let scored = FleetSimulator.Fleet(devices: sendable, readings: fleet.readings, end: fleet.end)
        print("\nwhat the server found, against what was injected:\n")
        print(FleetScore.score(scored, flags: flags).markdown)
    }
}

/// The few API calls the simulator makes, over URLSession.
struct SimulatorClient {
    let base: String
    let token: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func call(_ method: String, _ path: String, json: Any? = nil, ndjson: String? = nil, binary: [UInt8]? = nil) async throws -> (Int, Any?) {
        guard let url = URL(string: base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/api/v1" + path) else {
            throw Failure(description: "bad --server \(base)")
        }
        var r = URLRequest(url: url)
        r.httpMethod = method
        r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let json {
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            r.httpBody = try JSONSerialization.data(withJSONObject: json)
        }
        if let ndjson {
            r.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
            r.httpBody = Data(ndjson.utf8)
        }
        if let binary {
            r.setValue("application/x-protobuf", forHTTPHeaderField: "Content-Type")
            r.httpBody = Data(binary)
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if status == 401 || status == 403 { throw Failure(description: "\(method) \(path): HTTP \(status) — the token may not do this") }
        return (status, try? JSONSerialization.jsonObject(with: data))
    }

    /// Binds each simulated device to an instrument of a fitting kind (round robin per kind);
    /// devices already registered under their name are reused. Device name → device id.
    func bind(_ fleet: FleetSimulator.Fleet) async throws -> [String: Int] {
        let (_, catalogue) = try await call("GET", "/catalogue")
        let entries = (catalogue as? [[String: Any]]) ?? []
        var instruments: [DeviceKind: [Int]] = [:]
        for kind in Set(fleet.devices.map(\.kind)) {
            for e in entries where kind.fits(itemName: e["item_name"] as? String ?? "", subName: e["sub_name"] as? String ?? "") {
                let (_, page) = try await call("GET", "/instruments?sub_no=\(e["sub_no"] as? Int ?? 0)&limit=500")
                instruments[kind, default: []] += ((page as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            }
        }
        // The devices already registered, page by page.
        var ids: [String: Int] = [:], cursor: String?
        repeat {
            let (_, listed) = try await call("GET", "/telemetry/devices?limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""))
            let page = listed as? [String: Any]
            for d in page?["items"] as? [[String: Any]] ?? [] {
                if let n = d["name"] as? String, let id = d["id"] as? Int, ids[n] == nil { ids[n] = id }
            }
            cursor = page?["next_cursor"] as? String
        } while cursor != nil
        var next: [DeviceKind: Int] = [:]
        for d in fleet.devices where ids[d.name] == nil {
            guard let pool = instruments[d.kind], !pool.isEmpty else { continue }
            let i = next[d.kind, default: 0]
            next[d.kind] = i + 1
            var body: [String: Any] = ["name": d.name, "instrument_id": pool[i % pool.count], "kind": d.kind.rawValue]
            if let s = d.softwareID { body["software_id"] = s }
            if let pe = d.pulseEquivalent { body["pulse_equivalent"] = pe }
            let (status, made) = try await call("POST", "/telemetry/devices", json: body)
            if status == 201, let id = (made as? [String: Any])?["id"] as? Int { ids[d.name] = id }
        }
        return ids
    }

    /// Registers each simulated station's tank whose gauge and dispensers were all bound (every
    /// nozzle of both dispensers draws from it); a tank registered before is left as it is.
    func registerTanks(_ fleet: FleetSimulator.Fleet, bound: [String: Int]) async throws -> Int {
        var registered = 0
        for g in fleet.devices where g.kind == .tankGauge {
            guard let gauge = bound[g.name], let table = g.capacityTable, g.feeds.allSatisfy({ bound[$0] != nil }) else { continue }
            let (status, _) = try await call("POST", "/telemetry/tanks", json: [
                "gauge_id": gauge, "tank": 1, "capacity_table": table.points.map { ["mm": $0.mm, "litres": $0.litres] },
                "nozzles": g.feeds.flatMap { f in (1...4).map { ["device_id": bound[f]!, "nozzle": $0] } },
            ] as [String: Any])
            if status == 201 || status == 409 { registered += 1 }
        }
        return registered
    }

    func send(binary: [UInt8]) async throws -> (accepted: Int, duplicates: Int, refused: Int) {
        let (status, body) = try await call("POST", "/telemetry/readings", binary: binary)
        guard status == 200, let r = body as? [String: Any] else { throw Failure(description: "POST /telemetry/readings: HTTP \(status)") }
        return (r["accepted"] as? Int ?? 0, r["duplicates"] as? Int ?? 0, (r["errors"] as? [Any])?.count ?? 0)
    }

    func send(_ ndjson: String) async throws -> (accepted: Int, duplicates: Int, refused: Int) {
        let (status, body) = try await call("POST", "/telemetry/readings", ndjson: ndjson)
        guard status == 200, let r = body as? [String: Any] else { throw Failure(description: "POST /telemetry/readings: HTTP \(status)") }
        return (r["accepted"] as? Int ?? 0, r["duplicates"] as? Int ?? 0, (r["errors"] as? [Any])?.count ?? 0)
    }

    /// Every alert the token may review, in every state, paged: device name → (detector, the last
    /// reading it rests on). One pass over the region's alerts, however large the fleet.
    func alerts() async throws -> [String: [FleetScore.Flag]] {
        var flags: [String: [FleetScore.Flag]] = [:]
        for state in ["open", "confirmed", "dismissed"] {
            var cursor: String?
            repeat {
                let (status, body) = try await call("GET", "/telemetry/alerts?state=\(state)&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""))
                guard status == 200, let page = body as? [String: Any] else { throw Failure(description: "GET /telemetry/alerts: HTTP \(status)") }
                for a in page["items"] as? [[String: Any]] ?? [] {
                    guard let name = a["device_name"] as? String, let d = (a["detector"] as? String).flatMap(DetectorKind.init(rawValue:)) else { continue }
                    flags[name, default: []].append((d, Int64((a["seqs"] as? [Int])?.max() ?? 0)))
                }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
        }
        return flags
    }
}
