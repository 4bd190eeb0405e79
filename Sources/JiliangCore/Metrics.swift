/// The supervision rates of issue #4 as pure functions over facts already in the registry, defined
/// in docs/metrics.md. No official formula exists (reference.md §3); these definitions are ours,
/// follow the proposals there, and are what every view, report and fast path must agree with.

/// A closed range of calendar days (a month, a quarter, a year).
public struct MetricPeriod: Sendable, Equatable, Codable {
    public var start: CalendarDay
    public var end: CalendarDay
    public init(start: CalendarDay, end: CalendarDay) {
        self.start = start
        self.end = end
    }

    public func contains(_ d: CalendarDay) -> Bool { start <= d && d <= end }

    /// The part of the period up to and including `day` (nil when the period starts after it):
    /// events not yet due are not yet decided, so a current year is counted to date.
    public func through(_ day: CalendarDay) -> MetricPeriod? {
        start > day ? nil : .init(start: start, end: Swift.min(end, day))
    }

    /// The calendar month, quarter or year containing `day`.
    public static func month(of day: CalendarDay) -> MetricPeriod {
        let first = CalendarDay(year: day.year, month: day.month, day: 1)!
        return .init(start: first, end: first.lastDayOfPeriod(months: 1))
    }

    public static func quarter(of day: CalendarDay) -> MetricPeriod {
        let first = CalendarDay(year: day.year, month: (day.month - 1) / 3 * 3 + 1, day: 1)!
        return .init(start: first, end: first.lastDayOfPeriod(months: 3))
    }

    public static func year(of day: CalendarDay) -> MetricPeriod {
        let first = CalendarDay(year: day.year, month: 1, day: 1)!
        return .init(start: first, end: first.lastDayOfPeriod(months: 12))
    }
}

/// A rate as its two counts; the percentage is derived (nil when nothing was due).
public struct Rate: Sendable, Equatable, Codable {
    public var numerator: Int
    public var denominator: Int
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public var percent: Double? { denominator == 0 ? nil : Double(numerator) * 100 / Double(denominator) }

    /// What was due and not met (the 三表 通报's offending meters are exactly these events).
    public var unmet: Int { denominator - numerator }

    public static func + (a: Rate, b: Rate) -> Rate { Rate(a.numerator + b.numerator, a.denominator + b.denominator) }
    public mutating func add(_ other: Rate) { self = self + other }
}

/// What the rates need to know of one instrument.
public struct MetricInstrument: Sendable, Equatable {
    public var id: Int
    public var subNo: Int
    /// The form of the rule that governs the instrument today, or the catalogue row's (nil: none).
    /// A record's own rule form, where known, decides for that record (issue #18, item 1).
    public var form: VerificationForm?
    public var lifecycle: LifecycleStatus
    /// When it was put into use (启用日期), if known.
    public var inServiceOn: CalendarDay?
    /// When it was scrapped or rotated out (the status change's day), if it was.
    public var retiredOn: CalendarDay?
    /// Its suspensions (停用): from the day it was suspended to the day it returned to service (nil:
    /// not yet), in order. A due day inside one moves to the return day.
    public var suspensions: [Suspension] = []
    /// Since when it counts as surveyed in the jurisdiction: its in-service day, or the day it
    /// entered the registry if that is earlier or the in-service day unknown (history imported
    /// later still counts for the days it describes); nil: unknown (always).
    public var registeredOn: CalendarDay?
    /// When it was filed (not a draft): from leaving draft (or registering already filed) to a
    /// return to draft, if any; nil: unknown (then today's lifecycle answers). The filing rate of a
    /// past day reads these, not today's lifecycle (issue #18, item 6). Empty: never filed.
    public var filedSpans: [Suspension]?
    /// A utility's water, gas or electricity meter (三表).
    public var isUtilityMeter: Bool
    /// The end of its service life (the rotation due date), for meters with a limited life:
    /// `ComplianceEngine.lifeEnd`, the same definition the status uses (issue #18, item 3).
    public var lifeEnds: CalendarDay?
    public var records: [VerificationFact]
    /// Its owner and region, for breakdowns (per utility company, per child region).
    public var ownerID: Int?
    public var region: RegionCode?
    /// Its registration code and meter type, as the 三表 通报 lists an offending meter.
    public var code: String
    public var meterType: String?

    public init(
        id: Int, subNo: Int, form: VerificationForm?, lifecycle: LifecycleStatus, inServiceOn: CalendarDay? = nil, retiredOn: CalendarDay? = nil,
        isUtilityMeter: Bool = false, lifeEnds: CalendarDay? = nil, records: [VerificationFact] = [], ownerID: Int? = nil, region: RegionCode? = nil,
        code: String = "", meterType: String? = nil, registeredOn: CalendarDay? = nil, filedOn: CalendarDay? = nil
    ) {
        self.registeredOn = registeredOn
        self.filedSpans = filedOn.map { [Suspension(from: $0, until: nil)] }
        self.ownerID = ownerID
        self.region = region
        self.code = code
        self.meterType = meterType
        self.id = id
        self.subNo = subNo
        self.form = form
        self.lifecycle = lifecycle
        self.inServiceOn = inServiceOn
        self.retiredOn = retiredOn
        self.isUtilityMeter = isUtilityMeter
        self.lifeEnds = lifeEnds
        self.records = records
    }

    /// Filed with the bureau (filed, in service, suspended — or retired after having been filed).
    var isFiled: Bool { lifecycle != .draft }
    /// Whether it was in the registry and not yet retired on `day` (the state on that day). An
    /// instrument retired on an unknown day counts as retired on every day.
    public func isSurveyed(on day: CalendarDay) -> Bool {
        if let r = registeredOn, r > day { return false }
        if let r = retiredOn { return day < r }
        return lifecycle != .scrapped && lifecycle != .rotatedOut
    }

    /// Whether it was suspended on `day`.
    public func isSuspended(on day: CalendarDay) -> Bool { suspensions.contains { $0.contains(day) } }

    /// Whether it was filed (not a draft) on `day`.
    public func isFiled(on day: CalendarDay) -> Bool {
        if let spans = filedSpans { return spans.contains { $0.contains(day) } }
        return isFiled  // the days are unknown: today's state
    }

    /// Records that renew or start a cycle (a spot check does neither).
    var verifications: [VerificationFact] { ComplianceEngine.effectiveRecords(records).filter { $0.kind != .spotCheck } }
}

/// A span of days: a suspension (停用), from the day it began to the day the instrument returned to
/// service (nil: not yet), or a time the instrument was filed.
public struct Suspension: Sendable, Equatable {
    public var from: CalendarDay
    public var until: CalendarDay?
    public init(from: CalendarDay, until: CalendarDay?) {
        self.from = from
        self.until = until
    }

    /// Whether `day` lies in the span (its last day is the day before `until`).
    public func contains(_ day: CalendarDay) -> Bool { from <= day && until.map { day < $0 } ?? true }
}

/// One counted event behind a rate: an instrument, the day that decided it and whether it met the
/// rule. A rate is its events counted; the events are "the records behind the number" that every
/// figure in the statistics views links to.
public struct MetricEvent: Sendable, Equatable {
    public var instrumentID: Int
    public var day: CalendarDay
    public var met: Bool
    public init(instrumentID: Int, day: CalendarDay, met: Bool) {
        self.instrumentID = instrumentID
        self.day = day
        self.met = met
    }
}

extension Rate {
    public init(_ events: [MetricEvent]) { self.init(events.lazy.filter(\.met).count, events.count) }

    /// Adds one event to the rate.
    public mutating func count(_ e: MetricEvent) {
        denominator += 1
        if e.met { numerator += 1 }
    }
}

/// The rates by name, as the views, reports and links name them.
public enum MetricKind: String, Sendable, CaseIterable, Codable {
    case onTime, firstPass, afterAdjustment, spotChecks, filing, firstVerification, rotation
}

public enum Metrics {
    /// The events behind rate `kind` (coverage is per sub-item, not per instrument, and has its own function).
    public static func events(_ kind: MetricKind, _ instruments: [MetricInstrument], in period: MetricPeriod) -> [MetricEvent] {
        switch kind {
        case .onTime: onTimeEvents(instruments, in: period)
        case .firstPass: passEvents(instruments, in: period).firstPass
        case .afterAdjustment: passEvents(instruments, in: period).afterAdjustment
        case .spotChecks: passEvents(instruments, in: period).spotChecks
        case .filing: filingEvents(instruments, on: period.end)
        case .firstVerification: firstVerificationEvents(instruments, in: period)
        case .rotation: rotationEvents(instruments, in: period)
        }
    }

    /// 受检率, on-time verification rate (docs/metrics.md, issue #18 item 4). **Every instrument that
    /// should have been verified in or before the period and was in use during it counts once** in
    /// the denominator:
    /// - **due in the period**: one of its obligations falls in the period — a new instrument's
    ///   in-service day (verification comes before use) or a periodic cycle's end (a record's
    ///   `validUntil` under a periodic rule) — not on or after its retirement, and not during a
    ///   suspension (a due day inside a suspension moves to the day it returns to service); it meets
    ///   the rate when **every** such obligation in the period was met on time (a verification, not a
    ///   spot check, dated on or before the due day, after the record that opened the cycle);
    /// - **carried over**: it entered the period overdue — an obligation due before the period was
    ///   not met by the period's first day (a never-verified instrument put into use earlier, a cycle
    ///   that ended unverified) — and was neither retired nor suspended on that day; it never meets
    ///   the rate in that period (it was late before it began). An instrument carried over is not
    ///   counted again for obligations due in the period.
    /// Drafts (not filed) are not counted. A record entered late but dated in time is on time.
    public static func onTimeRate(_ instruments: [MetricInstrument], in period: MetricPeriod) -> Rate { Rate(onTimeEvents(instruments, in: period)) }

    /// One obligation to verify: its (effective) due day, whether it was met on time, and — missed —
    /// the date of the first verification after it (nil: none yet).
    public struct Obligation: Sendable, Equatable {
        public var day: CalendarDay
        public var met: Bool
        public var verifiedLate: CalendarDay?
    }

    /// Every obligation of an instrument, in due-day order: its in-service day and its periodic
    /// cycle ends, each moved out of a suspension to the return day (or dropped, never returned),
    /// and none on or after its retirement.
    public static func obligations(_ i: MetricInstrument) -> [Obligation] {
        let v = i.verifications
        var out: [Obligation] = []
        func effective(_ d: CalendarDay) -> CalendarDay? {
            guard let s = i.suspensions.first(where: { $0.from <= d && $0.until.map { d < $0 } ?? true }) else { return d }
            return s.until
        }
        func add(_ due: CalendarDay, after opening: Int?) {
            guard let d = effective(due), !(i.retiredOn.map { $0 <= d } ?? false) else { return }
            let later = opening.map { Array(v.dropFirst($0 + 1)) } ?? v
            let met = later.contains { $0.date <= d }
            out.append(Obligation(day: d, met: met, verifiedLate: met ? nil : later.first { $0.date > d }?.date))
        }
        if let start = i.inServiceOn { add(start, after: nil) }
        for (n, rec) in v.enumerated() where (rec.form ?? i.form) == .periodic {
            if let due = rec.validUntil { add(due, after: n) }
        }
        // Suspended while overdue and back in service still unverified: verification is due again
        // before use, on the return day — so the period it returns in counts it.
        for s in i.suspensions {
            guard let back = s.until, !(i.retiredOn.map { $0 <= back } ?? false),
                let missed = out.first(where: { !$0.met && $0.day < s.from && ($0.verifiedLate.map { $0 >= s.from } ?? true) })
            else { continue }
            let met = missed.verifiedLate.map { $0 <= back } ?? false
            out.append(Obligation(day: back, met: met, verifiedLate: met ? nil : missed.verifiedLate))
        }
        return out.sorted { $0.day < $1.day }
    }

    /// Whether the instrument entered `day` overdue and in use: an obligation before it unmet by
    /// then, not retired or suspended on the day.
    public static func isCarried(_ i: MetricInstrument, _ obligations: [Obligation], into day: CalendarDay) -> Bool {
        guard !(i.retiredOn.map { $0 <= day } ?? false), !i.isSuspended(on: day) else { return false }
        return obligations.contains { !$0.met && $0.day < day && ($0.verifiedLate.map { $0 >= day } ?? true) }
    }

    public static func onTimeEvents(_ instruments: [MetricInstrument], in period: MetricPeriod) -> [MetricEvent] {
        var out: [MetricEvent] = []
        for i in instruments where i.isFiled {
            let all = obligations(i)
            if isCarried(i, all, into: period.start) {
                out.append(MetricEvent(instrumentID: i.id, day: period.start, met: false))
                continue
            }
            let due = all.filter { period.contains($0.day) }
            guard let first = due.first else { continue }
            out.append(MetricEvent(instrumentID: i.id, day: first.day, met: due.allSatisfy(\.met)))
        }
        return out
    }

    public struct PassRates: Sendable, Equatable {
        /// Verification events in the period whose opening verification (not after repair) passed.
        public var firstPass: Rate
        /// The same events that passed by their last verification, repairs included.
        public var afterAdjustment: Rate
        /// Spot checks (监督抽检) in the period that passed, counted per check.
        public var spotChecks: Rate

        public init(firstPass: Rate, afterAdjustment: Rate, spotChecks: Rate) {
            self.firstPass = firstPass
            self.afterAdjustment = afterAdjustment
            self.spotChecks = spotChecks
        }
    }

    /// 检定合格率, kept apart as first-pass and after-adjustment (fuel dispensers are adjusted on
    /// site), **paired per verification event** (issue #18, item 5): an event is a first or periodic
    /// verification with the after-repair verifications that follow it (up to the next first or
    /// periodic one), counted in the period of its opening day. First-pass: the opening verification
    /// passed; after adjustment: the event's last verification passed. Both rates have the same
    /// events, so after adjustment is never below first-pass — also with two cycles in one period (a
    /// 6-month dispenser). After-repair records with no opening verification before them repair
    /// something not on record and open no event. Corrections replace what they correct.
    public static func passRates(_ instruments: [MetricInstrument], in period: MetricPeriod) -> PassRates {
        let e = passEvents(instruments, in: period)
        return PassRates(firstPass: Rate(e.firstPass), afterAdjustment: Rate(e.afterAdjustment), spotChecks: Rate(e.spotChecks))
    }

    public static func passEvents(
        _ instruments: [MetricInstrument], in period: MetricPeriod
    ) -> (firstPass: [MetricEvent], afterAdjustment: [MetricEvent], spotChecks: [MetricEvent]) {
        var first: [MetricEvent] = [], after: [MetricEvent] = [], spot: [MetricEvent] = []
        for i in instruments {
            let effective = ComplianceEngine.effectiveRecords(i.records)
            for s in effective where s.kind == .spotCheck && period.contains(s.date) {
                spot.append(MetricEvent(instrumentID: i.id, day: s.date, met: s.result == .pass))
            }
            for e in verificationEvents(effective) where period.contains(e.opening.date) {
                first.append(MetricEvent(instrumentID: i.id, day: e.opening.date, met: e.opening.result == .pass))
                after.append(MetricEvent(instrumentID: i.id, day: e.opening.date, met: e.last.result == .pass))
            }
        }
        return (first, after, spot)
    }

    /// The verification events of effective records in date order: each first or periodic
    /// verification with the after-repair verifications that follow it.
    public static func verificationEvents(_ effective: [VerificationFact]) -> [(opening: VerificationFact, last: VerificationFact)] {
        var out: [(opening: VerificationFact, last: VerificationFact)] = []
        for r in effective where r.kind != .spotCheck {
            if r.kind == .afterRepair {
                if !out.isEmpty { out[out.count - 1].last = r }
            } else {
                out.append((r, r))
            }
        }
        return out
    }

    /// 备案率, filing rate = instruments filed ÷ instruments surveyed (found in use, drafts
    /// included), **as they stood on `day`**: registered by then and not yet retired, filed by then
    /// (issue #18, item 6: an instrument retired or filed today no longer changes a past day).
    public static func filingRate(_ instruments: [MetricInstrument], on day: CalendarDay) -> Rate { Rate(filingEvents(instruments, on: day)) }

    public static func filingEvents(_ instruments: [MetricInstrument], on day: CalendarDay) -> [MetricEvent] {
        instruments.filter { $0.isSurveyed(on: day) }.map { MetricEvent(instrumentID: $0.id, day: day, met: $0.isFiled(on: day)) }
    }

    public struct Coverage: Sendable, Equatable {
        /// Catalogue sub-items in use that are covered ÷ sub-items in use.
        public var items: Rate
        /// Instruments of covered sub-items ÷ instruments in use.
        public var instruments: Rate
        /// Sub-items in use that nobody covers, with their instrument counts (the gap list).
        public var gaps: [Int: Int]
    }

    /// 检定能力覆盖率: `inUse` maps each catalogue sub-item in use in the jurisdiction to its number
    /// of instruments; `covered` holds the sub-items for which an authorised institution's scope or a
    /// valid social public measurement standard covers the jurisdiction on the day.
    public static func coverage(inUse: [Int: Int], covered: Set<Int>) -> Coverage {
        var items = Rate(0, 0), count = Rate(0, 0), gaps: [Int: Int] = [:]
        for (sub, n) in inUse where n > 0 {
            items.denominator += 1
            count.denominator += n
            if covered.contains(sub) {
                items.numerator += 1
                count.numerator += n
            } else {
                gaps[sub] = n
            }
        }
        return Coverage(items: items, instruments: count, gaps: gaps)
    }

    /// Coverage where sub-items are in use in several places (counties): `inUse` maps each sub-item
    /// to its instruments per place, and `served(sub, place)` says whether a valid provider serves
    /// the place. A sub-item counts as covered only when every place using it is served; the
    /// instrument-weighted rate counts the instruments in served places; gaps count the unserved ones.
    public static func coverage(inUse: [Int: [RegionCode: Int]], served: (Int, RegionCode) -> Bool) -> Coverage {
        var items = Rate(0, 0), count = Rate(0, 0), gaps: [Int: Int] = [:]
        for (sub, places) in inUse {
            var unserved = 0, total = 0
            for (place, n) in places where n > 0 {
                total += n
                if !served(sub, place) { unserved += n }
            }
            guard total > 0 else { continue }
            items.denominator += 1
            count.denominator += total
            count.numerator += total - unserved
            if unserved == 0 { items.numerator += 1 } else { gaps[sub] = unserved }
        }
        return Coverage(items: items, instruments: count, gaps: gaps)
    }

    /// 三表首次检定执行率: utility meters put into use in the period with a passed first
    /// verification dated on or before that day ÷ utility meters put into use in the period.
    public static func firstVerificationRate(_ meters: [MetricInstrument], in period: MetricPeriod) -> Rate {
        Rate(firstVerificationEvents(meters, in: period))
    }

    public static func firstVerificationEvents(_ meters: [MetricInstrument], in period: MetricPeriod) -> [MetricEvent] {
        meters.compactMap { m in
            guard m.isUtilityMeter, m.isFiled, let start = m.inServiceOn, period.contains(start) else { return nil }
            return MetricEvent(instrumentID: m.id, day: start, met: m.verifications.contains { $0.date <= start && $0.result == .pass })
        }
    }

    /// 到期轮换执行率: utility meters whose service life ended in the period (`lifeEnds`, the last day
    /// of use) and that were rotated out or scrapped on or before that day ÷ meters whose life ended.
    public static func rotationOnTimeRate(_ meters: [MetricInstrument], in period: MetricPeriod) -> Rate { Rate(rotationEvents(meters, in: period)) }

    /// A meter taken out of service more than this many days before its life ended was not rotated
    /// at expiry (it failed, broke or was replaced early) and has no rotation event. A fixed window,
    /// not "before the period": whether a meter counts must not depend on the period asked, or a
    /// year's rate would differ from the sum of its months (docs/metrics.md).
    public static let rotationWindowDays = 90

    public static func rotationEvents(_ meters: [MetricInstrument], in period: MetricPeriod) -> [MetricEvent] {
        meters.compactMap { m in
            guard m.isUtilityMeter, m.isFiled, let end = m.lifeEnds, period.contains(end) else { return nil }
            if let retired = m.retiredOn, retired < end.adding(days: -rotationWindowDays) { return nil }  // left service long before its life end
            return MetricEvent(instrumentID: m.id, day: end, met: m.retiredOn.map { $0 <= end } ?? false)
        }
    }
}
