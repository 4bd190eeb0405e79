import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Reading the counts: the same `Statistics.Report`s as the plain path, from sums over a few
/// thousand rows of `metric_counts` (docs/statistics.md, "Fast path").
extension MetricCounts {
    /// The level whose rows hold a region's totals.
    static func level(of r: RegionCode) -> String {
        switch r.level {
        case .province: "province"
        case .city: "city"
        case .county: "place"
        }
    }

    /// The period as bucket ranges: whole months from the month rows, partial months from the day rows.
    static func ranges(_ p: MetricPeriod) -> [(grain: String, lo: String, hi: String)] {
        var out: [(String, String, String)] = []
        var day = p.start
        while day <= p.end {
            let month = MetricPeriod.month(of: day)
            if day == month.start && month.end <= p.end {
                let key = String(day.description.prefix(7))
                if let last = out.last, last.0 == "m", MetricPeriod.month(of: month.start.adding(days: -1)).start.description.prefix(7) == last.2 {
                    out[out.count - 1].2 = key
                } else {
                    out.append(("m", key, key))
                }
            } else {
                out.append(("d", day.description, min(month.end, p.end).description))
            }
            day = month.end.adding(days: 1)
        }
        return out
    }

    /// Which pass-rate counts answer a period: those of the calendar month, quarter or year it lies in.
    static func passSuffix(_ p: MetricPeriod) -> String {
        if p.end <= MetricPeriod.month(of: p.start).end { return "m" }
        if p.end <= MetricPeriod.quarter(of: p.start).end { return "q" }
        return "y"
    }

    static let additive = ["onTime", "firstVerification", "rotation", "spotChecks"]

    /// Sums of the additive metrics over `period` per region of `level` among `regions` (named
    /// one by one, so that each walks the key down to the bucket range).
    static func sums(level: String, regions: [String], period: MetricPeriod, on db: any Database) async throws -> [String: [String: Rate]] {
        guard !regions.isEmpty else { return [:] }
        let sql = db as! any SQLDatabase
        let suffix = passSuffix(period)
        let metrics = additive + ["firstPass.\(suffix)", "afterAdjustment.\(suffix)"]
        var out: [String: [String: Rate]] = [:]
        // One query per bucket range, so that each walks the key (level, metric, grain, region, bucket).
        for range in ranges(period) {
            for r in try await sql.raw("""
                SELECT region_code, metric, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM metric_counts
                WHERE level = \(bind: level) AND metric IN (\(binds: metrics)) AND grain = \(bind: range.grain)
                AND region_code IN (\(binds: regions)) AND bucket BETWEEN \(bind: range.lo) AND \(bind: range.hi)
                GROUP BY region_code, metric
                """).all() {
                let metric = try r.decode(column: "metric", as: String.self)
                let name = metric.split(separator: ".").first.map(String.init) ?? metric
                let region = try r.decode(column: "region_code", as: String.self)
                let rate = Rate(try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self))
                out[region, default: [:]][name] = (out[region]?[name] ?? Rate(0, 0)) + rate
            }
        }
        return out
    }

    /// The snapshot metrics (instrument count, filing) on `day` per region of `level` in `regions`.
    static func snapshot(level: String, regions: ClosedRange<String>, on day: CalendarDay, on db: any Database) async throws -> [String: [String: Rate]] {
        var out: [String: [String: Rate]] = [:]
        for r in try await (db as! any SQLDatabase).raw("""
            SELECT region_code, metric, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM metric_counts
            WHERE level = \(bind: level) AND metric IN ('count', 'filing') AND grain = 's' AND region_code BETWEEN \(bind: regions.lowerBound) AND \(bind: regions.upperBound)
            AND bucket > \(bind: day.description)
            GROUP BY region_code, metric
            """).all() {
            out[try r.decode(column: "region_code", as: String.self), default: [:]][try r.decode(column: "metric", as: String.self)] =
                Rate(try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self))
        }
        return out
    }

    /// Instruments in use on `day` per sub-item and place, for the places in `regions`.
    static func inUse(regions: ClosedRange<String>, on day: CalendarDay, on db: any Database) async throws -> [Int: [RegionCode: Int]] {
        var out: [Int: [RegionCode: Int]] = [:]
        for r in try await (db as! any SQLDatabase).raw("""
            SELECT region_code, sub_no, CAST(SUM(total_n) AS BIGINT) AS n FROM metric_counts
            WHERE level = 'place' AND metric = 'inUse' AND grain = 's' AND region_code BETWEEN \(bind: regions.lowerBound) AND \(bind: regions.upperBound)
            AND bucket > \(bind: day.description)
            GROUP BY region_code, sub_no
            """).all() {
            let n = try r.decode(column: "n", as: Int.self)
            guard n > 0, let place = RegionCode(try r.decode(column: "region_code", as: String.self)) else { continue }
            out[try r.decode(column: "sub_no", as: Int.self), default: [:]][place] = n
        }
        return out
    }

    static func report(
        _ region: RegionCode, period: MetricPeriod, sums: [String: Rate], snapshot: [String: Rate], inUse: [Int: [RegionCode: Int]], providers: [CapabilityProvider]
    ) -> Statistics.Report {
        let valid = Dictionary(grouping: providers.filter { $0.isValid(on: period.end) }, by: \.subNo)
        let zero = Rate(0, 0)
        return Statistics.Report(
            region: region, period: period, instruments: snapshot["count"]?.denominator ?? 0, onTime: sums["onTime"] ?? zero,
            passRates: .init(firstPass: sums["firstPass"] ?? zero, afterAdjustment: sums["afterAdjustment"] ?? zero, spotChecks: sums["spotChecks"] ?? zero),
            filing: snapshot["filing"] ?? zero,
            coverage: Metrics.coverage(inUse: inUse) { sub, place in valid[sub]?.contains { $0.serves.contains(place) } ?? false },
            firstVerification: sums["firstVerification"] ?? zero, rotationOnTime: sums["rotation"] ?? zero)
    }

    /// A region's report from the counts (equal to `Statistics.compute` over its instruments).
    public static func report(region: RegionCode, period: MetricPeriod, providers: [CapabilityProvider], by p: Principal, on db: any Database) async throws -> Statistics.Report {
        try Statistics.authorize(region, p)
        let range = region.value...region.value
        let level = level(of: region)
        return report(
            region, period: period, sums: try await sums(level: level, regions: [region.value], period: period, on: db)[region.value] ?? [:],
            snapshot: try await snapshot(level: level, regions: range, on: period.end, on: db)[region.value] ?? [:],
            inUse: try await inUse(regions: region.subtreeRange, on: period.end, on: db), providers: providers)
    }

    /// The child regions' reports (cities of a province, counties of a city) that hold instruments.
    public static func breakdown(region: RegionCode, period: MetricPeriod, providers: [CapabilityProvider], by p: Principal, on db: any Database) async throws -> [Statistics.Report] {
        try Statistics.authorize(region, p)
        let level: String, prefix: Int
        switch region.level {
        case .province: (level, prefix) = ("city", 4)
        case .city: (level, prefix) = ("place", 6)
        case .county: return []
        }
        let range = region.subtreeRange
        let snapshots = try await snapshot(level: level, regions: range, on: period.end, on: db)
        let sums = try await sums(level: level, regions: snapshots.keys.filter { $0 != region.value }.sorted(), period: period, on: db)
        let places = try await inUse(regions: range, on: period.end, on: db)
        return snapshots.keys.sorted().compactMap { code -> Statistics.Report? in
            guard code != region.value, let child = RegionCode(code), (snapshots[code]?["count"]?.denominator ?? 0) > 0 else { return nil }
            let head = code.prefix(prefix)
            let mine = places.mapValues { $0.filter { $0.key.value.hasPrefix(head) } }.filter { !$0.value.isEmpty }
            return report(child, period: period, sums: sums[code] ?? [:], snapshot: snapshots[code] ?? [:], inUse: mine, providers: providers)
        }
    }

    /// The monthly trend of a year up to `asOf`, from the counts: the month rows grouped by month,
    /// the running month from its day rows, and the snapshot rows read once.
    public static func trend(region: RegionCode, year: Int, asOf: CalendarDay, by p: Principal, on db: any Database) async throws -> [(month: MetricPeriod, rates: [MetricKind: Rate])] {
        try Statistics.authorize(region, p)
        let level = level(of: region), sql = db as! any SQLDatabase
        var byMonth: [String: [String: Rate]] = [:]
        let months = (1...12).map { MetricPeriod.month(of: CalendarDay(year: year, month: $0, day: 1)!) }
        let full = months.filter { $0.end <= asOf }
        if let first = full.first, let last = full.last {
            for r in try await sql.raw("""
                SELECT bucket, metric, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM metric_counts
                WHERE level = \(bind: level) AND metric IN (\(binds: additive + ["firstPass.m", "afterAdjustment.m"])) AND grain = 'm' AND region_code = \(bind: region.value)
                AND bucket BETWEEN \(bind: String(first.start.description.prefix(7))) AND \(bind: String(last.start.description.prefix(7)))
                GROUP BY bucket, metric
                """).all() {
                let metric = try r.decode(column: "metric", as: String.self)
                byMonth[try r.decode(column: "bucket", as: String.self), default: [:]][metric.split(separator: ".").first.map(String.init) ?? metric] =
                    Rate(try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self))
            }
        }
        // Filing on each month's last counted day: the snapshot rows whose bucket (retirement day) is later.
        var snapshot: [(bucket: String, met: Int, total: Int)] = []
        for r in try await sql.raw("""
            SELECT bucket, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM metric_counts
            WHERE level = \(bind: level) AND metric = 'filing' AND grain = 's' AND region_code = \(bind: region.value) GROUP BY bucket
            """).all() {
            snapshot.append((try r.decode(column: "bucket", as: String.self), try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self)))
        }
        var out: [(MetricPeriod, [MetricKind: Rate])] = []
        let zero = Rate(0, 0)
        for whole in months {
            guard let period = whole.through(asOf) else {
                out.append((whole, [:]))
                continue
            }
            let s = period.end == whole.end ? byMonth[String(whole.start.description.prefix(7))] ?? [:]
                : try await sums(level: level, regions: [region.value], period: period, on: db)[region.value] ?? [:]
            let day = period.end.description
            let filing = snapshot.filter { $0.bucket > day }.reduce(zero) { $0 + Rate($1.met, $1.total) }
            out.append((period, [
                .onTime: s["onTime"] ?? zero, .firstPass: s["firstPass"] ?? zero, .afterAdjustment: s["afterAdjustment"] ?? zero,
                .spotChecks: s["spotChecks"] ?? zero, .filing: filing, .firstVerification: s["firstVerification"] ?? zero,
                .rotation: s["rotation"] ?? zero,
            ]))
        }
        return out
    }
}

extension MetricCounts {
    /// Instruments in use on `day` per place and sub-item in a region's subtree (for the gap analysis).
    public static func inUseByPlace(region: RegionCode, on day: CalendarDay, on db: any Database) async throws -> [RegionCode: [Int: Int]] {
        var out: [RegionCode: [Int: Int]] = [:]
        for (sub, places) in try await inUse(regions: region.subtreeRange, on: day, on: db) {
            for (place, n) in places { out[place, default: [:]][sub, default: 0] += n }
        }
        return out
    }
}
