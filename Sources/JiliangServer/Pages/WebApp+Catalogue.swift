import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The mandatory catalogue (实施强制管理的计量器具目录) and its verification rules, for every signed-in
/// user to read — with what is unconfirmed said on each row — and for the administrator to complete
/// from the official table: a missing row with its number, mode, form and first rule, a corrected
/// row, a new rule version (issue #18). A change re-derives the stored compliance in the background.
extension WebApp {
    func addCatalogueRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.catalogue.path) { request, _ in try await page(request) { p in try await cataloguePage(request, p, error: nil, values: [:]) } }
        router.post(Site.catalogue.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                return try await attempt({ try await cataloguePage(request, p, error: $0, values: f) }) {
                    let sub = try await saveCatalogueRow(f, subNo: nil, by: p)
                    return redirect(Site.catalogueEntry(sub) + "?flash=done")
                }
            }
        }
        router.get(Site.catalogueEntry.path) { request, context in
            try await page(request) { p in
                try await catalogueEntryPage(request, p, subNo: try context.parameters.require("sub", as: Int.self), error: nil, values: [:])
            }
        }
        router.post(Site.catalogueEntry.path) { request, context in
            try await page(request) { p in
                let sub = try context.parameters.require("sub", as: Int.self), f = try await form(request)
                return try await attempt({ try await catalogueEntryPage(request, p, subNo: sub, error: $0, values: f) }) {
                    _ = try await saveCatalogueRow(f, subNo: sub, by: p)
                    return redirect(Site.catalogueEntry(sub) + "?flash=done")
                }
            }
        }
        router.post(Site.catalogueNames.path) { request, context in
            try await page(request) { p in
                let sub = try context.parameters.require("sub", as: Int.self), f = try await form(request)
                return try await attempt({ try await catalogueEntryPage(request, p, subNo: sub, error: $0, values: [:]) }) {
                    try await Registry.saveInstrumentName(f["instrument_name"], subNo: sub, by: p, on: db)
                    return redirect(Site.catalogueEntry(sub) + "?flash=done")
                }
            }
        }
        router.post(Site.catalogueRules.path) { request, context in
            try await page(request) { p in
                let sub = try context.parameters.require("sub", as: Int.self), f = try await form(request)
                return try await attempt({ try await catalogueEntryPage(request, p, subNo: sub, error: $0, values: f) }) {
                    guard p.may(.manageReference) else { throw RegistryError.forbidden("changing verification rules") }
                    _ = try await Registry.addRule(try Self.rule(f, subNo: sub), on: db)  // audited, marks the status for re-deriving
                    return redirect(Site.catalogueEntry(sub) + "?flash=done")
                }
            }
        }
    }

    func cataloguePage(_ request: Request, _ p: Principal, error: String?, values: [String: String]) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let book = try await Registry.ruleBook(on: db)
        let entries = try await Registry.catalogue(on: db)
        let rows: [[String: Any]] = entries.map { m in
            let e = m.entry
            let current = book.rules.filter { $0.subNo == e.subNo && book.inForce($0, on: today) }
            return [
                "sub": "\(e.subNo)", "link": Site.catalogueEntry(e.subNo), "item": "\(e.itemNo) \(e.itemName)", "name": e.subName, "mode": e.mode?.rawValue ?? "—",
                "form": e.form.map { t.lookup("cat_form_" + $0.rawValue) ?? $0.rawValue } ?? "—",
                "rules": current.isEmpty ? t[.cat_noRule] : current.map { Self.ruleSummary($0, t) }.joined(separator: "；"),
                "noRule": current.isEmpty && (e.mode?.requiresVerification ?? true),
                "confidence": t.lookup("cat_conf_" + m.confidence) ?? m.confidence, "unconfirmed": m.confidence != Confidence.confirmed.rawValue,
                "provisional": e.subNo >= 900,
            ]
        }
        let numbered = entries.filter { $0.id! < 900 }.count
        var model: [String: Any] = [
            "t": t, "rows": rows, "error": error as Any, "v": values, "canManage": p.may(.manageReference),
            "summary": String(format: t[.cat_summary], numbered, entries.count - numbered),
            "modes": Self.options(["P", "V", "P+V"], selected: values["mode"], label: { $0 }),
            "forms": Self.options(VerificationForm.allCases.map(\.rawValue), selected: values["form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            "confidences": Self.options(Confidence.allCases.map(\.rawValue), selected: values["confidence"] ?? "unconfirmed", label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            "ruleForms": Self.options(VerificationForm.allCases.map(\.rawValue), selected: values["rule_form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            "ruleConfidences": Self.options(Confidence.allCases.map(\.rawValue), selected: values["rule_confidence"] ?? "unconfirmed", label: { t.lookup("cat_conf_" + $0) ?? $0 }),
        ]
        if error == nil { model.removeValue(forKey: "error") }
        return render("catalogue", model, title: t[.cat_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func catalogueEntryPage(_ request: Request, _ p: Principal, subNo: Int, error: String?, values: [String: String]) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let m = try await Registry.catalogueEntry(subNo, on: db)
        let e = m.entry
        let book = try await Registry.ruleBook(on: db)
        let rules = try await Registry.rules(subNo: subNo, on: db).map(\.rule)
        // The edit form shows what was posted to it, else the row; the rule form what was posted to it.
        let v = values["item_no"] == nil
            ? ["item_no": "\(e.itemNo)", "item_name": e.itemName, "sub_name": e.subName, "mode": e.mode?.rawValue ?? "", "form": e.form?.rawValue ?? "",
               "scope_note": e.scopeNote, "regulation": e.regulation, "source": e.source, "confidence": m.confidence]
            : values
        var model: [String: Any] = [
            "t": t, "sub": "\(subNo)", "item": "\(e.itemNo) \(e.itemName)", "name": e.subName, "mode": e.mode?.rawValue ?? "—",
            "form": e.form.map { t.lookup("cat_form_" + $0.rawValue) ?? $0.rawValue } ?? "—", "scope": e.scopeNote, "regulation": e.regulation,
            "source": e.source, "confidence": t.lookup("cat_conf_" + m.confidence) ?? m.confidence, "unconfirmed": m.confidence != Confidence.confirmed.rawValue,
            "provisional": subNo >= 900, "canManage": p.may(.manageReference), "v": v, "r": values,
            "saveAction": Site.catalogueEntry(subNo), "namesAction": Site.catalogueNames(subNo), "rulesAction": Site.catalogueRules(subNo),
            "rules": rules.map { r -> [String: Any] in
                [
                    "version": "\(r.version)", "from": r.effectiveFrom.description, "until": r.effectiveUntil?.description ?? "—",
                    "condition": Self.conditionText(r.condition, t), "rule": Self.ruleSummary(r, t), "source": r.source,
                    "confidence": t.lookup("cat_conf_" + r.confidence.rawValue) ?? r.confidence.rawValue, "inForce": book.inForce(r, on: today),
                ]
            },
            "noRules": rules.isEmpty,
            "names": try await Registry.instrumentNames(subNo: subNo, on: db).map { ["name": $0.name, "admin": $0.origin == "admin"] as [String: Any] },
            "modes": Self.options(["P", "V", "P+V"], selected: v["mode"], label: { $0 }),
            "forms": Self.options(VerificationForm.allCases.map(\.rawValue), selected: v["form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            "ruleForms": Self.options(VerificationForm.allCases.map(\.rawValue), selected: values["rule_form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            "confidences": Self.options(Confidence.allCases.map(\.rawValue), selected: v["confidence"], label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            "ruleConfidences": Self.options(Confidence.allCases.map(\.rawValue), selected: values["rule_confidence"] ?? "unconfirmed", label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            "meterTypes": Self.options([""] + MeterType.allCases.map(\.rawValue), selected: values["meter_type"], label: { $0.isEmpty ? "—" : $0 }),
            "media": Self.options([""] + GasMedium.allCases.map(\.rawValue), selected: values["medium"], label: { $0.isEmpty ? "—" : $0 }),
        ]
        if let error { model["error"] = error }
        return render("catalogue-entry", model, title: "\(subNo) \(e.subName)", request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// Creates (subNo nil: the number comes from the form) or corrects a catalogue row; a new row may
    /// bring its first rule. Returns the sub-item number.
    func saveCatalogueRow(_ f: [String: String], subNo: Int?, by p: Principal) async throws -> Int {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("changing the catalogue") }
        var c = FieldChecker()
        let sub = subNo ?? c.int("sub_no", f["sub_no"], range: 1...999, required: true)
        let item = c.int("item_no", f["item_no"], range: 1...999, required: true)
        let itemName = c.text("item_name", f["item_name"], max: 100)
        let subName = c.text("sub_name", f["sub_name"], max: 200)
        let mode: SupervisionMode? = c.choice("mode", f["mode"], required: false)
        let form: VerificationForm? = c.choice("form", f["form"], required: false)
        let confidence: Confidence? = c.choice("confidence", f["confidence"])
        let withRule = subNo == nil && !(f["rule_from"] ?? "").isEmpty
        try c.finish()
        let rule = withRule ? try Self.rule(f, subNo: sub!, prefix: "rule_") : nil
        let entry = CatalogueEntry(
            itemNo: item!, itemName: itemName!, subNo: sub!, subName: subName!, mode: mode, form: form,
            scopeNote: f["scope_note"] ?? "", regulation: f["regulation"] ?? "", source: f["source"] ?? "", confidence: confidence!)
        // The row (new only on the list page, existing only on its own page) and its first rule: one transaction.
        try await db.auditedTransaction { tx in
            _ = try await Registry.saveCatalogueEntry(entry, exists: subNo != nil, on: tx)
            if let rule { _ = try await Registry.addRule(rule, on: tx) }
        }
        return sub!
    }

    /// A rule from the form's fields (`prefix` for the new-row form, where the row's own fields come first).
    static func rule(_ f: [String: String], subNo: Int, prefix: String = "rule_") throws -> VerificationRule {
        var c = FieldChecker()
        let from = c.day("effective_from", f[prefix + "from"])
        let until = c.day("effective_until", f[prefix + "until"], required: false)
        let form: VerificationForm? = c.choice("rule_form", f[prefix + "form"])
        let cycle = c.int("cycle_months", f[prefix + "cycle"], range: 1...240)
        let life = c.int("service_life_months", f[prefix + "life"], range: 1...600)
        let type: MeterType? = c.choice("meter_type", f["meter_type"], required: false)
        let medium: GasMedium? = c.choice("medium", f["medium"], required: false)
        let dnAbove = c.int("dn_above", f["dn_above"], range: 0...5000)
        let dnMax = c.int("dn_max", f["dn_max"], range: 0...5000)
        let q3Max = c.double("q3_max", f["q3_max"], range: 0...100_000)
        let confidence: Confidence? = c.choice("rule_confidence", f[prefix + "confidence"])
        try c.finish()
        return VerificationRule(
            id: 0, subNo: subNo, effectiveFrom: from!, effectiveUntil: until,
            condition: MeterCondition(meterType: type, dnAbove: dnAbove, dnMax: dnMax, q3Max: q3Max, medium: medium),
            form: form!, cycleMonths: form == .periodic ? cycle : nil, serviceLifeMonths: form == .firstOnlyRotation ? life : nil,
            source: String((f[prefix + "source"] ?? "").prefix(500)), confidence: confidence!)
    }

    static func ruleSummary(_ r: VerificationRule, _ t: PageText) -> String {
        let form = t.lookup("cat_form_" + r.form.rawValue) ?? r.form.rawValue
        let condition = r.condition.isUnconditional ? "" : "（\(conditionText(r.condition, t))）"
        switch r.form {
        case .periodic: return "\(form) \(r.cycleMonths.map { String(format: t[.cat_months], $0) } ?? "?")\(condition)"
        case .firstOnlyRotation: return "\(form) \(r.serviceLifeMonths.map { String(format: t[.cat_months], $0) } ?? "?")\(condition)"
        case .firstOnlyScrap: return form + condition
        }
    }

    static func conditionText(_ c: MeterCondition, _ t: PageText) -> String {
        var parts: [String] = []
        if let m = c.meterType { parts.append(m.rawValue) }
        if let lo = c.dnMin { parts.append("DN > \(lo)") }
        if let hi = c.dnMax { parts.append("DN ≤ \(hi)") }
        if let q = c.q3Max { parts.append("Q3 ≤ \(q.formatted())") }
        if let m = c.medium { parts.append(m.rawValue) }
        return parts.isEmpty ? t[.cat_anyInstrument] : parts.joined(separator: ", ")
    }

    static func options(_ values: [String], selected: String?, label: (String) -> String) -> [[String: String]] {
        values.map { v in ["value": v, "label": label(v)].merging(v == selected ? ["selected": "1"] : [:]) { a, _ in a } }
    }
}
