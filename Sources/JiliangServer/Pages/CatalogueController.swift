import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The mandatory catalogue (实施强制管理的计量器具目录) and its verification rules, for every signed-in
/// user to read — with what is unconfirmed said on each row — and for the administrator to complete
/// from the official table: a missing row with its number, mode, form and first rule, a corrected
/// row, a new rule version, a name the import recognises (issue #18). A change re-derives the stored
/// compliance in the background. Typed views in `CatalogueViews`.
struct CatalogueController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.catalogue.path) { request, context in try await list(request, context.principal, error: nil, form: nil) }
        router.post(Site.catalogue.path) { request, context in
            let p = context.principal
            let f = try await app.form(CatalogueForm.self, request)
            return try await app.attempt(request, { try await list(request, p, error: $0, form: f) }) {
                let sub = try await saveRow(f, subNo: nil, by: p)
                return app.redirect(Site.catalogueEntry(sub) + "?flash=done")
            }
        }
        router.get(Site.catalogueEntry.path) { request, context in
            try await entry(request, context.principal, subNo: try context.parameters.require("sub", as: Int.self), error: nil, form: nil)
        }
        router.post(Site.catalogueEntry.path) { request, context in
            let p = context.principal
            let sub = try context.parameters.require("sub", as: Int.self), f = try await app.form(CatalogueForm.self, request)
            return try await app.attempt(request, { try await entry(request, p, subNo: sub, error: $0, form: f) }) {
                _ = try await saveRow(f, subNo: sub, by: p)
                return app.redirect(Site.catalogueEntry(sub) + "?flash=done")
            }
        }
        router.post(Site.catalogueNames.path) { request, context in
            let p = context.principal
            let sub = try context.parameters.require("sub", as: Int.self), f = try await app.form(InstrumentNameForm.self, request)
            return try await app.attempt(request, { try await entry(request, p, subNo: sub, error: $0, form: nil) }) {
                try await Registry.saveInstrumentName(f.instrument_name, subNo: sub, by: p, on: db)
                return app.redirect(Site.catalogueEntry(sub) + "?flash=done")
            }
        }
        router.post(Site.catalogueRules.path) { request, context in
            let p = context.principal
            let sub = try context.parameters.require("sub", as: Int.self), f = try await app.form(CatalogueForm.self, request)
            return try await app.attempt(request, { try await entry(request, p, subNo: sub, error: $0, form: f) }) {
                guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
                _ = try await Registry.addRule(try Self.rule(f, subNo: sub), on: db)  // audited, marks the status for re-deriving
                return app.redirect(Site.catalogueEntry(sub) + "?flash=done")
            }
        }
    }

    func list(_ request: Request, _ p: Principal, error: String?, form: CatalogueForm?) async throws -> Response {
        let lang = app.language(request)
        let view = try await CatalogueView.build(by: p, lang: lang, today: app.today, error: error, form: form, on: db)
        return app.render(
            "catalogue", view: view, title: PageStrings.strings(lang)[.cat_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func entry(_ request: Request, _ p: Principal, subNo: Int, error: String?, form: CatalogueForm?) async throws -> Response {
        let view = try await CatalogueEntryView.build(subNo, by: p, lang: app.language(request), today: app.today, error: error, form: form, on: db)
        return app.render(
            "catalogue-entry", view: view, title: "\(subNo) \(view.name)", request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// Creates (subNo nil: the number comes from the form) or corrects a catalogue row; a new row may
    /// bring its first rule. Returns the sub-item number.
    func saveRow(_ f: CatalogueForm, subNo: Int?, by p: Principal) async throws -> Int {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        var c = FieldChecker()
        let sub = subNo ?? c.int("sub_no", f.sub_no, range: 1...999, required: true)
        let item = c.int("item_no", f.item_no, range: 1...999, required: true)
        let itemName = c.text("item_name", f.item_name, max: 100)
        let subName = c.text("sub_name", f.sub_name, max: 200)
        let mode: SupervisionMode? = c.choice("mode", f.mode, required: false)
        let form: VerificationForm? = c.choice("form", f.form, required: false)
        let confidence: Confidence? = c.choice("confidence", f.confidence)
        let withRule = subNo == nil && !(f.rule_from ?? "").isEmpty
        try c.finish()
        let rule = withRule ? try Self.rule(f, subNo: sub!) : nil
        let row = CatalogueEntry(
            itemNo: item!, itemName: itemName!, subNo: sub!, subName: subName!, mode: mode, form: form,
            scopeNote: f.scope_note ?? "", regulation: f.regulation ?? "", source: f.source ?? "", confidence: confidence!)
        // The row (new only on the list page, existing only on its own page) and its first rule: one transaction.
        try await db.auditedTransaction { tx in
            _ = try await Registry.saveCatalogueEntry(row, exists: subNo != nil, on: tx)
            if let rule { _ = try await Registry.addRule(rule, on: tx) }
        }
        return sub!
    }

    /// A rule from the form's `rule_…` fields (and its condition's fields).
    static func rule(_ f: CatalogueForm, subNo: Int) throws -> VerificationRule {
        var c = FieldChecker()
        let from = c.day("effective_from", f.rule_from)
        let until = c.day("effective_until", f.rule_until, required: false)
        let form: VerificationForm? = c.choice("rule_form", f.rule_form)
        let cycle = c.int("cycle_months", f.rule_cycle, range: 1...240)
        let life = c.int("service_life_months", f.rule_life, range: 1...600)
        let type: MeterType? = c.choice("meter_type", f.meter_type, required: false)
        let medium: GasMedium? = c.choice("medium", f.medium, required: false)
        let dnAbove = c.int("dn_above", f.dn_above, range: 0...5000)
        let dnMax = c.int("dn_max", f.dn_max, range: 0...5000)
        let q3Max = c.double("q3_max", f.q3_max, range: 0...100_000)
        let confidence: Confidence? = c.choice("rule_confidence", f.rule_confidence)
        try c.finish()
        return VerificationRule(
            id: 0, subNo: subNo, effectiveFrom: from!, effectiveUntil: until,
            condition: MeterCondition(meterType: type, dnAbove: dnAbove, dnMax: dnMax, q3Max: q3Max, medium: medium),
            form: form!, cycleMonths: form == .periodic ? cycle : nil, serviceLifeMonths: form == .firstOnlyRotation ? life : nil,
            source: String((f.rule_source ?? "").prefix(500)), confidence: confidence!)
    }
}

/// The catalogue's forms (field names as posted): a row (the list page's new row with its first
/// rule, or the entry page's correction) and a rule version (the entry page).
struct CatalogueForm: Decodable, Sendable {
    var item_no: String?
    var item_name: String?
    var sub_no: String?
    var sub_name: String?
    var mode: String?
    var form: String?
    var scope_note: String?
    var regulation: String?
    var source: String?
    var confidence: String?
    var rule_from: String?
    var rule_until: String?
    var rule_form: String?
    var rule_cycle: String?
    var rule_life: String?
    var rule_source: String?
    var rule_confidence: String?
    var meter_type: String?
    var medium: String?
    var dn_above: String?
    var dn_max: String?
    var q3_max: String?

    /// The posted fields by name, shown again with the error.
    var values: [String: String] {
        let fields: [(String, String?)] = [
            ("item_no", item_no), ("item_name", item_name), ("sub_no", sub_no), ("sub_name", sub_name), ("mode", mode), ("form", form),
            ("scope_note", scope_note), ("regulation", regulation), ("source", source), ("confidence", confidence),
            ("rule_from", rule_from), ("rule_until", rule_until), ("rule_form", rule_form), ("rule_cycle", rule_cycle), ("rule_life", rule_life),
            ("rule_source", rule_source), ("rule_confidence", rule_confidence), ("meter_type", meter_type), ("medium", medium),
            ("dn_above", dn_above), ("dn_max", dn_max), ("q3_max", q3_max),
        ]
        return Dictionary(uniqueKeysWithValues: fields.compactMap { name, value in value.map { (name, $0) } })
    }
}

/// A name the import recognises as the row's instrument.
struct InstrumentNameForm: Decodable, Sendable {
    var instrument_name: String?
}
