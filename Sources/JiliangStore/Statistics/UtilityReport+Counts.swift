import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The 三表 通报 from the kept counts (migration 014): the same report as `UtilityReport.build`
/// (a test checks it on random data), for a county, a city or the whole province, from sums over
/// `utility_counts` and a range read of `utility_offences` instead of every meter's history.
extension UtilityReport {
    /// `offenderLimit`: list only the first offending meters in the report's order (a province's
    /// year can have hundreds of thousands; `misses` still counts them all); nil lists every one.
    public static func counted(
        region: RegionCode, period: MetricPeriod, offenderLimit: Int? = nil, by p: Principal, on db: any Database
    ) async throws -> UtilityReport {
        try Statistics.authorize(region, p)
        let range = region.subtreeRange
        // The period's events and the meters' snapshot, per place and company: independent reads.
        let cells = try await withThrowingTaskGroup(of: [CompanyCell].self) { group in
            for r in MetricCounts.ranges(period) {
                group.addTask { try await companyCells(metrics: ["firstVerification", "rotation"], grain: r.grain, lo: r.lo, hi: r.hi, regions: range, on: db) }
            }
            group.addTask { try await companyCells(metrics: ["count"], grain: "s", lo: MetricCounts.never, hi: MetricCounts.never, regions: range, on: db) }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let names = try await Registry.regionNames(on: db)

        let ownerIDs = Set(cells.map(\.owner).filter { $0 != 0 })
        var companies: [Int: Company] = [:]
        for o in try await ownerIDs.isEmpty ? [] : OwnerModel.query(on: db).filter(\.$id ~~ ownerIDs).all() {
            companies[o.id!] = Company(ownerID: o.id!, name: o.name, creditCode: o.creditCode, region: o.regionCode, metersInUse: 0, firstVerification: Rate(0, 0), rotation: Rate(0, 0))
        }
        var first = Rate(0, 0), rotation = Rate(0, 0)
        var missesByOwner: [Int: Int] = [:]
        var areaCells: [String: [CompanyCell]] = [:]
        let prefix = MetricCounts.childLevel(of: region)?.prefix
        for c in cells {
            if c.metric != "count" { missesByOwner[c.owner, default: 0] += c.rate.unmet }
            switch c.metric {
            case "count": companies[c.owner]?.metersInUse += c.rate.numerator
            case "firstVerification":
                first.add(c.rate)
                companies[c.owner]?.firstVerification.add(c.rate)
            default:
                rotation.add(c.rate)
                companies[c.owner]?.rotation.add(c.rate)
            }
            if let prefix {
                let head = String(c.place.prefix(prefix))
                areaCells[head + String(repeating: "0", count: 6 - head.count), default: []].append(c)
            }
        }
        // A child region is listed when it holds utility meters, as on the plain path.
        let areas = areaCells.keys.sorted().compactMap { code -> Area? in
            guard code != region.value, let child = RegionCode(code), let mine = areaCells[code],
                  mine.contains(where: { $0.metric == "count" && $0.rate.denominator > 0 }) else { return nil }
            func sum(_ metric: String) -> Rate { mine.filter { $0.metric == metric }.reduce(Rate(0, 0)) { $0 + $1.rate } }
            return Area(region: child, name: names[code] ?? code, firstVerification: sum("firstVerification"), rotation: sum("rotation"))
        }
        let name = { (owner: Int) in companies[owner]?.name ?? "" }
        let offenders: [Offender]
        if let limit = offenderLimit {
            offenders = try await firstOffences(limit, misses: missesByOwner, name: name, regions: range, period: period, on: db)
        } else {
            offenders = try await offences(owners: nil, regions: range, period: period, limit: nil, name: name, on: db).sorted(by: inReportOrder)
        }
        return UtilityReport(
            region: region, regionName: names[region.value] ?? region.value, period: period, firstVerification: first, rotation: rotation,
            companies: companies.values.filter { $0.metersInUse > 0 || $0.firstVerification.denominator > 0 || $0.rotation.denominator > 0 }
                .sorted { ($0.region, $0.name) < ($1.region, $1.name) },
            areas: areas, offenders: offenders)
    }

    /// One summed cell of `utility_counts`: a company's metric at one place.
    struct CompanyCell: Sendable {
        var place: String, owner: Int, metric: String, rate: Rate
    }

    static func companyCells(
        metrics: [String], grain: String, lo: String, hi: String, regions: ClosedRange<String>, on db: any Database
    ) async throws -> [CompanyCell] {
        try await (db as! any SQLDatabase).raw("""
            SELECT region_code, owner_id, metric, CAST(SUM(met_n) AS BIGINT) AS met, CAST(SUM(total_n) AS BIGINT) AS total FROM utility_counts
            WHERE metric IN (\(binds: metrics)) AND grain = \(bind: grain) AND region_code BETWEEN \(bind: regions.lowerBound) AND \(bind: regions.upperBound)
            AND bucket BETWEEN \(bind: lo) AND \(bind: hi)
            GROUP BY region_code, owner_id, metric
            """).all().map { r in
            CompanyCell(
                place: try r.decode(column: "region_code", as: String.self), owner: try r.decode(column: "owner_id", as: Int.self),
                metric: try r.decode(column: "metric", as: String.self), rate: Rate(try r.decode(column: "met", as: Int.self), try r.decode(column: "total", as: Int.self)))
        }
    }

    /// The offending meters of a region whose deciding day lies in the period (of some companies
    /// only, and the first `limit` in the report's order within them, when given).
    static func offences(
        owners: [Int]?, problem: Offender.Problem? = nil, regions: ClosedRange<String>, period: MetricPeriod, limit: Int?, name: (Int) -> String,
        on db: any Database
    ) async throws -> [Offender] {
        var only = ""
        if let owners { only += owners.count == 1 ? " AND o.owner_id = \(owners[0])" : " AND o.owner_id IN (\(owners.map(String.init).joined(separator: ",")))" }
        if let problem { only += " AND o.problem = '\(problem.rawValue)'" }
        let ofOwners = SQLRaw(only)
        let top = limit.map { SQLRaw(" ORDER BY o.problem, o.day, o.instrument_id LIMIT \($0)") } ?? SQLRaw("")
        return try await (db as! any SQLDatabase).raw("""
            SELECT o.instrument_id, o.problem, o.day, o.region_code, o.owner_id, o.code, o.meter_type FROM utility_offences o
            WHERE o.region_code BETWEEN \(bind: regions.lowerBound) AND \(bind: regions.upperBound)
            AND o.day BETWEEN \(bind: period.start.description) AND \(bind: period.end.description)\(ofOwners)\(top)
            """).all().compactMap { r -> Offender? in
            guard let problem = Offender.Problem(rawValue: try r.decode(column: "problem", as: String.self)),
                  let day = CalendarDay(try r.decode(column: "day", as: String.self)) else { return nil }
            return Offender(
                instrumentID: try r.decode(column: "instrument_id", as: Int.self), code: try r.decode(column: "code", as: String.self),
                ownerName: name(try r.decode(column: "owner_id", as: Int.self)), meterType: try r.decode(column: "meter_type", as: String?.self) ?? "",
                region: try r.decode(column: "region_code", as: String.self), problem: problem, day: day)
        }
    }

    /// The first `limit` offending meters in the report's order without reading them all: the
    /// companies' misses (from the counts) say whose offences come first, and each company's are
    /// read problem by problem in the order of its index (owner, problem, day, meter), stopping at
    /// the limit. Companies sharing a name are read together and sorted.
    static func firstOffences(
        _ limit: Int, misses: [Int: Int], name: (Int) -> String, regions: ClosedRange<String>, period: MetricPeriod, on db: any Database
    ) async throws -> [Offender] {
        let byName = Dictionary(grouping: misses.filter { $0.value > 0 }.keys, by: name)
        var out: [Offender] = []
        for n in byName.keys.sorted() where out.count < limit {
            let owners = byName[n]!.sorted()
            guard owners.count == 1 else {
                out += try await offences(owners: owners, regions: regions, period: period, limit: limit - out.count, name: name, on: db).sorted(by: inReportOrder)
                continue
            }
            for problem in [Offender.Problem.noFirstVerification, .notRotated].sorted(by: { $0.rawValue < $1.rawValue }) where out.count < limit {
                out += try await offences(owners: owners, problem: problem, regions: regions, period: period, limit: limit - out.count, name: name, on: db)
                    .sorted(by: inReportOrder)
            }
        }
        return out
    }

    /// The offenders' order: by company, problem, day, and the order the meters were registered in.
    static func inReportOrder(_ a: Offender, _ b: Offender) -> Bool {
        (a.ownerName, a.problem.rawValue, a.day, a.instrumentID) < (b.ownerName, b.problem.rawValue, b.day, b.instrumentID)
    }
}
