import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The fast path of issue #4: the events behind every rate (docs/metrics.md), counted in
/// `metric_counts` per region level (the instrument's own place, its city, the province), catalogue
/// sub-item, metric and time bucket (a day and its month), kept up to date **incrementally**: every
/// write that can change an instrument's events (a record, an instrument update, a filing decision,
/// a new or imported instrument) computes the instrument's contribution before and after, in the
/// same transaction, and adds the difference. A new record is reflected as soon as it commits.
///
/// A view then sums at most a few thousand rows instead of reading millions of instruments; the
/// result equals the plain path's (`Statistics.compute`), which a test checks on random data.
public enum MetricCounts {
    /// A counted cell, kept in integers while counting (millions of them in a rebuild).
    public struct Key: Hashable, Sendable {
        var level: UInt8  // 0 place, 1 city, 2 province
        var metric: UInt8  // index into `metrics`
        var grain: UInt8  // 0 day, 1 month, 2 snapshot
        var region: Int32
        var bucket: Int32  // day number, year × 12 + month − 1, or the retirement day (`never`)
        var sub: Int32
    }
    public struct Count: Sendable, Equatable {
        var met = 0, total = 0
    }
    public typealias Counts = [Key: Count]

    static let levels = ["place", "city", "province"]
    static let grains = ["d", "m", "s"]
    static let metrics = [
        "count", "filing", "inUse", "onTime", "firstVerification", "rotation", "spotChecks",
        "firstPass.m", "firstPass.q", "firstPass.y", "afterAdjustment.m", "afterAdjustment.q", "afterAdjustment.y",
    ]
    static let metricIndex = Dictionary(uniqueKeysWithValues: metrics.enumerated().map { ($1, UInt8($0)) })

    /// Bucket of the snapshot metrics for an instrument never retired.
    static let never = "9999-12-31"
    static let neverNumber = Int32(CalendarDay(never)!.dayNumber)
    static let forever = MetricPeriod(start: CalendarDay(year: 1900, month: 1, day: 1)!, end: CalendarDay(year: 2999, month: 12, day: 31)!)
    /// The period kinds pass rates are kept for: the first check *in the period* depends on it.
    static let passKinds = ["m", "q", "y"]

    /// Day rows are kept for events on or after this day only (nil: all). Views need day rows only
    /// for the month still running (whole months come from month rows), so the server sets this to
    /// the first day of its current month at start-up; past days would only multiply the rows.
    nonisolated(unsafe) public static var dayRowsFrom: CalendarDay?

    static func period(_ suffix: String, of day: CalendarDay) -> MetricPeriod {
        switch suffix {
        case "m": MetricPeriod.month(of: day)
        case "q": MetricPeriod.quarter(of: day)
        default: MetricPeriod.year(of: day)
        }
    }

    static func monthNumber(_ d: CalendarDay) -> Int32 { Int32(d.year * 12 + d.month - 1) }

    static func bucketText(grain: UInt8, _ b: Int32) -> String {
        switch grain {
        case 0: CalendarDay(dayNumber: Int(b)).description
        case 1: String(format: "%04d-%02d", Int(b) / 12, Int(b) % 12 + 1)
        default: b == neverNumber ? never : CalendarDay(dayNumber: Int(b)).description
        }
    }

    /// Adds `sign` × the contribution of `instruments` to `counts`.
    static func add(_ instruments: [MetricInstrument], sign: Int, to counts: inout Counts) {
        let dayFrom = dayRowsFrom?.dayNumber ?? Int.min
        for i in instruments {
            guard let place = i.region, let code = Int32(place.value) else { continue }
            var regions: [(UInt8, Int32)] = [(0, code)]
            switch place.level {
            case .county: regions += [(1, code / 100 * 100), (2, code / 10_000 * 10_000)]
            case .city: regions += [(1, code), (2, code / 10_000 * 10_000)]
            case .province: break
            }
            let sub = Int32(i.subNo)
            func put(_ metric: UInt8, _ grain: UInt8, _ bucket: Int32, met: Bool, placeOnly: Bool = false) {
                for (level, region) in regions where !placeOnly || level == 0 {
                    let k = Key(level: level, metric: metric, grain: grain, region: region, bucket: bucket, sub: sub)
                    counts[k, default: Count()].total += sign
                    if met { counts[k, default: Count()].met += sign }
                }
            }
            func event(_ metric: UInt8, _ e: MetricEvent) {
                if e.day.dayNumber >= dayFrom { put(metric, 0, Int32(e.day.dayNumber), met: e.met) }
                put(metric, 1, monthNumber(e.day), met: e.met)
            }
            let retired = i.retiredOn.map { Int32($0.dayNumber) } ?? neverNumber
            put(0, 2, neverNumber, met: true)
            if i.lifecycle != .scrapped && i.lifecycle != .rotatedOut {
                put(1, 2, retired, met: i.lifecycle != .draft)
                if i.lifecycle != .draft { put(2, 2, retired, met: true, placeOnly: true) }
            }
            for e in Metrics.onTimeEvents([i], in: forever) { event(3, e) }
            for e in Metrics.firstVerificationEvents([i], in: forever) { event(4, e) }
            for e in Metrics.rotationEvents([i], in: forever) { event(5, e) }
            guard !i.records.isEmpty else { continue }
            for e in Metrics.passEvents([i], in: forever).spotChecks { event(6, e) }
            for (n, suffix) in passKinds.enumerated() {
                for p in Set(i.records.map { period(suffix, of: $0.date).start }).map({ period(suffix, of: $0) }) {
                    let e = Metrics.passEvents([i], in: p)
                    for x in e.firstPass { event(UInt8(7 + n), x) }
                    for x in e.afterAdjustment { event(UInt8(10 + n), x) }
                }
            }
        }
    }

    static func facts(ids: [Int], on db: any Database) async throws -> [MetricInstrument] {
        guard !ids.isEmpty else { return [] }
        let forms = try await Statistics.forms(on: db)
        var out: [MetricInstrument] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            out += try await Statistics.loadFacts(where: SQLRaw("i.id IN (\(chunk.map(String.init).joined(separator: ",")))"), forms: forms, on: db)
        }
        return out
    }

    /// The current contribution of some instruments, to pass to `applyChange` after a write.
    public static func snapshot(_ ids: [Int], on db: any Database) async throws -> Counts {
        var c = Counts()
        add(try await facts(ids: ids, on: db), sign: 1, to: &c)
        return c
    }

    /// Adds (the instruments' contribution now − `before`) to the table. Call in the write's transaction.
    public static func applyChange(_ ids: [Int], before: Counts, on db: any Database) async throws {
        var delta = Counts()
        add(try await facts(ids: ids, on: db), sign: 1, to: &delta)
        for (k, v) in before {
            delta[k, default: Count()].met -= v.met
            delta[k, default: Count()].total -= v.total
        }
        try await apply(delta, on: db)
    }

    /// Adds the contribution of instruments just created (by code: what the bulk import knows).
    public static func addNew(codes: [String], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        var ids: [Int] = []
        for chunk in stride(from: 0, to: codes.count, by: 500).map({ Array(codes[$0..<min($0 + 500, codes.count)]) }) {
            ids += try await sql.select().column("id").from("instruments").where("code", .in, chunk).all().map { try $0.decode(column: "id", as: Int.self) }
        }
        try await applyChange(ids, before: [:], on: db)
    }

    static func apply(_ delta: Counts, on db: any Database) async throws {
        // In key order: the upserts then walk the table's B-tree from left to right instead of
        // jumping about it (a rebuild's batch touches a large part of it).
        let rows = delta.filter { $0.value != Count() }.map { k, v in
            (levels[Int(k.level)], metrics[Int(k.metric)], grains[Int(k.grain)], String(k.region), bucketText(grain: k.grain, k.bucket), Int(k.sub), v)
        }.sorted { ($0.0, $0.1, $0.2, $0.3, $0.4, $0.5) < ($1.0, $1.1, $1.2, $1.3, $1.4, $1.5) }
        guard !rows.isEmpty else { return }
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: rows.count, by: 500) {
            let insert = sql.insert(into: "metric_counts").columns("level", "metric", "grain", "region_code", "bucket", "sub_no", "met_n", "total_n")
            for r in rows[start..<min(start + 500, rows.count)] {
                insert.values(SQLBind(r.0), SQLBind(r.1), SQLBind(r.2), SQLBind(r.3), SQLBind(r.4), SQLBind(r.5), SQLBind(r.6.met), SQLBind(r.6.total))
            }
            try await insert.onConflict(with: ["level", "metric", "grain", "region_code", "bucket", "sub_no"]) {
                $0.set("met_n", to: SQLRaw("metric_counts.met_n + excluded.met_n")).set("total_n", to: SQLRaw("metric_counts.total_n + excluded.total_n"))
            }.run()
        }
    }

    /// Where a rebuild's time went, in seconds.
    public struct RebuildTimes: Sendable {
        public var read = 0.0, count = 0.0, write = 0.0
    }

    /// Recounts everything from the registry (after a bulk load, or to repair), one place (county)
    /// at a time: a place's own rows are complete once its instruments are counted and go in at
    /// once, in key order; the city and province rows add up in memory and go in at the end. So
    /// every row is written once. `progress(done, total)` counts instruments.
    @discardableResult
    public static func rebuild(on db: any Database, progress: (Int, Int) -> Void = { _, _ in }) async throws -> RebuildTimes {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM metric_counts").run()
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM instruments").first()?.decode(column: "n", as: Int.self) ?? 0
        let forms = try await Statistics.forms(on: db)
        let places = try await sql.raw("SELECT DISTINCT region_code FROM instruments ORDER BY region_code").all()
            .compactMap { RegionCode(try $0.decode(column: "region_code", as: String.self)) }
        var done = 0
        var times = RebuildTimes()
        var upper = Counts()
        func since(_ t: Date) -> Double { Date().timeIntervalSince(t) }
        for place in places {
            var t = Date()
            let facts = try await Statistics.loadFacts(where: SQLRaw("i.region_code = '\(place.value)'"), forms: forms, on: db)
            times.read += since(t)
            t = Date()
            var c = Counts()
            add(facts, sign: 1, to: &c)
            var own = Counts()
            for (k, v) in c {
                if k.level == 0 { own[k] = v } else { upper[k, default: Count()].met += v.met; upper[k, default: Count()].total += v.total }
            }
            let counts = own
            times.count += since(t)
            t = Date()
            try await db.transaction { tx in try await InstrumentBulkWriter.withBulkSettings(on: tx) { try await apply(counts, on: tx) } }
            times.write += since(t)
            done += facts.count
            progress(done, total)
        }
        let t = Date()
        let counts = upper
        try await db.transaction { tx in try await InstrumentBulkWriter.withBulkSettings(on: tx) { try await apply(counts, on: tx) } }
        // Fresh statistics for the planner: without them PostgreSQL scans the new table (3× slower views).
        if sql.dialect.name == "postgresql" { try await sql.raw("ANALYZE metric_counts").run() }
        times.write += since(t)
        return times
    }

    /// Every row, for comparing the incremental state with a rebuild (tests).
    public static func all(on db: any Database) async throws -> [String: Count] {
        var out: [String: Count] = [:]
        for r in try await (db as! any SQLDatabase).raw("SELECT level, metric, grain, region_code, bucket, sub_no, met_n, total_n FROM metric_counts").all() {
            let c = Count(met: try r.decode(column: "met_n", as: Int.self), total: try r.decode(column: "total_n", as: Int.self))
            guard c != Count() else { continue }
            let key = try ["level", "metric", "grain", "region_code", "bucket"].map { try r.decode(column: $0, as: String.self) }.joined(separator: "|")
            out[key + "|\(try r.decode(column: "sub_no", as: Int.self))"] = c
        }
        return out
    }
}
