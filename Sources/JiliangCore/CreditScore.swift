/// The credit-risk class (信用风险分类) of an owner, A (low risk) to D (high risk), after SAMR's 2022
/// opinion on enterprise credit-risk classification. It is an internal reference that sets how often
/// an owner is inspected — "不是对企业的信用评价", not a rating of the business — and is never shown
/// to the public. No metrology-specific scoring table was found (reference.md §6.2), so the score
/// below is ours, documented in docs/credit.md, and every weight is configurable.
public enum CreditClass: String, Sendable, Codable, CaseIterable, Comparable {
    case a = "A", b = "B", c = "C", d = "D"

    public static func < (l: CreditClass, r: CreditClass) -> Bool { l.rawValue < r.rawValue }

    public var chineseName: String {
        switch self {
        case .a: "信用风险低"
        case .b: "信用风险一般"
        case .c: "信用风险较高"
        case .d: "信用风险高"
        }
    }
}

/// The facts the score is computed from, all already in the system. Counting windows (two years
/// for verifications and complaints, three for penalties) are applied by whoever gathers the facts.
public struct CreditFacts: Sendable, Equatable, Codable {
    /// Instruments in use (active, failed or not filed; not drafts, scrapped or rotated out).
    public var instrumentsInUse: Int
    /// Of those: overdue for verification, service life expired, or in use without filing.
    public var overdueOrUnfiled: Int
    /// Of those: failed their last verification and still in use.
    public var failedInUse: Int
    /// Verification records of the last two years (corrections replace what they correct).
    public var verifications: Int
    public var verificationFailures: Int
    /// Complaints closed as upheld in the last two years.
    public var complaintsUpheld: Int
    /// Administrative penalties decided in the last three years, and of those the heavy ones (较重行政处罚).
    public var penalties: Int
    public var heavyPenalties: Int
    /// An honest-metrology commitment (诚信计量承诺) currently signed.
    public var commitmentActive: Bool
    /// A commitment breached in the last two years.
    public var commitmentBreached: Bool
    /// A demonstration-unit title (诚信计量示范单位) currently held.
    public var demonstrationUnit: Bool
    /// Currently on the published serious-dishonesty list (严重违法失信名单).
    public var listed: Bool
    /// Telemetry alerts on its instruments a bureau confirmed in the last two years (issue #21).
    public var confirmedAlerts: Int

    public init(
        instrumentsInUse: Int = 0, overdueOrUnfiled: Int = 0, failedInUse: Int = 0, verifications: Int = 0, verificationFailures: Int = 0,
        complaintsUpheld: Int = 0, penalties: Int = 0, heavyPenalties: Int = 0, commitmentActive: Bool = false,
        commitmentBreached: Bool = false, demonstrationUnit: Bool = false, listed: Bool = false, confirmedAlerts: Int = 0
    ) {
        self.instrumentsInUse = instrumentsInUse
        self.overdueOrUnfiled = overdueOrUnfiled
        self.failedInUse = failedInUse
        self.verifications = verifications
        self.verificationFailures = verificationFailures
        self.complaintsUpheld = complaintsUpheld
        self.penalties = penalties
        self.heavyPenalties = heavyPenalties
        self.commitmentActive = commitmentActive
        self.commitmentBreached = commitmentBreached
        self.demonstrationUnit = demonstrationUnit
        self.listed = listed
        self.confirmedAlerts = confirmedAlerts
    }
}

/// One line of the explanation staff see: which fact moved the score, and by how much.
public struct CreditContribution: Sendable, Equatable, Codable {
    public var fact: String
    /// What was counted, e.g. "3 of 40 instruments".
    public var detail: String
    /// Points added (positive) or taken (negative).
    public var points: Double
}

public struct CreditAssessment: Sendable, Equatable, Codable {
    public var score: Double
    public var creditClass: CreditClass
    public var contributions: [CreditContribution]
    /// Multiplier of the base random-inspection frequency for this class.
    public var inspectionFactor: Double
}

/// The weights and class bounds. Defaults are documented in docs/credit.md; none is an official
/// figure (reference.md §6.2 found no metrology-specific table), so all are configurable.
public struct CreditPolicy: Sendable, Equatable, Codable {
    /// Points taken at a share of 100 % overdue, expired or unfiled instruments (pro rata).
    public var overdueShareWeight: Double = 40
    /// Per failed instrument still in use, and the most this fact can take.
    public var failedInUsePoints: Double = 10
    public var failedInUseCap: Double = 30
    /// Points taken at a 100 % failure rate (pro rata), once at least `minimumVerifications` exist.
    public var failureRateWeight: Double = 30
    public var minimumVerifications: Int = 5
    public var complaintPoints: Double = 5
    public var complaintCap: Double = 20
    /// Per confirmed telemetry alert, and the most this fact can take: like an upheld complaint, a
    /// regulator's finding short of a penalty (ours, docs/credit.md).
    public var confirmedAlertPoints: Double = 5
    public var confirmedAlertCap: Double = 20
    public var penaltyPoints: Double = 10
    public var heavyPenaltyPoints: Double = 20
    public var penaltyCap: Double = 40
    public var commitmentBonus: Double = 5
    public var breachPoints: Double = 10
    public var demonstrationBonus: Double = 10
    /// Lowest score of classes A, B and C; below `cMinimum` is D.
    public var aMinimum: Double = 90
    public var bMinimum: Double = 75
    public var cMinimum: Double = 60
    /// Inspection frequency per class relative to the base rate (higher risk → more checks).
    public var inspectionFactors: [String: Double] = ["A": 0.5, "B": 1, "C": 2, "D": 4]

    public init() {}

    public func assess(_ f: CreditFacts) -> CreditAssessment {
        var lines: [CreditContribution] = []
        func add(_ fact: String, _ detail: String, _ points: Double) {
            lines.append(CreditContribution(fact: fact, detail: detail, points: (points * 10).rounded() / 10))
        }
        if f.instrumentsInUse > 0 {
            let share = Double(min(f.overdueOrUnfiled, f.instrumentsInUse)) / Double(f.instrumentsInUse)
            add("overdue_or_unfiled", "\(f.overdueOrUnfiled) / \(f.instrumentsInUse)", -overdueShareWeight * share)
        }
        if f.failedInUse > 0 { add("failed_in_use", "\(f.failedInUse)", -min(failedInUseCap, failedInUsePoints * Double(f.failedInUse))) }
        if f.verifications >= minimumVerifications {
            let rate = Double(min(f.verificationFailures, f.verifications)) / Double(f.verifications)
            add("failure_rate", "\(f.verificationFailures) / \(f.verifications)", -failureRateWeight * rate)
        }
        if f.complaintsUpheld > 0 { add("complaints_upheld", "\(f.complaintsUpheld)", -min(complaintCap, complaintPoints * Double(f.complaintsUpheld))) }
        if f.confirmedAlerts > 0 {
            add("telemetry_alerts", "\(f.confirmedAlerts)", -min(confirmedAlertCap, confirmedAlertPoints * Double(f.confirmedAlerts)))
        }
        if f.penalties > 0 {
            let light = Double(max(0, f.penalties - f.heavyPenalties)), heavy = Double(min(f.heavyPenalties, f.penalties))
            add("penalties", "\(f.penalties) (\(f.heavyPenalties) heavy)", -min(penaltyCap, penaltyPoints * light + heavyPenaltyPoints * heavy))
        }
        if f.commitmentActive && !f.commitmentBreached { add("commitment", "signed", commitmentBonus) }
        if f.commitmentBreached { add("commitment_breached", "breached", -breachPoints) }
        if f.demonstrationUnit { add("demonstration_unit", "title held", demonstrationBonus) }
        let raw = 100 + lines.reduce(0) { $0 + $1.points }
        let score = min(100, max(0, (raw * 10).rounded() / 10))
        var cls: CreditClass = score >= aMinimum ? .a : score >= bMinimum ? .b : score >= cMinimum ? .c : .d
        if f.listed {
            // A party on the serious-dishonesty list is high risk whatever else it does.
            add("listed", "serious-dishonesty list", 0)
            cls = .d
        }
        return CreditAssessment(score: score, creditClass: cls, contributions: lines, inspectionFactor: inspectionFactors[cls.rawValue] ?? 1)
    }
}
