/// The kind of an administrative penalty (行政处罚种类), as far as publication rules care.
public enum PenaltyKind: String, Sendable, Codable, CaseIterable {
    /// 警告 — a warning alone is not published (SAMR Order 45 Art. 2).
    case warning
    /// 通报批评 — published for the short period.
    case criticism
    /// 罚款 (with or without 没收违法所得).
    case fine
    /// 没收违法所得、没收非法财物.
    case confiscation
    /// 责令停产停业、限制开展生产经营活动、限制从业.
    case suspension
    /// 降低资质等级、吊销许可证件、吊销营业执照.
    case revocation

    public var chineseName: String {
        switch self {
        case .warning: "警告"
        case .criticism: "通报批评"
        case .fine: "罚款"
        case .confiscation: "没收违法所得/非法财物"
        case .suspension: "责令停产停业/限制经营"
        case .revocation: "降低资质/吊销许可证件"
        }
    }

    /// Kinds that Order 44 Art. 2 counts as a heavy penalty (较重行政处罚) by their nature; a fine
    /// is heavy only when set by the "从重" principle, which staff state.
    public var heavyByNature: Bool { self == .suspension || self == .revocation }
}

/// The procedure a penalty decision was made under (行政处罚法 2021, chapter 5).
public enum PenaltyProcedure: String, Sendable, Codable, CaseIterable {
    /// 普通程序: investigated and decided in writing; the decisions SAMR Order 45 publishes.
    case ordinary
    /// 简易程序 (当场处罚): a warning or a small fine on the spot (行政处罚法 art. 51); not published
    /// (Order 45 art. 2 covers decisions made under the ordinary procedure only).
    case summary

    public var chineseName: String { self == .ordinary ? "普通程序" : "简易程序" }

    /// The largest fine, in yuan, the summary procedure allows (行政处罚法 2021 art. 51: 对公民处以
    /// 二百元以下、对法人或者其他组织处以三千元以下罚款或者警告).
    public static func summaryFineLimitYuan(_ party: PartyKind) -> Int { party == .naturalPerson ? 200 : 3_000 }
}

/// Who was penalised, as the fine thresholds distinguish them.
public enum PartyKind: String, Sendable, Codable, CaseIterable {
    /// 自然人 (公民).
    case naturalPerson = "natural_person"
    /// 法人或者其他组织.
    case organisation

    public var chineseName: String { self == .naturalPerson ? "自然人" : "法人或其他组织" }
}

/// A province's "较低数额罚款" (a low fine, shown for the short period under Order 45 art. 13): a
/// fine **below** these amounts (exclusive), from a dated, sourced provincial document.
public struct LowFineThreshold: Sendable, Equatable, Codable {
    public var effectiveFrom: CalendarDay
    /// The last day the document is valid (nil: open-ended).
    public var validUntil: CalendarDay?
    public var naturalPersonBelowYuan: Int
    public var organisationBelowYuan: Int
    public var source: String

    public init(effectiveFrom: CalendarDay, validUntil: CalendarDay?, naturalPersonBelowYuan: Int, organisationBelowYuan: Int, source: String) {
        self.effectiveFrom = effectiveFrom
        self.validUntil = validUntil
        self.naturalPersonBelowYuan = naturalPersonBelowYuan
        self.organisationBelowYuan = organisationBelowYuan
        self.source = source
    }

    public func covers(_ day: CalendarDay) -> Bool { effectiveFrom <= day && validUntil.map { day <= $0 } ?? true }

    public func belowYuan(_ party: PartyKind) -> Int { party == .naturalPerson ? naturalPersonBelowYuan : organisationBelowYuan }

    /// Fujian: 福建省市场监督管理局《关于行政处罚信息公示中"较低数额罚款"标准的规定》, 闽市监规〔2024〕3号,
    /// issued 2024-07-12, valid five years: natural persons below 5,000 yuan, legal persons and
    /// other organisations below 50,000 yuan (issue #18, item 8).
    public static let fujian2024 = LowFineThreshold(
        effectiveFrom: CalendarDay(year: 2024, month: 7, day: 12)!, validUntil: CalendarDay(year: 2029, month: 7, day: 11)!,
        naturalPersonBelowYuan: 5_000, organisationBelowYuan: 50_000, source: "闽市监规〔2024〕3号 (2024-07-12, 有效期5年)")
}

/// Publication of administrative penalties on the public site after SAMR Order 45 (Arts. 2, 9, 11,
/// 13). The low-fine threshold is set by each province: dated, sourced entries, configurable.
public struct PenaltyPublicationRules: Sendable, Equatable, Codable {
    /// Published within this many working days of the decision (Art. 9).
    public var publishWithinWorkingDays: Int = 20
    /// Withdrawn within this many working days of the decision being changed or revoked (Art. 11).
    public var withdrawWithinWorkingDays: Int = 3
    /// The province's low-fine thresholds by date (Art. 13 leaves the amount to the provinces).
    public var lowFineThresholds: [LowFineThreshold] = [.fujian2024]
    /// Display periods in months (Art. 13): short (criticism, low fine) and normal.
    public var shortDisplayMonths: Int = 3
    public var normalDisplayMonths: Int = 36
    /// Months on display before the party may apply to end the publication early (信用修复): 6, or
    /// 12 for penalties in the food, drug and special-equipment fields (SAMR Order 45 art. 14;
    /// 市场监督管理信用修复管理办法 art. 6; issue #18, item 9).
    public var repairAfterMonths: Int = 6
    public var repairAfterMonthsSpecialDomains: Int = 12

    public init() {}

    /// The first day the party may apply to end the publication early: the publication day's
    /// anniversary after the minimum period.
    public func repairEligibleOn(publishedOn: CalendarDay, specialDomain: Bool) -> CalendarDay {
        publishedOn.anniversary(months: specialDomain ? repairAfterMonthsSpecialDomains : repairAfterMonths)
    }

    /// Whether the penalty is published at all: decisions under the ordinary procedure only
    /// (Order 45 art. 2), and never a warning alone.
    public func isPublished(_ kind: PenaltyKind, procedure: PenaltyProcedure = .ordinary) -> Bool {
        kind != .warning && procedure == .ordinary
    }

    /// The threshold in force on the decision day, and whether one is (`confirmed`). Outside every
    /// dated entry the nearest one applies, and the answer says it is not confirmed for that day.
    public func lowFineThreshold(on day: CalendarDay) -> (threshold: LowFineThreshold, confirmed: Bool)? {
        if let t = lowFineThresholds.last(where: { $0.covers(day) }) { return (t, true) }
        let nearest = lowFineThresholds.min { a, b in distance(a, day) < distance(b, day) }
        return nearest.map { ($0, false) }
    }

    private func distance(_ t: LowFineThreshold, _ day: CalendarDay) -> Int {
        if day < t.effectiveFrom { return day.days(until: t.effectiveFrom) }
        return t.validUntil.map { $0.days(until: day) } ?? 0
    }

    /// Whether a fine is a low fine (较低数额罚款) for the party on the decision day: below the
    /// province's threshold for its kind (exclusive).
    public func isLowFine(amountYuan: Int?, party: PartyKind, decidedOn: CalendarDay) -> Bool {
        guard let t = lowFineThreshold(on: decidedOn)?.threshold else { return false }
        return (amountYuan ?? 0) < t.belowYuan(party)
    }

    /// The last day the penalty may be published on, counted in working days from the decision.
    public func publishBy(decidedOn: CalendarDay, calendar: WorkingCalendar) -> CalendarDay {
        calendar.adding(workingDays: publishWithinWorkingDays, to: decidedOn)
    }

    /// The months the penalty stays on display: short for a circulated criticism or a low fine.
    public func displayMonths(kind: PenaltyKind, amountYuan: Int?, party: PartyKind, decidedOn: CalendarDay) -> Int {
        switch kind {
        case .criticism: return shortDisplayMonths
        case .fine: return isLowFine(amountYuan: amountYuan, party: party, decidedOn: decidedOn) ? shortDisplayMonths : normalDisplayMonths
        default: return normalDisplayMonths
        }
    }

    /// The last day the penalty is shown: the display period from its publication, or the end of
    /// a restriction that lasts longer (Art. 13).
    public func displayUntil(
        publishedOn: CalendarDay, kind: PenaltyKind, amountYuan: Int?, party: PartyKind, decidedOn: CalendarDay, restrictionUntil: CalendarDay?
    ) -> CalendarDay {
        let end = publishedOn.lastDayOfPeriod(months: displayMonths(kind: kind, amountYuan: amountYuan, party: party, decidedOn: decidedOn))
        if let r = restrictionUntil, r > end { return r }
        return end
    }

    /// Whether the public sees it on `day`: from publication through the last display day, unless withdrawn.
    public func isShown(on day: CalendarDay, publishedOn: CalendarDay?, displayUntil: CalendarDay?, withdrawn: Bool) -> Bool {
        guard !withdrawn, let p = publishedOn, let u = displayUntil else { return false }
        return p <= day && day <= u
    }
}

/// The serious-dishonesty list (严重违法失信名单) after SAMR Order 44: the party is told and may
/// object within a window; a second person decides; after at least a year the party may apply for
/// credit repair (信用修复); otherwise it leaves the list at the end of the period (3 years, or a
/// longer restriction). The objection window is not confirmed from the order's text: configurable.
public struct DishonestyListRules: Sendable, Equatable, Codable {
    /// Working days the party has to object after being notified (UNCONFIRMED; configurable).
    public var objectionWorkingDays: Int = 10
    /// Earliest repair application, in months after publication (Order 44: at least one year).
    public var repairAfterMonths: Int = 12
    /// Normal listing period in months.
    public var listingMonths: Int = 36

    public init() {}

    /// The last day an objection is accepted.
    public func objectionUntil(notifiedOn: CalendarDay, calendar: WorkingCalendar) -> CalendarDay {
        calendar.adding(workingDays: objectionWorkingDays, to: notifiedOn)
    }

    /// A decision may be taken once the window has closed, or earlier when the party has objected
    /// (its objection is then on file for the decider).
    public func mayDecide(on day: CalendarDay, objectionUntil: CalendarDay, objected: Bool) -> Bool {
        objected || day > objectionUntil
    }

    /// The first day the party may apply for repair: the anniversary of publication.
    public func repairEligibleOn(publishedOn: CalendarDay) -> CalendarDay { publishedOn.anniversary(months: repairAfterMonths) }

    /// The day the party leaves the list without repair: the end of the period or of a longer restriction.
    public func removalOn(publishedOn: CalendarDay, restrictionUntil: CalendarDay?) -> CalendarDay {
        let end = publishedOn.anniversary(months: listingMonths)
        if let r = restrictionUntil, r.adding(days: 1) > end { return r.adding(days: 1) }
        return end
    }

    /// Whether a party listed on `publishedOn` and not yet removed is shown on `day`.
    public func isListed(on day: CalendarDay, publishedOn: CalendarDay?, removalOn: CalendarDay?, removedEarlyOn: CalendarDay?) -> Bool {
        guard let p = publishedOn, let end = removalOn, p <= day, day < end else { return false }
        if let early = removedEarlyOn, early <= day { return false }
        return true
    }
}

/// The sectors with their own commitment letter (诚信计量承诺书) and demonstration criteria.
public enum CommitmentSector: String, Sendable, Codable, CaseIterable {
    case market, fuelStation = "fuel_station", supermarket, optician, hospital, prepackager, utility, general

    public var chineseName: String {
        switch self {
        case .market: "集贸市场"
        case .fuelStation: "加油(气)站"
        case .supermarket: "商店超市"
        case .optician: "眼镜验配"
        case .hospital: "医疗机构"
        case .prepackager: "定量包装企业"
        case .utility: "水电气供应企业"
        case .general: "其他经营者"
        }
    }

    /// The sector an owner's industry belongs to.
    public init(industry: Industry) {
        switch industry {
        case .market, .trader: self = .market
        case .fuelStation: self = .fuelStation
        case .supermarket: self = .supermarket
        case .optician: self = .optician
        case .hospital: self = .hospital
        case .prepackager: self = .prepackager
        case .waterUtility, .gasUtility, .powerUtility: self = .utility
        case .taxiFirm, .other: self = .general
        }
    }
}
