import ArgumentParser
import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import SQLKit

/// Issue #4: the statistics dashboard and drill-down from the incrementally kept counts, beside
/// the plain GROUP BY over the records that a view would otherwise run, in the same run; and how
/// soon a new verification record shows.
struct BenchStatistics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statistics")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Dashboard requests to time") var samples = 300
    @Option(help: "Plain GROUP BY runs per region level") var baselineRuns = 3
    @Flag(help: "Recount metric_counts from scratch first (timed)") var rebuild = false

    func run() async throws {
        let (samples, runs, rebuild) = (self.samples, self.baselineRuns, self.rebuild)
        let today = try db.todayProvider()()
        try await db.withStore { store in
            let db = store.db, sql = store.sql
            let admin = Principal.system("bench")
            let instruments = try await sql.raw("SELECT COUNT(*) AS n FROM instruments").first()!.decode(column: "n", as: Int.self)
            let records = try await sql.raw("SELECT COUNT(*) AS n FROM verification_records").first()!.decode(column: "n", as: Int.self)
            let rows = try await sql.raw("SELECT COUNT(*) AS n FROM metric_counts").first()!.decode(column: "n", as: Int.self)
            print("statistics \(store.isPostgres ? "postgresql" : "sqlite") instruments=\(instruments) records=\(records) metric_counts=\(rows)")
            if rebuild || rows == 0 {
                let t = Date()
                var shown = 0
                let times = try await MetricCounts.rebuild(on: db) { done, total in
                    if done * 20 / max(1, total) > shown { shown = done * 20 / max(1, total); print("  rebuild \(done)/\(total)") }
                }
                let after = try await sql.raw("SELECT COUNT(*) AS n FROM metric_counts").first()!.decode(column: "n", as: Int.self)
                print(String(format: "rebuild %.1f s (read %.1f s, count %.1f s, write %.1f s), %d rows, max RSS %d MB",
                             Date().timeIntervalSince(t), times.read, times.count, times.write, after, BenchData.maxRSSMB()))
            }
            let providers = try await Standards.providers(on: db)
            let cities = try await RegionModel.query(on: db).filter(\.$level == "city").all().compactMap { RegionCode($0.id!) }.sorted()
            let counties = try await RegionModel.query(on: db).filter(\.$level == "county").all().compactMap { RegionCode($0.id!) }.sorted()
            let province = RegionCode("350000")!
            let year = MetricPeriod.year(of: today).through(today)!, month = MetricPeriod.month(of: today).through(today)!

            // The dashboard of a region, as `/app/statistics` reads it: its rates, its children's
            // rates (the drill-down table and chart), the monthly trend and the in-use counts
            // behind the gap analysis.
            func dashboard(_ r: RegionCode, _ p: MetricPeriod) async throws {
                _ = try await MetricCounts.dashboard(region: r, period: p, asOf: today, providers: providers, by: admin, on: db)
            }
            for (label, regions) in [("province", [province]), ("city", cities), ("county", counties)] {
                var ms: [Double] = []
                for n in 0..<samples {
                    let t = DispatchTime.now().uptimeNanoseconds
                    try await dashboard(regions[n % regions.count], n % 2 == 0 ? year : month)
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                }
                print("fast dashboard \(label) " + BenchData.percentiles(ms))
            }

            // The 三表 通报 of a region as its page reads it (companies, areas and the first 2,000
            // offending meters), from the kept counts; the plain report refuses regions beyond 200k
            // instruments. Then the full list of the province's year once (what the CSV carries).
            for (label, regions) in [("province", [province]), ("city", cities), ("county", counties)] {
                var ms: [Double] = []
                var offenders = 0, companies = 0
                for n in 0..<max(20, samples / 10) {
                    let t = DispatchTime.now().uptimeNanoseconds
                    let r = try await UtilityReport.counted(
                        region: regions[n % regions.count], period: n % 2 == 0 ? year : month, offenderLimit: 2_000, by: admin, on: db)
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                    if n == 0 { (offenders, companies) = (r.misses, r.companies.count) }
                }
                print("utility report page \(label) " + BenchData.percentiles(ms) + " (first: \(companies) companies, \(offenders) offending meters)")
            }
            let whole = DispatchTime.now().uptimeNanoseconds
            let all = try await UtilityReport.counted(region: province, period: year, by: admin, on: db)
            print(String(format: "utility report province, every offending meter listed (the CSV): %.0f ms, %d meters",
                         Double(DispatchTime.now().uptimeNanoseconds - whole) / 1e6, all.offenders.count))

            // The drill-down page's counts (`/app/regions/{code}`: child region × sub-item × status
            // today), one GROUP BY of the subtree's instruments — not kept counts, so linear in the
            // region's instruments. Beside it, the seven filtered counts per child that the page ran
            // before, on top of a GROUP BY by sub-item and status much like this one.
            for (label, region) in [("province", province), ("city", cities[0]), ("county", counties[0])] {
                var ms: [Double] = [], before: [Double] = []
                let children = try await Registry.regions(parent: region.value, on: db).compactMap { RegionCode($0.id!) }
                for _ in 0..<runs {
                    var t = DispatchTime.now().uptimeNanoseconds
                    _ = try await Registry.drillDownCounts(region: region, today: today, window: 30, scope: .everything, on: db)
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                    t = DispatchTime.now().uptimeNanoseconds
                    for c in children.isEmpty ? [region] : children {
                        _ = try await Registry.countsByStatus(today: today, window: 30, scope: .region(c), on: db)
                    }
                    before.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                }
                print("drill-down counts \(label) " + BenchData.percentiles(ms) + "; the seven counts per child it replaced (the old page ran them and a GROUP BY like it): " + BenchData.percentiles(before))
            }

            // Baseline: the plain GROUP BY a view would run over the same data — the year's
            // verifications by city (or county), sub-item and result — over the records themselves.
            func plain(_ r: RegionCode, prefix: Int) async throws {
                let range = r.subtreeRange
                _ = try await sql.raw("""
                    SELECT substr(i.region_code, 1, \(unsafeRaw: String(prefix))) AS area, i.sub_no, v.result, COUNT(*) AS n
                    FROM verification_records v JOIN instruments i ON i.id = v.instrument_id
                    WHERE i.region_code BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)
                    AND v.verified_on BETWEEN \(bind: year.start.description) AND \(bind: year.end.description) AND v.kind <> 'spot_check'
                    GROUP BY 1, 2, 3
                    """).all()
            }
            for (label, region, prefix) in [("province", province, 4), ("city", cities[0], 6), ("county", counties[0], 6)] {
                var ms: [Double] = []
                for _ in 0..<runs {
                    let t = DispatchTime.now().uptimeNanoseconds
                    try await plain(region, prefix: prefix)
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                }
                print("plain group-by \(label) " + BenchData.percentiles(ms))
            }

            // Freshness: a new verification through the registry, then the county's report.
            let pick = try await sql.raw("""
                SELECT v.instrument_id, v.institution_id, i.region_code FROM verification_records v JOIN instruments i ON i.id = v.instrument_id
                JOIN catalogue_entries c ON c.sub_no = i.sub_no
                WHERE i.lifecycle = 'in_service' AND c.form = 'periodic' AND v.result = 'pass' ORDER BY v.id DESC LIMIT 1
                """).first()
            if let pick {
                let id = try pick.decode(column: "instrument_id", as: Int.self), lab = try pick.decode(column: "institution_id", as: Int.self)
                let county = RegionCode(try pick.decode(column: "region_code", as: String.self))!
                let before = try await MetricCounts.report(region: county, period: year, providers: providers, by: admin, on: db).passRates.spotChecks
                let d = try RecordDraft.parse(
                    instrumentID: id, institutionID: lab, date: today.description, kind: "spot_check", result: "pass", certificateNo: nil, resultNoticeNo: nil,
                    readings: nil, recordedBy: "bench", corrects: nil, correctionReason: nil, today: today)
                let t = DispatchTime.now().uptimeNanoseconds
                _ = try await Registry.addRecord(d, scope: .everything, on: db)
                let written = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
                let after = try await MetricCounts.report(region: county, period: year, providers: providers, by: admin, on: db).passRates.spotChecks
                let seen = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
                print(String(format: "freshness: record committed in %.1f ms (counts updated in its transaction), visible in the report after %.1f ms: spot checks %d → %d",
                             written, seen, before.denominator, after.denominator))
            }
            print("max RSS \(BenchData.maxRSSMB()) MB")
        }
    }
}
