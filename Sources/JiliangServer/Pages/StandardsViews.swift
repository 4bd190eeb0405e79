import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// One social public measurement standard as the list and its page show it.
struct StandardRowView: Encodable, Sendable, Equatable {
    var id: Int
    var link: String
    var name: String
    var certificate: String
    var institution: String
    var valid: String
    /// "Expired" when not valid today.
    var expired: String?
    var range: String
    var uncertainty: String
    var items: String
    var regions: String

    init(_ e: Standards.Entry, _ t: PageText, items: [Int: String], today: CalendarDay) {
        id = e.id
        link = Site.standard(e.id)
        name = e.name
        certificate = e.certificateNo
        institution = e.institutionName
        valid = "\(e.validFrom) – \(e.validUntil)"
        expired = e.isValid(on: today) ? nil : t[.sd_expired]
        range = e.measuringRange
        uncertainty = e.uncertainty
        self.items = e.subNos.map { "\($0) \(items[$0] ?? "")" }.joined(separator: "、")
        regions = e.regions.joined(separator: " ")
    }
}

/// An institution to choose in the standard's form (`standard-fields.mustache`).
struct StandardInstitutionOption: Encodable, Sendable, Equatable {
    var id: Int
    var name: String
    var selected: Bool

    /// Every institution, the one of the form's `institution_id` selected.
    static func all(selected: String?, on db: any Database) async throws -> [StandardInstitutionOption] {
        try await InstitutionModel.query(on: db).sort(\.$regionCode).all().map { i in
            StandardInstitutionOption(id: i.id!, name: "\(i.name) (\(i.regionCode))", selected: selected == "\(i.id!)")
        }
    }
}

/// The registry of standards with the construction targets per level and each region's progress,
/// and (for the province administrator) the forms that set targets and register a standard
/// (`standards.mustache`).
struct StandardsView: PageView {
    struct Progress: Encodable, Sendable, Equatable {
        var region: String
        var level: String
        var met: String
        var missing: String
    }
    struct Target: Encodable, Sendable, Equatable {
        var level: String
        var label: String
        var subNos: String
        var names: String
    }
    var rows: [StandardRowView]
    var noRows: Bool
    var canManage: Bool
    /// The filter as given.
    var region: String
    var subNo: String
    var progress: [Progress]
    var noProgress: Bool
    var institutions: [StandardInstitutionOption]
    /// The new standard's form as posted (empty at first): the template reads `form.name`, ….
    var form: [String: String]
    var targets: [Target]
    var error: String?

    /// `region` and `subNo` as given in the query (nil: not given).
    static func build(
        region regionValue: String?, subNo subValue: String?, by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?,
        form: [String: String], on db: any Database
    ) async throws -> StandardsView {
        let t = PageStrings.strings(lang)
        var c = FieldChecker()
        let region = regionValue.flatMap { $0.isEmpty ? nil : $0 }.flatMap { r -> RegionCode? in
            if let code = RegionCode(r) { return code }
            c.fail("region", .notARegionCode(got: r))
            return nil
        }
        let sub = c.int("sub_no", subValue, range: 1...1_000_000)
        try c.finish()
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let list = try await Standards.list(region: region, subNo: sub, by: p, on: db)
        // Progress against the targets, for the caller's own region and the regions under it.
        let targets = try await Standards.targets(on: db)
        let providers = try await Standards.providers(on: db)
        let names = try await Registry.regionNames(on: db)
        let visible = try await RegionModel.query(on: db).all().compactMap { RegionCode($0.id!) }
            .filter { r in p.region.map { $0.contains(r) } ?? true }.sorted()
        let progress = Capability.targetProgress(regions: visible, targets: targets, standards: providers, on: today)
            .filter { !$0.met.isEmpty || !$0.missing.isEmpty }
            .map { g in
                Progress(
                    region: "\(names[g.region.value] ?? "") \(g.region)", level: t.lookup("sd_level_\(g.region.level.rawValue)")!,
                    met: "\(g.met.count) / \(g.met.count + g.missing.count)", missing: g.missing.map { items[$0] ?? "#\($0)" }.joined(separator: "、"))
            }
        let institutions = try await StandardInstitutionOption.all(selected: form["institution_id"], on: db)
        return StandardsView(
            rows: list.map { StandardRowView($0, t, items: items, today: today) }, noRows: list.isEmpty, canManage: p.may(.manageReference),
            region: region?.description ?? "", subNo: sub.map(String.init) ?? "", progress: progress, noProgress: progress.isEmpty,
            institutions: institutions, form: form,
            targets: RegionCode.Level.allCases.map { level in
                Target(
                    level: level.rawValue, label: t.lookup("sd_level_\(level.rawValue)")!,
                    subNos: (targets[level] ?? []).sorted().map(String.init).joined(separator: " "),
                    names: (targets[level] ?? []).sorted().map { items[$0] ?? "#\($0)" }.joined(separator: "、"))
            },
            error: error)
    }
}

/// One standard with, for the province administrator, the form that edits it (`standard.mustache`).
struct StandardView: PageView {
    var s: StandardRowView
    var id: Int
    var saveAction: String
    var canManage: Bool
    /// The form's values: as posted after an error, else the standard's.
    var form: [String: String]
    var institutions: [StandardInstitutionOption]
    var error: String?

    /// The page's title.
    var title: String { s.name }

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, form: [String: String]?, on db: any Database
    ) async throws -> StandardView {
        let t = PageStrings.strings(lang)
        let e = try await Standards.get(id, by: p, on: db)
        let items = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.subName) })
        let f = form ?? [
            "institution_id": "\(e.institutionID)", "name": e.name, "certificate_no": e.certificateNo, "valid_from": e.validFrom.description,
            "valid_until": e.validUntil.description, "measuring_range": e.measuringRange, "uncertainty": e.uncertainty,
            "sub_nos": e.subNos.map(String.init).joined(separator: " "), "region_codes": e.regions.joined(separator: " "),
        ]
        let institutions = try await StandardInstitutionOption.all(selected: f["institution_id"], on: db)
        return StandardView(
            s: StandardRowView(e, t, items: items, today: today), id: id, saveAction: Site.standard(id), canManage: p.may(.manageReference), form: f,
            institutions: institutions, error: error)
    }
}
