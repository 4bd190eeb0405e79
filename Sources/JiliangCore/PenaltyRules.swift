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

/// Publication of administrative penalties on the public site after SAMR Order 45 (Arts. 2, 9, 11,
/// 13). The low-fine threshold is set by each province and was not found for Fujian: it is
/// configurable and documented as unconfirmed.
public struct PenaltyPublicationRules: Sendable, Equatable, Codable {
    /// Published within this many working days of the decision (Art. 9).
    public var publishWithinWorkingDays: Int = 20
    /// Withdrawn within this many working days of the decision being changed or revoked (Art. 11).
    public var withdrawWithinWorkingDays: Int = 3
    /// A fine of at most this many yuan is a "较低数额罚款" (Art. 13; set by the province — UNCONFIRMED).
    public var lowFineYuan: Int = 10_000
    /// Display periods in months (Art. 13): short (criticism, low fine) and normal.
    public var shortDisplayMonths: Int = 3
    public var normalDisplayMonths: Int = 36

    public init() {}

    /// Whether the penalty is published at all (a warning alone is not).
    public func isPublished(_ kind: PenaltyKind) -> Bool { kind != .warning }

    /// The last day the penalty may be published on, counted in working days from the decision.
    public func publishBy(decidedOn: CalendarDay, calendar: WorkingCalendar) -> CalendarDay {
        calendar.adding(workingDays: publishWithinWorkingDays, to: decidedOn)
    }

    /// The months the penalty stays on display: short for a circulated criticism or a low fine.
    public func displayMonths(kind: PenaltyKind, amountYuan: Int?) -> Int {
        switch kind {
        case .criticism: return shortDisplayMonths
        case .fine: return (amountYuan ?? 0) <= lowFineYuan ? shortDisplayMonths : normalDisplayMonths
        default: return normalDisplayMonths
        }
    }

    /// The last day the penalty is shown: the display period from its publication, or the end of
    /// a restriction that lasts longer (Art. 13).
    public func displayUntil(publishedOn: CalendarDay, kind: PenaltyKind, amountYuan: Int?, restrictionUntil: CalendarDay?) -> CalendarDay {
        let end = publishedOn.lastDayOfPeriod(months: displayMonths(kind: kind, amountYuan: amountYuan))
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
