import JiliangCore
import Testing

/// The lifecycle engine, table-driven, with the boundaries: the due date itself, 29 February,
/// rotation at exactly N years, a record entered late, a correction.
@Suite struct ComplianceEngineTests {
    static func pass(
        _ id: Int64, _ date: String, until: String?, kind: VerificationKind = .periodic, corrects: Int64? = nil, rule: VerificationForm? = nil
    ) -> VerificationFact {
        VerificationFact(
            id: id, date: CalendarDay(date)!, kind: kind, result: .pass, validUntil: until.map { CalendarDay($0)! }, corrects: corrects, form: rule)
    }
    static func fail(_ id: Int64, _ date: String, kind: VerificationKind = .periodic, corrects: Int64? = nil) -> VerificationFact {
        VerificationFact(id: id, date: CalendarDay(date)!, kind: kind, result: .fail, corrects: corrects)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var lifecycle: LifecycleStatus = .inService
        /// The form of the rule that governs the instrument now (nil: no rule and no catalogue form).
        var form: VerificationForm? = .periodic
        var mode: SupervisionMode = .pv
        var inService: String? = "2020-01-01"
        var records: [VerificationFact] = []
        var manual: [ManualSchedule] = []
        var today: String
        var window = 30
        var status: ComplianceStatus
        var due: String? = nil
        var testDescription: String { name }
    }

    static let periodic = [pass(1, "2025-05-20", until: "2026-05-19")]
    static let rotationWater = [pass(1, "2020-03-01", until: "2026-02-28", kind: .first)]  // DN15: 72 months

    static let cases: [Case] = [
        // Due-soon window around the due date 2026-05-19.
        Case(name: "31 days before: valid", records: periodic, today: "2026-04-18", status: .valid, due: "2026-05-19"),
        Case(name: "30 days before: due soon", records: periodic, today: "2026-04-19", status: .dueSoon, due: "2026-05-19"),
        Case(name: "the due date itself: due soon, still usable", records: periodic, today: "2026-05-19", status: .dueSoon, due: "2026-05-19"),
        Case(name: "the day after: overdue", records: periodic, today: "2026-05-20", status: .overdue, due: "2026-05-19"),
        Case(name: "window 0: due date is due soon", records: periodic, today: "2026-05-19", window: 0, status: .dueSoon),
        Case(name: "window 0: day before is valid", records: periodic, today: "2026-05-18", window: 0, status: .valid),
        // 29 February.
        Case(name: "verified on 29 Feb: valid through 28 Feb", records: [pass(1, "2024-02-29", until: "2025-02-28")], today: "2025-02-28", status: .dueSoon, due: "2025-02-28"),
        Case(name: "verified on 29 Feb: overdue on 1 March", records: [pass(1, "2024-02-29", until: "2025-02-28")], today: "2025-03-01", status: .overdue),
        // Rotation at exactly N years (water meter DN15, 6 years from first verification on 2020-03-01).
        Case(name: "rotation: last day of life", form: .firstOnlyRotation, records: rotationWater, today: "2026-02-28", status: .dueSoon, due: "2026-02-28"),
        Case(name: "rotation: the day after the life", form: .firstOnlyRotation, records: rotationWater, today: "2026-03-01", status: .lifeExpired),
        // A later *verification* pass (not a spot check, which the engine ignores anyway) does not
        // extend the life: it runs from the first verification (JJG 162-2019; issue #18, item 16).
        Case(name: "rotation: a later pass does not extend the life", form: .firstOnlyRotation,
             records: rotationWater + [pass(2, "2025-12-01", until: "2031-11-30", kind: .periodic)], today: "2026-03-01", status: .lifeExpired),
        Case(name: "rotation: mid-life", form: .firstOnlyRotation, records: rotationWater, today: "2023-01-01", status: .valid, due: "2026-02-28"),
        // A record entered late: the newest by verification date wins, not the last entered.
        Case(name: "late entry of an older record", records: [pass(1, "2025-06-01", until: "2026-05-31"), pass(2, "2024-06-01", until: "2025-05-31")],
             today: "2026-01-01", status: .valid, due: "2026-05-31"),
        Case(name: "late entry of a newer record", records: [pass(1, "2024-06-01", until: "2025-05-31"), pass(2, "2025-06-01", until: "2026-05-31")],
             today: "2025-07-01", status: .valid, due: "2026-05-31"),
        // Corrections: the corrected record stops counting.
        Case(name: "correction of the date", records: [pass(1, "2025-06-01", until: "2026-05-31"), pass(2, "2025-06-10", until: "2026-06-09", corrects: 1)],
             today: "2026-06-05", status: .dueSoon, due: "2026-06-09"),
        Case(name: "correction from pass to fail", records: [pass(1, "2025-06-01", until: "2026-05-31"), fail(2, "2025-06-01", corrects: 1)],
             today: "2025-07-01", status: .failed),
        Case(name: "correction from fail to pass", records: [fail(1, "2025-06-01"), pass(2, "2025-06-01", until: "2026-05-31", corrects: 1)],
             today: "2025-07-01", status: .valid, due: "2026-05-31"),
        // Failures, repairs and spot checks.
        Case(name: "failed", records: [fail(1, "2025-06-01")], today: "2025-06-02", status: .failed),
        Case(name: "failed then passed after repair", records: [fail(1, "2025-06-01"), pass(2, "2025-06-08", until: "2026-06-07", kind: .afterRepair)],
             today: "2025-06-09", status: .valid, due: "2026-06-07"),
        Case(name: "spot check failure stops use", records: periodic + [fail(2, "2025-09-01", kind: .spotCheck)], today: "2025-09-02", status: .failed),
        Case(name: "spot check pass does not renew the cycle", records: periodic + [pass(2, "2026-05-01", until: nil, kind: .spotCheck)],
             today: "2026-05-20", status: .overdue, due: "2026-05-19"),
        // Never verified: verification is due before use, so the due date is the day before the
        // in-service day, and on the in-service day itself the instrument is already non-compliant
        // (计量法 art. 9; issue #18, item 12).
        Case(name: "never verified, before use", inService: "2026-01-10", today: "2026-01-01", status: .dueSoon, due: "2026-01-09"),
        Case(name: "never verified, the day before use", inService: "2026-01-10", today: "2026-01-09", status: .dueSoon, due: "2026-01-09"),
        Case(name: "never verified, on its in-service day", inService: "2026-01-10", today: "2026-01-10", status: .overdue, due: "2026-01-09"),
        Case(name: "never verified, in use", inService: "2026-01-10", today: "2026-01-11", status: .overdue, due: "2026-01-09"),
        Case(name: "never verified, in-service day 1 March of a leap year", inService: "2024-03-01", today: "2024-03-01", status: .overdue, due: "2024-02-29"),
        // The rule's form decides, not the catalogue row's (issue #18, item 1; rules.csv sub 14: a
        // water meter DN > 50 or Q3 > 16 is verified every 24 months, JJG 162-2019). Passes recorded
        // under a periodic rule renew the cycle even where the current form says rotation.
        Case(name: "bulk water meter: periodic passes renew the cycle", form: .periodic,
             records: [pass(1, "2022-03-01", until: "2024-02-29", kind: .first, rule: .periodic), pass(2, "2024-02-20", until: "2026-02-28", rule: .periodic)],
             today: "2025-06-01", status: .valid, due: "2026-02-28"),
        Case(name: "the last pass's rule form decides over the current form", form: .firstOnlyRotation,
             records: [pass(1, "2022-03-01", until: "2024-02-29", kind: .first, rule: .periodic), pass(2, "2024-02-20", until: "2026-02-28", rule: .periodic)],
             today: "2025-06-01", status: .valid, due: "2026-02-28"),
        Case(name: "a pass under a rotation rule after periodic ones: rotation", form: .periodic,
             records: [pass(1, "2020-03-01", until: "2022-02-28", kind: .first, rule: .periodic), pass(2, "2022-02-20", until: "2026-02-28", rule: .firstOnlyRotation)],
             today: "2026-03-01", status: .lifeExpired, due: "2026-02-28"),
        // The life end is the first verification's (issue #18, item 3): an earlier first pass
        // entered late sets it, whatever later records carry.
        Case(name: "rotation: a first pass entered late sets the life end", form: .firstOnlyRotation,
             records: [pass(1, "2020-03-01", until: "2026-02-28", kind: .first, rule: .firstOnlyRotation),
                       pass(2, "2019-03-01", until: "2025-02-28", kind: .first, rule: .firstOnlyRotation)],
             today: "2025-03-01", status: .lifeExpired, due: "2025-02-28"),
        // No rule and no catalogue form: never valid, "rule missing" (issue #18, item 2).
        Case(name: "no rule, never verified", form: nil, inService: "2026-01-10", today: "2025-01-01", status: .ruleMissing),
        Case(name: "no rule, verified", form: nil, records: [pass(1, "2025-05-20", until: nil)], today: "2025-06-01", status: .ruleMissing),
        Case(name: "periodic pass stored without a cycle end", records: [pass(1, "2025-05-20", until: nil)], today: "2025-06-01", status: .ruleMissing),
        Case(name: "rotation pass stored without a life end", form: .firstOnlyRotation, records: [pass(1, "2025-05-20", until: nil, kind: .first)],
             today: "2025-06-01", status: .ruleMissing),
        Case(name: "no rule but failed: failed comes first", form: nil, records: [fail(1, "2025-05-20")], today: "2025-06-01", status: .failed),
        Case(name: "no rule, pattern approval only: no verification due", form: nil, mode: .p, today: "2025-06-01", status: .valid),
        Case(name: "no rule, draft: not filed", lifecycle: .draft, form: nil, today: "2025-06-01", status: .notFiled),
        // Scrap on failure: valid until it fails.
        Case(name: "first-only-scrap stays valid", form: .firstOnlyScrap, records: [pass(1, "2015-01-01", until: nil, kind: .first)], today: "2026-01-01", status: .valid),
        Case(name: "first-only-scrap failed", form: .firstOnlyScrap, records: [fail(1, "2015-01-01", kind: .first)], today: "2026-01-01", status: .failed),
        // 失准报废: a failure is final; a pass after repair does not make it valid again (2020 catalogue,
        // 说明; issue #18 item 11). A corrected failure no longer counts.
        Case(name: "first-only-scrap: a pass after a failure stays failed", form: .firstOnlyScrap,
             records: [pass(1, "2015-01-01", until: nil, kind: .first), fail(2, "2025-03-01"), pass(3, "2025-04-01", until: nil)], today: "2026-01-01", status: .failed),
        Case(name: "first-only-scrap: a failed spot check is final too", form: .firstOnlyScrap,
             records: [pass(1, "2015-01-01", until: nil, kind: .first), fail(2, "2025-03-01", kind: .spotCheck)], today: "2026-01-01", status: .failed),
        Case(name: "first-only-scrap: a failure corrected to a pass", form: .firstOnlyScrap,
             records: [fail(1, "2015-01-01", kind: .first), pass(2, "2015-01-01", until: nil, kind: .first, corrects: 1)], today: "2026-01-01", status: .valid),
        // Lifecycle states override dates.
        Case(name: "draft", lifecycle: .draft, records: periodic, today: "2030-01-01", status: .notFiled),
        Case(name: "suspended", lifecycle: .suspended, records: periodic, today: "2030-01-01", status: .suspended),
        Case(name: "scrapped", lifecycle: .scrapped, records: periodic, today: "2030-01-01", status: .scrapped),
        Case(name: "rotated out", lifecycle: .rotatedOut, form: .firstOnlyRotation, records: rotationWater, today: "2030-01-01", status: .scrapped),
        // Several schedules: the earliest governs.
        Case(name: "seal check due before verification", records: periodic, manual: [ManualSchedule(name: "seal check", dueDate: CalendarDay("2025-12-01")!)],
             today: "2025-12-02", status: .overdue, due: "2025-12-01"),
        // Pattern-approval-only items carry no verification schedule.
        Case(name: "P only", mode: .p, inService: "2020-01-01", today: "2026-01-01", status: .valid),
    ]

    @Test(arguments: cases)
    func status(_ c: Case) {
        let e = ComplianceEngine.evaluate(
            .init(lifecycle: c.lifecycle, form: c.form, mode: c.mode, inServiceDate: c.inService.map { CalendarDay($0)! }, records: c.records,
                  manualSchedules: c.manual))
        #expect(e.status(on: CalendarDay(c.today)!, dueSoonWindow: c.window) == c.status)
        if let due = c.due { #expect(e.nextDue?.dueDate.description == due) }
    }

    @Test func correctedRecordsAreNotEffective() {
        let e = ComplianceEngine.effectiveRecords([Self.pass(1, "2025-06-01", until: nil), Self.pass(2, "2025-06-10", until: nil, corrects: 1), Self.pass(3, "2024-01-01", until: nil)])
        #expect(e.map(\.id) == [3, 2])
    }

    @Test(arguments: [
        (LifecycleStatus.draft, LifecycleStatus.filed, true), (.filed, .inService, true), (.inService, .suspended, true),
        (.suspended, .inService, true), (.inService, .rotatedOut, true), (.scrapped, .inService, false), (.rotatedOut, .inService, false),
        (.draft, .inService, false), (.inService, .draft, false),
    ])
    func lifecycleTransitions(from: LifecycleStatus, to: LifecycleStatus, allowed: Bool) {
        #expect(from.canMove(to: to) == allowed)
    }
}
