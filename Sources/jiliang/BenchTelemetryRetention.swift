import ArgumentParser
import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import SQLKit

/// Issue #21, item 3: readings leaving the window, summed into `telemetry_daily` and removed, by
/// both paths in one run on the same database. Two fleets of the same size, a month apart and both
/// long past the window: the older one's days have their partitions (PostgreSQL; summed, then each
/// day dropped whole), the newer one's do not (the default partition, summed and deleted row by
/// row — SQLite's only path, and PostgreSQL's for what no day partition holds). The retention runs
/// as the job worker runs it, call after call until the day's run is recorded.
struct BenchTelemetryRetention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "telemetry-retention")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Devices per fleet") var devices = 2_000
    @Option(help: "Readings per device in each fleet") var readings = 100
    @Option(help: "Demo instruments to bind the devices to") var instruments = 20_000

    func run() async throws {
        let today = CalendarDay("2026-11-26")!
        let plan = { (prefix: String, start: CalendarDay) in
            FleetSimulator.Plan(devices: devices, cheatRate: 0, seed: 37, start: start.startInstant, readingsPerDevice: readings, prefix: prefix)
        }
        let olderStart = today.adding(days: -260), newerStart = today.adding(days: -230)
        let older = FleetSimulator.fleet(plan("RETP", olderStart)), newer = FleetSimulator.fleet(plan("RETR", newerStart))
        let instruments = self.instruments
        try await db.withStore { store in
            if try await InstrumentModel.query(on: store.db).count() == 0 {
                _ = try await DemoProvince(instruments: instruments, seed: 2022, today: today).load(into: store)
            }
            let db = store.db, system = Principal.system("bench")
            let sql = db as! any SQLDatabase
            let postgres = sql.dialect.name == "postgresql"
            // The older fleet's days get their partitions, as the worker makes them ahead of each day.
            let olderDays = CalendarDay(instant: older.readings.values.flatMap { $0 }.map(\.at).min()!)...CalendarDay(instant: older.end)
            try await Telemetry.ensurePartitions(olderDays, on: db)
            var kept = 0
            for f in [older, newer] {
                let bound = try await DemoTelemetry.bind(f, by: system, on: db)
                // A gateway's 500 devices to a batch of 5,000 lines (a batch names at most 1,000 devices).
                for g in stride(from: 0, to: bound.count, by: 500) {
                    let lines = bound[g..<min(g + 500, bound.count)].flatMap { f.readings[$0.name]! }.map(\.ndjson)
                    for b in stride(from: 0, to: lines.count, by: 5_000) {
                        let r = try await Telemetry.ingest(
                            Array(lines[b..<min(b + 5_000, lines.count)].joined(separator: "\n").utf8), by: system, receivedAt: f.end, detect: false, on: db)
                        guard r.errors.isEmpty else { throw ValidationError("ingest refused lines: \(r.errors.prefix(3))") }
                        kept += r.accepted
                    }
                }
            }
            struct Size: Decodable { var bytes: Int64 }
            func defaultPartitionMB() async throws -> Int64 {
                guard postgres else { return 0 }
                let s = try await sql.raw("SELECT pg_total_relation_size('telemetry_readings_default') AS bytes").first(decoding: Size.self)
                return (s?.bytes ?? 0) >> 20
            }
            /// The worker's calls for one day, until its run is recorded: seconds and readings removed.
            func retention(cutoff: CalendarDay) async throws -> (TimeInterval, Int) {
                let policy = TelemetryRetention(rawDays: 180)
                let t = Date()
                var removed = 0
                while let o = try await Telemetry.runRetentionIfDue(policy, today: cutoff.adding(days: 180), on: db) { removed += o.deleted }
                return (Date().timeIntervalSince(t), removed)
            }
            // First the older fleet leaves the window (the newer one is still in it), then the newer.
            let (wholeSeconds, whole) = try await retention(cutoff: newerStart)
            let beforeRows = try await defaultPartitionMB()
            let (rowSeconds, rows) = try await retention(cutoff: CalendarDay(instant: newer.end).adding(days: 1))
            let afterRows = try await defaultPartitionMB()
            guard whole + rows == kept else { throw ValidationError("removed \(whole + rows) of \(kept) readings") }
            print(String(format: "telemetry-retention readings=%d+%d %@=%.1fs (%.0f readings/s) row-by-row=%.1fs (%.0f readings/s) ratio=%.2f%@",
                         whole, rows, postgres ? "day-partitions" : "row-by-row(older)", wholeSeconds, Double(whole) / wholeSeconds,
                         rowSeconds, Double(rows) / rowSeconds, (Double(whole) / wholeSeconds) / (Double(rows) / rowSeconds),
                         postgres ? " default-partition=\(beforeRows)MB before, \(afterRows)MB after its rows were deleted (until vacuum)" : ""))
        }
    }
}
