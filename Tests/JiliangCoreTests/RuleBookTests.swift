import JiliangCore
import Testing

/// The 三表 rules of reference.md §2, as seeded, and rule versioning.
@Suite struct RuleBookTests {
    static let day = CalendarDay("2024-06-01")!
    static let book = RuleBook([
        VerificationRule(id: 1, subNo: 14, effectiveFrom: CalendarDay("2020-11-01")!, condition: .init(meterType: .water, dnMax: 25, q3Max: 16), form: .firstOnlyRotation, serviceLifeMonths: 72, confidence: .confirmed),
        VerificationRule(id: 2, subNo: 14, effectiveFrom: CalendarDay("2020-11-01")!, condition: .init(meterType: .water, dnAbove: 25, dnMax: 50, q3Max: 16), form: .firstOnlyRotation, serviceLifeMonths: 48, confidence: .confirmed),
        VerificationRule(id: 3, subNo: 14, effectiveFrom: CalendarDay("2020-11-01")!, form: .periodic, cycleMonths: 24, confidence: .confirmed),
        VerificationRule(id: 4, subNo: 15, effectiveFrom: CalendarDay("2020-11-01")!, condition: .init(meterType: .gas, medium: .naturalGas), form: .firstOnlyRotation, serviceLifeMonths: 120, confidence: .confirmed),
        VerificationRule(id: 5, subNo: 15, effectiveFrom: CalendarDay("2020-11-01")!, condition: .init(meterType: .gas, medium: .lpg), form: .firstOnlyRotation, serviceLifeMonths: 72, confidence: .confirmed),
        VerificationRule(id: 6, subNo: 15, effectiveFrom: CalendarDay("2020-11-01")!, form: .firstOnlyRotation, serviceLifeMonths: 72, confidence: .unconfirmed),
        VerificationRule(id: 7, subNo: 2, version: 1, effectiveFrom: CalendarDay("2020-11-01")!, form: .periodic, cycleMonths: 12, confidence: .unconfirmed),
        VerificationRule(id: 8, subNo: 2, version: 2, effectiveFrom: CalendarDay("2027-01-08")!, form: .periodic, cycleMonths: 6, confidence: .partial),
    ])

    @Test(arguments: [
        // (sub, meter type, DN, Q3, medium, expected rule id)
        (14, MeterType.water, 15 as Int?, 2.5, nil as GasMedium?, 1),
        (14, .water, 25, 2.5, nil, 1),  // DN 25 is still "DN ≤ 25"
        (14, .water, 26, 2.5, nil, 2),  // just above 25
        (14, .water, 50, 10.0, nil, 2),  // DN 50 is still "≤ 50"
        (14, .water, 80, 40.0, nil, 3),  // large meter: periodic
        (14, .water, 15, 25.0, nil, 3),  // Q3 > 16: periodic even at DN 15
        (14, .water, 15, 16.0, nil, 1),  // Q3 = 16 is "≤ 16"
        (15, .gas, nil, 2.5, .naturalGas, 4),
        (15, .gas, nil, 2.5, .lpg, 5),
        (15, .gas, nil, 2.5, nil, 6),  // medium not recorded: the unconditional fallback
    ])
    func picksTheMostSpecificMatchingRule(sub: Int, type: MeterType, dn: Int?, q3: Double, medium: GasMedium?, expected: Int) {
        let attrs = MeterAttributes(meterType: type, dn: dn, q3: q3, medium: medium)
        #expect(Self.book.rule(subNo: sub, attributes: attrs, on: Self.day)?.id == expected)
    }

    @Test func aMeterWithoutDNNeverFallsIntoADNLimitedRule() {
        #expect(Self.book.rule(subNo: 14, attributes: .init(meterType: .water, q3: 2.5), on: Self.day)?.id == 3)
    }

    @Test(arguments: [("2027-01-07", 7), ("2027-01-08", 8), ("2030-01-01", 8), ("2020-10-31", nil as Int?)])
    func versionsApplyFromTheirEffectiveDate(day: String, expected: Int?) {
        #expect(Self.book.rule(subNo: 2, attributes: .init(), on: CalendarDay(day)!)?.id == expected)
    }

    @Test func aRecordKeepsTheDueDateOfTheRuleInForceWhenItWasMade() {
        // Verified under version 1 (12 months); version 2 (6 months) arriving later changes nothing.
        let date = CalendarDay("2026-12-01")!
        let rule = Self.book.rule(subNo: 2, attributes: .init(), on: date)
        #expect(ComplianceEngine.validUntil(date: date, result: .pass, kind: .periodic, rule: rule, firstPassDate: nil)?.description == "2027-11-30")
        let later = CalendarDay("2027-02-01")!
        let rule2 = Self.book.rule(subNo: 2, attributes: .init(), on: later)
        #expect(ComplianceEngine.validUntil(date: later, result: .pass, kind: .periodic, rule: rule2, firstPassDate: nil)?.description == "2027-07-31")
    }

    /// A regulation that changes a rule's conditions ends the earlier rule the day before it takes
    /// effect (JJG 162-2019, 2020-03-31, added "Q3 ≤ 16"): without the end date the earlier, more
    /// specific DN-only rule would still win for a DN 15 meter with Q3 > 16 (issue #18, item 14).
    @Test(arguments: [
        ("2020-03-30", 25.0, 11),  // the day before: the DN-only rotation rule
        ("2020-03-31", 25.0, 13),  // from the new regulation's first day: periodic, Q3 > 16
        ("2020-03-31", 2.5, 12),  // Q3 ≤ 16: rotation under the new rule
        ("2019-01-01", 2.5, 11),
    ])
    func anEndedRuleNoLongerApplies(day: String, q3: Double, expected: Int) {
        let book = RuleBook([
            VerificationRule(id: 11, subNo: 14, effectiveFrom: CalendarDay("1990-01-01")!, effectiveUntil: CalendarDay("2020-03-30")!,
                             condition: .init(meterType: .water, dnMax: 25), form: .firstOnlyRotation, serviceLifeMonths: 72, confidence: .partial),
            VerificationRule(id: 12, subNo: 14, version: 2, effectiveFrom: CalendarDay("2020-03-31")!,
                             condition: .init(meterType: .water, dnMax: 25, q3Max: 16), form: .firstOnlyRotation, serviceLifeMonths: 72, confidence: .confirmed),
            VerificationRule(id: 13, subNo: 14, version: 2, effectiveFrom: CalendarDay("2020-03-31")!, form: .periodic, cycleMonths: 24, confidence: .confirmed),
        ])
        #expect(book.rule(subNo: 14, attributes: .init(meterType: .water, dn: 15, q3: q3), on: CalendarDay(day)!)?.id == expected)
        #expect(book.currentForm(subNo: 14, attributes: .init(meterType: .water, dn: 15, q3: q3), catalogueForm: nil) == (q3 > 16 ? .periodic : .firstOnlyRotation))
    }
}
