/// 行业: what an owner (使用单位) does; sets which catalogue items and commitment templates apply.
public enum Industry: String, Sendable, Codable, CaseIterable {
    case market  // 集贸市场 organiser
    case trader  // a trader inside a market
    case supermarket
    case fuelStation = "fuel_station"
    case hospital
    case optician
    case waterUtility = "water_utility"
    case gasUtility = "gas_utility"
    case powerUtility = "power_utility"
    case taxiFirm = "taxi_firm"
    case prepackager
    case other

    public static let chineseLabels: [String: Industry] = [
        "集贸市场": .market, "市场": .market, "商户": .trader, "经营户": .trader, "超市": .supermarket,
        "加油站": .fuelStation, "医院": .hospital, "医疗机构": .hospital, "眼镜店": .optician,
        "供水": .waterUtility, "供气": .gasUtility, "供电": .powerUtility, "出租车公司": .taxiFirm,
        "定量包装": .prepackager, "其他": .other,
    ]
}

/// 计量技术机构: legal (法定) or authorised (授权).
public enum InstitutionKind: String, Sendable, Codable, CaseIterable {
    case legal, authorised
}

extension UsePurpose {
    public static let chineseLabels: [String: UsePurpose] = [
        "贸易结算": .tradeSettlement, "安全防护": .safetyProtection, "医疗卫生": .medicalHealth,
        "环境监测": .environmentalMonitoring, "行政执法": .lawEnforcement,
    ]
}

extension MeterType {
    public static let chineseLabels: [String: MeterType] = [
        "水表": .water, "燃气表": .gas, "电能表": .electricityElectronic, "热能表": .heat,
    ]
}

extension GasMedium {
    public static let chineseLabels: [String: GasMedium] = ["天然气": .naturalGas, "人工煤气": .manufacturedGas, "液化石油气": .lpg]
}

extension LifecycleStatus {
    public static let chineseLabels: [String: LifecycleStatus] = [
        "草稿": .draft, "已备案": .filed, "在用": .inService, "停用": .suspended, "报废": .scrapped, "已轮换": .rotatedOut,
    ]
}

extension VerificationResult {
    /// 检定结论 as rolls write it.
    public static let chineseLabels: [String: VerificationResult] = ["合格": .pass, "不合格": .fail, "通过": .pass, "不通过": .fail]
}
