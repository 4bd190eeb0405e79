/// The instrument lifecycle as recorded by people (备案 workflow), as opposed to the computed
/// compliance status: draft → filed → in service → suspended → scrapped or rotated out.
public enum LifecycleStatus: String, Sendable, Codable, CaseIterable {
    case draft, filed
    case inService = "in_service"
    case suspended, scrapped
    case rotatedOut = "rotated_out"

    /// Which manual transitions are allowed. Scrapped and rotated-out are final: the lifelong code
    /// stays with the retired instrument and is never reused.
    public func canMove(to next: LifecycleStatus) -> Bool {
        switch (self, next) {
        case (.draft, .filed), (.draft, .scrapped): true
        case (.filed, .inService), (.filed, .suspended), (.filed, .scrapped), (.filed, .draft): true
        case (.inService, .suspended), (.inService, .scrapped), (.inService, .rotatedOut): true
        case (.suspended, .inService), (.suspended, .scrapped), (.suspended, .rotatedOut): true
        default: false
        }
    }
}

public enum VerificationKind: String, Sendable, Codable, CaseIterable {
    case first, periodic
    case afterRepair = "after_repair"
    /// 监督抽检: a failed spot check stops use; a passed one does not renew the cycle.
    case spotCheck = "spot_check"
}

public enum VerificationResult: String, Sendable, Codable, CaseIterable { case pass, fail }

/// What the instrument's compliance is on a given day. Stored values are the raw strings.
public enum ComplianceStatus: String, Sendable, Codable, CaseIterable {
    case notFiled = "not_filed"
    case valid
    case dueSoon = "due_soon"
    case overdue
    /// The last verification failed: the instrument must not be used (计量法 art. 9).
    case failed
    /// A first-verification-only meter is past its service life: rotation is due.
    case lifeExpired = "life_expired"
    /// Mandatory verification applies but no verification rule (form with its cycle or service life)
    /// is recorded for the instrument: nobody can say when it is due, so it is never shown as valid
    /// (issue #18, item 2). The administrator adds the rule; staff see and are warned of these.
    case ruleMissing = "rule_missing"
    case suspended
    case scrapped
}

/// The part of the compliance status that does not depend on today's date. It is what the
/// database stores per instrument (with the earliest due date), so that "overdue in county X today"
/// is an indexed range query and not a recomputation.
public enum ComplianceBase: String, Sendable, Codable, CaseIterable {
    case notFiled = "not_filed"
    case active
    case failed
    /// Mandatory verification applies and no rule says when (see `ComplianceStatus.ruleMissing`).
    case ruleMissing = "rule_missing"
    case suspended
    case retired
}

/// What a due date is for.
public enum DueKind: String, Sendable, Codable, CaseIterable {
    /// The instrument was never verified: verification is due before it is used.
    case firstVerification = "first_verification"
    case verification
    case rotation
    /// A schedule kept by hand (seal check, maintenance, …).
    case custom
}

/// A verification fact as the engine sees it.
public struct VerificationFact: Sendable, Equatable {
    public var id: Int64
    public var date: CalendarDay
    public var kind: VerificationKind
    public var result: VerificationResult
    /// Stored when recorded: the end of the cycle (periodic) or of the service life (rotation).
    public var validUntil: CalendarDay?
    /// The record this one corrects; the corrected record no longer counts.
    public var corrects: Int64?
    /// The form of the rule `validUntil` was computed with (nil: recorded without a rule). The rule,
    /// not the catalogue row, says whether a date is a cycle end or a life end: water meters of one
    /// sub-item are rotated or verified periodically by size (JJG 162-2019; issue #18, item 1).
    public var form: VerificationForm?

    public init(
        id: Int64, date: CalendarDay, kind: VerificationKind, result: VerificationResult,
        validUntil: CalendarDay? = nil, corrects: Int64? = nil, form: VerificationForm? = nil
    ) {
        self.id = id
        self.date = date
        self.kind = kind
        self.result = result
        self.validUntil = validUntil
        self.corrects = corrects
        self.form = form
    }
}

/// An independent schedule kept beside the computed ones (a seal check every 6 months, say).
public struct ManualSchedule: Sendable, Equatable {
    public var name: String
    public var dueDate: CalendarDay
    public init(name: String, dueDate: CalendarDay) {
        self.name = name
        self.dueDate = dueDate
    }
}

/// One schedule's next due date.
public struct ScheduleDue: Sendable, Equatable {
    public var kind: DueKind
    public var name: String
    public var dueDate: CalendarDay
}

/// The engine's answer for one instrument.
public struct ComplianceEvaluation: Sendable, Equatable {
    public var base: ComplianceBase
    public var schedules: [ScheduleDue]
    /// The ids of the records that still count (after corrections), oldest first.
    public var effectiveRecordIDs: [Int64]

    /// The earliest due date across all schedules, and what it is for.
    public var nextDue: ScheduleDue? { schedules.min { $0.dueDate < $1.dueDate } }

    /// The status on `today`. Due soon means 0…`window` days left, the due date itself included;
    /// overdue (or life expired) from the day after.
    public func status(on today: CalendarDay, dueSoonWindow window: Int = 30) -> ComplianceStatus {
        ComplianceEngine.status(base: base, nextDue: nextDue?.dueDate, dueKind: nextDue?.kind, on: today, window: window)
    }
}

/// Pure functions computing compliance. Takes the date as a parameter; never reads a clock.
public enum ComplianceEngine {
    /// The instrument as the engine needs it.
    public struct Input: Sendable {
        public var lifecycle: LifecycleStatus
        /// The form of the rule that governs the instrument today (its sub-item and meter attributes),
        /// or the catalogue row's form where no rule matches; nil where neither has one. A record's
        /// own rule form, where it has one, takes precedence (`governingForm`).
        public var form: VerificationForm?
        public var mode: SupervisionMode?
        public var inServiceDate: CalendarDay?
        public var records: [VerificationFact]
        public var manualSchedules: [ManualSchedule]

        public init(
            lifecycle: LifecycleStatus, form: VerificationForm?, mode: SupervisionMode? = .pv,
            inServiceDate: CalendarDay?, records: [VerificationFact], manualSchedules: [ManualSchedule] = []
        ) {
            self.lifecycle = lifecycle
            self.form = form
            self.mode = mode
            self.inServiceDate = inServiceDate
            self.records = records
            self.manualSchedules = manualSchedules
        }
    }

    /// Records that still count: every record not corrected by another, ordered by verification
    /// date (not entry order, so a record entered late falls into its place), then by id.
    public static func effectiveRecords(_ records: [VerificationFact]) -> [VerificationFact] {
        let corrected = Set(records.compactMap(\.corrects))
        return records.filter { !corrected.contains($0.id) }.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
    }

    /// The form that decides an instrument's schedule: the form of the rule its last verification
    /// was recorded under (that record's date is a cycle end or a life end by that rule), else the
    /// form of the rule that governs it now (`current`). Issue #18, item 1.
    public static func governingForm(passes: [VerificationFact], current: VerificationForm?) -> VerificationForm? {
        passes.last?.form ?? current
    }

    /// The end of a limited-life meter's service life: the valid-until of its first verification
    /// recorded under a rotation rule (or without a rule), which `validUntil` counts from the first
    /// verification ever passed. The life counts from the first verification (JJG 162-2019 水表,
    /// JJG 577-2012 / JJG 1190-2022 燃气表, JJG 596-2012 电能表): later passes never extend it.
    /// The engine and the rotation rate both use this one definition (issue #18, item 3).
    public static func lifeEnd(passes: [VerificationFact]) -> CalendarDay? {
        passes.first { $0.form == nil || $0.form == .firstOnlyRotation }?.validUntil
    }

    /// The day a never-verified instrument's first verification is due: the day before it is put
    /// into use. Mandatory verification comes before use (计量法 art. 9), so on its in-service day an
    /// unverified instrument is already non-compliant, not "due soon" (issue #18, item 12).
    public static func firstVerificationDue(inService: CalendarDay) -> CalendarDay { inService.adding(days: -1) }

    public static func evaluate(_ input: Input) -> ComplianceEvaluation {
        let effective = effectiveRecords(input.records)
        let ids = effective.map(\.id)
        let manual = input.manualSchedules.map { ScheduleDue(kind: .custom, name: $0.name, dueDate: $0.dueDate) }
        switch input.lifecycle {
        case .draft: return .init(base: .notFiled, schedules: [], effectiveRecordIDs: ids)
        case .scrapped, .rotatedOut: return .init(base: .retired, schedules: [], effectiveRecordIDs: ids)
        case .suspended: return .init(base: .suspended, schedules: [], effectiveRecordIDs: ids)
        case .filed, .inService: break
        }
        // Instruments outside mandatory verification (P only) carry only their manual schedules.
        guard input.mode?.requiresVerification ?? true else {
            return .init(base: .active, schedules: manual, effectiveRecordIDs: ids)
        }
        // The latest verdict decides whether the instrument may be used; a later pass (after repair)
        // lifts an earlier failure. Spot checks count for failures only.
        if let last = effective.last(where: { $0.result == .fail || $0.kind != .spotCheck }), last.result == .fail {
            return .init(base: .failed, schedules: manual, effectiveRecordIDs: ids)
        }
        let passes = effective.filter { $0.result == .pass && $0.kind != .spotCheck }
        // Without a form nobody can say when verification is due: never valid (issue #18, item 2).
        guard let form = governingForm(passes: passes, current: input.form) else {
            return .init(base: .ruleMissing, schedules: manual, effectiveRecordIDs: ids)
        }
        // 失准报废 (first verification only, scrapped once inaccurate): a failure is final, and a
        // pass after repair does not make the instrument usable again (实施强制管理的计量器具目录,
        // 市场监管总局公告2020年第42号, 说明: 失准报废; issue #18, item 11).
        if form == .firstOnlyScrap, effective.contains(where: { $0.result == .fail }) {
            return .init(base: .failed, schedules: manual, effectiveRecordIDs: ids)
        }
        var schedules = manual
        if passes.isEmpty {
            if let start = input.inServiceDate {
                schedules.append(ScheduleDue(kind: .firstVerification, name: "first_verification", dueDate: firstVerificationDue(inService: start)))
            }
            return .init(base: .active, schedules: schedules, effectiveRecordIDs: ids)
        }
        switch form {
        case .periodic:
            // A pass stored without a cycle end (no rule in force then) leaves no due date.
            guard let until = passes.last!.validUntil else { return .init(base: .ruleMissing, schedules: manual, effectiveRecordIDs: ids) }
            schedules.append(ScheduleDue(kind: .verification, name: "verification", dueDate: until))
        case .firstOnlyRotation:
            guard let end = lifeEnd(passes: passes) else { return .init(base: .ruleMissing, schedules: manual, effectiveRecordIDs: ids) }
            schedules.append(ScheduleDue(kind: .rotation, name: "rotation", dueDate: end))
        case .firstOnlyScrap:
            break  // valid until it fails
        }
        return .init(base: .active, schedules: schedules, effectiveRecordIDs: ids)
    }

    /// The status on `today` from the stored parts. The SQL status filter mirrors this function
    /// (see `InstrumentQuery`); a test checks the two agree.
    public static func status(
        base: ComplianceBase, nextDue: CalendarDay?, dueKind: DueKind?, on today: CalendarDay, window: Int
    ) -> ComplianceStatus {
        switch base {
        case .notFiled: return .notFiled
        case .retired: return .scrapped
        case .suspended: return .suspended
        case .failed: return .failed
        case .ruleMissing: return .ruleMissing
        case .active:
            guard let due = nextDue else { return .valid }
            let left = today.days(until: due)
            if left < 0 { return dueKind == .rotation ? .lifeExpired : .overdue }
            return left <= window ? .dueSoon : .valid
        }
    }

    /// The "valid until" to store on a new passing record, from the rule in force on its date.
    /// Periodic: the last day of the cycle. Rotation: the last day of the service life, counted from
    /// the first verification (`firstPassDate`, or this record's date when it is the first pass).
    /// Scrap-on-failure: none.
    public static func validUntil(
        date: CalendarDay, result: VerificationResult, kind: VerificationKind, rule: VerificationRule?,
        firstPassDate: CalendarDay?
    ) -> CalendarDay? {
        guard result == .pass, kind != .spotCheck, let rule else { return nil }
        switch rule.form {
        case .periodic: return rule.cycleMonths.map { date.lastDayOfPeriod(months: $0) }
        case .firstOnlyRotation: return rule.serviceLifeMonths.map { (firstPassDate ?? date).lastDayOfPeriod(months: $0) }
        case .firstOnlyScrap: return nil
        }
    }
}
