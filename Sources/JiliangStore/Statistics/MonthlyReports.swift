import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The scheduled monthly run of issue #4: on the first pass of a month the job worker produces the
/// previous month's 三表 通报 for the province and each city, and every January the previous year's
/// annual statistics report, and puts them in the inbox of the bureaus concerned (each county
/// bureau gets its own line of its city's 通报). Each (kind, region, period) runs once
/// (`report_runs`); the message carries the headline figures as they stood at the run and links to
/// the report, which opens as a page, PDF, XLSX or CSV.
public enum MonthlyReports {
    public struct Outcome: Sendable, Equatable {
        public var reports = 0
        public var messages = 0
    }

    public static func runIfDue(today: CalendarDay, on db: any Database) async throws -> Outcome? {
        let month = MetricPeriod.month(of: MetricPeriod.month(of: today).start.adding(days: -1))
        var kinds: [(String, MetricPeriod)] = [("utility-monthly", month)]
        if today.month == 1 { kinds.append(("annual", MetricPeriod.year(of: CalendarDay(year: today.year - 1, month: 6, day: 1)!))) }
        let sql = db as! any SQLDatabase
        let cities = try await RegionModel.query(on: db).all().compactMap { RegionCode($0.id!) }.filter { $0.level != .county }.sorted()
        var o = Outcome()
        var any = false
        for (kind, period) in kinds {
            for region in cities {
                if try await sql.raw("SELECT id FROM report_runs WHERE kind = \(bind: kind) AND region_code = \(bind: region.value) AND period_start = \(bind: period.start.description)").first() != nil { continue }
                any = true
                // The messages and the run's row commit together: a crash half-way sends nothing twice.
                let sent = try await db.auditedTransaction { tx -> Int in
                    let sent = try await produce(kind: kind, region: region, period: period, on: tx)
                    try await (tx as! any SQLDatabase).insert(into: "report_runs").columns("kind", "region_code", "period_start", "period_end", "created_at")
                        .values(SQLBind(kind), SQLBind(region.value), SQLBind(period.start.description), SQLBind(period.end.description), SQLBind(Date())).run()
                    return sent
                }
                o.messages += sent
                o.reports += 1
            }
        }
        return any ? o : nil
    }

    static func produce(kind: String, region: RegionCode, period: MetricPeriod, on db: any Database) async throws -> Int {
        let system = Principal.system("monthly reports")
        if kind == "annual" {
            let r = try await MetricCounts.report(region: region, period: period, providers: try await Standards.providers(on: db), by: system, on: db)
            try await Notices.send(
                .annualReport(region: region.value, year: period.start.year, onTime: r.onTime, firstPass: r.passRates.firstPass, filing: r.filing, coverage: r.coverage.items),
                to: "region:\(region)", on: db)
            return 1
        }
        let r = try await UtilityReport.counted(region: region, period: period, offenderLimit: 0, by: system, on: db)
        let month = String(period.start.description.prefix(7))
        try await Notices.send(
            .utilityReport(region: region.value, regionName: nil, month: month, firstVerification: r.firstVerification, rotation: r.rotation, offending: r.misses),
            to: "region:\(region)", on: db)
        var n = 1
        if region.level == .city {
            // Each county bureau gets its own line of its city's report.
            for a in r.areas where a.region.level == .county {
                try await Notices.send(
                    .utilityReport(region: a.region.value, regionName: a.name, month: month, firstVerification: a.firstVerification, rotation: a.rotation, offending: a.misses),
                    to: "region:\(a.region)", on: db)
                n += 1
            }
        }
        return n
    }
}
