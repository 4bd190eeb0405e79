import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The supervision rates of docs/metrics.md (each with its definition beside it), drill-down by
/// region and to the records behind every figure, server-drawn SVG charts, the capability gaps,
/// and the 三表 通报 and annual report as page, PDF, XLSX and CSV (docs/statistics.md).
extension WebApp {
    func addStatisticsRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.statistics.path) { request, _ in try await page(request) { p in try await statisticsPage(request, p) } }
        router.get(Site.statisticsBehind.path) { request, _ in try await page(request) { p in try await behindPage(request, p) } }
        router.get(Site.statisticsUtilities.path) { request, _ in try await page(request) { p in try await utilitiesPage(request, p) } }
        router.get(Site.statisticsAnnual.path) { request, _ in try await page(request) { p in try await annualPage(request, p) } }
    }

    /// region, period (year | quarter | month) and a day inside it, from the query string.
    struct StatisticsQuery {
        var region: RegionCode
        var kind: String
        var day: CalendarDay
        var period: MetricPeriod
        var format: String

        var query: String { "region=\(region)&period=\(kind)&day=\(day)" }

        init(_ request: Request, _ p: Principal, today: CalendarDay) throws {
            let q = request.uri.queryParameters
            var c = FieldChecker()
            let regionText = q["region"].map(String.init) ?? p.region?.description ?? "350000"
            let region = RegionCode(regionText)
            if region == nil { c.fail("region", "must be a 6-digit region code, got '\(regionText)'") }
            var day = c.day("day", q["day"].map(String.init) ?? today.description) ?? today
            if let y = q["year"].map(String.init) {
                if let n = Int(y), (1980...2200).contains(n) { day = CalendarDay(year: n, month: 1, day: 1)! } else { c.fail("year", "must be a year such as 2026, got '\(y)'") }
            }
            kind = q["year"] != nil ? "year" : q["period"].map(String.init) ?? "year"
            if !["year", "quarter", "month"].contains(kind) { c.fail("period", "must be year, quarter or month") }
            format = q["format"].map(String.init) ?? "html"
            if !["html", "csv", "xlsx", "pdf"].contains(format) { c.fail("format", "must be html, csv, xlsx or pdf") }
            try c.finish()
            self.region = region!
            self.day = day
            let whole = kind == "month" ? MetricPeriod.month(of: day) : kind == "quarter" ? MetricPeriod.quarter(of: day) : MetricPeriod.year(of: day)
            // A period still running is counted to date; one not yet begun is refused.
            guard let counted = whole.through(today) else { throw RegistryError.invalid("day", "the period \(whole.start) – \(whole.end) has not begun") }
            period = counted
        }
    }

    func regionNames() async throws -> [String: String] { try await Registry.regionNames(on: db) }

    func statisticsPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let s = try StatisticsQuery(request, p, today: today)
        // The fast path (MetricCounts): sums of incrementally kept counts, equal to the plain computation.
        let providers = try await Standards.providers(on: db)
        let board = try await MetricCounts.dashboard(region: s.region, period: s.period, asOf: today, providers: providers, by: p, on: db)
        let r = board.report
        let names = try await regionNames()
        func behind(_ kind: MetricKind, met: String) -> String { Site.statisticsBehind() + "?metric=\(kind.rawValue)&\(s.query)&met=\(met)" }
        func row(_ key: String, _ rate: Rate, kind: MetricKind?) -> [String: String] {
            var row = ["name": (t.lookup("st_" + key) ?? "st_" + key), "definition": (t.lookup("st_" + key + "_def") ?? "st_" + key + "_def"), "met": "\(rate.numerator)", "due": "\(rate.denominator)",
                       "percent": rate.percent.map { String(format: "%.1f%%", $0) } ?? "—", "id": "rate-\(key)"]
            if let kind { row["metLink"] = behind(kind, met: "1"); row["dueLink"] = behind(kind, met: "all"); row["missedLink"] = behind(kind, met: "0") }
            return row
        }
        let rows = [
            row("onTime", r.onTime, kind: .onTime), row("firstPass", r.passRates.firstPass, kind: .firstPass),
            row("afterAdjustment", r.passRates.afterAdjustment, kind: .afterAdjustment), row("spotChecks", r.passRates.spotChecks, kind: .spotChecks),
            row("filing", r.filing, kind: .filing), row("coverageItems", r.coverage.items, kind: nil), row("coverageInstruments", r.coverage.instruments, kind: nil),
            row("firstVerification", r.firstVerification, kind: .firstVerification), row("rotation", r.rotationOnTime, kind: .rotation),
        ]
        let children = board.children
        func pct(_ r: Rate) -> String { r.percent.map { String(format: "%.1f%%", $0) } ?? "—" }
        let childRows = children.map { c -> [String: String] in
            ["name": names[c.region.value] ?? c.region.value, "code": c.region.value, "instruments": "\(c.instruments)", "onTime": pct(c.onTime),
             "firstPass": pct(c.passRates.firstPass), "filing": pct(c.filing), "coverage": pct(c.coverage.items),
             "firstVerification": pct(c.firstVerification), "rotation": pct(c.rotationOnTime),
             "link": Site.statistics() + "?region=\(c.region)&period=\(s.kind)&day=\(s.day)"]
        }
        let barChart = children.isEmpty ? "" : SVGChart.bars(
            children.map { .init(label: names[$0.region.value] ?? $0.region.value, value: $0.onTime.percent, link: Site.statistics() + "?region=\($0.region)&period=\(s.kind)&day=\(s.day)") },
            title: t[.st_chart_onTime], id: "chart-regions")
        let trend = board.trend
        let lineChart = SVGChart.lines(
            [.init(name: t[.st_onTime], color: "#1565c0", values: trend.map { $0.rates[.onTime]?.percent }),
             .init(name: t[.st_firstPass], color: "#2e7d32", values: trend.map { $0.rates[.firstPass]?.percent })],
            labels: (1...12).map { "\($0)" }, title: "\(s.day.year) \(t[.st_chart_trend])", id: "chart-trend")
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let gaps = Capability.gaps(inUse: board.inUseByPlace, providers: providers, on: s.period.end).prefix(200).map { g -> [String: String] in
            ["county": "\(names[g.county.value] ?? "") \(g.county)", "item": items[g.subNo] ?? "#\(g.subNo)", "count": "\(g.instruments)",
             "nearest": g.nearest.map { "\($0.name)" } ?? t[.st_none_nearby], "link": Site.instruments() + "?region=\(g.county)&sub_no=\(g.subNo)"]
        }
        let model: [String: Any] = [
            "t": t, "rows": rows, "region": s.region.description, "regionName": names[s.region.value] ?? "", "day": s.day.description,
            "instruments": "\(r.instruments)", "period": "\(s.period.start) – \(s.period.end)", "gaps": gaps, "noGaps": gaps.isEmpty,
            "children": childRows, "hasChildren": !childRows.isEmpty, "barChart": barChart, "lineChart": lineChart, "query": s.query, "year": "\(s.day.year)",
            "parentLink": s.region.parent.map { Site.statistics() + "?region=\($0)&period=\(s.kind)&day=\(s.day)" } ?? "",
            "periods": ["year", "quarter", "month"].map { ["value": $0, "label": (t.lookup("st_" + $0) ?? "st_" + $0), "selected": $0 == s.kind ? "1" : ""].filter { !$0.value.isEmpty } },
        ]
        return render("statistics", model.filter { !(($0.value as? String)?.isEmpty ?? false) }, title: t[.st_title], request: request, caller: p)
    }

    /// The events behind one figure: each instrument with the day that decided it and whether it met the rule.
    func behindPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let s = try StatisticsQuery(request, p, today: today)
        let q = request.uri.queryParameters
        var c = FieldChecker()
        let kind: MetricKind? = c.choice("metric", q["metric"].map(String.init), labels: [:])
        let met = q["met"].map(String.init) ?? "all"
        if !["0", "1", "all"].contains(met) { c.fail("met", "must be 0, 1 or all") }
        let pageNo = c.int("page", q["page"].map(String.init), range: 1...100_000) ?? 1
        try c.finish()
        if let split = try await behindSplit(s, kind: kind!, met: met, t: t, p) {
            return render("statistics-behind", split, title: t[.st_behind], request: request, caller: p)
        }
        let facts = try await Statistics.facts(region: s.region, by: p, on: db)
        var events = Metrics.events(kind!, facts, in: s.period)
        if met != "all" { events = events.filter { $0.met == (met == "1") } }
        events.sort { ($0.day, $0.instrumentID) < ($1.day, $1.instrumentID) }
        let size = 200, total = events.count
        let slice = Array(events.dropFirst((pageNo - 1) * size).prefix(size))
        let ids = slice.map(\.instrumentID)
        let instruments = ids.isEmpty ? [] : try await InstrumentModel.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: instruments.map { ($0.id!, $0) })
        let owners = Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Set(instruments.map(\.ownerID))).all().map { ($0.id!, $0.name) })
        let rows = slice.map { e -> [String: String] in
            let i = byID[e.instrumentID]
            return ["id": "\(e.instrumentID)", "instrumentLink": Site.instrument(e.instrumentID), "code": i?.code ?? "#\(e.instrumentID)", "name": i?.name ?? "", "owner": i.flatMap { owners[$0.ownerID] } ?? "",
                    "region": i?.regionCode ?? "", "day": e.day.description, "met": e.met ? t[.st_met] : t[.st_missed], "class": e.met ? "ok" : "bad"]
        }
        let base = Site.statisticsBehind() + "?metric=\(kind!.rawValue)&\(s.query)&met=\(met)"
        let model: [String: Any] = [
            "t": t, "rows": rows, "metric": t.lookup("st_\(kind!.rawValue)")!, "definition": t.lookup("st_\(kind!.rawValue)_def")!, "region": s.region.description,
            "period": "\(s.period.start) – \(s.period.end)", "total": "\(total)", "back": Site.statistics() + "?\(s.query)",
            "filters": [("all", t[.st_all]), ("1", t[.st_met]), ("0", t[.st_missed])].map {
                ["label": $0.1, "link": Site.statisticsBehind() + "?metric=\(kind!.rawValue)&\(s.query)&met=\($0.0)", "current": $0.0 == met ? "1" : ""].filter { !$0.value.isEmpty }
            },
            "prev": pageNo > 1 ? "\(base)&page=\(pageNo - 1)" : "", "next": pageNo * size < total ? "\(base)&page=\(pageNo + 1)" : "",
            "noRows": rows.isEmpty,
        ]
        return render("statistics-behind", model.filter { !(($0.value as? String)?.isEmpty ?? false) }, title: t[.st_behind], request: request, caller: p)
    }

    /// A region with more instruments than a page should list: the figure split by its sub-regions
    /// (from the kept counts), each number opening that sub-region's own records. Nil when the
    /// region is small enough to list (or has no sub-regions to split into).
    func behindSplit(_ s: StatisticsQuery, kind: MetricKind, met: String, t: PageText, _ p: Principal) async throws -> [String: Any]? {
        // One read of the counts gives the region's size (every instrument ever registered in it,
        // what the plain path would load) and the split; no COUNT(*) over millions of rows.
        let board = try await MetricCounts.dashboard(region: s.region, period: s.period, asOf: s.period.end, providers: [], by: p, on: db)
        guard board.report.instruments > config.plainPathLimit, !board.children.isEmpty else { return nil }
        let children = board.children
        let names = try await regionNames()
        let whole = board.report.rate(kind)
        return [
            "t": t, "metric": t.lookup("st_\(kind.rawValue)")!, "definition": t.lookup("st_\(kind.rawValue)_def")!, "region": s.region.description,
            "period": "\(s.period.start) – \(s.period.end)", "total": "\(whole.numerator) / \(whole.denominator)", "back": Site.statistics() + "?\(s.query)",
            "isSplit": true, "split": children.map { c -> [String: String] in
                let r = c.rate(kind)
                return ["name": names[c.region.value] ?? c.region.value, "code": c.region.value, "met": "\(r.numerator)", "due": "\(r.denominator)",
                        "missed": "\(r.denominator - r.numerator)",
                        "link": Site.statisticsBehind() + "?metric=\(kind.rawValue)&region=\(c.region)&period=\(s.kind)&day=\(s.day)&met=\(met)"]
            },
        ]
    }

    func utilitiesPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let s = try StatisticsQuery(request, p, today: today)
        // The page and the PDF list the first offending meters (a province's year can hold hundreds
        // of thousands); the CSV and XLSX files list every one.
        let all = s.format == "csv" || s.format == "xlsx"
        let report = try await UtilityReport.counted(region: s.region, period: s.period, offenderLimit: all ? nil : config.offenderPageLimit, by: p, on: db)
        let doc = StatisticsDocuments.utility(report, t)
        if let file = try StatisticsDocuments.file(doc, format: s.format, name: "utility-report-\(s.region)-\(s.period.start)") { return file }
        return render("report", reportModel(doc, t, base: Site.statisticsUtilities() + "?\(s.query)", back: Site.statistics() + "?\(s.query)", id: "utility-report"),
                      title: doc.title, request: request, caller: p)
    }

    func annualPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        var s = try StatisticsQuery(request, p, today: today)
        s.kind = "year"
        guard let year = MetricPeriod.year(of: s.day).through(today) else { throw RegistryError.invalid("year", "\(s.day.year) has not begun") }
        s.period = year
        let providers = try await Standards.providers(on: db)
        let names = try await regionNames()
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        // Rates, regions, trend, gaps and the utility companies' rates, all from the kept counts.
        let utility = try await UtilityReport.counted(region: s.region, period: s.period, offenderLimit: 0, by: p, on: db)
        let board = try await MetricCounts.dashboard(region: s.region, period: s.period, asOf: today, providers: providers, by: p, on: db)
        let annual = StatisticsDocuments.Annual(
            regionName: names[s.region.value] ?? s.region.value, report: board.report,
            children: board.children.map { (names[$0.region.value] ?? $0.region.value, $0) }, trend: board.trend,
            gaps: Capability.gaps(inUse: board.inUseByPlace, providers: providers, on: s.period.end).map {
                ("\(names[$0.county.value] ?? "") \($0.county)", items[$0.subNo] ?? "#\($0.subNo)", $0.instruments, $0.nearest?.name ?? t[.st_none_nearby])
            },
            utility: utility)
        let doc = StatisticsDocuments.annual(annual, t)
        if let file = try StatisticsDocuments.file(doc, format: s.format, name: "annual-report-\(s.region)-\(s.day.year)") { return file }
        return render("report", reportModel(doc, t, base: Site.statisticsAnnual() + "?region=\(s.region)&year=\(s.day.year)", back: Site.statistics() + "?\(s.query)", id: "annual-report"),
                      title: doc.title, request: request, caller: p)
    }

    /// The printable page of a report document; at most 2,000 rows per table on screen (the files carry all).
    func reportModel(_ doc: ReportDocument, _ t: PageText, base: String, back: String, id: String) -> [String: Any] {
        let limit = 2_000
        return [
            "t": t, "title": doc.title, "lines": doc.lines, "id": id, "back": back,
            "downloads": ["pdf", "xlsx", "csv"].map { ["label": $0.uppercased(), "link": "\(base)&format=\($0)", "id": "download-\($0)"] },
            "tables": doc.tables.enumerated().map { n, table -> [String: Any] in
                var m: [String: Any] = [
                    "title": table.title, "columns": table.columns, "id": "\(id)-table-\(n)",
                    "rows": table.rows.prefix(limit).map { ["cells": $0.map(\.display)] },
                ]
                if table.rows.count > limit { m["more"] = String(format: t[.st_more], limit) }
                if let note = table.note { m["note"] = note }
                return m
            },
        ]
    }
}
