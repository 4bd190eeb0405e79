import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The catalogue with the rules in force on each row, and the administrator's form that adds a
/// missing row with its first rule (`catalogue.mustache`).
struct CatalogueView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var sub: Int
        var link: String
        var item: String
        var name: String
        var mode: String
        var form: String
        /// The rules in force today, or "no rule".
        var rules: String
        /// No rule where one is needed.
        var noRule: Bool
        var confidence: String
        var unconfirmed: Bool
        /// A number of ours (900 and up), not the official table's.
        var provisional: Bool
    }
    var rows: [Row]
    var summary: String
    var canManage: Bool
    /// The form's values as posted: the template reads `v.item_no`, `v.rule_from`, ….
    var v: [String: String]
    var modes: [OptionView]
    var forms: [OptionView]
    var confidences: [OptionView]
    var ruleForms: [OptionView]
    var ruleConfidences: [OptionView]
    var error: String?

    static func build(
        by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, form: CatalogueForm?, on db: any Database
    ) async throws -> CatalogueView {
        let t = PageStrings.strings(lang)
        let values = form?.values ?? [:]
        let book = try await Registry.ruleBook(on: db)
        let entries = try await Registry.catalogue(on: db)
        let rows: [Row] = entries.map { m in
            let e = m.entry
            let current = book.rules.filter { $0.subNo == e.subNo && book.inForce($0, on: today) }
            return Row(
                sub: e.subNo, link: Site.catalogueEntry(e.subNo), item: "\(e.itemNo) \(e.itemName)", name: e.subName, mode: e.mode?.rawValue ?? "—",
                form: e.form.map { t.lookup("cat_form_" + $0.rawValue) ?? $0.rawValue } ?? "—",
                rules: current.isEmpty ? t[.cat_noRule] : current.map { CatalogueText.ruleSummary($0, t) }.joined(separator: "；"),
                noRule: current.isEmpty && (e.mode?.requiresVerification ?? true),
                confidence: t.lookup("cat_conf_" + m.confidence) ?? m.confidence, unconfirmed: m.confidence != Confidence.confirmed.rawValue,
                provisional: e.subNo >= 900)
        }
        let numbered = entries.filter { $0.id! < 900 }.count
        return CatalogueView(
            rows: rows, summary: String(format: t[.cat_summary], numbered, entries.count - numbered), canManage: p.may(.manageReference),
            v: values,
            modes: CatalogueText.options(["P", "V", "P+V"], selected: values["mode"], label: { $0 }),
            forms: CatalogueText.options(VerificationForm.allCases.map(\.rawValue), selected: values["form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            confidences: CatalogueText.options(
                Confidence.allCases.map(\.rawValue), selected: values["confidence"] ?? "unconfirmed", label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            ruleForms: CatalogueText.options(
                VerificationForm.allCases.map(\.rawValue), selected: values["rule_form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            ruleConfidences: CatalogueText.options(
                Confidence.allCases.map(\.rawValue), selected: values["rule_confidence"] ?? "unconfirmed", label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            error: error)
    }
}

/// One catalogue row: its rule versions and the names the import recognises, with the
/// administrator's forms — a name, a new rule version, the row corrected (`catalogue-entry.mustache`).
struct CatalogueEntryView: PageView {
    struct Rule: Encodable, Sendable, Equatable {
        var version: Int
        var from: String
        var until: String
        var condition: String
        var rule: String
        var source: String
        var confidence: String
        var inForce: Bool
    }
    struct Name: Encodable, Sendable, Equatable {
        var name: String
        /// Taught by the administrator (not from the catalogue itself).
        var admin: Bool
    }
    var sub: Int
    var item: String
    var name: String
    var mode: String
    var form: String
    var scope: String
    var regulation: String
    var source: String
    var confidence: String
    var unconfirmed: Bool
    var provisional: Bool
    var canManage: Bool
    /// The edit form's values: as posted to it, else the row's.
    var v: [String: String]
    /// The rule form's values as posted to it.
    var r: [String: String]
    var saveAction: String
    var namesAction: String
    var rulesAction: String
    var rules: [Rule]
    var noRules: Bool
    var names: [Name]
    var modes: [OptionView]
    var forms: [OptionView]
    var ruleForms: [OptionView]
    var confidences: [OptionView]
    var ruleConfidences: [OptionView]
    var meterTypes: [OptionView]
    var media: [OptionView]
    var error: String?

    static func build(
        _ subNo: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, form: CatalogueForm?, on db: any Database
    ) async throws -> CatalogueEntryView {
        let t = PageStrings.strings(lang)
        let m = try await Registry.catalogueEntry(subNo, on: db)
        let e = m.entry
        let book = try await Registry.ruleBook(on: db)
        let rules = try await Registry.rules(subNo: subNo, on: db).map(\.rule)
        let values = form?.values ?? [:]
        // The edit form shows what was posted to it, else the row; the rule form what was posted to it.
        let v = values["item_no"] == nil
            ? ["item_no": "\(e.itemNo)", "item_name": e.itemName, "sub_name": e.subName, "mode": e.mode?.rawValue ?? "", "form": e.form?.rawValue ?? "",
               "scope_note": e.scopeNote, "regulation": e.regulation, "source": e.source, "confidence": m.confidence]
            : values
        let names = try await Registry.instrumentNames(subNo: subNo, on: db).map { Name(name: $0.name, admin: $0.origin == "admin") }
        return CatalogueEntryView(
            sub: subNo, item: "\(e.itemNo) \(e.itemName)", name: e.subName, mode: e.mode?.rawValue ?? "—",
            form: e.form.map { t.lookup("cat_form_" + $0.rawValue) ?? $0.rawValue } ?? "—", scope: e.scopeNote, regulation: e.regulation,
            source: e.source, confidence: t.lookup("cat_conf_" + m.confidence) ?? m.confidence, unconfirmed: m.confidence != Confidence.confirmed.rawValue,
            provisional: subNo >= 900, canManage: p.may(.manageReference), v: v, r: values,
            saveAction: Site.catalogueEntry(subNo), namesAction: Site.catalogueNames(subNo), rulesAction: Site.catalogueRules(subNo),
            rules: rules.map { r in
                Rule(
                    version: r.version, from: r.effectiveFrom.description, until: r.effectiveUntil?.description ?? "—",
                    condition: CatalogueText.conditionText(r.condition, t), rule: CatalogueText.ruleSummary(r, t), source: r.source,
                    confidence: t.lookup("cat_conf_" + r.confidence.rawValue) ?? r.confidence.rawValue, inForce: book.inForce(r, on: today))
            },
            noRules: rules.isEmpty, names: names,
            modes: CatalogueText.options(["P", "V", "P+V"], selected: v["mode"], label: { $0 }),
            forms: CatalogueText.options(VerificationForm.allCases.map(\.rawValue), selected: v["form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            ruleForms: CatalogueText.options(
                VerificationForm.allCases.map(\.rawValue), selected: values["rule_form"], label: { t.lookup("cat_form_" + $0) ?? $0 }),
            confidences: CatalogueText.options(Confidence.allCases.map(\.rawValue), selected: v["confidence"], label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            ruleConfidences: CatalogueText.options(
                Confidence.allCases.map(\.rawValue), selected: values["rule_confidence"] ?? "unconfirmed", label: { t.lookup("cat_conf_" + $0) ?? $0 }),
            meterTypes: CatalogueText.options([""] + MeterType.allCases.map(\.rawValue), selected: values["meter_type"], label: { $0.isEmpty ? "—" : $0 }),
            media: CatalogueText.options([""] + GasMedium.allCases.map(\.rawValue), selected: values["medium"], label: { $0.isEmpty ? "—" : $0 }),
            error: error)
    }
}

/// How the catalogue pages (and the reference page) word a rule, its condition and a choice.
enum CatalogueText {
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

    /// A select's choices, the one posted (or the default) selected.
    static func options(_ values: [String], selected: String?, label: (String) -> String) -> [OptionView] {
        values.map { OptionView(value: $0, label: label($0), selected: $0 == selected) }
    }
}
