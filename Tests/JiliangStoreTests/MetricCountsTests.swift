import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The fast path equals the plain path: on a random demo province with random writes made through
/// the registry's own functions (records, corrections, spot checks, new instruments, filings), the
/// incrementally kept counts give the same report, breakdown and trend as the plain computation
/// for every level and period kind — and the same 三表 通报 — and equal a recount from scratch. On
/// SQLite and PostgreSQL.
@Suite struct MetricCountsTests {
    let today = CalendarDay("2026-11-26")!
    let admin = Principal.system("tests")

    func same(_ a: Statistics.Report, _ b: Statistics.Report, _ context: String) {
        #expect(a.instruments == b.instruments, "\(context): instruments")
        #expect(a.onTime == b.onTime, "\(context): onTime")
        #expect(a.passRates == b.passRates, "\(context): pass rates")
        #expect(a.filing == b.filing, "\(context): filing")
        #expect(a.coverage == b.coverage, "\(context): coverage")
        #expect(a.firstVerification == b.firstVerification, "\(context): first verification")
        #expect(a.rotationOnTime == b.rotationOnTime, "\(context): rotation")
    }

    /// `moved`: the day rows' first day moves forward half-way through the writes, as it does for a
    /// server running into a new month; the views must still agree (rows kept by day before the
    /// move are then taken back on their month's first day, so only whole months add up — a recount
    /// from scratch equals the incremental rows only when the shape stayed the same).
    @Test(arguments: [false, true]) func countsEqualThePlainComputationOnRandomData(moved: Bool) async throws {
        let seed = UInt64.random(in: 1...1_000_000)
        try await TestDatabase.withStore { store in
            let db = store.db
            // Day rows from an earlier month on (a server started months ago), or from this month.
            try await MetricCounts.keepDayRows(from: moved ? CalendarDay("2026-03-01")! : MetricPeriod.month(of: today).start, on: db)
            _ = try await Audit.$actor.withValue(admin) { try await DemoProvince(instruments: 400, seed: seed, today: today).load(into: store) }
            var rng = SystemRandomNumberGenerator()
            let sql = db as! any SQLDatabase
            // random writes through the registry: new verifications, corrections, spot checks
            let rows = try await sql.raw("""
                SELECT i.id, MAX(v.id) AS last, MAX(v.verified_on) AS day, MIN(v.institution_id) AS lab FROM instruments i
                JOIN verification_records v ON v.instrument_id = i.id WHERE i.lifecycle <> 'draft' GROUP BY i.id
                """).all()
            var written = 0
            for (n, r) in rows.shuffled(using: &rng).prefix(60).enumerated() {
                if moved && n == 30 {
                    try await MetricCounts.keepDayRows(from: MetricPeriod.month(of: today).start, on: db)
                    try await MetricCounts.keepDayRows(from: CalendarDay("2026-03-01")!, on: db)  // never moves back
                    #expect(try await MetricCounts.dayRowsFrom(on: db) == MetricPeriod.month(of: today).start)
                }
                let id = try r.decode(column: "id", as: Int.self), last = try r.decode(column: "last", as: Int.self)
                let lab = try r.decode(column: "lab", as: Int.self)
                let after = CalendarDay(try r.decode(column: "day", as: String.self))!
                let span = max(0, today.dayNumber - after.dayNumber)
                let day = after.adding(days: Int.random(in: 0...span, using: &rng))
                let kind = [VerificationKind.periodic, .afterRepair, .spotCheck, .periodic].randomElement(using: &rng)!
                let pass = Int.random(in: 0..<5, using: &rng) > 0
                let correct = Int.random(in: 0..<6, using: &rng) == 0
                let d = try RecordDraft.parse(
                    instrumentID: id, institutionID: lab, date: day.description, kind: kind.rawValue, result: pass ? "pass" : "fail",
                    certificateNo: pass && kind != .spotCheck ? "R-\(id)-\(day)" : nil, resultNoticeNo: !pass && kind != .spotCheck ? "N-\(id)-\(day)" : nil,
                    readings: nil, recordedBy: "tests", corrects: correct ? last : nil, correctionReason: correct ? "wrong date" : nil, today: today)
                do {
                    _ = try await Audit.$actor.withValue(admin) { try await Registry.addRecord(d, scope: .everything, on: db) }
                    written += 1
                } catch is RegistryError {}  // e.g. no rule in force for that day: refused, nothing written
            }
            #expect(written > 20, "seed \(seed)")
            // new instruments filed by hand, one of them approved through the filing workflow
            let owner = try await OwnerModel.query(on: db).filter(\.$regionCode == "350102").first()!
            for n in 0..<3 {
                _ = try await Audit.$actor.withValue(admin) { try await Fixtures.instrument(serial: "NEW-\(seed)-\(n)", owner: owner, inService: "2026-0\(n + 3)-10", on: db) }
            }
            let providers = try await Standards.providers(on: db)
            let incremental = try await MetricCounts.all(on: db)

            // MUT and validate: every level, every period kind, running and past periods
            let periods = [
                MetricPeriod.year(of: CalendarDay("2025-06-01")!), MetricPeriod.year(of: today).through(today)!,
                MetricPeriod.quarter(of: CalendarDay("2026-05-01")!), MetricPeriod.quarter(of: today).through(today)!,
                MetricPeriod.month(of: CalendarDay("2026-03-10")!), MetricPeriod.month(of: today).through(today)!,
                MetricPeriod.month(of: CalendarDay("2024-02-10")!),
            ]
            for code in ["350000", "350100", "350102", "350200", "350603"] {
                let region = RegionCode(code)!
                let facts = try await Statistics.facts(region: region, by: admin, on: db)
                for period in periods {
                    let context = "seed \(seed) \(code) \(period.start)–\(period.end)"
                    same(try await MetricCounts.report(region: region, period: period, providers: providers, by: admin, on: db),
                         Statistics.compute(facts, region: region, period: period, providers: providers), context)
                    let fast = try await MetricCounts.breakdown(region: region, period: period, providers: providers, by: admin, on: db)
                    let plain = Statistics.breakdown(facts, region: region, period: period, providers: providers)
                    #expect(fast.map(\.region) == plain.map(\.region), "\(context): children")
                    for (a, b) in zip(fast, plain) { same(a, b, "\(context) child \(a.region)") }
                    // the dashboard (what the page reads) with its trend up to today
                    let board = try await MetricCounts.dashboard(region: region, period: period, asOf: today, providers: providers, by: admin, on: db)
                    same(board.report, Statistics.compute(facts, region: region, period: period, providers: providers), "\(context) dashboard")
                    #expect(board.children.map(\.region) == plain.map(\.region), "\(context): dashboard children")
                    for (a, b) in zip(board.children, plain) { same(a, b, "\(context) dashboard child \(a.region)") }
                    let boardTrend = Statistics.trend(facts, year: period.start.year, asOf: today)
                    #expect(board.trend.map(\.month) == boardTrend.map(\.month), "\(context): dashboard trend months")
                    for (a, b) in zip(board.trend, boardTrend) { #expect(a.rates == b.rates, "\(context) dashboard trend \(a.month.start)") }
                    let places = Statistics.inUse(facts, on: period.end)
                    #expect(board.inUseByPlace == MetricCounts.byPlace(places), "\(context): in use by place")
                    // the 三表 通报 from the counts equals the plain one, company by company and meter by meter
                    let fastUtility = try await UtilityReport.counted(region: region, period: period, by: admin, on: db)
                    let plainUtility = try await UtilityReport.build(region: region, period: period, by: admin, on: db)
                    #expect(fastUtility.firstVerification == plainUtility.firstVerification && fastUtility.rotation == plainUtility.rotation, "\(context): 三表 rates")
                    #expect(fastUtility.companies == plainUtility.companies, "\(context): 三表 companies")
                    #expect(fastUtility.areas == plainUtility.areas, "\(context): 三表 areas")
                    #expect(fastUtility.offenders == plainUtility.offenders, "\(context): 三表 offenders")
                    // the page's list: the first offenders only, picked company by company from the index
                    let firstFew = try await UtilityReport.counted(region: region, period: period, offenderLimit: 7, by: admin, on: db)
                    #expect(firstFew.offenders == Array(plainUtility.offenders.prefix(7)) && firstFew.misses == plainUtility.offenders.count, "\(context): 三表 first offenders")
                }
                let fastTrend = try await MetricCounts.trend(region: region, year: 2026, asOf: today, by: admin, on: db)
                let plainTrend = Statistics.trend(facts, year: 2026, asOf: today)
                #expect(fastTrend.map(\.month) == plainTrend.map(\.month))
                for (a, b) in zip(fastTrend, plainTrend) { #expect(a.rates == b.rates, "seed \(seed) \(code) trend \(a.month.start)") }
            }
            // the comparison had something to compare
            let province = try await MetricCounts.report(region: RegionCode("350000")!, period: periods[0], providers: providers, by: admin, on: db)
            #expect(province.instruments == 403 && province.onTime.denominator > 50 && province.passRates.firstPass.denominator > 50 && province.filing.denominator > 300)
            let utilities = try await UtilityReport.counted(region: RegionCode("350000")!, period: periods[0], by: admin, on: db)
            #expect(!utilities.companies.isEmpty && utilities.areas.count > 1 && utilities.firstVerification.denominator + utilities.rotation.denominator > 0)
            let everOffending = try await UtilityReport.counted(region: RegionCode("350000")!, period: MetricPeriod(start: CalendarDay("2000-01-01")!, end: today), by: admin, on: db)
            #expect(!everOffending.offenders.isEmpty, "seed \(seed): some meter offends")
            // the incremental state equals a recount from scratch (in the same shape)
            if !moved {
                try await MetricCounts.rebuild(on: db)
                #expect(try await MetricCounts.all(on: db) == incremental, "seed \(seed)")
            }
        }
    }
}
