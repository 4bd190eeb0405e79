import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// Region, period (year | quarter | month), a day inside it and the format asked for, from the
/// query string; bad values are named (400) and a period not yet begun is refused.
struct StatisticsQuery: Sendable {
    var region: RegionCode
    var kind: String
    var day: CalendarDay
    var period: MetricPeriod
    var format: String

    var query: String { "region=\(region)&period=\(kind)&day=\(day)" }

    /// From the query's values (nil: not given); the caller's region by default, else the province.
    init(
        region regionValue: String?, period periodValue: String?, day dayValue: String?, year: String?, format formatValue: String?,
        caller p: Principal, today: CalendarDay
    ) throws {
        var c = FieldChecker()
        let regionText = regionValue ?? p.region?.description ?? "350000"
        let region = RegionCode(regionText)
        if region == nil { c.fail("region", .notARegionCode(got: regionText)) }
        var day = c.day("day", dayValue ?? today.description) ?? today
        if let y = year {
            if let n = Int(y), (1980...2200).contains(n) { day = CalendarDay(year: n, month: 1, day: 1)! } else { c.fail("year", .request(.notAYear(got: y))) }
        }
        let kind = year != nil ? "year" : periodValue ?? "year"
        if !["year", "quarter", "month"].contains(kind) { c.fail("period", .request(.mustBe(["year", "quarter", "month"]))) }
        let format = formatValue ?? "html"
        if !["html", "csv", "xlsx", "pdf"].contains(format) { c.fail("format", .request(.mustBe(["html", "csv", "xlsx", "pdf"]))) }
        try c.finish()
        self.region = region!
        self.kind = kind
        self.day = day
        self.format = format
        let whole = kind == "month" ? MetricPeriod.month(of: day) : kind == "quarter" ? MetricPeriod.quarter(of: day) : MetricPeriod.year(of: day)
        // A period still running is counted to date; one not yet begun is refused.
        guard let counted = whole.through(today) else { throw RegistryError.invalid("day", .request(.periodNotBegun(start: whole.start.description, end: whole.end.description))) }
        period = counted
    }

    init(_ request: Request, _ p: Principal, today: CalendarDay) throws {
        let q = request.uri.queryParameters
        try self.init(
            region: q["region"].map(String.init), period: q["period"].map(String.init), day: q["day"].map(String.init),
            year: q["year"].map(String.init), format: q["format"].map(String.init), caller: p, today: today)
    }

    /// The statistics page of another region, same period and day (drill-down and drill-up).
    func link(_ region: RegionCode) -> String { Site.statistics() + "?region=\(region)&period=\(kind)&day=\(day)" }
}

/// The dashboard of rates for a region and period, with its definitions, the figures' records, the
/// sub-regions, the charts and the capability gaps (`statistics.mustache`).
struct StatisticsView: PageView {
    struct RateRow: Encodable, Sendable, Equatable {
        var id: String
        var name: String
        var definition: String
        var met: Int
        var due: Int
        var percent: String
        /// The records behind the figure (nil for the coverage rates, which have none).
        var metLink: String?
        var dueLink: String?
        var missedLink: String?
    }
    struct Child: Encodable, Sendable, Equatable {
        var name: String
        var code: String
        var instruments: Int
        var onTime: String
        var firstPass: String
        var filing: String
        var coverage: String
        var firstVerification: String
        var rotation: String
        var link: String
    }
    struct Gap: Encodable, Sendable, Equatable {
        var county: String
        var item: String
        var count: Int
        var nearest: String
        var link: String
    }
    var rows: [RateRow]
    var region: String
    var regionName: String
    var day: String
    var instruments: Int
    var period: String
    var gaps: [Gap]
    var noGaps: Bool
    var children: [Child]
    var hasChildren: Bool
    /// Inline SVG (empty without sub-regions).
    var barChart: String
    var lineChart: String
    var query: String
    var year: Int
    var parentLink: String?
    var periods: [OptionView]

    static func percent(_ r: Rate) -> String { r.percent.map { String(format: "%.1f%%", $0) } ?? "—" }

    static func build(_ s: StatisticsQuery, by p: Principal, lang: PageStrings.Language, today: CalendarDay, on db: any Database) async throws -> StatisticsView {
        let t = PageStrings.strings(lang)
        // The fast path (MetricCounts): sums of incrementally kept counts, equal to the plain computation.
        let providers = try await Standards.providers(on: db)
        let board = try await MetricCounts.dashboard(region: s.region, period: s.period, asOf: today, providers: providers, by: p, on: db)
        let r = board.report
        let names = try await Registry.regionNames(on: db)
        func behind(_ kind: MetricKind, met: String) -> String { Site.statisticsBehind() + "?metric=\(kind.rawValue)&\(s.query)&met=\(met)" }
        func row(_ key: String, _ rate: Rate, kind: MetricKind?) -> RateRow {
            RateRow(
                id: "rate-\(key)", name: t.lookup("st_" + key) ?? "st_" + key, definition: t.lookup("st_" + key + "_def") ?? "st_" + key + "_def",
                met: rate.numerator, due: rate.denominator, percent: Self.percent(rate),
                metLink: kind.map { behind($0, met: "1") }, dueLink: kind.map { behind($0, met: "all") }, missedLink: kind.map { behind($0, met: "0") })
        }
        let rows = [
            row("onTime", r.onTime, kind: .onTime), row("firstPass", r.passRates.firstPass, kind: .firstPass),
            row("afterAdjustment", r.passRates.afterAdjustment, kind: .afterAdjustment), row("spotChecks", r.passRates.spotChecks, kind: .spotChecks),
            row("filing", r.filing, kind: .filing), row("coverageItems", r.coverage.items, kind: nil), row("coverageInstruments", r.coverage.instruments, kind: nil),
            row("firstVerification", r.firstVerification, kind: .firstVerification), row("rotation", r.rotationOnTime, kind: .rotation),
        ]
        let children = board.children
        let childRows = children.map { c in
            Child(
                name: names[c.region.value] ?? c.region.value, code: c.region.value, instruments: c.instruments, onTime: Self.percent(c.onTime),
                firstPass: Self.percent(c.passRates.firstPass), filing: Self.percent(c.filing), coverage: Self.percent(c.coverage.items),
                firstVerification: Self.percent(c.firstVerification), rotation: Self.percent(c.rotationOnTime), link: s.link(c.region))
        }
        let barChart = children.isEmpty ? "" : SVGChart.bars(
            children.map { .init(label: names[$0.region.value] ?? $0.region.value, value: $0.onTime.percent, link: s.link($0.region)) },
            title: t[.st_chart_onTime], id: "chart-regions")
        let trend = board.trend
        let lineChart = SVGChart.lines(
            [.init(name: t[.st_onTime], color: "#1565c0", values: trend.map { $0.rates[.onTime]?.percent }),
             .init(name: t[.st_firstPass], color: "#2e7d32", values: trend.map { $0.rates[.firstPass]?.percent })],
            labels: (1...12).map { "\($0)" }, title: "\(s.day.year) \(t[.st_chart_trend])", id: "chart-trend")
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let gaps = Capability.gaps(inUse: board.inUseByPlace, providers: providers, on: s.period.end).prefix(200).map { g in
            Gap(
                county: "\(names[g.county.value] ?? "") \(g.county)", item: items[g.subNo] ?? "#\(g.subNo)", count: g.instruments,
                nearest: g.nearest.map { "\($0.name)" } ?? t[.st_none_nearby], link: Site.instruments() + "?region=\(g.county)&sub_no=\(g.subNo)")
        }
        return StatisticsView(
            rows: rows, region: s.region.description, regionName: names[s.region.value] ?? "", day: s.day.description, instruments: r.instruments,
            period: "\(s.period.start) – \(s.period.end)", gaps: gaps, noGaps: gaps.isEmpty, children: childRows, hasChildren: !childRows.isEmpty,
            barChart: barChart, lineChart: lineChart, query: s.query, year: s.day.year, parentLink: s.region.parent.map { s.link($0) },
            periods: ["year", "quarter", "month"].map { OptionView(value: $0, label: t.lookup("st_" + $0) ?? "st_" + $0, selected: $0 == s.kind) })
    }
}

/// The events behind one figure: each instrument with the day that decided it and whether it met
/// the rule — or, for a region too large to list, the figure split by its sub-regions
/// (`statistics-behind.mustache`).
struct StatisticsBehindView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var instrumentLink: String
        var code: String
        var name: String
        var owner: String
        var region: String
        var day: String
        var met: String
        /// "ok" or "bad".
        var `class`: String
    }
    struct SplitRow: Encodable, Sendable, Equatable {
        var name: String
        var code: String
        var met: Int
        var due: Int
        var missed: Int
        var link: String
    }
    struct Filter: Encodable, Sendable, Equatable {
        var label: String
        var link: String
        var current: Bool
    }
    var metric: String
    var definition: String
    var region: String
    var period: String
    /// The number of records listed, or "met / due" of a split figure.
    var total: String
    var back: String
    var isSplit: Bool
    var split: [SplitRow]
    var filters: [Filter]
    var rows: [Row]
    var noRows: Bool
    var prev: String?
    var next: String?

    static let pageSize = 200

    /// `metric`, `met` (0, 1 or all) and `page` as given in the query (nil: not given).
    static func build(
        _ s: StatisticsQuery, metric: String?, met metValue: String?, page: String?, by p: Principal, lang: PageStrings.Language,
        plainPathLimit: Int, on db: any Database
    ) async throws -> StatisticsBehindView {
        let t = PageStrings.strings(lang)
        var c = FieldChecker()
        let chosen: MetricKind? = c.choice("metric", metric, labels: [:])
        let met = metValue ?? "all"
        if !["0", "1", "all"].contains(met) { c.fail("met", .request(.mustBe(["0", "1", "all"]))) }
        let pageNo = c.int("page", page, range: 1...100_000) ?? 1
        try c.finish()
        guard let kind = chosen else { throw RegistryError.invalid("metric", .required) }
        if let split = try await Self.splitByRegion(s, kind: kind, met: met, t: t, by: p, plainPathLimit: plainPathLimit, on: db) { return split }
        let facts = try await Statistics.facts(region: s.region, by: p, on: db)
        var events = Metrics.events(kind, facts, in: s.period)
        if met != "all" { events = events.filter { $0.met == (met == "1") } }
        events.sort { ($0.day, $0.instrumentID) < ($1.day, $1.instrumentID) }
        let size = pageSize, total = events.count
        let slice = Array(events.dropFirst((pageNo - 1) * size).prefix(size))
        let ids = slice.map(\.instrumentID)
        let instruments = ids.isEmpty ? [] : try await InstrumentModel.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: instruments.map { ($0.id!, $0) })
        let owners = Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Set(instruments.map(\.ownerID))).all().map { ($0.id!, $0.name) })
        let rows = slice.map { e in
            let i = byID[e.instrumentID]
            return Row(
                id: e.instrumentID, instrumentLink: Site.instrument(e.instrumentID), code: i?.code ?? "#\(e.instrumentID)", name: i?.name ?? "",
                owner: i.flatMap { owners[$0.ownerID] } ?? "", region: i?.regionCode ?? "", day: e.day.description,
                met: e.met ? t[.st_met] : t[.st_missed], class: e.met ? "ok" : "bad")
        }
        let base = Site.statisticsBehind() + "?metric=\(kind.rawValue)&\(s.query)&met=\(met)"
        return StatisticsBehindView(
            metric: t.lookup("st_\(kind.rawValue)")!, definition: t.lookup("st_\(kind.rawValue)_def")!, region: s.region.description,
            period: "\(s.period.start) – \(s.period.end)", total: "\(total)", back: Site.statistics() + "?\(s.query)", isSplit: false, split: [],
            filters: [("all", t[.st_all]), ("1", t[.st_met]), ("0", t[.st_missed])].map {
                Filter(label: $0.1, link: Site.statisticsBehind() + "?metric=\(kind.rawValue)&\(s.query)&met=\($0.0)", current: $0.0 == met)
            },
            rows: rows, noRows: rows.isEmpty, prev: pageNo > 1 ? "\(base)&page=\(pageNo - 1)" : nil,
            next: pageNo * size < total ? "\(base)&page=\(pageNo + 1)" : nil)
    }

    /// A region with more instruments than a page should list: the figure split by its sub-regions
    /// (from the kept counts), each number opening that sub-region's own records. Nil when the
    /// region is small enough to list (or has no sub-regions to split into).
    static func splitByRegion(
        _ s: StatisticsQuery, kind: MetricKind, met: String, t: PageText, by p: Principal, plainPathLimit: Int, on db: any Database
    ) async throws -> StatisticsBehindView? {
        // One read of the counts gives the region's size (every instrument ever registered in it,
        // what the plain path would load) and the split; no COUNT(*) over millions of rows.
        let board = try await MetricCounts.dashboard(region: s.region, period: s.period, asOf: s.period.end, providers: [], by: p, on: db)
        guard board.report.instruments > plainPathLimit, !board.children.isEmpty else { return nil }
        let names = try await Registry.regionNames(on: db)
        let whole = board.report.rate(kind)
        let rows = board.children.map { c in
            let r = c.rate(kind)
            return SplitRow(
                name: names[c.region.value] ?? c.region.value, code: c.region.value, met: r.numerator, due: r.denominator,
                missed: r.denominator - r.numerator,
                link: Site.statisticsBehind() + "?metric=\(kind.rawValue)&region=\(c.region)&period=\(s.kind)&day=\(s.day)&met=\(met)")
        }
        return StatisticsBehindView(
            metric: t.lookup("st_\(kind.rawValue)")!, definition: t.lookup("st_\(kind.rawValue)_def")!, region: s.region.description,
            period: "\(s.period.start) – \(s.period.end)", total: "\(whole.numerator) / \(whole.denominator)", back: Site.statistics() + "?\(s.query)",
            isSplit: true, split: rows, filters: [], rows: [], noRows: false, prev: nil, next: nil)
    }
}

/// The printable page of a report document (the 三表 通报, the annual report) with its downloads;
/// at most 2,000 rows per table on screen (the files carry all) (`report.mustache`).
struct StatisticsReportView: PageView {
    struct Download: Encodable, Sendable, Equatable {
        var label: String
        var link: String
        var id: String
    }
    struct Row: Encodable, Sendable, Equatable {
        var cells: [String]
    }
    struct Table: Encodable, Sendable, Equatable {
        var title: String
        var columns: [String]
        var id: String
        var rows: [Row]
        /// "The first n rows are shown" when the table is longer.
        var more: String?
        var note: String?
    }
    var title: String
    var lines: [String]
    var id: String
    var back: String
    var downloads: [Download]
    var tables: [Table]

    static let rowLimit = 2_000

    /// `base` is the page's address with its query; each download adds `&format=…`.
    init(_ doc: ReportDocument, _ t: PageText, base: String, back: String, id: String) {
        let limit = Self.rowLimit
        title = doc.title
        lines = doc.lines
        self.id = id
        self.back = back
        downloads = ["pdf", "xlsx", "csv"].map { Download(label: $0.uppercased(), link: "\(base)&format=\($0)", id: "download-\($0)") }
        tables = doc.tables.enumerated().map { n, table in
            Table(
                title: table.title, columns: table.columns, id: "\(id)-table-\(n)", rows: table.rows.prefix(limit).map { Row(cells: $0.map(\.display)) },
                more: table.rows.count > limit ? String(format: t[.st_more], limit) : nil, note: table.note)
        }
    }
}
