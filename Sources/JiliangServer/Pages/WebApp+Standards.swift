import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The registry of social public measurement standards (社会公用计量标准) with the construction
/// targets per level and each region's progress (docs/statistics.md). Staff read it; the province
/// administrator registers and edits standards and sets the targets.
extension WebApp {
    func addStandardsRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.standards.path) { request, _ in try await page(request) { p in try await standardsPage(request, p, error: nil) } }
        router.post(Site.standards.path) { request, _ in try await page(request) { p in try await saveStandard(request, p, id: nil) } }
        router.post(Site.standardTargets.path) { request, _ in try await page(request) { p in try await saveTargets(request, p) } }
        router.get(Site.standard.path) { request, context in
            try await page(request) { p in try await standardPage(request, p, id: try context.parameters.require("id", as: Int.self), error: nil) }
        }
        router.post(Site.standard.path) { request, context in
            try await page(request) { p in try await saveStandard(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
    }

    /// Numbers or codes separated by spaces, commas or Chinese commas.
    static func splitList(_ s: String?) -> [String] {
        (s ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" || $0 == "、" || $0 == "\n" || $0 == "\r" }).map(String.init)
    }

    func standardRows(_ list: [Standards.Entry], _ t: PageText, items: [Int: String]) -> [[String: String]] {
        list.map { e in
            ["id": "\(e.id)", "link": Site.standard(e.id), "name": e.name, "certificate": e.certificateNo, "institution": e.institutionName, "valid": "\(e.validFrom) – \(e.validUntil)",
             "expired": e.isValid(on: today) ? "" : t[.sd_expired], "range": e.measuringRange, "uncertainty": e.uncertainty,
             "items": e.subNos.map { "\($0) \(items[$0] ?? "")" }.joined(separator: "、"), "regions": e.regions.joined(separator: " ")].filter { !$0.value.isEmpty }
        }
    }

    func standardsPage(_ request: Request, _ p: Principal, error: String?, form: [String: String] = [:]) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let q = request.uri.queryParameters
        var c = FieldChecker()
        let region = q["region"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }.flatMap { r -> RegionCode? in
            if let code = RegionCode(r) { return code }
            c.fail("region", "must be a 6-digit region code, got '\(r)'")
            return nil
        }
        let sub = c.int("sub_no", q["sub_no"].map(String.init), range: 1...1_000_000)
        try c.finish()
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let list = try await Standards.list(region: region, subNo: sub, by: p, on: db)
        // Progress against the targets, for the caller's own region and the regions under it.
        let targets = try await Standards.targets(on: db)
        let providers = try await Standards.providers(on: db)
        let names = try await regionNames()
        let visible = try await RegionModel.query(on: db).all().compactMap { RegionCode($0.id!) }
            .filter { r in p.region.map { $0.contains(r) } ?? true }.sorted()
        let progress = Capability.targetProgress(regions: visible, targets: targets, standards: providers, on: today)
            .filter { !$0.met.isEmpty || !$0.missing.isEmpty }
            .map { g -> [String: String] in
                ["region": "\(names[g.region.value] ?? "") \(g.region)", "level": t.lookup("sd_level_\(g.region.level.rawValue)")!, "met": "\(g.met.count) / \(g.met.count + g.missing.count)",
                 "missing": g.missing.map { items[$0] ?? "#\($0)" }.joined(separator: "、")].filter { !$0.value.isEmpty }
            }
        let institutions = try await InstitutionModel.query(on: db).sort(\.$regionCode).all().map { ["id": "\($0.id!)", "name": "\($0.name) (\($0.regionCode))"] }
        var model: [String: Any] = [
            "t": t, "rows": standardRows(list, t, items: items), "noRows": list.isEmpty, "canManage": p.may(.manageReference),
            "region": region?.description ?? "", "subNo": sub.map(String.init) ?? "", "progress": progress, "noProgress": progress.isEmpty,
            "institutions": institutions.map { i in i.merging(["selected": form["institution_id"] == i["id"] ? "1" : ""]) { $1 }.filter { !$0.value.isEmpty } },
            "form": form,
            "targets": RegionCode.Level.allCases.map { level in
                ["level": level.rawValue, "label": t.lookup("sd_level_\(level.rawValue)")!, "subNos": (targets[level] ?? []).sorted().map(String.init).joined(separator: " "),
                 "names": (targets[level] ?? []).sorted().map { items[$0] ?? "#\($0)" }.joined(separator: "、")]
            },
        ]
        if let error { model["error"] = error }
        return render("standards", model, title: t[.sd_title], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func standardPage(_ request: Request, _ p: Principal, id: Int, error: String?, form: [String: String]? = nil) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let e = try await Standards.get(id, by: p, on: db)
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let f = form ?? [
            "institution_id": "\(e.institutionID)", "name": e.name, "certificate_no": e.certificateNo, "valid_from": e.validFrom.description,
            "valid_until": e.validUntil.description, "measuring_range": e.measuringRange, "uncertainty": e.uncertainty,
            "sub_nos": e.subNos.map(String.init).joined(separator: " "), "region_codes": e.regions.joined(separator: " "),
        ]
        let institutions = try await InstitutionModel.query(on: db).sort(\.$regionCode).all().map { i in
            ["id": "\(i.id!)", "name": "\(i.name) (\(i.regionCode))", "selected": f["institution_id"] == "\(i.id!)" ? "1" : ""].filter { !$0.value.isEmpty }
        }
        var model: [String: Any] = [
            "t": t, "s": standardRows([e], t, items: items)[0], "id": "\(id)", "saveAction": Site.standard(id), "canManage": p.may(.manageReference), "form": f, "institutions": institutions,
        ]
        if let error { model["error"] = error }
        return render("standard", model, title: e.name, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func saveStandard(_ request: Request, _ p: Principal, id: Int?) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("social public measurement standards") }
        let f = try await form(request)
        func fail(_ message: String) async throws -> Response {
            if let id { return try await standardPage(request, p, id: id, error: message, form: f) }
            return try await standardsPage(request, p, error: message, form: f)
        }
        var c = FieldChecker()
        let subs = Self.splitList(f["sub_nos"]).enumerated().compactMap { n, s -> Int? in
            if let v = Int(s) { return v }
            c.fail("sub_nos[\(n)]", "'\(s)' is not a catalogue sub-item number")
            return nil
        }
        if !c.errors.isEmpty { return try await fail(ValidationFailure(c.errors).description) }
        do {
            let d = try StandardDraft.parse(
                institutionID: f["institution_id"].flatMap { Int($0) }, name: f["name"], certificateNo: f["certificate_no"], validFrom: f["valid_from"],
                validUntil: f["valid_until"], measuringRange: f["measuring_range"], uncertainty: f["uncertainty"], subNos: subs,
                regionCodes: Self.splitList(f["region_codes"]), context: try await Registry.context(on: db))
            let e = if let id { try await Standards.update(id, d, by: p, on: db) } else { try await Standards.create(d, by: p, on: db) }
            return redirect(Site.standard(e.id) + "?flash=done")
        } catch let e as ValidationFailure {
            return try await fail(e.description)
        } catch let e as RegistryError {
            if case .forbidden = e { throw e }
            if case .notFound = e { throw e }
            return try await fail(e.description)
        }
    }

    func saveTargets(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("construction targets") }
        let f = try await form(request)
        guard let level = f["level"].flatMap(RegionCode.Level.init(rawValue:)) else {
            return try await standardsPage(request, p, error: "level: must be province, city or county")
        }
        var c = FieldChecker()
        let subs = Self.splitList(f["sub_nos"]).enumerated().compactMap { n, s -> Int? in
            if let v = Int(s) { return v }
            c.fail("sub_nos[\(n)]", "'\(s)' is not a catalogue sub-item number")
            return nil
        }
        if !c.errors.isEmpty { return try await standardsPage(request, p, error: ValidationFailure(c.errors).description) }
        do {
            try await Standards.setTargets(level: level, subNos: subs, by: p, on: db)
        } catch let e as RegistryError {
            if case .forbidden = e { throw e }
            return try await standardsPage(request, p, error: e.description)
        }
        return redirect(Site.standards() + "?flash=done")
    }
}
