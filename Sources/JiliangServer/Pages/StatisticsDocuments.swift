import Foundation
import JiliangCore
import JiliangPDF
import JiliangStore
import JiliangXLSX
import Hummingbird

/// The 三表 通报 and the annual statistics report as `ReportDocument`s, in the page's language,
/// and their delivery as CSV, XLSX or PDF files.
enum StatisticsDocuments {
    static let kinds: [MetricKind] = [.onTime, .firstPass, .afterAdjustment, .spotChecks, .filing, .firstVerification, .rotation]

    static func cell(_ r: Rate) -> [ReportDocument.Cell] { [.number(Double(r.numerator)), .number(Double(r.denominator)), .percent(r.percent)] }

    static func utility(_ r: UtilityReport, _ t: PageText) -> ReportDocument {
        let problem: [UtilityReport.Offender.Problem: String] = [.noFirstVerification: t[.st_problem_first], .notRotated: t[.st_problem_rotation]]
        return ReportDocument(
            title: "\(r.regionName) \(t[.st_utility_title])",
            lines: [
                "\(t[.st_period]): \(r.period.start) – \(r.period.end)",
                "\(t[.st_firstVerification]): \(r.firstVerification.numerator) / \(r.firstVerification.denominator) = \(ReportDocument.Cell.percent(r.firstVerification.percent).display)",
                "\(t[.st_rotation]): \(r.rotation.numerator) / \(r.rotation.denominator) = \(ReportDocument.Cell.percent(r.rotation.percent).display)",
                "\(t[.st_firstVerification]) — \(t[.st_firstVerification_def])",
                "\(t[.st_rotation]) — \(t[.st_rotation_def])",
            ],
            tables: [
                .init(
                    title: t[.st_by_company],
                    columns: [t[.st_company], t[.creditCode], t[.region], t[.st_meters_in_use], t[.st_fv_met], t[.st_fv_due], t[.st_firstVerification],
                              t[.st_rot_met], t[.st_rot_due], t[.st_rotation]],
                    rows: r.companies.map { c in
                        [.text(c.name), .text(c.creditCode), .text(c.region), .number(Double(c.metersInUse))] + cell(c.firstVerification) + cell(c.rotation)
                    }, note: r.companies.isEmpty ? t[.nothing] : nil),
                .init(
                    title: t[.st_by_region],
                    columns: [t[.region], t[.st_fv_met], t[.st_fv_due], t[.st_firstVerification], t[.st_rot_met], t[.st_rot_due], t[.st_rotation]],
                    rows: r.areas.map { a in [.text("\(a.name) \(a.region)")] + cell(a.firstVerification) + cell(a.rotation) }, note: r.areas.isEmpty ? t[.nothing] : nil),
                .init(
                    title: "\(t[.st_offenders]) (\(r.misses))",
                    columns: [t[.code], t[.st_company], t[.st_meter_type], t[.region], t[.st_problem], t[.st_decisive_day]],
                    rows: r.offenders.map { o in [.text(o.code), .text(o.ownerName), .text(t.lookup("mt_\(o.meterType)") ?? o.meterType), .text(o.region), .text(problem[o.problem]!), .text(o.day.description)] },
                    note: r.offenders.isEmpty && r.misses == 0 ? t[.nothing]
                        : r.offenders.count < r.misses ? String(format: t[.st_offenders_first], r.offenders.count, r.misses) : nil),
            ])
    }

    struct Annual {
        var regionName: String
        var report: Statistics.Report
        var children: [(name: String, report: Statistics.Report)]
        var trend: [(month: MetricPeriod, rates: [MetricKind: Rate])]
        var gaps: [(county: String, item: String, instruments: Int, nearest: String)]
        var utility: UtilityReport
    }

    static func annual(_ a: Annual, _ t: PageText) -> ReportDocument {
        let r = a.report
        var rates: [[ReportDocument.Cell]] = kinds.map { k in [.text(t.lookup("st_\(k.rawValue)")!)] + cell(r.rate(k)) + [.text(t.lookup("st_\(k.rawValue)_def")!)] }
        rates.insert([.text(t[.st_coverageItems])] + cell(r.coverage.items) + [.text(t[.st_coverageItems_def])], at: 5)
        rates.insert([.text(t[.st_coverageInstruments])] + cell(r.coverage.instruments) + [.text(t[.st_coverageInstruments_def])], at: 6)
        return ReportDocument(
            title: "\(a.regionName) \(r.period.start.year) \(t[.st_annual_title])",
            lines: ["\(t[.st_period]): \(r.period.start) – \(r.period.end)", "\(t[.st_instruments]): \(r.instruments)", t[.st_note]],
            tables: [
                .init(title: t[.st_rates], columns: [t[.st_rate], t[.st_numerator], t[.st_denominator], "%", t[.st_definition]], rows: rates),
                .init(
                    title: t[.st_by_region],
                    columns: [t[.region], t[.st_instruments], t[.st_onTime], t[.st_firstPass], t[.st_filing], t[.st_coverageItems], t[.st_firstVerification], t[.st_rotation]],
                    rows: a.children.map { c in
                        [.text(c.name), .number(Double(c.report.instruments)), .percent(c.report.onTime.percent), .percent(c.report.passRates.firstPass.percent),
                         .percent(c.report.filing.percent), .percent(c.report.coverage.items.percent), .percent(c.report.firstVerification.percent),
                         .percent(c.report.rotationOnTime.percent)]
                    }, note: a.children.isEmpty ? t[.nothing] : nil),
                .init(
                    title: t[.st_trend], columns: [t[.st_month]] + kinds.map { t.lookup("st_\($0.rawValue)")! },
                    rows: a.trend.map { m in [.text(String(m.month.start.description.prefix(7)))] + kinds.map { .percent(m.rates[$0]?.percent) } }),
                .init(
                    title: t[.st_gaps], columns: [t[.region], t[.catalogue], t[.st_instruments], t[.st_nearest]],
                    rows: a.gaps.map { [.text($0.county), .text($0.item), .number(Double($0.instruments)), .text($0.nearest)] }, note: a.gaps.isEmpty ? t[.nothing] : nil),
                .init(
                    title: t[.st_utility_title],
                    columns: [t[.st_company], t[.st_firstVerification], t[.st_rotation], t[.st_meters_in_use]],
                    rows: a.utility.companies.map { [.text($0.name), .percent($0.firstVerification.percent), .percent($0.rotation.percent), .number(Double($0.metersInUse))] },
                    note: a.utility.companies.isEmpty ? t[.nothing] : nil),
            ])
    }

    /// The document as a download in `format` (csv, xlsx, pdf); nil for the printable page.
    static func file(_ doc: ReportDocument, format: String, name: String) throws -> Response? {
        let body: [UInt8], type: String
        switch format {
        case "csv": (body, type) = (Array(doc.csv().utf8), "text/csv; charset=utf-8")
        case "xlsx": (body, type) = (try XLSXReport.data(doc), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        case "pdf": (body, type) = (try ReportPDF.pdf(doc, footer: "\(doc.title) · Jiliang 计量"), "application/pdf")
        default: return nil
        }
        let disposition = format == "pdf" ? "inline" : "attachment"
        return Response(
            status: .ok, headers: [.contentType: type, .contentDisposition: "\(disposition); filename=\"\(name).\(format)\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: .init(bytes: body)))
    }
}
