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
    public struct Key: Hashable, Sendable {
        var level: String, region: String, sub: Int, metric: String, grain: String, bucket: String
    }
    public struct Count: Sendable, Equatable {
        var met = 0, total = 0
    }
    public typealias Counts = [Key: Count]

    /// Bucket of the snapshot metrics for an instrument never retired.
    static let never = "9999-12-31"
    static let forever = MetricPeriod(start: CalendarDay(year: 1900, month: 1, day: 1)!, end: CalendarDay(year: 2999, month: 12, day: 31)!)
    /// The period kinds pass rates are kept for: the first check *in the period* depends on it.
    static let passKinds = ["m", "q", "y"]

    static func period(_ suffix: String, of day: CalendarDay) -> MetricPeriod {
        switch suffix {
        case "m": MetricPeriod.month(of: day)
        case "q": MetricPeriod.quarter(of: day)
        default: MetricPeriod.year(of: day)
        }
    }

    /// Adds `sign` × the contribution of `instruments` to `counts`.
    static func add(_ instruments: [MetricInstrument], sign: Int, to counts: inout Counts) {
        for i in instruments {
            guard let place = i.region else { continue }
            var levels = [("place", place.value)]
            switch place.level {
            case .county: levels += [("city", place.value.prefix(4) + "00"), ("province", place.value.prefix(2) + "0000")]
            case .city: levels += [("city", place.value), ("province", place.value.prefix(2) + "0000")]
            case .province: break
            }
            func put(_ metric: String, _ grain: String, _ bucket: String, met: Bool, placeOnly: Bool = false) {
                for (level, region) in levels where !placeOnly || level == "place" {
                    let k = Key(level: level, region: region, sub: i.subNo, metric: metric, grain: grain, bucket: bucket)
                    counts[k, default: Count()].total += sign
                    if met { counts[k, default: Count()].met += sign }
                }
            }
            func event(_ metric: String, _ e: MetricEvent) {
                put(metric, "d", e.day.description, met: e.met)
                put(metric, "m", String(e.day.description.prefix(7)), met: e.met)
            }
            let retired = i.retiredOn?.description ?? never
            put("count", "s", never, met: true)
            if i.lifecycle != .scrapped && i.lifecycle != .rotatedOut {
                put("filing", "s", retired, met: i.lifecycle != .draft)
                if i.lifecycle != .draft { put("inUse", "s", retired, met: true, placeOnly: true) }
            }
            for e in Metrics.onTimeEvents([i], in: forever) { event("onTime", e) }
            for e in Metrics.firstVerificationEvents([i], in: forever) { event("firstVerification", e) }
            for e in Metrics.rotationEvents([i], in: forever) { event("rotation", e) }
            for e in Metrics.passEvents([i], in: forever).spotChecks { event("spotChecks", e) }
            for suffix in passKinds {
                for p in Set(i.records.map { period(suffix, of: $0.date).start }).map({ period(suffix, of: $0) }) {
                    let e = Metrics.passEvents([i], in: p)
                    for x in e.firstPass { event("firstPass.\(suffix)", x) }
                    for x in e.afterAdjustment { event("afterAdjustment.\(suffix)", x) }
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
        let rows = delta.filter { $0.value != Count() }
        guard !rows.isEmpty else { return }
        let sql = db as! any SQLDatabase
        let list = Array(rows)
        for start in stride(from: 0, to: list.count, by: 500) {
            let insert = sql.insert(into: "metric_counts").columns("level", "metric", "grain", "region_code", "bucket", "sub_no", "met_n", "total_n")
            for (k, v) in list[start..<min(start + 500, list.count)] {
                insert.values(SQLBind(k.level), SQLBind(k.metric), SQLBind(k.grain), SQLBind(k.region), SQLBind(k.bucket), SQLBind(k.sub), SQLBind(v.met), SQLBind(v.total))
            }
            try await insert.onConflict(with: ["level", "metric", "grain", "region_code", "bucket", "sub_no"]) {
                $0.set("met_n", to: SQLRaw("metric_counts.met_n + excluded.met_n")).set("total_n", to: SQLRaw("metric_counts.total_n + excluded.total_n"))
            }.run()
        }
    }

    /// Recounts everything from the registry (after a bulk load, or to repair): instruments in id
    /// order, `batch` at a time, each batch's counts added in one transaction. `progress(done, total)`.
    public static func rebuild(batch: Int = 20_000, on db: any Database, progress: (Int, Int) -> Void = { _, _ in }) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM metric_counts").run()
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM instruments").first()?.decode(column: "n", as: Int.self) ?? 0
        let forms = try await Statistics.forms(on: db)
        var last = 0, done = 0
        while true {
            let ids = try await sql.raw("SELECT id FROM instruments WHERE id > \(bind: last) ORDER BY id LIMIT \(unsafeRaw: String(batch))").all()
                .map { try $0.decode(column: "id", as: Int.self) }
            guard let hi = ids.last else { break }
            let facts = try await Statistics.loadFacts(where: SQLRaw("i.id > \(last) AND i.id <= \(hi)"), forms: forms, on: db)
            var c = Counts()
            add(facts, sign: 1, to: &c)
            let counts = c
            try await db.transaction { tx in try await apply(counts, on: tx) }
            last = hi
            done += ids.count
            progress(done, total)
        }
    }

    /// Every row, for comparing the incremental state with a rebuild (tests).
    public static func all(on db: any Database) async throws -> Counts {
        var out = Counts()
        for r in try await (db as! any SQLDatabase).raw("SELECT level, metric, grain, region_code, bucket, sub_no, met_n, total_n FROM metric_counts").all() {
            let c = Count(met: try r.decode(column: "met_n", as: Int.self), total: try r.decode(column: "total_n", as: Int.self))
            guard c != Count() else { continue }
            out[Key(level: try r.decode(column: "level", as: String.self), region: try r.decode(column: "region_code", as: String.self),
                    sub: try r.decode(column: "sub_no", as: Int.self), metric: try r.decode(column: "metric", as: String.self),
                    grain: try r.decode(column: "grain", as: String.self), bucket: try r.decode(column: "bucket", as: String.self))] = c
        }
        return out
    }
}
