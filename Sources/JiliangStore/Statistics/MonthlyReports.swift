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
        let periodText = kind == "annual" ? "\(period.start.year)" : String(period.start.description.prefix(7))
        if kind == "annual" {
            let r = try await MetricCounts.report(region: region, period: period, providers: try await Standards.providers(on: db), by: system, on: db)
            let body = """
                \(periodText) 年度计量监管统计报告已生成 The annual statistics report for \(periodText) is ready.
                受检率 on-time \(pct(r.onTime)) · 一次检定合格率 first-pass \(pct(r.passRates.firstPass)) · 备案率 filing \(pct(r.filing)) · 检定能力覆盖率 coverage \(pct(r.coverage.items))
                /app/statistics/annual?region=\(region)&year=\(period.start.year)
                """
            try await send(to: "region:\(region)", subject: "\(periodText) 年度统计报告 Annual statistics report", body: body, on: db)
            return 1
        }
        let r = try await UtilityReport.counted(region: region, period: period, offenderLimit: 0, by: system, on: db)
        let link = "/app/statistics/utilities?region=\(region)&period=month&day=\(period.start)"
        let body = """
            \(periodText) 三表首次检定与到期轮换通报 The 三表 report for \(periodText).
            首次检定执行率 first verification \(pct(r.firstVerification)) · 到期轮换执行率 rotation on time \(pct(r.rotation)) · 问题表计 offending meters \(r.misses)
            \(link)
            """
        try await send(to: "region:\(region)", subject: "\(periodText) 三表通报 Utility meter report", body: body, on: db)
        var n = 1
        if region.level == .city {
            for a in r.areas where a.region.level == .county {
                try await send(
                    to: "region:\(a.region)", subject: "\(periodText) 三表通报 Utility meter report",
                    body: """
                        \(a.name) \(periodText)：首次检定执行率 first verification \(pct(a.firstVerification)) · 到期轮换执行率 rotation on time \(pct(a.rotation)) · 问题表计 offending meters \(a.misses)
                        /app/statistics/utilities?region=\(a.region)&period=month&day=\(period.start)
                        """, on: db)
                n += 1
            }
        }
        return n
    }

    static func pct(_ r: Rate) -> String { r.percent.map { String(format: "%.1f%% (%d/%d)", $0, r.numerator, r.denominator) } ?? "— (0/0)" }

    static func send(to recipient: String, subject: String, body: String, on db: any Database) async throws {
        let m = InboxMessageModel()
        m.recipient = recipient
        m.subject = subject
        m.body = body
        m.createdAt = Date()
        try await m.create(on: db)
    }
}
