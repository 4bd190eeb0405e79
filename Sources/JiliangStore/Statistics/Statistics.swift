import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The supervision rates of docs/metrics.md for a region subtree and a period, computed the plain
/// way: the facts of every instrument in the region are read (`facts`) and `Metrics` is applied.
/// This is the reference every faster path must agree with; it suits a county or a city, not a
/// whole province at 10M instruments (issue #4's incremental aggregates are still to come).
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

        public func rate(_ kind: MetricKind) -> Rate {
            switch kind {
            case .onTime: onTime
            case .firstPass: passRates.firstPass
            case .afterAdjustment: passRates.afterAdjustment
            case .spotChecks: passRates.spotChecks
            case .filing: filing
            case .firstVerification: firstVerification
            case .rotation: rotationOnTime
            }
        }
    }

    /// At most this many instruments are read on the plain path (a county or a city of the demo).
    public static let plainPathLimit = 200_000

    /// Statistics are for regulators: the province administrator, or bureau staff for their own region.
    public static func authorize(_ region: RegionCode, _ p: Principal) throws {
        guard p.role == .provinceAdmin || p.role == .bureauStaff, p.may(.readRegistry) else { throw RegistryError.forbidden(.registry(.mayNotReadStatistics)) }
        // Anything else — another region, or an account without one — sees no region at all.
        guard p.scope.sees(region: region) else { throw RegistryError.notFound(.region, key: region.description) }
    }

    public static func report(region: RegionCode, period: MetricPeriod, by p: Principal, on db: any Database) async throws -> Report {
        let f = try await facts(region: region, by: p, on: db)
        return compute(f, region: region, period: period, providers: try await Standards.providers(on: db))
    }

    /// The rates of `instruments` (already limited to `region`) for `period`.
    public static func compute(_ instruments: [MetricInstrument], region: RegionCode, period: MetricPeriod, providers: [CapabilityProvider]) -> Report {
        Report(
            region: region, period: period, instruments: instruments.count, onTime: Metrics.onTimeRate(instruments, in: period),
            passRates: Metrics.passRates(instruments, in: period), filing: Metrics.filingRate(instruments, on: period.end),
            coverage: coverage(instruments, providers: providers, on: period.end),
            firstVerification: Metrics.firstVerificationRate(instruments, in: period), rotationOnTime: Metrics.rotationOnTimeRate(instruments, in: period))
    }

    /// Capability coverage on `day`: each sub-item in use, per place (the instrument's region),
    /// served by a valid authorisation scope or social public measurement standard.
    public static func coverage(_ instruments: [MetricInstrument], providers: [CapabilityProvider], on day: CalendarDay) -> Metrics.Coverage {
        let bySub = Dictionary(grouping: providers.filter { $0.isValid(on: day) }, by: \.subNo)
        return Metrics.coverage(inUse: inUse(instruments, on: day)) { sub, place in bySub[sub]?.contains { $0.serves.contains(place) } ?? false }
    }

    /// Instruments in use on `day` per sub-item and place: filed (now) and not retired by that day —
    /// an instrument retired since still counts for the days before (issue #18, item 6).
    public static func inUse(_ instruments: [MetricInstrument], on day: CalendarDay) -> [Int: [RegionCode: Int]] {
        var out: [Int: [RegionCode: Int]] = [:]
        for i in instruments where i.lifecycle != .draft && !(i.retiredOn.map { $0 <= day } ?? (i.lifecycle == .scrapped || i.lifecycle == .rotatedOut)) {
            guard let place = i.region else { continue }
            out[i.subNo, default: [:]][place, default: 0] += 1
        }
        return out
    }

    /// The child regions' reports (cities of a province, counties of a city), in code order.
    public static func breakdown(_ instruments: [MetricInstrument], region: RegionCode, period: MetricPeriod, providers: [CapabilityProvider]) -> [Report] {
        let prefix: Int
        switch region.level {
        case .province: prefix = 4
        case .city: prefix = 6
        case .county: return []
        }
        let groups = Dictionary(grouping: instruments) { i -> String in
            guard let r = i.region else { return "" }
            let head = String(r.value.prefix(prefix))
            return head + String(repeating: "0", count: 6 - head.count)
        }
        return groups.compactMap { code, list in RegionCode(code).map { compute(list, region: $0, period: period, providers: providers) } }
            .filter { $0.region != region }
            .sorted { $0.region < $1.region }
    }

    /// The monthly trend of a year up to `asOf`: each month's rate of every kind (months not yet
    /// begun have no rates).
    public static func trend(_ instruments: [MetricInstrument], year: Int, asOf: CalendarDay) -> [(month: MetricPeriod, rates: [MetricKind: Rate])] {
        (1...12).map { m in
            let whole = MetricPeriod.month(of: CalendarDay(year: year, month: m, day: 1)!)
            guard let period = whole.through(asOf) else { return (whole, [:]) }
            let pass = Metrics.passRates(instruments, in: period)
            return (period, [
                .onTime: Metrics.onTimeRate(instruments, in: period), .firstPass: pass.firstPass, .afterAdjustment: pass.afterAdjustment,
                .spotChecks: pass.spotChecks, .filing: Metrics.filingRate(instruments, on: period.end),
                .firstVerification: Metrics.firstVerificationRate(instruments, in: period), .rotation: Metrics.rotationOnTimeRate(instruments, in: period),
            ])
        }
    }

    /// The capability gaps of every county in `region` on `day`, with the nearest institution.
    public static func gaps(region: RegionCode, on day: CalendarDay, by p: Principal, on db: any Database) async throws -> [Capability.Gap] {
        let f = try await facts(region: region, by: p, on: db)
        var byCounty: [RegionCode: [Int: Int]] = [:]
        for (sub, places) in inUse(f, on: day) {
            for (place, n) in places { byCounty[place, default: [:]][sub, default: 0] += n }
        }
        return Capability.gaps(inUse: byCounty, providers: try await Standards.providers(on: db), on: day)
    }

    /// The facts of every instrument in `region`'s subtree: what `Metrics` needs, with owner and region.
    public static func facts(region: RegionCode, by p: Principal, on db: any Database) async throws -> [MetricInstrument] {
        try authorize(region, p)
        let range = region.subtreeRange
        let count = try await instrumentCount(region: region, on: db)
        guard count <= plainPathLimit else {
            throw RegistryError.invalid("region", .registry(.tooManyForPlainComputation(count: count, region: region.value, limit: plainPathLimit)))
        }
        return try await loadFacts(
            where: SQLRaw("i.region_code BETWEEN '\(range.lowerBound)' AND '\(range.upperBound)'"), forms: try await forms(on: db), on: db)
    }

    /// The instruments registered in `region`'s subtree (whether the plain path may read them).
    static func instrumentCount(region: RegionCode, on db: any Database) async throws -> Int {
        let range = region.subtreeRange
        return try await (db as! any SQLDatabase).raw(
            "SELECT COUNT(*) AS n FROM instruments WHERE region_code BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)"
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Since when an instrument counts as surveyed: the earlier of its in-service day and its
    /// registration (issue #18, item 6; docs/metrics.md).
    static func surveyedFrom(created: CalendarDay?, inService: CalendarDay?) -> CalendarDay? {
        switch (created, inService) {
        case let (c?, s?): min(c, s)
        case let (c, s): c ?? s
        }
    }

    /// What decides each instrument's form: the rules, else the catalogue row (issue #18, item 1).
    struct Forms: Sendable {
        var catalogue: [Int: VerificationForm?]
        var rules: RuleBook
    }

    static func forms(on db: any Database) async throws -> Forms {
        Forms(
            catalogue: Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.entry.form) }),
            rules: try await Registry.ruleBook(on: db))
    }

    /// The facts of the instruments `i` matching `filter` (an SQL condition on `instruments i`, built
    /// from codes and numbers only), sorted by id.
    static func loadFacts(where filter: SQLRaw, forms: Forms, on db: any Database) async throws -> [MetricInstrument] {
        let sql = db as! any SQLDatabase
        var instruments: [Int: MetricInstrument] = [:]
        for r in try await sql.raw("""
            SELECT i.id, i.code, i.sub_no, i.lifecycle, i.in_service_date, i.meter_type, i.dn, i.q3, i.medium, i.owner_id, i.region_code, i.created_at
            FROM instruments i WHERE \(filter)
            """).all() {
            let id = try r.decode(column: "id", as: Int.self)
            let meterType = try r.decode(column: "meter_type", as: String?.self)
            instruments[id] = fact(
                id: id, code: try r.decode(column: "code", as: String.self), subNo: try r.decode(column: "sub_no", as: Int.self),
                attributes: MeterAttributes(
                    meterType: meterType.flatMap(MeterType.init(rawValue:)), dn: try r.decode(column: "dn", as: Int?.self),
                    q3: try r.decode(column: "q3", as: Double?.self), medium: try r.decode(column: "medium", as: String?.self).flatMap(GasMedium.init(rawValue:))),
                lifecycle: LifecycleStatus(rawValue: try r.decode(column: "lifecycle", as: String.self)) ?? .draft,
                inServiceOn: try r.decode(column: "in_service_date", as: String?.self).flatMap { CalendarDay($0) },
                ownerID: try r.decode(column: "owner_id", as: Int?.self), region: RegionCode(try r.decode(column: "region_code", as: String.self)),
                createdAt: try r.decode(column: "created_at", as: Date?.self), forms: forms)
        }
        guard !instruments.isEmpty else { return [] }
        for r in try await sql.raw("""
            SELECT v.id, v.instrument_id, v.verified_on, v.kind, v.result, v.valid_until, v.corrects_id, v.rule_id FROM verification_records v
            JOIN instruments i ON i.id = v.instrument_id WHERE \(filter) ORDER BY v.id
            """).all() {
            let id = try r.decode(column: "instrument_id", as: Int.self)
            guard let day = CalendarDay(try r.decode(column: "verified_on", as: String.self)),
                let kind = VerificationKind(rawValue: try r.decode(column: "kind", as: String.self)),
                let result = VerificationResult(rawValue: try r.decode(column: "result", as: String.self))
            else { continue }
            instruments[id]?.records.append(VerificationFact(
                id: Int64(try r.decode(column: "id", as: Int.self)), date: day, kind: kind, result: result,
                validUntil: try r.decode(column: "valid_until", as: String?.self).flatMap { CalendarDay($0) },
                corrects: try r.decode(column: "corrects_id", as: Int?.self).map(Int64.init),
                form: forms.rules.form(ofRule: try r.decode(column: "rule_id", as: Int?.self))))
        }
        for r in try await sql.raw("""
            SELECT s.instrument_id, MIN(s.changed_on) AS day FROM status_changes s JOIN instruments i ON i.id = s.instrument_id
            WHERE s.to_status IN ('scrapped', 'rotated_out') AND \(filter)
            GROUP BY s.instrument_id
            """).all() {
            instruments[try r.decode(column: "instrument_id", as: Int.self)]?.retiredOn = CalendarDay(try r.decode(column: "day", as: String.self))
        }
        // Suspensions (停用): from the change into 'suspended' to the change out of it (issue #18, item 4).
        for r in try await sql.raw("""
            SELECT s.instrument_id, s.from_status, s.to_status, s.changed_on FROM status_changes s JOIN instruments i ON i.id = s.instrument_id
            WHERE (s.to_status = 'suspended' OR s.from_status = 'suspended') AND \(filter)
            ORDER BY s.instrument_id, s.changed_on, s.id
            """).all() {
            let id = try r.decode(column: "instrument_id", as: Int.self)
            guard let day = CalendarDay(try r.decode(column: "changed_on", as: String.self)) else { continue }
            if try r.decode(column: "to_status", as: String.self) == LifecycleStatus.suspended.rawValue {
                instruments[id]?.suspensions.append(Suspension(from: day, until: nil))
            } else if let last = instruments[id]?.suspensions.indices.last, instruments[id]?.suspensions[last].until == nil {
                instruments[id]?.suspensions[last].until = day
            }
        }
        // Filed spans from the changes into and out of draft; an instrument never a draft on record
        // (created filed, imported, a demo instrument) was filed from the day it counts as surveyed.
        var draftChanges: [Int: [DraftChange]] = [:]
        for r in try await sql.raw("""
            SELECT s.instrument_id, s.from_status, s.to_status, s.changed_on FROM status_changes s JOIN instruments i ON i.id = s.instrument_id
            WHERE (s.from_status = 'draft' OR s.to_status = 'draft') AND \(filter)
            ORDER BY s.instrument_id, s.changed_on, s.id
            """).all() {
            guard let day = CalendarDay(try r.decode(column: "changed_on", as: String.self)) else { continue }
            let to = try r.decode(column: "to_status", as: String.self)
            draftChanges[try r.decode(column: "instrument_id", as: Int.self), default: []].append(
                (day, to == LifecycleStatus.draft.rawValue, to == LifecycleStatus.scrapped.rawValue))
        }
        for id in instruments.keys { finish(&instruments[id]!, draftChanges: draftChanges[id] ?? []) }
        return instruments.values.sorted { $0.id < $1.id }
    }

    /// A change into or out of draft (or to scrapped), as the filed spans read them.
    typealias DraftChange = (day: CalendarDay, toDraft: Bool, toScrap: Bool)

    /// One instrument's facts from its registry row, before its records and status changes.
    static func fact(
        id: Int, code: String, subNo: Int, attributes: MeterAttributes, lifecycle: LifecycleStatus, inServiceOn: CalendarDay?, ownerID: Int?,
        region: RegionCode?, createdAt: Date?, forms: Forms
    ) -> MetricInstrument {
        let meter = attributes.meterType
        return MetricInstrument(
            id: id, subNo: subNo, form: forms.rules.currentForm(subNo: subNo, attributes: attributes, catalogueForm: forms.catalogue[subNo] ?? nil),
            lifecycle: lifecycle, inServiceOn: inServiceOn, isUtilityMeter: meter != nil && meter != .heat, ownerID: ownerID, region: region, code: code,
            meterType: meter?.rawValue, registeredOn: surveyedFrom(created: createdAt.map { CalendarDay(instant: $0) }, inService: inServiceOn))
    }

    /// Completes an instrument's facts once its records are in: its filed spans from its draft
    /// changes (issue #18, item 6), and a limited-life meter's life end.
    static func finish(_ i: inout MetricInstrument, draftChanges changes: [DraftChange]) {
        // Filed before the first change if that change returned it to draft, or if there is none and it is not a draft.
        var spans: [Suspension] = []
        var open: CalendarDay? = (changes.first?.toDraft ?? (i.lifecycle != .draft)) ? (i.registeredOn ?? CalendarDay(year: 1900, month: 1, day: 1)!) : nil
        for c in changes {
            if c.toDraft {
                if let o = open { spans.append(Suspension(from: o, until: c.day)) }
                open = nil
            } else if !c.toScrap, open == nil {
                open = c.day
            }
        }
        if let o = open { spans.append(Suspension(from: o, until: nil)) }
        i.filedSpans = spans
        // A limited-life meter's life ends where the status engine says (`ComplianceEngine.lifeEnd`,
        // counted from the first verification), for meters whose governing form is rotation.
        let passes = ComplianceEngine.effectiveRecords(i.records).filter { $0.kind != .spotCheck && $0.result == .pass }
        if ComplianceEngine.governingForm(passes: passes, current: i.form) == .firstOnlyRotation {
            i.lifeEnds = ComplianceEngine.lifeEnd(passes: passes)
        }
    }
}
