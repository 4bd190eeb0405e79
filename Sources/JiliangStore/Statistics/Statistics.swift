import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The supervision rates of docs/metrics.md for a region subtree and a period, computed the plain
/// way: the facts of every instrument in the region are read and `Metrics` is applied. This is the
/// reference every faster path (issue #4's incremental aggregates, not built yet) must agree with;
/// it suits a county or a city, not a whole province at 10M instruments.
public enum Statistics {
    public struct Report: Sendable {
        public var region: RegionCode
        public var period: MetricPeriod
        public var instruments: Int
        public var onTime: Rate
        public var passRates: Metrics.PassRates
        public var filing: Rate
        public var coverage: Metrics.Coverage
        public var firstVerification: Rate
        public var rotationOnTime: Rate
    }

    /// At most this many instruments are read on the plain path (a county or a city of the demo).
    public static let plainPathLimit = 200_000

    public static func report(region: RegionCode, period: MetricPeriod, by p: Principal, on db: any Database) async throws -> Report {
        guard p.role == .provinceAdmin || p.role == .bureauStaff, p.may(.readRegistry) else { throw RegistryError.forbidden("statistics") }
        if case .region(let own) = p.scope, !own.contains(region) { throw RegistryError.notFound(entity: "region", key: region.description) }
        let sql = db as! any SQLDatabase
        let range = region.subtreeRange
        let count = try await sql.raw("SELECT COUNT(*) AS n FROM instruments WHERE region_code BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        guard count <= plainPathLimit else {
            throw RegistryError.invalid("region", "\(count) instruments in \(region): more than the \(plainPathLimit) the plain computation reads; choose a smaller region")
        }
        let forms = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.entry.form) })
        var instruments: [Int: MetricInstrument] = [:]
        for r in try await sql.raw("""
            SELECT i.id, i.sub_no, i.lifecycle, i.in_service_date, i.meter_type FROM instruments i
            WHERE i.region_code BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)
            """).all() {
            let id = try r.decode(column: "id", as: Int.self), sub = try r.decode(column: "sub_no", as: Int.self)
            let meter = try r.decode(column: "meter_type", as: String?.self).flatMap(MeterType.init(rawValue:))
            instruments[id] = MetricInstrument(
                id: id, subNo: sub, form: forms[sub] ?? nil, lifecycle: LifecycleStatus(rawValue: try r.decode(column: "lifecycle", as: String.self)) ?? .draft,
                inServiceOn: try r.decode(column: "in_service_date", as: String?.self).flatMap { CalendarDay($0) },
                isUtilityMeter: meter != nil && meter != .heat)
        }
        for r in try await sql.raw("""
            SELECT v.id, v.instrument_id, v.verified_on, v.kind, v.result, v.valid_until, v.corrects_id FROM verification_records v
            JOIN instruments i ON i.id = v.instrument_id WHERE i.region_code BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)
            """).all() {
            let id = try r.decode(column: "instrument_id", as: Int.self)
            guard let day = CalendarDay(try r.decode(column: "verified_on", as: String.self)),
                let kind = VerificationKind(rawValue: try r.decode(column: "kind", as: String.self)),
                let result = VerificationResult(rawValue: try r.decode(column: "result", as: String.self))
            else { continue }
            instruments[id]?.records.append(VerificationFact(
                id: Int64(try r.decode(column: "id", as: Int.self)), date: day, kind: kind, result: result,
                validUntil: try r.decode(column: "valid_until", as: String?.self).flatMap { CalendarDay($0) },
                corrects: try r.decode(column: "corrects_id", as: Int?.self).map(Int64.init)))
        }
        for r in try await sql.raw("""
            SELECT s.instrument_id, MIN(s.changed_on) AS day FROM status_changes s JOIN instruments i ON i.id = s.instrument_id
            WHERE s.to_status IN ('scrapped', 'rotated_out') AND i.region_code BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)
            GROUP BY s.instrument_id
            """).all() {
            instruments[try r.decode(column: "instrument_id", as: Int.self)]?.retiredOn = CalendarDay(try r.decode(column: "day", as: String.self))
        }
        // A limited-life meter's life ends with its first verification's valid-until (the rule's service life).
        for (id, i) in instruments where i.form == .firstOnlyRotation {
            instruments[id]?.lifeEnds = ComplianceEngine.effectiveRecords(i.records).last { $0.kind != .spotCheck && $0.result == .pass }?.validUntil
        }
        let all = Array(instruments.values)
        // Capability: a sub-item is covered when an authorisation scope on the period's last day
        // covers the whole region (the scope's region is the region or one above it).
        let day = period.end.description
        var covered = Set<Int>()
        for s in try await InstitutionScopeModel.query(on: db).filter(\.$validFrom <= day).filter(\.$validUntil >= day).all()
        where RegionCode(s.regionCode).map({ $0.contains(region) }) ?? false {
            covered.insert(s.subNo)
        }
        var inUse: [Int: Int] = [:]
        for i in all where i.lifecycle != .draft && i.lifecycle != .scrapped && i.lifecycle != .rotatedOut { inUse[i.subNo, default: 0] += 1 }
        return Report(
            region: region, period: period, instruments: all.count, onTime: Metrics.onTimeRate(all, in: period),
            passRates: Metrics.passRates(all, in: period), filing: Metrics.filingRate(all, on: period.end),
            coverage: Metrics.coverage(inUse: inUse, covered: covered), firstVerification: Metrics.firstVerificationRate(all, in: period),
            rotationOnTime: Metrics.rotationOnTimeRate(all, in: period))
    }
}
