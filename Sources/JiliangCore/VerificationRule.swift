/// A versioned verification rule: for a catalogue sub-item (and, for 三表, a meter condition), the
/// verification form and either a cycle or a service life.
///
/// Rules are never edited in place. A change is a new version with a later `effectiveFrom`; each
/// verification record keeps the id of the rule version it was computed with, so that a later rule
/// change does not silently rewrite past due dates (issue #2).
public struct VerificationRule: Sendable, Codable, Equatable, Identifiable {
    public var id: Int
    public var subNo: Int
    public var version: Int
    public var effectiveFrom: CalendarDay
    /// The last day the rule is in force (nil: until replaced). A regulation that changes the
    /// conditions themselves (JJG 162-2019 added "Q3 ≤ 16" to the water-meter rotation rules) ends
    /// the earlier rules on the day before it takes effect; a later version with the same condition
    /// needs no end date, since the later `effectiveFrom` wins (issue #18, item 14).
    public var effectiveUntil: CalendarDay?
    public var condition: MeterCondition
    public var form: VerificationForm
    /// Periodic form: the verification cycle in months.
    public var cycleMonths: Int?
    /// Rotation form: the service life in months, counted from the first verification.
    public var serviceLifeMonths: Int?
    public var source: String
    public var confidence: Confidence

    public init(
        id: Int, subNo: Int, version: Int = 1, effectiveFrom: CalendarDay, effectiveUntil: CalendarDay? = nil, condition: MeterCondition = .any,
        form: VerificationForm, cycleMonths: Int? = nil, serviceLifeMonths: Int? = nil, source: String = "",
        confidence: Confidence
    ) {
        self.id = id
        self.subNo = subNo
        self.version = version
        self.effectiveFrom = effectiveFrom
        self.effectiveUntil = effectiveUntil
        self.condition = condition
        self.form = form
        self.cycleMonths = cycleMonths
        self.serviceLifeMonths = serviceLifeMonths
        self.source = source
        self.confidence = confidence
    }
}

/// The instrument attributes a rule may depend on (三表: meter type, nominal diameter DN in mm,
/// permanent flow Q3 or maximum flow Qmax in m³/h, gas medium).
public struct MeterAttributes: Sendable, Equatable, Codable {
    public var meterType: MeterType?
    public var dn: Int?
    public var q3: Double?
    public var medium: GasMedium?

    public init(meterType: MeterType? = nil, dn: Int? = nil, q3: Double? = nil, medium: GasMedium? = nil) {
        self.meterType = meterType
        self.dn = dn
        self.q3 = q3
        self.medium = medium
    }
}

/// When a rule applies. Bounds are inclusive (`dnMax` 25 covers DN25, as JJG 162-2019 "DN ≤ 25").
public struct MeterCondition: Sendable, Equatable, Codable {
    public var meterType: MeterType?
    public var dnMin: Int?  // exclusive lower bound ("25 < DN")
    public var dnMax: Int?
    public var q3Max: Double?
    public var medium: GasMedium?

    public static let any = MeterCondition()

    public init(meterType: MeterType? = nil, dnAbove: Int? = nil, dnMax: Int? = nil, q3Max: Double? = nil, medium: GasMedium? = nil) {
        self.meterType = meterType
        self.dnMin = dnAbove
        self.dnMax = dnMax
        self.q3Max = q3Max
        self.medium = medium
    }

    public var isUnconditional: Bool { self == .any }

    /// Whether the attributes satisfy the condition. A condition on a value the instrument does
    /// not record does not match, so a meter without DN never falls into a DN-limited rotation rule.
    public func matches(_ a: MeterAttributes) -> Bool {
        if let t = meterType, a.meterType != t { return false }
        if let lo = dnMin { guard let dn = a.dn, dn > lo else { return false } }
        if let hi = dnMax { guard let dn = a.dn, dn <= hi else { return false } }
        if let q = q3Max { guard let v = a.q3, v <= q else { return false } }
        if let m = medium, a.medium != m { return false }
        return true
    }

    /// How specific the condition is: the most specific matching rule wins.
    var specificity: Int {
        [meterType != nil, dnMin != nil, dnMax != nil, q3Max != nil, medium != nil].filter { $0 }.count
    }
}

/// Picks the rule that governs an instrument on a given day.
public struct RuleBook: Sendable {
    public private(set) var rules: [VerificationRule]
    private let formByID: [Int: VerificationForm]

    public init(_ rules: [VerificationRule]) {
        self.rules = rules
        formByID = Dictionary(rules.map { ($0.id, $0.form) }, uniquingKeysWith: { a, _ in a })
    }

    /// The form of the rule version a record was computed with (nil: none, or unknown).
    public func form(ofRule id: Int?) -> VerificationForm? { id.flatMap { formByID[$0] } }

    /// The form that governs an instrument from now on: its most specific matching rule among the
    /// latest versions (whatever their date: the form matters for instruments not yet verified,
    /// whose next verification falls under the newest rule), else the catalogue row's form.
    /// Issue #18, items 1 and 2: the rule decides, not the catalogue row.
    public func currentForm(subNo: Int, attributes: MeterAttributes, catalogueForm: VerificationForm?) -> VerificationForm? {
        rule(subNo: subNo, attributes: attributes, on: CalendarDay(year: 9999, month: 12, day: 31)!)?.form ?? catalogueForm
    }

    /// Whether the rule is in force on `day` (from `effectiveFrom` through `effectiveUntil`).
    public func inForce(_ r: VerificationRule, on day: CalendarDay) -> Bool {
        r.effectiveFrom <= day && r.effectiveUntil.map { day <= $0 } ?? true
    }

    /// The most specific matching rule among the latest versions in force on `day`.
    /// Ties between equally specific conditions go to the later `effectiveFrom`, then the higher version.
    public func rule(subNo: Int, attributes: MeterAttributes, on day: CalendarDay) -> VerificationRule? {
        rules.lazy
            .filter { $0.subNo == subNo && inForce($0, on: day) && $0.condition.matches(attributes) }
            .max { a, b in
                (a.condition.specificity, a.effectiveFrom, a.version) < (b.condition.specificity, b.effectiveFrom, b.version)
            }
    }
}
