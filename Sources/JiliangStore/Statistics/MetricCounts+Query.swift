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

    static let additive = ["firstVerification", "rotation", "spotChecks", "firstPass", "afterAdjustment"]

    /// Which 受檢率 rows answer a period: those of the calendar month, quarter or year it lies in
    /// (the pages ask for those, whole or to date).
    static func onTimeSuffix(_ p: MetricPeriod) -> String {
        if p.end <= MetricPeriod.month(of: p.start).end { return "m" }
        if p.end <= MetricPeriod.quarter(of: p.start).end { return "q" }
        return "y"
    }

    /// 受检率 from its two parts: the instruments due in the period (`onTime.<kind>`, summed over
    /// the period's days) and those carried into it overdue (`overdue`, summed up to its first day:
    /// in the denominator, never met).
    static func onTimeRate(due: Rate?, carried: Rate?) -> Rate {
        let d = due ?? Rate(0, 0)
        return Rate(d.numerator, d.denominator + (carried?.denominator ?? 0))
    }

    /// The snapshot metrics on `day` per level and region, for `levels` at once: the instruments
    /// registered (every one ever, `count`) and the filing rate as it stood on the day (its dated
    /// changes up to the day, issue #18 item 6).
    static func snapshot(levels: [String], regions: ClosedRange<String>, on day: CalendarDay, on db: any Database) async throws -> [String: [String: [String: Rate]]] {
        var out: [String: [String: [String: Rate]]] = [:]
        for r in try await (db as! any SQLDatabase).raw("""
            SELECT level, region_code, metric, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM metric_counts
            WHERE level IN (\(binds: levels)) AND region_code BETWEEN \(bind: regions.lowerBound) AND \(bind: regions.upperBound)
            AND ((metric = 'count' AND grain = 's') OR (metric = 'filing' AND grain = 'c' AND bucket <= \(bind: day.description)))
            GROUP BY level, region_code, metric
            """).all() {
            out[try r.decode(column: "level", as: String.self), default: [:]][try r.decode(column: "region_code", as: String.self), default: [:]][try r.decode(column: "metric", as: String.self)] =
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

    // The separate reads: each is a part of the dashboard (one code path, checked against the plain one).

    /// A region's report from the counts (equal to `Statistics.compute` over its instruments).
    public static func report(region: RegionCode, period: MetricPeriod, providers: [CapabilityProvider], by p: Principal, on db: any Database) async throws -> Statistics.Report {
        try await dashboard(region: region, period: period, asOf: period.end, providers: providers, by: p, on: db).report
    }

    /// The child regions' reports (cities of a province, counties of a city) that hold instruments.
    public static func breakdown(region: RegionCode, period: MetricPeriod, providers: [CapabilityProvider], by p: Principal, on db: any Database) async throws -> [Statistics.Report] {
        try await dashboard(region: region, period: period, asOf: period.end, providers: providers, by: p, on: db).children
    }

    /// The monthly trend of a year up to `asOf` (months not yet begun are empty).
    public static func trend(region: RegionCode, year: Int, asOf: CalendarDay, by p: Principal, on db: any Database) async throws -> [(month: MetricPeriod, rates: [MetricKind: Rate])] {
        let whole = MetricPeriod.year(of: CalendarDay(year: year, month: 1, day: 1)!)
        guard let period = whole.through(asOf) else {
            try Statistics.authorize(region, p)
            return (1...12).map { (MetricPeriod.month(of: CalendarDay(year: year, month: $0, day: 1)!), [:]) }
        }
        return try await dashboard(region: region, period: period, asOf: asOf, providers: [], by: p, on: db).trend
    }

    /// Instruments in use on `day` per place and sub-item in a region's subtree (for the gap analysis).
    public static func inUseByPlace(region: RegionCode, on day: CalendarDay, on db: any Database) async throws -> [RegionCode: [Int: Int]] {
        byPlace(try await inUse(regions: region.subtreeRange, on: day, on: db))
    }

    /// In-use counts turned from per sub-item to per place.
    public static func byPlace(_ inUse: [Int: [RegionCode: Int]]) -> [RegionCode: [Int: Int]] {
        var out: [RegionCode: [Int: Int]] = [:]
        for (sub, places) in inUse { for (place, n) in places { out[place, default: [:]][sub, default: 0] += n } }
        return out
    }
}
