import JiliangCore
import JiliangStore
import Testing

/// The one reading of an instrument's stored status (issue #20, item 6): the boundaries of the
/// due-soon window (30 days, issue #3's figure, configurable) and of the due day itself
/// (JJG rules: usable through its valid-until day, overdue from the next).
@Suite struct StoredStatusTests {
    static let today = CalendarDay("2026-11-26")!

    @Test(arguments: [
        // base, next due, due kind, expected
        ("active", "2026-11-26", "verification", ComplianceStatus.dueSoon),  // due today: still usable today
        ("active", "2026-11-25", "verification", .overdue),  // the day after the due day
        ("active", "2026-11-25", "rotation", .lifeExpired),  // a rotation due passed: its life ended
        ("active", "2026-12-26", "verification", .dueSoon),  // 30 days ahead: inside the window
        ("active", "2026-12-27", "verification", .valid),  // 31 days ahead: outside
        ("active", nil, nil, .valid),  // nothing due (e.g. scrapped when inaccurate)
        ("not_filed", "2026-01-01", "verification", .notFiled),
        ("failed", nil, nil, .failed),
        ("rule_missing", nil, nil, .ruleMissing),
        ("suspended", "2026-01-01", "verification", .suspended),
        ("retired", nil, nil, .scrapped),
        ("garbled", nil, nil, .notFiled),  // an unknown stored base is not taken for valid
    ] as [(String, String?, String?, ComplianceStatus)])
    func theStatusOnADay(base: String, due: String?, kind: String?, expected: ComplianceStatus) {
        #expect(StoredStatus.of(base: base, nextDue: due, dueKind: kind, on: Self.today, window: 30) == expected)
    }
}
