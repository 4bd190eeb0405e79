import JiliangCore
import Testing

/// The time rules of penalty publication (SAMR Order 45) and the serious-dishonesty list (Order 44),
/// and the credit-risk classes, with their boundaries.
@Suite struct CreditRulesTests {
    let publication = PenaltyPublicationRules()
    let listing = DishonestyListRules()

    /// Display ends on the last day of the period: shown on that day, gone the day after.
    @Test(arguments: [
        // kind, amount, published, restriction, last day shown (an organisation, decided on the publication day)
        (PenaltyKind.criticism, nil as Int?, "2026-01-15", nil as String?, "2026-04-14"),
        (.fine, 49_999, "2026-01-15", nil, "2026-04-14"),  // below Fujian's organisation threshold: short period
        (.fine, 50_000, "2026-01-15", nil, "2029-01-14"),  // the threshold itself is not "below"
        (.confiscation, nil, "2024-02-29", nil, "2027-02-28"),  // published on a leap day
        (.fine, 500, "2025-11-30", nil, "2026-02-28"),  // 30 Nov + 3 months: 28 Feb is the last day
        (.suspension, nil, "2026-03-01", "2030-06-30", "2030-06-30"),  // a longer restriction wins
        (.suspension, nil, "2026-03-01", "2027-06-30", "2029-02-28"),  // a shorter one does not
    ])
    func penaltyDisplayEndsOnTheExactDay(kind: PenaltyKind, amount: Int?, published: String, restriction: String?, lastDay: String) {
        let p = CalendarDay(published)!
        let until = publication.displayUntil(
            publishedOn: p, kind: kind, amountYuan: amount, party: .organisation, decidedOn: p, restrictionUntil: restriction.flatMap { CalendarDay($0) })
        #expect(until.description == lastDay)
        #expect(publication.isShown(on: until, publishedOn: p, displayUntil: until, withdrawn: false))
        #expect(!publication.isShown(on: until.adding(days: 1), publishedOn: p, displayUntil: until, withdrawn: false))
        #expect(!publication.isShown(on: p.adding(days: -1), publishedOn: p, displayUntil: until, withdrawn: false))
        #expect(!publication.isShown(on: p, publishedOn: p, displayUntil: until, withdrawn: true))
    }

    /// Fujian's "较低数额罚款" (闽市监规〔2024〕3号, 2024-07-12, valid five years): natural persons below
    /// 5,000 yuan, organisations below 50,000 yuan, both exclusive (issue #18, item 8). Outside the
    /// document's dates the nearest entry applies and is reported as not confirmed for that day.
    @Test(arguments: [
        // amount, party, decided on, low fine?, threshold confirmed for the day?
        (4_999, PartyKind.naturalPerson, "2026-01-15", true, true),
        (5_000, .naturalPerson, "2026-01-15", false, true),
        (10_000, .naturalPerson, "2026-01-15", false, true),  // low for everyone under the old, unconfirmed 10,000 — not any more
        (49_999, .organisation, "2026-01-15", true, true),
        (50_000, .organisation, "2026-01-15", false, true),
        (4_999, .naturalPerson, "2024-07-12", true, true),  // the document's first day
        (4_999, .naturalPerson, "2029-07-11", true, true),  // its last day
        (4_999, .naturalPerson, "2029-07-12", true, false),  // expired: the nearest entry, flagged
        (4_999, .naturalPerson, "2024-07-11", true, false),  // before it: likewise
    ])
    func lowFineThresholdsByPartyAndDate(amount: Int, party: PartyKind, decided: String, low: Bool, confirmed: Bool) {
        let day = CalendarDay(decided)!
        #expect(publication.isLowFine(amountYuan: amount, party: party, decidedOn: day) == low)
        #expect(publication.lowFineThreshold(on: day)?.confirmed == confirmed)
        #expect(publication.displayMonths(kind: .fine, amountYuan: amount, party: party, decidedOn: day) == (low ? 3 : 36))
    }

    @Test func aWarningAloneIsNeverPublished() {
        #expect(!publication.isPublished(.warning))
        #expect(PenaltyKind.allCases.filter { publication.isPublished($0) }.count == PenaltyKind.allCases.count - 1)
    }

    /// Order 45 art. 2: only decisions under the ordinary procedure (普通程序) are published; a
    /// summary-procedure (简易程序) decision never is, whatever its kind (issue #18, item 7).
    @Test(arguments: PenaltyKind.allCases)
    func summaryProcedureDecisionsAreNotPublished(kind: PenaltyKind) {
        #expect(!publication.isPublished(kind, procedure: .summary))
        #expect(publication.isPublished(kind, procedure: .ordinary) == (kind != .warning))
    }

    /// 20 working days from the decision, skipping weekends and holidays, counting make-up days.
    @Test(arguments: [
        ("2026-11-27", [String](), [String](), "2026-12-25"),
        ("2026-11-27", ["2026-12-01", "2026-12-02"], [], "2026-12-29"),
        ("2026-11-27", [], ["2026-12-05"], "2026-12-24"),
    ])
    func publicationDeadlineCountsWorkingDays(decided: String, holidays: [String], workdays: [String], expected: String) {
        var special: [CalendarDay: WorkingCalendar.DayKind] = [:]
        for h in holidays { special[CalendarDay(h)!] = .holiday }
        for w in workdays { special[CalendarDay(w)!] = .workday }
        #expect(publication.publishBy(decidedOn: CalendarDay(decided)!, calendar: WorkingCalendar(special: special)).description == expected)
    }

    /// Repair not before one year: the anniversary itself is the first day (a leap day rolls to 1 March).
    @Test(arguments: [
        ("2025-06-10", "2026-06-10"),
        ("2024-02-29", "2025-03-01"),
        ("2025-12-31", "2026-12-31"),
    ])
    func repairIsNotBeforeOneYear(published: String, firstDay: String) {
        let eligible = listing.repairEligibleOn(publishedOn: CalendarDay(published)!)
        #expect(eligible.description == firstDay)
        #expect(eligible.adding(days: -1) < eligible)
    }

    /// The party leaves the list on the third anniversary, or the day after a longer restriction.
    @Test(arguments: [
        ("2026-01-15", nil as String?, "2029-01-15"),
        ("2024-02-29", nil, "2027-03-01"),
        ("2026-01-15", "2030-01-31", "2030-02-01"),
        ("2026-01-15", "2027-01-31", "2029-01-15"),
    ])
    func removalAtTheEndOfThePeriod(published: String, restriction: String?, removal: String) {
        let p = CalendarDay(published)!
        let end = listing.removalOn(publishedOn: p, restrictionUntil: restriction.flatMap { CalendarDay($0) })
        #expect(end.description == removal)
        #expect(listing.isListed(on: end.adding(days: -1), publishedOn: p, removalOn: end, removedEarlyOn: nil))
        #expect(!listing.isListed(on: end, publishedOn: p, removalOn: end, removedEarlyOn: nil))
        #expect(!listing.isListed(on: p.adding(days: 100), publishedOn: p, removalOn: end, removedEarlyOn: p.adding(days: 100)))
    }

    /// Objections until the tenth working day after notice; a decision the day after, or at once after an objection.
    @Test func objectionWindow() {
        let calendar = WorkingCalendar()
        let notified = CalendarDay("2026-11-27")!  // a Friday
        let until = listing.objectionUntil(notifiedOn: notified, calendar: calendar)
        #expect(until.description == "2026-12-11")
        #expect(!listing.mayDecide(on: until, objectionUntil: until, objected: false))
        #expect(listing.mayDecide(on: until.adding(days: 1), objectionUntil: until, objected: false))
        #expect(listing.mayDecide(on: notified.adding(days: 1), objectionUntil: until, objected: true))
    }

    /// Score boundaries and each fact's contribution.
    @Test(arguments: [
        (CreditFacts(instrumentsInUse: 10), 100.0, CreditClass.a),
        (CreditFacts(instrumentsInUse: 10, overdueOrUnfiled: 10), 60.0, .c),  // all overdue: −40
        (CreditFacts(instrumentsInUse: 4, overdueOrUnfiled: 1), 90.0, .a),  // exactly the A bound
        (CreditFacts(instrumentsInUse: 40, overdueOrUnfiled: 11), 89.0, .b),
        (CreditFacts(instrumentsInUse: 10, verifications: 4, verificationFailures: 4), 100.0, .a),  // too few verifications to count
        (CreditFacts(instrumentsInUse: 10, verifications: 10, verificationFailures: 5), 85.0, .b),
        (CreditFacts(complaintsUpheld: 9), 80.0, .b),  // capped at −20
        (CreditFacts(penalties: 3, heavyPenalties: 1), 60.0, .c),  // 2 × 10 + 20
        (CreditFacts(penalties: 5, heavyPenalties: 5), 60.0, .c),  // capped at −40
        (CreditFacts(failedInUse: 4, penalties: 1), 60.0, .c),  // −30 (cap) −10
        (CreditFacts(failedInUse: 4, penalties: 1, commitmentActive: true), 65.0, .c),
        (CreditFacts(failedInUse: 1, complaintsUpheld: 1, commitmentActive: true, commitmentBreached: true), 75.0, .b),  // no bonus once breached
        (CreditFacts(penalties: 1, demonstrationUnit: true), 100.0, .a),  // clamped at 100
        (CreditFacts(instrumentsInUse: 10, listed: true), 100.0, .d),  // listed: D whatever the score
        (CreditFacts(failedInUse: 3, penalties: 4, heavyPenalties: 4), 30.0, .d),
    ])
    func scoreAndClass(facts: CreditFacts, score: Double, cls: CreditClass) {
        let a = CreditPolicy().assess(facts)
        #expect(a.score == score)
        #expect(a.creditClass == cls)
        #expect(a.inspectionFactor == ["A": 0.5, "B": 1, "C": 2, "D": 4][cls.rawValue])
        // the contributions explain the score (before clamping)
        #expect(min(100, max(0, 100 + a.contributions.reduce(0) { $0 + $1.points })) == score)
    }

    @Test func sectorsFollowIndustries() {
        #expect(CommitmentSector(industry: .trader) == .market)
        #expect(CommitmentSector(industry: .gasUtility) == .utility)
        #expect(CommitmentSector(industry: .taxiFirm) == .general)
        #expect(Set(Industry.allCases.map(CommitmentSector.init)).count == CommitmentSector.allCases.count)
    }
}
