import ArgumentParser
import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import SQLKit
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue #21's ingest benchmark: a simulated fleet's readings kept by `Telemetry.ingest` with every
/// detector on, beside — in the same run, on the same machine — the same path with detection off
/// (the storage layer's bound), the database's own bulk loader of the same rows (`sqlite3 .import`
/// or `psql \copy`), and InfluxDB ingesting the same readings as line protocol when one is given.
/// Batches are the gateways' (NDJSON, interleaved by time); each batch's duration bounds the time
/// from receipt to alert, since detection runs before the batch is acknowledged.
struct BenchTelemetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "telemetry")
    @OptionGroup var db: DatabaseOptions
    @Option var devices = 2_000
    @Option var readings = 100
    @Option var batch = 5_000
    @Option(help: "Demo instruments to bind the devices to") var instruments = 20_000
    @Option(help: "Shell command that bulk-loads FILE (CSV with a header) into table bench_telemetry_staging; FILE is substituted") var baseline: String
    @Option(help: "An InfluxDB 1.x to write the same readings to as line protocol, e.g. http://127.0.0.1:8086") var influx: String?
    @Option var file = "bench-data/telemetry.csv"
    @Option(help: "Gateways sending at once, each its own batches in order (1: one batch at a time); InfluxDB is sent to the same way")
    var concurrent = 1

    func run() async throws {
        let today = CalendarDay("2026-11-26")!
        let plan = { (prefix: String) in
            FleetSimulator.Plan(
                devices: devices, cheatRate: 0.1, seed: 21, start: today.startInstant.addingTimeInterval(-Double(readings + 2) * 3_600),
                readingsPerDevice: readings, prefix: prefix)
        }
        // Another run on the same database (make bench runs one batch at a time, then gateways at
        // once) registers its own devices: names are unique.
        let run = concurrent > 1 ? "C\(concurrent)" : ""
        let fleet = FleetSimulator.fleet(plan("BENCH" + run)), raw = FleetSimulator.fleet(plan("BENCHRAW" + run))
        let file = self.file, batch = self.batch, instruments = self.instruments, lanes = max(1, concurrent)
        let (ours, storage, total, latencies) = try await db.withStore { store -> (TimeInterval, TimeInterval, Int, [TimeInterval]) in
            if try await InstrumentModel.query(on: store.db).count() == 0 {
                _ = try await DemoProvince(instruments: instruments, seed: 2022, today: today).load(into: store)
            }
            let system = Principal.system("bench")
            // A gateway serves 500 devices (a batch may name at most 1,000); the gateways' batches
            // arrive in turn, each in time order.
            // With `concurrent` lanes, gateway g sends on lane g % concurrent; a lane takes its
            // gateways' batches in turn, one at a time.
            func batches(_ f: FleetSimulator.Fleet, _ bound: [FleetSimulator.Device]) -> [[[UInt8]]] {
                let gateways = stride(from: 0, to: bound.count, by: 500).map { g -> [[UInt8]] in
                    let lines = bound[g..<min(g + 500, bound.count)].flatMap { f.readings[$0.name]! }.sorted { ($0.at, $0.device, $0.seq) < ($1.at, $1.device, $1.seq) }
                    return stride(from: 0, to: lines.count, by: batch).map { Array(lines[$0..<min($0 + batch, lines.count)].map(\.ndjson).joined(separator: "\n").utf8) }
                }
                return (0..<lanes).map { lane in
                    let mine = gateways.indices.filter { $0 % lanes == lane }.map { gateways[$0] }
                    var out: [[UInt8]] = []
                    for i in 0..<(mine.map(\.count).max() ?? 0) { for g in mine where i < g.count { out.append(g[i]) } }
                    return out
                }
            }
            let bound = try await DemoTelemetry.bind(fleet, by: system, on: store.db)
            let rawBound = try await DemoTelemetry.bind(raw, by: system, on: store.db)
            let withDetectors = batches(fleet, bound), without = batches(raw, rawBound)
            let count = bound.reduce(0) { $0 + fleet.readings[$1.name]!.count }
            let db = store.db, end = fleet.end, rawEnd = raw.end
            // PostgreSQL: the fleet's days have their partitions, as the job worker makes them ahead
            // of each day in service (SQLite: nothing to make).
            let instants = [fleet, raw].flatMap { f in f.readings.values.flatMap { $0.map(\.at) } }
            if let first = instants.min(), let last = instants.max() {
                try await Telemetry.ensurePartitions(CalendarDay(instant: first)...CalendarDay(instant: last), on: db)
            }
            let t0 = Date()
            let latencies = try await withThrowingTaskGroup(of: [TimeInterval].self) { group in
                for lane in withDetectors {
                    group.addTask {
                        var took: [TimeInterval] = []
                        for b in lane {
                            let s = Date()
                            let r = try await Telemetry.ingest(b, by: system, receivedAt: end, on: db)
                            guard r.errors.isEmpty else { throw ValidationError("ingest refused lines: \(r.errors.prefix(3))") }
                            took.append(Date().timeIntervalSince(s))
                        }
                        return took
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let ours = Date().timeIntervalSince(t0)
            let t1 = Date()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in without {
                    group.addTask { for b in lane { _ = try await Telemetry.ingest(b, by: system, receivedAt: rawEnd, detect: false, on: db) } }
                }
                try await group.waitForAll()
            }
            let storage = Date().timeIntervalSince(t1)
            // The same rows for the database's own loader: the columns the ingest writes.
            _ = try await store.sql.raw("DROP TABLE IF EXISTS bench_telemetry_staging").all()
            try await store.sql.create(table: "bench_telemetry_staging").column("device_id", type: .bigint).column("seq", type: .bigint)
                .column("at", type: .text).column("type", type: .text).column("line", type: .text).column("received_at", type: .text).run()
            var csv = "device_id,seq,at,type,line,received_at\n"
            for (i, d) in bound.enumerated() {
                for r in fleet.readings[d.name]! {
                    csv += "\(i + 1),\(r.seq),\(ISO8601DateFormatter().string(from: r.at)),\(r.type),\"\(r.ndjson.replacingOccurrences(of: "\"", with: "\"\""))\",2026-11-26T00:00:00Z\n"
                }
            }
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try csv.write(toFile: file, atomically: true, encoding: .utf8)
            return (ours, storage, count, latencies)
        }
        chmod(file, 0o644)
        let t2 = Date()
        let loaded = try await ChildProcess.run("/bin/sh", ["-c", baseline.replacingOccurrences(of: "FILE", with: file)])
        let base = Date().timeIntervalSince(t2)
        print(loaded.text, terminator: "")  // the loader's own words, as before
        guard loaded.status == 0 else { throw ValidationError("baseline failed: \(baseline): \(loaded.errorText.prefix(2_000))") }
        var influxLine = ""
        if let influx {
            let seconds = try await Self.influx(influx, fleet: fleet, batch: batch, lanes: lanes)
            influxLine = String(format: " influxdb=%.1fs (%.0f readings/s) ours/influxdb=%.3f", seconds, Double(total) / seconds, seconds / ours)
        }
        let sorted = latencies.sorted()
        func pct(_ q: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        print(String(format: "telemetry readings=%d devices=%d batch=%d gateways-at-once=%d ours(detectors on)=%.1fs (%.0f readings/s) storage(detectors off)=%.1fs (%.0f readings/s) baseline(bulk loader)=%.1fs (%.0f rows/s) ours/storage=%.3f ours/baseline=%.3f batch p50=%.2fs p99=%.2fs%@ maxrss=%d MB",
                     total, fleet.devices.count, batch, lanes, ours, Double(total) / ours, storage, Double(total) / storage, base, Double(total) / base,
                     storage / ours, base / ours, pct(0.5), pct(0.99), influxLine, BenchData.maxRSSMB()))
    }

    /// The same readings as InfluxDB line protocol (`reading,device=…,type=… field=… ts`), written in
    /// the same batches to a fresh database; seconds taken.
    static func influx(_ base: String, fleet: FleetSimulator.Fleet, batch: Int, lanes: Int) async throws -> TimeInterval {
        func post(_ path: String, _ body: String, form: Bool = false) async throws {
            var r = URLRequest(url: URL(string: base + path)!)
            r.httpMethod = "POST"
            if form { r.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type") }
            r.httpBody = Data(body.utf8)
            let (_, response) = try await URLSession.shared.data(for: r)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard (200..<300).contains(status) else { throw ValidationError("InfluxDB \(path): HTTP \(status)") }
        }
        try await post("/query", "q=DROP%20DATABASE%20bench%3B%20CREATE%20DATABASE%20bench", form: true)
        // The same lanes as ours: the devices of gateway g (500 each) on lane g % lanes.
        let perLane = (0..<lanes).map { lane in
            fleet.devices.enumerated().filter { ($0.offset / 500) % lanes == lane }.flatMap { fleet.readings[$0.element.name]! }
                .sorted { ($0.at, $0.device, $0.seq) < ($1.at, $1.device, $1.seq) }.map(Self.lineProtocol)
        }
        let t0 = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lines in perLane {
                group.addTask {
                    for part in stride(from: 0, to: lines.count, by: batch).map({ lines[$0..<min($0 + batch, lines.count)] }) {
                        try await post("/write?db=bench&precision=s", part.joined(separator: "\n"))
                    }
                }
            }
            try await group.waitForAll()
        }
        return Date().timeIntervalSince(t0)
    }

    static func lineProtocol(_ r: Reading) -> String {
        let fields: String
        switch r.body {
        case .delivery(let d): fields = "volume=\(d.volume),amount=\(d.amount),unit_price=\(d.unitPrice),pulses=\(d.pulses ?? 0)i,nozzle=\(d.nozzle)i"
        case .trip(let t): fields = "meter_km=\(t.meterKm),meter_seconds=\(t.meterSeconds),gnss_km=\(t.gnssKm ?? 0),fare=\(t.fare)"
        case .weighing(let w): fields = "kg=\(w.kg)"
        case .scaleEvent(let e): fields = "event=\"\(e.rawValue)\""
        case .meterIndex(let m): fields = "index=\(m.index),flow=\(m.flow ?? 0)"
        case .tankLevel(let t): fields = "level_mm=\(t.levelMM)"
        case .heartbeat: fields = "alive=true"
        }
        return "reading,device=\(r.device),type=\(r.type) \(fields),seq=\(r.seq)i \(Int64(r.at.timeIntervalSince1970))"
    }
}
