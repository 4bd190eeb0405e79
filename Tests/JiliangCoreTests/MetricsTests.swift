import JiliangCore
import Testing

/// Every rate of docs/metrics.md on hand-built cases with known answers, with the boundaries: the
/// due day itself, a late entry dated in time, a correction, a retirement before the due day, the
/// period's first and last days, and 29 February.
private func d(_ s: String) -> CalendarDay { CalendarDay(s)! }
private func rec(_ id: Int64, _ date: String, _ kind: VerificationKind = .periodic, _ result: VerificationResult = .pass, until: String? = nil, corrects: Int64? = nil)
    -> VerificationFact
{
    VerificationFact(id: id, date: d(date), kind: kind, result: result, validUntil: until.map(d), corrects: corrects)
}

@Suite struct MetricsTests {
    static let year2026 = MetricPeriod.year(of: d("2026-06-01"))

    @Test func periodsAreCalendarMonthsQuartersAndYears() {
        #expect(MetricPeriod.month(of: d("2028-02-10")) == .init(start: d("2028-02-01"), end: d("2028-02-29")))
        #expect(MetricPeriod.quarter(of: d("2026-11-27")) == .init(start: d("2026-10-01"), end: d("2026-12-31")))
        #expect(MetricPeriod.year(of: d("2026-11-27")) == .init(start: d("2026-01-01"), end: d("2026-12-31")))
        #expect(Rate(0, 0).percent == nil && Rate(1, 4).percent == 25)
    }

    /// (records, retired, expected numerator/denominator) for one periodic instrument in 2026.
    @Test(arguments: [
        // cycle ends 2026-05-19; re-verified on the last valid day: on time
        ([rec(1, "2025-05-20", until: "2026-05-19"), rec(2, "2026-05-19", until: "2027-05-18")], nil as String?, 1, 1),
        // re-verified the day after: late (and its own cycle ends in 2027: not due in 2026)
        ([rec(1, "2025-05-20", until: "2026-05-19"), rec(2, "2026-05-20", until: "2027-05-19")], nil, 0, 1),
        // never re-verified
        ([rec(1, "2025-05-20", until: "2026-05-19")], nil, 0, 1),
        // scrapped on the due day: not due
        ([rec(1, "2025-05-20", until: "2026-05-19")], "2026-05-19", 0, 0),
        // scrapped the day after: it was due and missed
        ([rec(1, "2025-05-20", until: "2026-05-19")], "2026-05-20", 0, 1),
        // two cycles end in the year (a 6-month cycle), the second missed: the instrument counts once,
        // and meets the rate only if every obligation in the period was met (issue #18, item 4)
        ([rec(1, "2025-08-01", until: "2026-01-31"), rec(2, "2026-01-20", until: "2026-07-19")], nil, 0, 1),
        // a cycle ending on 31 December 2025 belongs to 2025; one ending on 31 December 2026 to 2026
        ([rec(1, "2025-01-01", until: "2025-12-31"), rec(2, "2026-01-01", until: "2026-12-31")], nil, 0, 1),
        // verified on 29 Feb 2024 with a 2-year cycle: due 28 Feb 2026, re-verified that day
        ([rec(1, "2024-02-29", until: "2026-02-28"), rec(2, "2026-02-28", until: "2028-02-27")], nil, 1, 1),
        // a correction moves the re-verification's date into time (the corrected late record no longer counts)
        ([rec(1, "2025-05-20", until: "2026-05-19"), rec(2, "2026-06-01", until: "2027-05-31"), rec(3, "2026-05-18", until: "2027-05-17", corrects: 2)], nil, 1, 1),
        // a spot check does not renew the cycle
        ([rec(1, "2025-05-20", until: "2026-05-19"), rec(2, "2026-05-01", .spotCheck)], nil, 0, 1),
    ] as [([VerificationFact], String?, Int, Int)])
    func onTimeRateForOneInstrument(records: [VerificationFact], retired: String?, numerator: Int, denominator: Int) {
        let i = MetricInstrument(id: 1, subNo: 2, form: .periodic, lifecycle: retired == nil ? .inService : .scrapped, retiredOn: retired.map(d), records: records)
        #expect(Metrics.onTimeRate([i], in: Self.year2026) == Rate(numerator, denominator))
    }

    /// Issue #18, item 1: the record's rule form decides whether its valid-until is a cycle end.
    /// A bulk water meter (sub 14, whose catalogue row says rotation) verified under the periodic
    /// rule (JJG 162-2019: DN > 50 or Q3 > 16, 24 months) has cycle ends in 受检率; a household
    /// meter's life end under the rotation rule has none (the rotation rate counts it).
    @Test func theRecordsRuleFormDecidesWhatIsDue() {
        func periodic(_ id: Int64, _ date: String, until: String) -> VerificationFact {
            VerificationFact(id: id, date: d(date), kind: .periodic, result: .pass, validUntil: d(until), form: .periodic)
        }
        let bulk = MetricInstrument(id: 1, subNo: 14, form: .firstOnlyRotation, lifecycle: .inService,
                                    records: [periodic(1, "2024-06-01", until: "2026-05-31"), periodic(2, "2026-05-20", until: "2028-05-31")])
        #expect(Metrics.onTimeRate([bulk], in: Self.year2026) == Rate(1, 1))
        let household = MetricInstrument(id: 2, subNo: 14, form: .periodic, lifecycle: .inService, records: [
            VerificationFact(id: 3, date: d("2020-06-01"), kind: .first, result: .pass, validUntil: d("2026-05-31"), form: .firstOnlyRotation)
        ])
        #expect(Metrics.onTimeRate([household], in: Self.year2026) == Rate(0, 0))
    }

    /// Issue #18, item 3: one life end, the first verification's, for the status and the rates.
    @Test func lifeEndIsTheFirstVerifications() {
        let first = VerificationFact(id: 2, date: d("2019-03-01"), kind: .first, result: .pass, validUntil: d("2025-02-28"), form: .firstOnlyRotation)
        let later = VerificationFact(id: 1, date: d("2020-03-01"), kind: .first, result: .pass, validUntil: d("2026-02-28"), form: .firstOnlyRotation)
        let cycle = VerificationFact(id: 3, date: d("2018-03-01"), kind: .first, result: .pass, validUntil: d("2020-02-29"), form: .periodic)
        let passes = ComplianceEngine.effectiveRecords([later, first, cycle])
        #expect(ComplianceEngine.lifeEnd(passes: passes) == d("2025-02-28"))  // the periodic cycle end is not a life end
        #expect(ComplianceEngine.lifeEnd(passes: [cycle]) == nil)
    }

    @Test func onTimeRateCountsNewInstrumentsAndLeavesOutDrafts() {
        let year = Self.year2026
        let newOnTime = MetricInstrument(id: 1, subNo: 2, form: .periodic, lifecycle: .inService, inServiceOn: d("2026-03-01"),
                                         records: [rec(1, "2026-03-01", .first, until: "2027-02-28")])
        let newLate = MetricInstrument(id: 2, subNo: 2, form: .periodic, lifecycle: .inService, inServiceOn: d("2026-03-01"),
                                       records: [rec(2, "2026-03-02", .first, until: "2027-03-01")])
        let draft = MetricInstrument(id: 3, subNo: 2, form: .periodic, lifecycle: .draft, inServiceOn: d("2026-03-01"))
        let rotationMeter = MetricInstrument(id: 4, subNo: 14, form: .firstOnlyRotation, lifecycle: .inService, inServiceOn: d("2020-01-01"),
                                             records: [rec(4, "2019-12-01", .first, until: "2026-11-30")])  // life end is not a verification due
        #expect(Metrics.onTimeRate([newOnTime, newLate, draft, rotationMeter], in: year) == Rate(1, 2))
        // the late one was in use unverified on 1 March: it enters a period starting 2 March overdue
        #expect(Metrics.onTimeRate([newOnTime, newLate], in: .init(start: d("2026-03-02"), end: d("2026-12-31"))) == Rate(0, 1))
    }

    @Test func passRatesKeepFirstPassAndAfterAdjustmentApart() {
        let year = Self.year2026
        let dispenser = MetricInstrument(id: 1, subNo: 10, form: .periodic, lifecycle: .inService,
                                         records: [rec(1, "2026-04-01", .periodic, .fail), rec(2, "2026-04-01", .afterRepair, .pass)])
        let scale = MetricInstrument(id: 2, subNo: 2, form: .periodic, lifecycle: .inService, records: [rec(3, "2026-05-01")])
        let failed = MetricInstrument(id: 3, subNo: 2, form: .periodic, lifecycle: .inService, records: [rec(4, "2026-06-01", .periodic, .fail)])
        // a record wrongly entered as a failure, corrected to a pass
        let corrected = MetricInstrument(id: 4, subNo: 2, form: .periodic, lifecycle: .inService,
                                         records: [rec(5, "2026-07-01", .periodic, .fail), rec(6, "2026-07-01", .periodic, .pass, corrects: 5)])
        let spotted = MetricInstrument(id: 5, subNo: 2, form: .periodic, lifecycle: .inService,
                                       records: [rec(7, "2026-08-01", .spotCheck, .pass), rec(8, "2026-09-01", .spotCheck, .fail)])
        let lastYear = MetricInstrument(id: 6, subNo: 2, form: .periodic, lifecycle: .inService, records: [rec(9, "2025-12-31", .periodic, .fail)])
        let rates = Metrics.passRates([dispenser, scale, failed, corrected, spotted, lastYear], in: year)
        #expect(rates.firstPass == Rate(2, 4))  // scale, corrected
        #expect(rates.afterAdjustment == Rate(3, 4))  // + the adjusted dispenser
        #expect(rates.spotChecks == Rate(1, 2))
    }

    /// Issue #18, item 4: 受检率's denominator holds every instrument that should have been verified in
    /// or before the period and was in use during it, once. (instrument, expected in 2026)
    @Test func onTimeDenominatorCarriesOverdueInstrumentsOnce() {
        func scale(_ id: Int, _ records: [VerificationFact], inService: String? = nil, retired: String? = nil, suspensions: [Suspension] = [],
                   lifecycle: LifecycleStatus = .inService) -> MetricInstrument {
            var i = MetricInstrument(id: id, subNo: 2, form: .periodic, lifecycle: lifecycle, inServiceOn: inService.map(d), retiredOn: retired.map(d), records: records)
            i.suspensions = suspensions
            return i
        }
        let cases: [(MetricInstrument, Rate)] = [
            // overdue since 2025 (cycle ended 2025-06-30, never re-verified): carried into 2026
            (scale(1, [rec(1, "2024-07-01", until: "2025-06-30")]), Rate(0, 1)),
            // never verified, put into use in 2024: carried
            (scale(2, [], inService: "2024-05-01"), Rate(0, 1)),
            // overdue since 2025 but verified (late) on 2026-01-01: still entered 2026 overdue
            (scale(3, [rec(1, "2024-07-01", until: "2025-06-30"), rec(2, "2026-01-01", until: "2026-12-31")]), Rate(0, 1)),
            // verified late on 2025-12-31: not overdue entering 2026; its new cycle ends 2026-12-30, met? no re-verification
            (scale(4, [rec(1, "2024-07-01", until: "2025-06-30"), rec(2, "2025-12-31", until: "2026-12-30")]), Rate(0, 1)),
            // overdue but scrapped before 2026: not in use
            (scale(5, [rec(1, "2024-07-01", until: "2025-06-30")], retired: "2025-12-01", lifecycle: .scrapped), Rate(0, 0)),
            // overdue and suspended through the start of 2026: not in use entering the period
            (scale(6, [rec(1, "2024-07-01", until: "2025-06-30")], suspensions: [Suspension(from: d("2025-09-01"), until: nil)], lifecycle: .suspended), Rate(0, 0)),
            // a cycle end during a suspension moves to the return day: returned 2026-03-01, verified that day — met
            (scale(7, [rec(1, "2025-01-10", until: "2026-01-09"), rec(2, "2026-03-01", until: "2027-02-28")],
                   suspensions: [Suspension(from: d("2025-12-01"), until: d("2026-03-01"))]), Rate(1, 1)),
            // a cycle end during a suspension that never ended: no obligation
            (scale(8, [rec(1, "2025-01-10", until: "2026-01-09")], suspensions: [Suspension(from: d("2025-12-01"), until: nil)], lifecycle: .suspended), Rate(0, 0)),
            // a draft: not counted
            (scale(9, [], inService: "2024-05-01", lifecycle: .draft), Rate(0, 0)),
            // overdue since 2025-06-30, suspended 2025-09-01, back 2026-04-01 still unverified: due again on its return, missed
            (scale(10, [rec(1, "2024-07-01", until: "2025-06-30")], suspensions: [Suspension(from: d("2025-09-01"), until: d("2026-04-01"))]), Rate(0, 1)),
        ]
        for (n, (i, expected)) in cases.enumerated() {
            #expect(Metrics.onTimeRate([i], in: Self.year2026) == expected, "case \(n + 1)")
        }
        #expect(Metrics.onTimeRate(cases.map(\.0), in: Self.year2026) == Rate(1, 6))
    }

    /// Issue #18, item 5: first-pass and after-adjustment pair per verification event, so after
    /// adjustment is never below first-pass — also with two cycles in one period (a 6-month fuel
    /// dispenser). (instrument's records, first-pass, after adjustment) in 2026.
    @Test(arguments: [
        // passed in January, failed in July and not repaired: before, first-pass 1/1 (January) but
        // after adjustment 0/1 (July) — below it.
        ([rec(1, "2026-01-10"), rec(2, "2026-07-10", .periodic, .fail)], Rate(1, 2), Rate(1, 2)),
        // failed in January, repaired; failed in July, repaired the next January (the repair belongs
        // to July's event, counted in 2026 where the event opened).
        ([rec(1, "2026-01-10", .periodic, .fail), rec(2, "2026-01-12", .afterRepair), rec(3, "2026-07-10", .periodic, .fail),
          rec(4, "2027-01-05", .afterRepair)], Rate(0, 2), Rate(2, 2)),
        // a repair verification before any opening verification on record opens no event
        ([rec(1, "2026-02-01", .afterRepair), rec(2, "2026-08-01")], Rate(1, 1), Rate(1, 1)),
        // an event opened in December 2025 and repaired in January 2026 is 2025's
        ([rec(1, "2025-12-30", .periodic, .fail), rec(2, "2026-01-04", .afterRepair), rec(3, "2026-06-30")], Rate(1, 1), Rate(1, 1)),
    ] as [([VerificationFact], Rate, Rate)])
    func passRatesPairPerVerificationEvent(records: [VerificationFact], firstPass: Rate, afterAdjustment: Rate) {
        let dispenser = MetricInstrument(id: 1, subNo: 10, form: .periodic, lifecycle: .inService, records: records)
        let rates = Metrics.passRates([dispenser], in: Self.year2026)
        #expect(rates.firstPass == firstPass && rates.afterAdjustment == afterAdjustment)
        #expect(rates.afterAdjustment.numerator >= rates.firstPass.numerator && rates.afterAdjustment.denominator == rates.firstPass.denominator)
    }

    @Test func filingRateCountsSurveyedInstrumentsInUse() {
        let day = d("2026-11-27")
        let rows = [
            MetricInstrument(id: 1, subNo: 2, form: .periodic, lifecycle: .inService),
            MetricInstrument(id: 2, subNo: 2, form: .periodic, lifecycle: .filed),
            MetricInstrument(id: 3, subNo: 2, form: .periodic, lifecycle: .suspended),
            MetricInstrument(id: 4, subNo: 2, form: .periodic, lifecycle: .draft),
            MetricInstrument(id: 5, subNo: 2, form: .periodic, lifecycle: .scrapped, retiredOn: d("2026-01-01")),
        ]
        #expect(Metrics.filingRate(rows, on: day) == Rate(3, 4))
    }

    /// Issue #18, item 6: a past day's filing rate reads the state on that day. Instruments retired,
    /// filed or registered after the day no longer change it. (instrument, counted on 2026-06-30?, filed then?)
    @Test func filingRateOfAPastDayUsesTheStateOnThatDay() {
        let day = d("2026-06-30")
        let rows = [
            // scrapped today (2026-11-27): on 30 June it was there, and filed
            MetricInstrument(id: 1, subNo: 2, form: .periodic, lifecycle: .scrapped, retiredOn: d("2026-11-27"), registeredOn: d("2025-01-01"), filedOn: d("2025-01-01")),
            // filed today: a draft on 30 June
            MetricInstrument(id: 2, subNo: 2, form: .periodic, lifecycle: .inService, registeredOn: d("2026-03-01"), filedOn: d("2026-11-27")),
            // filed on the day itself: filed
            MetricInstrument(id: 3, subNo: 2, form: .periodic, lifecycle: .inService, registeredOn: d("2026-03-01"), filedOn: d("2026-06-30")),
            // registered (in use) only from July: not yet surveyed
            MetricInstrument(id: 4, subNo: 2, form: .periodic, lifecycle: .inService, registeredOn: d("2026-07-01"), filedOn: d("2026-07-01")),
            // retired on the day itself: gone
            MetricInstrument(id: 5, subNo: 2, form: .periodic, lifecycle: .rotatedOut, retiredOn: d("2026-06-30"), registeredOn: d("2020-01-01"), filedOn: d("2020-01-01")),
            // scrapped on an unknown day: never counted
            MetricInstrument(id: 6, subNo: 2, form: .periodic, lifecycle: .scrapped, registeredOn: d("2020-01-01")),
        ]
        #expect(Metrics.filingRate(rows, on: day) == Rate(2, 3))  // 1 and 3 filed of 1, 2, 3
        // returned to draft on 2026-05-01 and filed again on 2026-07-01; a draft scrapped unfiled
        var returned = MetricInstrument(id: 7, subNo: 2, form: .periodic, lifecycle: .inService, registeredOn: d("2026-01-01"))
        returned.filedSpans = [Suspension(from: d("2026-01-01"), until: d("2026-05-01")), Suspension(from: d("2026-07-01"), until: nil)]
        var scrappedDraft = MetricInstrument(id: 8, subNo: 2, form: .periodic, lifecycle: .scrapped, retiredOn: d("2026-12-01"), registeredOn: d("2026-01-01"))
        scrappedDraft.filedSpans = []
        #expect(Metrics.filingRate([returned, scrappedDraft], on: d("2026-04-30")) == Rate(1, 2))
        #expect(Metrics.filingRate([returned, scrappedDraft], on: d("2026-06-30")) == Rate(0, 2))
        #expect(Metrics.filingRate([returned, scrappedDraft], on: d("2026-07-01")) == Rate(1, 2))
        #expect(Metrics.filingRate(rows, on: d("2026-11-27")) == Rate(3, 3))  // 2, 3, 4 (1 scrapped that day)
    }

    @Test func coverageIsCountAndInstrumentWeighted() {
        let c = Metrics.coverage(inUse: [2: 900, 10: 90, 14: 9, 901: 1, 15: 0], covered: [2, 14, 15])
        #expect(c.items == Rate(2, 4))
        #expect(c.instruments == Rate(909, 1000))
        #expect(c.gaps == [10: 90, 901: 1])
    }

    @Test func utilityMetersFirstVerificationAndRotation() {
        let year = Self.year2026
        func meter(_ id: Int, start: String?, first: String?, result: VerificationResult = .pass, lifeEnds: String? = nil, retired: String? = nil) -> MetricInstrument {
            MetricInstrument(id: id, subNo: 14, form: .firstOnlyRotation, lifecycle: retired == nil ? .inService : .rotatedOut, inServiceOn: start.map(d),
                             retiredOn: retired.map(d), isUtilityMeter: true, lifeEnds: lifeEnds.map(d),
                             records: first.map { [rec(Int64(id), $0, .first, result)] } ?? [])
        }
        let installed = [
            meter(1, start: "2026-02-01", first: "2026-01-15"),  // verified before installation
            meter(2, start: "2026-02-01", first: "2026-02-01"),  // on the day itself
            meter(3, start: "2026-02-01", first: "2026-02-02"),  // after
            meter(4, start: "2026-02-01", first: "2026-01-15", result: .fail),  // failed first verification
            meter(5, start: "2026-02-01", first: nil),  // none
            meter(6, start: "2025-12-31", first: nil),  // installed last year
        ]
        #expect(Metrics.firstVerificationRate(installed, in: year) == Rate(2, 5))
        let expiring = [
            meter(11, start: "2020-03-01", first: "2020-02-01", lifeEnds: "2026-02-28", retired: "2026-02-28"),  // rotated on the last day
            meter(12, start: "2020-03-01", first: "2020-02-01", lifeEnds: "2026-02-28", retired: "2026-03-01"),  // a day late
            meter(13, start: "2020-03-01", first: "2020-02-01", lifeEnds: "2026-02-28"),  // still in use
            meter(14, start: "2020-03-01", first: "2020-02-01", lifeEnds: "2027-02-28"),  // not due this year
            meter(15, start: "2019-03-01", first: "2019-02-01", lifeEnds: "2026-01-31", retired: "2025-06-01"),  // left service early
        ]
        #expect(Metrics.rotationOnTimeRate(expiring, in: year) == Rate(1, 3))
        // the rotation window: rotated up to 90 days before the life end (2025-11-30) is on time;
        // earlier, the meter left service for another reason and is not counted — in any period
        for (retired, expected) in [("2025-11-30", Rate(1, 1)), ("2025-11-29", Rate(0, 0)), ("2026-02-28", Rate(1, 1)), ("2026-03-01", Rate(0, 1))] {
            let m = [meter(20, start: "2020-03-01", first: "2020-02-01", lifeEnds: "2026-02-28", retired: retired)]
            #expect(Metrics.rotationOnTimeRate(m, in: year) == expected, "retired \(retired)")
            #expect(Metrics.rotationOnTimeRate(m, in: MetricPeriod.month(of: d("2026-02-01"))) == expected, "retired \(retired), the month")
        }
        // a year's rate is the sum of its months'
        let months = (1...12).map { MetricPeriod.month(of: CalendarDay(year: 2026, month: $0, day: 1)!) }
        #expect(months.map { Metrics.rotationOnTimeRate(expiring, in: $0) }.reduce(Rate(0, 0), +) == Metrics.rotationOnTimeRate(expiring, in: year))
        #expect(Metrics.firstVerificationRate([MetricInstrument(id: 9, subNo: 2, form: .periodic, lifecycle: .inService, inServiceOn: d("2026-02-01"))], in: year) == Rate(0, 0))
    }
}
