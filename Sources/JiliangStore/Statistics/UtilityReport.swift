import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The 三表 通报 (notice on utility meters): per utility company and per region, the
/// first-verification and rotation-on-time rates of docs/metrics.md for a period, with every
/// offending meter listed — put into use without a passed first verification, or still in use
/// after its service life ended.
///
/// `build` computes it the plain way, from every meter's facts (the reference, limited to
/// `Statistics.plainPathLimit` instruments); `counted` reads it from the kept counts at any size and
/// is what the pages, files and the monthly run use.
public struct UtilityReport: Sendable {
    public struct Company: Sendable, Equatable {
        public var ownerID: Int
        public var name: String
        public var creditCode: String
        public var region: String
        public var metersInUse: Int
        public var firstVerification: Rate
        public var rotation: Rate
    }

    public struct Area: Sendable, Equatable {
        public var region: RegionCode
        public var name: String
        public var firstVerification: Rate
        public var rotation: Rate
        /// The area's offending meters (as `UtilityReport.misses`).
        public var misses: Int { firstVerification.unmet + rotation.unmet }
    }

    public struct Offender: Sendable, Equatable {
        public enum Problem: String, Sendable { case noFirstVerification = "first_verification", notRotated = "rotation" }
        public var instrumentID: Int
        public var code: String
        public var ownerName: String
        public var meterType: String
        public var region: String
        public var problem: Problem
        /// The day that decided it: the first day of use, or the service life's end.
        public var day: CalendarDay
    }

    public var region: RegionCode
    public var regionName: String
    public var period: MetricPeriod
    public var firstVerification: Rate
    public var rotation: Rate
    public var companies: [Company]
    public var areas: [Area]
    public var offenders: [Offender]

    /// Every offending meter of the region and period: a missed first verification or rotation is
    /// exactly an unmet event of the two rates (`offenders` may list only the first of them).
    public var misses: Int { firstVerification.unmet + rotation.unmet }

    public static func build(region: RegionCode, period: MetricPeriod, by p: Principal, on db: any Database) async throws -> UtilityReport {
        let meters = try await Statistics.facts(region: region, by: p, on: db).filter(\.isUtilityMeter)
        let first = Metrics.firstVerificationEvents(meters, in: period), rotation = Metrics.rotationEvents(meters, in: period)
        let byID = Dictionary(uniqueKeysWithValues: meters.map { ($0.id, $0) })
        let names = try await Registry.regionNames(on: db)

        var companies: [Int: Company] = [:]
        let ownerIDs = Set(meters.compactMap(\.ownerID))
        let owners = try await ownerIDs.isEmpty ? [] : OwnerModel.query(on: db).filter(\.$id ~~ ownerIDs).all()
        for o in owners {
            companies[o.id!] = Company(ownerID: o.id!, name: o.name, creditCode: o.creditCode, region: o.regionCode, metersInUse: 0, firstVerification: Rate(0, 0), rotation: Rate(0, 0))
        }
        for m in meters where m.lifecycle == .inService { if let o = m.ownerID { companies[o]?.metersInUse += 1 } }
        for e in first { if let o = byID[e.instrumentID]?.ownerID { companies[o]?.firstVerification.count(e) } }
        for e in rotation { if let o = byID[e.instrumentID]?.ownerID { companies[o]?.rotation.count(e) } }

        var areas: [Area] = []
        for child in Statistics.breakdown(meters, region: region, period: period, providers: []) {
            areas.append(Area(region: child.region, name: names[child.region.value] ?? child.region.value, firstVerification: child.firstVerification, rotation: child.rotationOnTime))
        }

        let missed = first.filter { !$0.met }.map { ($0, Offender.Problem.noFirstVerification) } + rotation.filter { !$0.met }.map { ($0, Offender.Problem.notRotated) }
        var details: [Int: (code: String, meter: String, region: String)] = [:]
        let sql = db as! any SQLDatabase
        let ids = Array(Set(missed.map(\.0.instrumentID))).sorted()
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            for r in try await sql.select().column("id").column("code").column("meter_type").column("region_code").from("instruments")
                .where("id", .in, chunk).all() {
                details[try r.decode(column: "id", as: Int.self)] = (
                    try r.decode(column: "code", as: String.self), try r.decode(column: "meter_type", as: String?.self) ?? "",
                    try r.decode(column: "region_code", as: String.self)
                )
            }
        }
        let offenders = missed.map { e, problem in
            Offender(
                instrumentID: e.instrumentID, code: details[e.instrumentID]?.code ?? "#\(e.instrumentID)",
                ownerName: byID[e.instrumentID]?.ownerID.flatMap { companies[$0]?.name } ?? "", meterType: details[e.instrumentID]?.meter ?? "",
                region: details[e.instrumentID]?.region ?? "", problem: problem, day: e.day)
        }.sorted(by: inReportOrder)

        return UtilityReport(
            region: region, regionName: names[region.value] ?? region.value, period: period, firstVerification: Rate(first), rotation: Rate(rotation),
            companies: companies.values.filter { $0.metersInUse > 0 || $0.firstVerification.denominator > 0 || $0.rotation.denominator > 0 }
                .sorted { ($0.region, $0.name) < ($1.region, $1.name) },
            areas: areas, offenders: offenders)
    }
}
