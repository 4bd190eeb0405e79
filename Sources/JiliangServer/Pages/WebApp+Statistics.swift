import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The supervision rates of docs/metrics.md for a region and a period, each with its definition
/// beside it (issue #4's first view; drill-down, charts, reports and fast aggregates are to come).
extension WebApp {
    func addStatisticsRoutes(to router: Router<AppRequestContext>) {
        router.get("/app/statistics") { request, _ in try await page(request) { p in try await statisticsPage(request, p) } }
    }

    func statisticsPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let q = request.uri.queryParameters
        var c = FieldChecker()
        let regionText = q["region"].map(String.init) ?? p.region?.description ?? "350000"
        let region = RegionCode(regionText)
        if region == nil { c.fail("region", "must be a 6-digit region code, got '\(regionText)'") }
        let day = c.day("day", q["day"].map(String.init) ?? today.description) ?? today
        let kind = q["period"].map(String.init) ?? "year"
        if !["year", "quarter", "month"].contains(kind) { c.fail("period", "must be year, quarter or month") }
        try c.finish()
        let period = kind == "month" ? MetricPeriod.month(of: day) : kind == "quarter" ? MetricPeriod.quarter(of: day) : MetricPeriod.year(of: day)
        let r = try await Statistics.report(region: region!, period: period, by: p, on: db)
        func row(_ key: String, _ rate: Rate) -> [String: String] {
            ["name": t["st_" + key]!, "definition": t["st_" + key + "_def"]!, "count": "\(rate.numerator) / \(rate.denominator)",
             "percent": rate.percent.map { String(format: "%.1f%%", $0) } ?? "—", "id": "rate-\(key)"]
        }
        let rows = [
            row("onTime", r.onTime), row("firstPass", r.passRates.firstPass), row("afterAdjustment", r.passRates.afterAdjustment),
            row("spotChecks", r.passRates.spotChecks), row("filing", r.filing), row("coverageItems", r.coverage.items),
            row("coverageInstruments", r.coverage.instruments), row("firstVerification", r.firstVerification), row("rotation", r.rotationOnTime),
        ]
        let names = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let gaps = r.coverage.gaps.sorted { $0.value > $1.value }.map { ["item": names[$0.key] ?? "#\($0.key)", "count": "\($0.value)"] }
        let model: [String: Any] = [
            "t": t, "rows": rows, "region": region!.description, "day": day.description, "instruments": "\(r.instruments)",
            "period": "\(period.start) – \(period.end)", "gaps": gaps, "noGaps": gaps.isEmpty,
            "periods": ["year", "quarter", "month"].map { ["value": $0, "label": t["st_" + $0]!, "selected": $0 == kind ? "1" : ""].filter { !$0.value.isEmpty } },
        ]
        return render("statistics", model, title: t["st_title"]!, request: request, caller: p)
    }
}
