import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Everything `/app/statistics` shows for a region, read together: the region's rates, its
/// children's rates, the year's monthly trend and the in-use counts behind the gap analysis. Read
/// one by one (`report`, `breakdown`, `trend`, `inUseByPlace`) these took 10–12 queries, three of
/// them the same in-use read over the whole subtree; here they take five, and the period's sums and
/// the trend come from the same month and day rows (BENCHMARKS.md, issue #4).
extension MetricCounts {
    public struct Dashboard: Sendable {
        public var report: Statistics.Report
        /// The child regions (cities of a province, counties of a city) that hold instruments.
        public var children: [Statistics.Report]
        public var trend: [(month: MetricPeriod, rates: [MetricKind: Rate])]
        public var inUseByPlace: [RegionCode: [Int: Int]]
    }

    /// The level of a region's children and how many leading digits name a child.
    static func childLevel(of r: RegionCode) -> (level: String, prefix: Int)? {
        switch r.level {
        case .province: ("city", 4)
        case .city: ("place", 6)
        case .county: nil
        }
    }

    /// The dashboard of `region` for `period`, with the monthly trend of the period's year up to `asOf`.
    /// Equal to the separate reads (a test checks it), which equal the plain path.
    public static func dashboard(
        region: RegionCode, period: MetricPeriod, asOf: CalendarDay, providers: [CapabilityProvider], by p: Principal, on db: any Database
    ) async throws -> Dashboard {
        try Statistics.authorize(region, p)
        let own = level(of: region), child = childLevel(of: region)
        let levels = [own] + (child.map { [$0.level] } ?? [])
        // The reads that do not depend on each other go out together, each on its own pooled
        // connection: the dashboard then waits for the slowest read, not for their sum.
        let months = (1...12).map { MetricPeriod.month(of: CalendarDay(year: period.start.year, month: $0, day: 1)!) }
        let trendPeriods = months.map { (whole: $0, counted: $0.through(asOf)) }
        async let placesRead = inUse(regions: region.subtreeRange, on: period.end, on: db)
        async let trendRead = trendCells(of: region, level: own, periods: trendPeriods.compactMap(\.counted), on: db)
        async let filingRead = filingByBucket(level: own, region: region.value, through: trendPeriods.compactMap { $0.counted?.end }.max(), on: db)
        let snapshots = try await snapshot(levels: levels, regions: region.subtreeRange, on: period.end, on: db)
        let childCodes = child.map { c in (snapshots[c.level] ?? [:]).keys.filter { $0 != region.value }.sorted() } ?? []

        // The period's sums of the region and its children: one read per bucket range, summed over
        // its buckets in the database (a row per region and metric: decoding rows is what costs).
        let regionsRead = [region.value] + childCodes, onTimeMetric = "onTime.\(onTimeSuffix(period))"
        let periodCells = try await withThrowingTaskGroup(of: [Cell].self) { group in
            for r in ranges(period) {
                group.addTask {
                    try await cells(
                        levels: levels, regions: regionsRead, metrics: additive,
                        grain: r.grain, lo: r.lo, hi: r.hi, byBucket: false, on: db)
                }
            }
            // 受检率: the instruments due in the period, and those carried into it overdue.
            group.addTask {
                try await cells(
                    levels: levels, regions: regionsRead, metrics: [onTimeMetric], grain: "c", lo: period.start.description, hi: period.end.description,
                    byBucket: false, on: db)
            }
            group.addTask {
                try await cells(levels: levels, regions: regionsRead, metrics: ["overdue"], grain: "c", lo: "", hi: period.start.description, byBucket: false, on: db)
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        func periodSums(_ level: String, _ code: String) -> [String: Rate] {
            var s: [String: Rate] = periodCells.filter { $0.level == level && $0.region == code }.reduce(into: [:]) { $0[$1.name] = ($0[$1.name] ?? Rate(0, 0)) + $1.rate }
            s["onTime"] = onTimeRate(due: s[onTimeMetric], carried: s["overdue"])
            return s
        }

        let (places, trendCells, filing) = try await (placesRead, trendRead, filingRead)
        func trendSums(_ p: MetricPeriod) -> [String: Rate] {
            var out: [String: Rate] = [:]
            for r in ranges(p) {
                for c in trendCells where c.grain == r.grain && c.bucket >= r.lo && c.bucket <= r.hi { out[c.name] = (out[c.name] ?? Rate(0, 0)) + c.rate }
            }
            let (start, end) = (p.start.description, p.end.description)
            let due = trendCells.filter { $0.grain == "c" && $0.name == "onTime.m" && $0.bucket >= start && $0.bucket <= end }.reduce(Rate(0, 0)) { $0 + $1.rate }
            let carried = trendCells.filter { $0.grain == "c" && $0.name == "overdue" && $0.bucket <= start }.reduce(Rate(0, 0)) { $0 + $1.rate }
            out["onTime"] = onTimeRate(due: due, carried: carried)
            return out
        }

        let report = report(region, period: period, sums: periodSums(own, region.value), snapshot: snapshots[own]?[region.value] ?? [:], inUse: places, providers: providers)
        let children = child.map { c in
            childReports(of: region, prefix: c.prefix, period: period, snapshots: snapshots[c.level] ?? [:], sums: { periodSums(c.level, $0) }, places: places, providers: providers)
        } ?? []
        let trend = trendPeriods.map { t -> (month: MetricPeriod, rates: [MetricKind: Rate]) in
            guard let counted = t.counted else { return (t.whole, [:]) }
            return (counted, trendRates(trendSums(counted), filing: filing, on: counted.end))
        }
        return Dashboard(report: report, children: children, trend: trend, inUseByPlace: byPlace(places))
    }

    /// One summed row of `metric_counts`.
    struct Cell: Sendable {
        var level, region, metric, grain, bucket: String
        var rate: Rate
        var name: String { metric }
    }

    /// The trend's rows: the region's own month rows of the year and day rows of the running month, per bucket.
    static func trendCells(of region: RegionCode, level: String, periods: [MetricPeriod], on db: any Database) async throws -> [Cell] {
        let wanted = periods.flatMap { ranges($0) }
        var out: [Cell] = []
        for grain in ["m", "d"] {
            let mine = wanted.filter { $0.grain == grain }
            guard let lo = mine.map(\.lo).min(), let hi = mine.map(\.hi).max() else { continue }
            out += try await cells(
                levels: [level], regions: [region.value], metrics: additive, grain: grain, lo: lo, hi: hi, byBucket: true, on: db)
        }
        // 受检率's month rows of the year, and the overdue state's changes up to the last month's start.
        if let first = periods.map(\.start).min(), let last = periods.map(\.end).max(), let lastStart = periods.map(\.start).max() {
            out += try await cells(
                levels: [level], regions: [region.value], metrics: ["onTime.m"], grain: "c", lo: first.description, hi: last.description, byBucket: true, on: db)
            out += try await cells(levels: [level], regions: [region.value], metrics: ["overdue"], grain: "c", lo: "", hi: lastStart.description, byBucket: true, on: db)
        }
        return out
    }

    /// The sums of `metrics` per level, region and metric (and bucket, when `byBucket`) over one
    /// bucket range of one grain.
    static func cells(
        levels: [String], regions: [String], metrics: [String], grain: String, lo: String, hi: String, byBucket: Bool, on db: any Database
    ) async throws -> [Cell] {
        let bucket = byBucket ? "bucket" : "''"
        return try await (db as! any SQLDatabase).raw("""
            SELECT level, region_code, metric, \(unsafeRaw: bucket) AS bucket, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total
            FROM metric_counts
            WHERE level IN (\(binds: levels)) AND metric IN (\(binds: metrics)) AND grain = \(bind: grain)
            AND region_code IN (\(binds: regions)) AND bucket BETWEEN \(bind: lo) AND \(bind: hi)
            GROUP BY level, region_code, metric\(unsafeRaw: byBucket ? ", bucket" : "")
            """).all().map { r in
            Cell(level: try r.decode(column: "level", as: String.self), region: try r.decode(column: "region_code", as: String.self),
                 metric: try r.decode(column: "metric", as: String.self), grain: grain, bucket: try r.decode(column: "bucket", as: String.self),
                 rate: Rate(try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self)))
        }
    }

    /// The filing rate's dated changes of one region through `last`, per day: the rate on a day sums
    /// the changes up to it.
    static func filingByBucket(level: String, region: String, through last: CalendarDay?, on db: any Database) async throws -> [(bucket: String, rate: Rate)] {
        guard let last else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT bucket, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM metric_counts
            WHERE level = \(bind: level) AND metric = 'filing' AND grain = 'c' AND region_code = \(bind: region) AND bucket <= \(bind: last.description) GROUP BY bucket
            """).all().map { r in
            (try r.decode(column: "bucket", as: String.self), Rate(try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self)))
        }
    }

    /// A trend point: the month's sums, and filing on its last counted day.
    static func trendRates(_ s: [String: Rate], filing: [(bucket: String, rate: Rate)], on day: CalendarDay) -> [MetricKind: Rate] {
        let zero = Rate(0, 0), d = day.description
        return [
            .onTime: s["onTime"] ?? zero, .firstPass: s["firstPass"] ?? zero, .afterAdjustment: s["afterAdjustment"] ?? zero,
            .spotChecks: s["spotChecks"] ?? zero, .filing: filing.filter { $0.bucket <= d }.reduce(zero) { $0 + $1.rate },
            .firstVerification: s["firstVerification"] ?? zero, .rotation: s["rotation"] ?? zero,
        ]
    }

    /// The children's reports from their snapshot rows (those that hold instruments), their sums and
    /// the in-use counts of their places.
    static func childReports(
        of region: RegionCode, prefix: Int, period: MetricPeriod, snapshots: [String: [String: Rate]], sums: (String) -> [String: Rate],
        places: [Int: [RegionCode: Int]], providers: [CapabilityProvider]
    ) -> [Statistics.Report] {
        snapshots.keys.sorted().compactMap { code -> Statistics.Report? in
            guard code != region.value, let child = RegionCode(code), (snapshots[code]?["count"]?.denominator ?? 0) > 0 else { return nil }
            let head = code.prefix(prefix)
            let mine = places.mapValues { $0.filter { $0.key.value.hasPrefix(head) } }.filter { !$0.value.isEmpty }
            return report(child, period: period, sums: sums(code), snapshot: snapshots[code] ?? [:], inUse: mine, providers: providers)
        }
    }
}
