import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The supervision rates of docs/metrics.md (each with its definition beside it), drill-down by
/// region and to the records behind every figure, server-drawn SVG charts, the capability gaps,
/// and the 三表 通报 and annual report as page, PDF, XLSX and CSV (docs/statistics.md); with the
/// registry of social public measurement standards (`StandardsController`). Typed views in
/// `StatisticsViews`; the reports' documents and files in `StatisticsDocuments`.
struct StatisticsController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.statistics.path) { request, context in
            let p = context.principal, lang = app.language(request), today = app.today
            let s = try StatisticsQuery(request, p, today: today)
            let view = try await app.store.reading { db in try await StatisticsView.build(s, by: p, lang: lang, today: today, on: db) }
            return app.render("statistics", view: view, title: PageStrings.strings(lang)[.st_title], request: request, caller: p)
        }
        router.get(Site.statisticsBehind.path) { request, context in
            let p = context.principal, lang = app.language(request)
            let s = try StatisticsQuery(request, p, today: app.today)
            let q = request.uri.queryParameters
            let view = try await app.store.reading { db in try await StatisticsBehindView.build(
                s, metric: q["metric"].map(String.init), met: q["met"].map(String.init), page: q["page"].map(String.init), by: p, lang: lang,
                plainPathLimit: app.config.plainPathLimit, on: db) }
            return app.render("statistics-behind", view: view, title: PageStrings.strings(lang)[.st_behind], request: request, caller: p)
        }
        router.get(Site.statisticsUtilities.path) { request, context in try await utilities(request, context.principal) }
        router.get(Site.statisticsAnnual.path) { request, context in try await annual(request, context.principal) }
        StandardsController(app: app).addRoutes(to: router)
    }

    /// The 三表 通报: the page, or its CSV, XLSX or PDF file.
    func utilities(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(app.language(request))
        let s = try StatisticsQuery(request, p, today: app.today)
        // The page and the PDF list the first offending meters (a province's year can hold hundreds
        // of thousands); the CSV and XLSX files list every one.
        let all = s.format == "csv" || s.format == "xlsx"
        let report = try await app.store.reading { db in
            try await UtilityReport.counted(region: s.region, period: s.period, offenderLimit: all ? nil : app.config.offenderPageLimit, by: p, on: db)
        }
        let doc = StatisticsDocuments.utility(report, t)
        if let file = try StatisticsDocuments.file(doc, format: s.format, name: "utility-report-\(s.region)-\(s.period.start)") { return file }
        let view = StatisticsReportView(doc, t, base: Site.statisticsUtilities() + "?\(s.query)", back: Site.statistics() + "?\(s.query)", id: "utility-report")
        return app.render("report", view: view, title: doc.title, request: request, caller: p)
    }

    /// The annual statistics report of a region: the page, or its CSV, XLSX or PDF file.
    func annual(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(app.language(request))
        let today = app.today
        var s = try StatisticsQuery(request, p, today: today)
        s.kind = "year"
        guard let year = MetricPeriod.year(of: s.day).through(today) else { throw RegistryError.invalid("year", .request(.yearNotBegun(s.day.year))) }
        s.period = year
        let (providers, names, items, utility, board) = try await app.store.reading { db in
            let providers = try await Standards.providers(on: db)
            let names = try await Registry.regionNames(on: db)
            let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
            // Rates, regions, trend, gaps and the utility companies' rates, all from the kept counts.
            let utility = try await UtilityReport.counted(region: s.region, period: s.period, offenderLimit: 0, by: p, on: db)
            let board = try await MetricCounts.dashboard(region: s.region, period: s.period, asOf: today, providers: providers, by: p, on: db)
            return (providers, names, items, utility, board)
        }
        let annual = StatisticsDocuments.Annual(
            regionName: names[s.region.value] ?? s.region.value, report: board.report,
            children: board.children.map { (names[$0.region.value] ?? $0.region.value, $0) }, trend: board.trend,
            gaps: Capability.gaps(inUse: board.inUseByPlace, providers: providers, on: s.period.end).map {
                ("\(names[$0.county.value] ?? "") \($0.county)", items[$0.subNo] ?? "#\($0.subNo)", $0.instruments, $0.nearest?.name ?? t[.st_none_nearby])
            },
            utility: utility)
        let doc = StatisticsDocuments.annual(annual, t)
        if let file = try StatisticsDocuments.file(doc, format: s.format, name: "annual-report-\(s.region)-\(s.day.year)") { return file }
        let view = StatisticsReportView(
            doc, t, base: Site.statisticsAnnual() + "?region=\(s.region)&year=\(s.day.year)", back: Site.statistics() + "?\(s.query)", id: "annual-report")
        return app.render("report", view: view, title: doc.title, request: request, caller: p)
    }
}
