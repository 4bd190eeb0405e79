import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// What a new installation must know on day one (issue #19, item 7): the reference data it runs on
/// that is not confirmed from a primary source — catalogue rows, rules in force, the working-day
/// calendar's years, the configurable figures — in one list for the administrator, each linked to
/// where it is corrected (`reference.mustache`).
struct ReferenceView: PageView {
    struct CatalogueRow: Encodable, Sendable, Equatable {
        var sub: String
        var link: String
        var name: String
        var confidence: String
        var source: String
    }
    struct RuleRow: Encodable, Sendable, Equatable {
        var sub: String
        var link: String
        var summary: String
        var from: String
        var confidence: String
        var source: String
    }
    struct Figure: Encodable, Sendable, Equatable {
        var figure: String
        var value: String
        var `where`: String
    }
    var catalogue: [CatalogueRow]
    var catalogueCount: Int
    var rules: [RuleRow]
    var ruleCount: Int
    var figures: [Figure]
    var calendar: CalendarCoverageView

    static func build(
        by p: Principal, lang: PageStrings.Language, today: CalendarDay, config: AppConfiguration, on db: any Database
    ) async throws -> ReferenceView {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let t = PageStrings.strings(lang)
        let entries = try await Registry.catalogue(on: db).filter { $0.confidence != Confidence.confirmed.rawValue }
        let catalogue = entries.map { m in
            CatalogueRow(
                sub: "\(m.entry.subNo)", link: Site.catalogueEntry(m.entry.subNo), name: m.entry.subName,
                confidence: t.lookup("cat_conf_" + m.confidence) ?? m.confidence, source: m.entry.source)
        }
        let book = try await Registry.ruleBook(on: db)
        let rules = book.rules.filter { $0.confidence != .confirmed && book.inForce($0, on: today) }
            .sorted { ($0.subNo, $0.version) < ($1.subNo, $1.version) }
            .map { r in
                RuleRow(
                    sub: "\(r.subNo)", link: Site.catalogueEntry(r.subNo), summary: CatalogueText.ruleSummary(r, t), from: r.effectiveFrom.description,
                    confidence: t.lookup("cat_conf_" + r.confidence.rawValue) ?? r.confidence.rawValue, source: r.source)
            }
        return ReferenceView(
            catalogue: catalogue, catalogueCount: catalogue.count, rules: rules, ruleCount: rules.count,
            figures: unconfirmedFigures(config), calendar: try await CalendarCoverageView.build(lang: lang, today: today, on: db))
    }

    /// Figures the server runs on that no primary source confirmed, with the values in use and
    /// where each is set (docs/credit.md, docs/public-service.md, docs/statistics.md).
    static func unconfirmedFigures(_ config: AppConfiguration) -> [Figure] {
        [
            Figure(
                figure: "列入严重失信名单的陈述申辩期 / objection window before listing (Order 44)",
                value: "\(config.credit.listing.objectionWorkingDays) 个工作日 / working days", where: "AppConfiguration.credit.listing (docs/credit.md)"),
            Figure(
                figure: "投诉举报办结时限 / complaint answer deadline (Order 20)",
                value: "\(config.complaintRules.deadlineWorkingDays) 个工作日 / working days", where: "serve --complaint-days (docs/public-service.md)"),
            Figure(
                figure: "行政处罚信息公示的较低罚款数额：首个福建标准施行前的决定 / low-fine thresholds for decisions before the first dated Fujian threshold",
                value: config.credit.publication.lowFineThresholds.map {
                    "自 / from \($0.effectiveFrom): 自然人 < \($0.naturalPersonBelowYuan) 元, 组织 < \($0.organisationBelowYuan) 元"
                }.joined(separator: "; ") + "（更早的决定沿用最近的标准，标为未核实 / earlier decisions use the nearest, marked unconfirmed）",
                where: "AppConfiguration.credit.publication (docs/credit.md)"),
            Figure(
                figure: "社会公用计量标准建设指导性目录 / the guiding list of public measurement standards",
                value: "由管理员维护 / kept by the administrator", where: Site.standards() + " (docs/statistics.md)"),
        ]
    }
}
