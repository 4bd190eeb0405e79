/// Social public measurement standards (社会公用计量标准): the standards an institution holds,
/// with the certificate that approves them, the catalogue sub-items they serve and the regions they
/// serve. With the authorisation scopes they decide the capability coverage (检定能力覆盖率) of
/// docs/metrics.md and the gap analysis of docs/statistics.md.
public struct StandardDraft: Sendable, Equatable {
    public var institutionID: Int
    public var name: String
    /// 社会公用计量标准证书 number; unique.
    public var certificateNo: String
    public var validFrom: CalendarDay
    public var validUntil: CalendarDay
    public var measuringRange: String
    /// Uncertainty, accuracy class or maximum permissible error, as written on the certificate.
    public var uncertainty: String
    public var subNos: [Int]
    public var regions: [RegionCode]

    public static func parse(
        institutionID: Int?, name: String?, certificateNo: String?, validFrom: String?, validUntil: String?, measuringRange: String?,
        uncertainty: String?, subNos: [Int], regionCodes: [String], context: RegistryContext
    ) throws(ValidationFailure) -> StandardDraft {
        var c = FieldChecker()
        if institutionID == nil { c.fail("institution_id", .required) }
        let n = c.text("name", name, max: 100)
        let cert = c.text("certificate_no", certificateNo, max: 64)
        let from = c.day("valid_from", validFrom)
        let until = c.day("valid_until", validUntil)
        if let from, let until, until < from { c.fail("valid_until", .draft(.validUntilBeforeValidFrom)) }
        let range = c.text("measuring_range", measuringRange, max: 200)
        let u = c.text("uncertainty", uncertainty, max: 200)
        if subNos.isEmpty { c.fail("sub_nos", .draft(.standardServesNoSubItem)) }
        for (i, s) in subNos.enumerated() where context.catalogue[s] == nil {
            c.fail("sub_nos[\(i)]", .draft(.noSuchSubItem(s)))
        }
        if regionCodes.isEmpty { c.fail("region_codes", .draft(.standardServesNoRegion)) }
        var regions: [RegionCode] = []
        for (i, r) in regionCodes.enumerated() {
            if let code = c.region("region_codes[\(i)]", r, known: { context.knownRegions.contains($0.value) }) { regions.append(code) }
        }
        try c.finish()
        return StandardDraft(
            institutionID: institutionID!, name: n!, certificateNo: cert!, validFrom: from!, validUntil: until!, measuringRange: range!,
            uncertainty: u!, subNos: Array(Set(subNos)).sorted(), regions: Array(Set(regions)).sorted())
    }
}

/// Who can verify a catalogue sub-item, and where: one line of an authorisation scope or one
/// (standard, sub-item, region) of a social public measurement standard.
public struct CapabilityProvider: Sendable, Equatable {
    public enum Source: String, Sendable, Codable { case scope, standard }
    public var institutionID: Int
    public var institutionName: String
    /// Where the institution sits (its own region code).
    public var location: RegionCode
    public var subNo: Int
    /// The region subtree it serves for this sub-item.
    public var serves: RegionCode
    public var validFrom: CalendarDay
    public var validUntil: CalendarDay
    public var source: Source

    public init(
        institutionID: Int, institutionName: String, location: RegionCode, subNo: Int, serves: RegionCode, validFrom: CalendarDay,
        validUntil: CalendarDay, source: Source
    ) {
        self.institutionID = institutionID
        self.institutionName = institutionName
        self.location = location
        self.subNo = subNo
        self.serves = serves
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.source = source
    }

    public func isValid(on day: CalendarDay) -> Bool { validFrom <= day && day <= validUntil }
}

public enum Capability {
    /// One sub-item in use in a county that no valid provider serves there.
    public struct Gap: Sendable, Equatable {
        public var county: RegionCode
        public var subNo: Int
        public var instruments: Int
        /// The nearest institution with a valid capability for the sub-item anywhere (nil: none in
        /// the data), and how far it is in the hierarchy (0 same county, 1 same city, 2 same province, 3 elsewhere).
        public var nearest: (id: Int, name: String, distance: Int)?

        public static func == (a: Gap, b: Gap) -> Bool {
            a.county == b.county && a.subNo == b.subNo && a.instruments == b.instruments && a.nearest?.id == b.nearest?.id
                && a.nearest?.distance == b.nearest?.distance
        }
    }

    /// Hierarchy distance from an institution's location to a county: 0 in the county itself,
    /// 1 elsewhere in the same city (city-level institutes included), 2 in the same province, 3 outside.
    /// The registry holds no coordinates; the hierarchy is how bureaus think of "nearest" anyway.
    public static func distance(from location: RegionCode, to county: RegionCode) -> Int {
        if location == county { return 0 }
        if location.value.prefix(4) == county.value.prefix(4) { return 1 }
        if location.value.prefix(2) == county.value.prefix(2) { return 2 }
        return 3
    }

    /// Whether some provider serves `subNo` in `region` (its whole subtree) on `day`.
    public static func covers(_ providers: [CapabilityProvider], subNo: Int, region: RegionCode, on day: CalendarDay) -> Bool {
        providers.contains { $0.subNo == subNo && $0.serves.contains(region) && $0.isValid(on: day) }
    }

    /// The gaps of every county in `inUse` (county → sub-item → instruments in use), most
    /// instruments first, each with the nearest institution that has the capability somewhere.
    public static func gaps(inUse: [RegionCode: [Int: Int]], providers: [CapabilityProvider], on day: CalendarDay) -> [Gap] {
        let valid = providers.filter { $0.isValid(on: day) }
        let bySub = Dictionary(grouping: valid, by: \.subNo)
        var out: [Gap] = []
        for (county, subs) in inUse {
            for (sub, n) in subs where n > 0 {
                let candidates = bySub[sub] ?? []
                if candidates.contains(where: { $0.serves.contains(county) }) { continue }
                let best = candidates.min {
                    (distance(from: $0.location, to: county), $0.institutionName, $0.institutionID)
                        < (distance(from: $1.location, to: county), $1.institutionName, $1.institutionID)
                }
                out.append(Gap(county: county, subNo: sub, instruments: n, nearest: best.map { ($0.institutionID, $0.institutionName, distance(from: $0.location, to: county)) }))
            }
        }
        return out.sorted { ($0.instruments, $1.county.value, $1.subNo) > ($1.instruments, $0.county.value, $0.subNo) }
    }

    /// Construction targets (建设目录): the sub-items for which each region of a level should hold a
    /// social public measurement standard itself. A target is met when an institution located in
    /// that very region holds a valid standard serving the sub-item — a province standard does not
    /// meet a county's target, which is the point of building at every level.
    public struct TargetProgress: Sendable, Equatable {
        public var region: RegionCode
        public var met: [Int]
        public var missing: [Int]
    }

    public static func targetProgress(
        regions: [RegionCode], targets: [RegionCode.Level: Set<Int>], standards: [CapabilityProvider], on day: CalendarDay
    ) -> [TargetProgress] {
        regions.map { r in
            let wanted = targets[r.level] ?? []
            let held = Set(standards.filter { $0.source == .standard && $0.location == r && $0.isValid(on: day) }.map(\.subNo))
            return TargetProgress(region: r, met: wanted.intersection(held).sorted(), missing: wanted.subtracting(held).sorted())
        }
    }
}
