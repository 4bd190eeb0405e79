import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The surveys list with the form that opens one (`surveys.mustache`).
struct SurveysView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var link: String
        var title: String
        var industry: String
        var region: String
        var closes: String
        var state: String
        var invited: Int
        var answered: Int
        var declared: Int
        var filed: Int
    }
    var surveys: [Row]
    var empty: Bool
    var industries: [OptionView]
    /// The form's values as posted (or its defaults): the template reads `v.title`, `v.region_code`, ….
    var v: [String: String]
    var error: String?

    static func build(
        by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, form: OpenSurveyForm?, on db: any Database
    ) async throws -> SurveysView {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden(.notAllowed(.manageOwners)) }
        let t = PageStrings.strings(lang)
        var rows: [Row] = []
        for s in try await Surveys.list(scope: p.scope, on: db) {
            let total = try await Surveys.progress(s, scope: p.scope, on: db).total
            rows.append(Row(
                link: Site.survey(s.id!), title: s.title, industry: PageStrings.industryLabel(s.industry, lang), region: s.regionCode,
                closes: s.closesOn, state: s.state == "open" ? t[.sv_open] : t[.sv_closed],
                invited: total.invited, answered: total.answered, declared: total.declared, filed: total.filed))
        }
        let industries = Industry.allCases.map {
            OptionView(value: $0.rawValue, label: PageStrings.industryLabel($0.rawValue, lang), selected: form?.industry == $0.rawValue)
        }
        let v = [
            "title": form?.title ?? "", "region_code": form?.region_code ?? p.region?.value ?? "",
            "closes_on": form?.closes_on ?? today.adding(days: 30).description,
        ]
        return SurveysView(surveys: rows, empty: rows.isEmpty, industries: industries, v: v, error: error)
    }
}

/// One survey: its progress per county, the requests to join, the silent owners (`survey.mustache`).
struct SurveyView: PageView {
    struct Progress: Encodable, Sendable, Equatable {
        var region: String
        var invited: Int
        var answered: Int
        var declared: Int
        var filed: Int
        var coverage: String
        var filingRate: String
    }
    struct Silent: Encodable, Sendable, Equatable {
        var name: String
        var credit: String
        var phone: String
        var region: String
        var chased: Int
        var lastChased: String
    }
    struct JoinRequest: Encodable, Sendable, Equatable {
        var decideAction: String
        var name: String
        var credit: String
        var address: String
        var region: String
        var phone: String
        var at: String
    }
    var title: String
    var industry: String
    var region: String
    var opened: String
    var closes: String
    var isOpen: Bool
    var regions: [Progress]
    var total: Progress
    var silent: [Silent]
    var hasSilent: Bool
    /// "Reminded n owners" after a chase.
    var chased: String?
    var requests: [JoinRequest]
    var hasRequests: Bool
    /// The public form where an unregistered unit asks to join (the site's public address).
    var joinLink: String
    var chaseAction: String
    var closeAction: String

    static func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, chased: Int?, publicBaseURL: String, on db: any Database
    ) async throws -> SurveyView {
        guard p.may(.manageOwners) else { throw RegistryError.forbidden(.notAllowed(.manageOwners)) }
        let t = PageStrings.strings(lang)
        let s = try await Surveys.survey(id, scope: p.scope, on: db)
        let (regions, total) = try await Surveys.progress(s, scope: p.scope, on: db)
        let names = Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: db).all().map { ($0.id!, $0.name) })
        func row(_ r: Surveys.Progress, name: String) -> Progress {
            Progress(
                region: name, invited: r.invited, answered: r.answered, declared: r.declared, filed: r.filed,
                coverage: percent(r.coverage), filingRate: percent(r.filingRate))
        }
        let silent = try await Surveys.silent(s, scope: p.scope, on: db).map { i, o in
            Silent(
                name: o.name, credit: o.creditCode, phone: o.contactPhone ?? "—", region: names[o.regionCode] ?? o.regionCode,
                chased: i.chaseCount, lastChased: i.lastChasedAt.map { CalendarDay(instant: $0).description } ?? "—")
        }
        let requests = try await Surveys.pendingRequests(s, scope: p.scope, on: db).map { r in
            JoinRequest(
                decideAction: Site.surveyRequest(id, r.id!), name: r.name, credit: r.creditCode, address: r.address,
                region: names[r.regionCode] ?? r.regionCode, phone: r.contactPhone, at: CalendarDay(instant: r.requestedAt).description)
        }
        return SurveyView(
            title: s.title, industry: PageStrings.industryLabel(s.industry, lang), region: names[s.regionCode] ?? s.regionCode,
            opened: s.openedOn, closes: s.closesOn, isOpen: s.state == "open",
            regions: regions.map { row($0, name: names[$0.region] ?? $0.region) }, total: row(total, name: t[.sv_total]),
            silent: silent, hasSilent: !silent.isEmpty, chased: chased.map { String(format: t[.sv_chased], $0) },
            requests: requests, hasRequests: !requests.isEmpty, joinLink: "\(publicBaseURL)/p/surveys/\(id)/join",
            chaseAction: Site.surveyChase(id), closeAction: Site.surveyClose(id))
    }
}
