import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The registry of social public measurement standards (社会公用计量标准) with the construction
/// targets per level and each region's progress (docs/statistics.md). Staff read it; the province
/// administrator registers and edits standards and sets the targets. Registered by
/// `StatisticsController`; typed views in `StandardsViews`.
struct StandardsController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.standards.path) { request, context in try await list(request, context.principal, error: nil) }
        router.post(Site.standards.path) { request, context in try await save(request, context.principal, id: nil) }
        router.post(Site.standardTargets.path) { request, context in try await saveTargets(request, context.principal) }
        router.get(Site.standard.path) { request, context in
            try await detail(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        router.post(Site.standard.path) { request, context in
            try await save(request, context.principal, id: try context.parameters.require("id", as: Int.self))
        }
    }

    /// Numbers or codes separated by spaces, commas or Chinese commas.
    static func splitList(_ s: String?) -> [String] {
        (s ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" || $0 == "、" || $0 == "\n" || $0 == "\r" }).map(String.init)
    }

    /// Catalogue sub-item numbers from a list; a word that is not one is named (`sub_nos[n]`).
    static func subNumbers(_ list: String?, _ c: inout FieldChecker) -> [Int] {
        splitList(list).enumerated().compactMap { n, word -> Int? in
            if let v = Int(word) { return v }
            c.fail("sub_nos[\(n)]", .request(.notASubItemNumber(got: word)))
            return nil
        }
    }

    func list(_ request: Request, _ p: Principal, error: String?, form: [String: String] = [:]) async throws -> Response {
        let lang = app.language(request)
        let q = request.uri.queryParameters
        let view = try await StandardsView.build(
            region: q["region"].map(String.init), subNo: q["sub_no"].map(String.init), by: p, lang: lang, today: app.today, error: error, form: form, on: db)
        return app.render(
            "standards", view: view, title: PageStrings.strings(lang)[.sd_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func detail(_ request: Request, _ p: Principal, id: Int, error: String?, form: [String: String]? = nil) async throws -> Response {
        let view = try await StandardView.build(id, by: p, lang: app.language(request), today: app.today, error: error, form: form, on: db)
        return app.render("standard", view: view, title: view.title, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// Registers a standard (`id` nil) or updates one; bad input re-renders its form with the message (400).
    func save(_ request: Request, _ p: Principal, id: Int?) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let f = try await app.form(StandardForm.self, request)
        func fail(_ message: String) async throws -> Response {
            if let id { return try await detail(request, p, id: id, error: message, form: f.values) }
            return try await list(request, p, error: message, form: f.values)
        }
        var c = FieldChecker()
        let subs = Self.subNumbers(f.sub_nos, &c)
        if !c.errors.isEmpty { return try await fail(RefusalText.words(ValidationFailure(c.errors), app.language(request))) }
        do {
            let d = try StandardDraft.parse(
                institutionID: f.institution_id.flatMap { Int($0) }, name: f.name, certificateNo: f.certificate_no, validFrom: f.valid_from,
                validUntil: f.valid_until, measuringRange: f.measuring_range, uncertainty: f.uncertainty, subNos: subs,
                regionCodes: Self.splitList(f.region_codes), context: try await Registry.context(on: db))
            let e = if let id { try await Standards.update(id, d, by: p, on: db) } else { try await Standards.create(d, by: p, on: db) }
            return app.redirect(Site.standard(e.id) + "?flash=done")
        } catch let e as ValidationFailure {
            return try await fail(RefusalText.words(e, app.language(request)))
        } catch let e as RegistryError {
            if case .forbidden = e { throw e }
            if case .notFound = e { throw e }
            return try await fail(RefusalText.words(e, app.language(request)))
        }
    }

    /// Sets the construction targets of one level; bad input re-renders the list with the message (400).
    func saveTargets(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let f = try await app.form(StandardTargetsForm.self, request)
        guard let level = f.level.flatMap(RegionCode.Level.init(rawValue:)) else {
            return try await list(request, p, error: "level: must be province, city or county")
        }
        var c = FieldChecker()
        let subs = Self.subNumbers(f.sub_nos, &c)
        if !c.errors.isEmpty { return try await list(request, p, error: RefusalText.words(ValidationFailure(c.errors), app.language(request))) }
        do {
            try await Standards.setTargets(level: level, subNos: subs, by: p, on: db)
        } catch let e as RegistryError {
            if case .forbidden = e { throw e }
            return try await list(request, p, error: RefusalText.words(e, app.language(request)))
        }
        return app.redirect(Site.standards() + "?flash=done")
    }
}

/// The form that registers or edits a standard (field names as posted).
struct StandardForm: Decodable, Sendable {
    var institution_id: String?
    var name: String?
    var certificate_no: String?
    var valid_from: String?
    var valid_until: String?
    var measuring_range: String?
    var uncertainty: String?
    var sub_nos: String?
    var region_codes: String?

    /// The values as posted, by field name, to show them again in the form.
    var values: [String: String] {
        let fields: [(String, String?)] = [
            ("institution_id", institution_id), ("name", name), ("certificate_no", certificate_no), ("valid_from", valid_from),
            ("valid_until", valid_until), ("measuring_range", measuring_range), ("uncertainty", uncertainty), ("sub_nos", sub_nos),
            ("region_codes", region_codes),
        ]
        return Dictionary(uniqueKeysWithValues: fields.compactMap { k, v in v.map { (k, $0) } })
    }
}

/// The form that sets one level's construction targets.
struct StandardTargetsForm: Decodable, Sendable {
    var level: String?
    var sub_nos: String?
}
