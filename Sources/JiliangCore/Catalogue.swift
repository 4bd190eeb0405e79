/// The mandatory-management catalogue (实施强制管理的计量器具目录, SAMR 2020 No.42) and the
/// vocabulary around it. Values are stored by their raw strings, which are stable API.

/// 监管方式: pattern approval (P), mandatory verification (V), or both.
public enum SupervisionMode: String, Sendable, Codable, CaseIterable {
    case p = "P"
    case v = "V"
    case pv = "P+V"

    public var requiresVerification: Bool { self != .p }
}

/// 强制检定形式 (2020 No.42 §四).
public enum VerificationForm: String, Sendable, Codable, CaseIterable {
    /// 进行周期检定.
    case periodic
    /// 只做首次强制检定，失准报废.
    case firstOnlyScrap = "first_only_scrap"
    /// 只做首次强制检定，限期使用，到期轮换.
    case firstOnlyRotation = "first_only_rotation"
}

/// How sure we are of a catalogue row or rule (see shared/data/README.md).
public enum Confidence: String, Sendable, Codable, CaseIterable {
    case confirmed, partial, unconfirmed
}

/// 用途: the four legal uses of the 1987 measures, plus law enforcement as used in practice.
public enum UsePurpose: String, Sendable, Codable, CaseIterable {
    case tradeSettlement = "trade_settlement"
    case safetyProtection = "safety_protection"
    case medicalHealth = "medical_health"
    case environmentalMonitoring = "environmental_monitoring"
    case lawEnforcement = "law_enforcement"
}

/// The kind of utility meter, for the 三表 rules.
public enum MeterType: String, Sendable, Codable, CaseIterable {
    case water, gas, electricityElectronic = "electricity_electronic"
    case electricityElectromechanicalSinglePhase = "electricity_em_single"
    case electricityElectromechanicalSinglePhaseLongLife = "electricity_em_single_long"
    case electricityElectromechanicalThreePhase = "electricity_em_three"
    case heat
}

/// Gas medium, which sets a gas meter's service life.
public enum GasMedium: String, Sendable, Codable, CaseIterable {
    case naturalGas = "natural_gas"
    case manufacturedGas = "manufactured_gas"
    case lpg
}

/// One second-level catalogue entry (种别).
public struct CatalogueEntry: Sendable, Codable, Equatable {
    public var itemNo: Int
    public var itemName: String
    public var subNo: Int
    public var subName: String
    public var mode: SupervisionMode?
    public var form: VerificationForm?
    public var scopeNote: String
    public var regulation: String
    public var source: String
    public var confidence: Confidence

    public init(
        itemNo: Int, itemName: String, subNo: Int, subName: String, mode: SupervisionMode?,
        form: VerificationForm?, scopeNote: String = "", regulation: String = "", source: String = "",
        confidence: Confidence
    ) {
        self.itemNo = itemNo
        self.itemName = itemName
        self.subNo = subNo
        self.subName = subName
        self.mode = mode
        self.form = form
        self.scopeNote = scopeNote
        self.regulation = regulation
        self.source = source
        self.confidence = confidence
    }
}
