import FluentKit
import FluentSQL
import Foundation
import JiliangCore
import SQLKit

/// The registry's queries. Functions take the database explicitly (STYLE.md idiom 4) and the
/// caller's `AccessScope`, applied by `scoped` and nowhere else.
public enum Registry {
    /// What validating an instrument needs. `institutions`: also the institutions by name and credit
    /// code, which only an import's history columns read (a single create does not load them).
    public static func context(institutions: Bool = false, on db: any Database) async throws -> RegistryContext {
        let regions = try await RegionModel.query(on: db).all()
        let catalogue = try await CatalogueEntryModel.query(on: db).all()
        // Counties (and cities' own districts) by name, alone and after their city's name.
        let names = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
        var byName: [String: [String]] = [:]
        for r in regions where r.level == "city" || r.level == "province" {
            byName[InstrumentNames.normalize(r.name), default: []].append(r.id!)  // 福州市: an institution's region
        }
        for r in regions where r.level == "county" {
            byName[InstrumentNames.normalize(r.name), default: []].append(r.id!)
            if let parent = r.parentCode, let city = names[parent] { byName[InstrumentNames.normalize(city + r.name), default: []].append(r.id!) }
        }
        var context = RegistryContext(
            knownRegions: Set(regions.compactMap(\.id)), catalogue: Dictionary(uniqueKeysWithValues: catalogue.map { ($0.id!, $0.entry) }),
            rules: try await ruleBook(on: db), instrumentNames: try await instrumentNames(on: db), regionsByName: byName)
        // Institutions by name and by credit code, for a roll's 检定机构 column.
        for i in institutions ? try await InstitutionModel.query(on: db).all() : [] {
            context.institutions[InstrumentNames.normalize(i.name)] = i.id!
            if let code = i.creditCode { context.institutions[InstrumentNames.normalize(code)] = i.id! }
        }
        return context
    }

    /// The instrument name table (normalized name → catalogue sub-item).
    public static func instrumentNames(on db: any Database) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try await (db as! any SQLDatabase).raw("SELECT name, sub_no FROM instrument_names").all() {
            out[try r.decode(column: "name", as: String.self)] = try r.decode(column: "sub_no", as: Int.self)
        }
        return out
    }

    /// Adds (or moves) an instrument name to a catalogue sub-item: the administrator's extension of
    /// the name table. Audited.
    public static func saveInstrumentName(_ name: String?, subNo: Int, by p: Principal, on db: any Database) async throws {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.registry(.mayNotChangeInstrumentNames)) }
        var c = FieldChecker()
        let n = c.text("name", name, max: 100).map(InstrumentNames.normalize)
        try c.finish()
        _ = try await catalogueEntry(subNo, on: db)
        try await db.auditedTransaction { tx in
            let sql = tx as! any SQLDatabase
            let before = try await sql.raw("SELECT sub_no FROM instrument_names WHERE name = \(bind: n!)").first()?.decode(column: "sub_no", as: Int.self)
            try await sql.raw("DELETE FROM instrument_names WHERE name = \(bind: n!)").run()
            try await sql.raw("INSERT INTO instrument_names (name, sub_no, origin) VALUES (\(bind: n!), \(bind: subNo), 'admin')").run()
            try await Audit.record(
                Audit.actor, action: before == nil ? "create" : "update", entity: "instrument_names", id: n!,
                after: ["sub_no": "\(subNo)", "before": before.map(String.init) ?? ""], on: tx)
        }
    }

    /// The names that resolve to a sub-item, for its catalogue page.
    public static func instrumentNames(subNo: Int, on db: any Database) async throws -> [(name: String, origin: String)] {
        try await (db as! any SQLDatabase).raw("SELECT name, origin FROM instrument_names WHERE sub_no = \(bind: subNo) ORDER BY name").all().map {
            (try $0.decode(column: "name", as: String.self), try $0.decode(column: "origin", as: String.self))
        }
    }

    public static func ruleBook(on db: any Database) async throws -> RuleBook {
        RuleBook(try await RuleModel.query(on: db).all().map(\.rule))
    }

    /// Restricts an instrument query to what the scope may see.
    static func scoped(_ q: QueryBuilder<InstrumentModel>, _ scope: AccessScope) -> QueryBuilder<InstrumentModel> {
        switch scope {
        case .everything: return q
        case .region(let r): return q.inSubtree(of: r, \.$regionCode)
        case .owners(let ids): return q.filter(\.$ownerID ~~ ids)
        case .institution(let id): return q.filter(.sql(embed: institutionSees(id)))
        case .nothing: return q.filter(\.$id == -1)
        }
    }

    /// The same rules as a condition on the `instruments` table, for queries written in SQL that
    /// join through it (the telemetry alerts' queue sorts by a joined instrument's status).
    static func instrumentsVisible(_ scope: AccessScope) -> SQLQueryString {
        switch scope {
        case .everything: return "1 = 1"
        case .region(let r):
            let range = r.subtreeRange
            return "\(ident: "instruments").\(ident: "region_code") BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)"
        case .owners(let ids): return ids.isEmpty ? "1 = 0" : "\(ident: "instruments").\(ident: "owner_id") IN (\(binds: ids))"
        case .institution(let id): return institutionSees(id)
        case .nothing: return "1 = 0"
        }
    }

    /// The same rules over a table's own region column, for figures kept by region (the live
    /// screen's readings per minute); nil for a scope that is not a region's (an owner's, an
    /// institution's), which counts through its instruments instead.
    static func regionVisible(_ scope: AccessScope, column: String) -> SQLQueryString? {
        switch scope {
        case .everything: return "1 = 1"
        case .region(let r):
            let range = r.subtreeRange
            return "\(ident: column) BETWEEN \(bind: range.lowerBound) AND \(bind: range.upperBound)"
        case .nothing: return "1 = 0"
        case .owners, .institution: return nil
        }
    }

    static func scoped(_ q: QueryBuilder<OwnerModel>, _ scope: AccessScope) -> QueryBuilder<OwnerModel> {
        switch scope {
        case .everything: return q
        case .region(let r): return q.inSubtree(of: r, \.$regionCode)
        case .owners(let ids): return q.filter(\.$id ~~ ids)
        case .institution(let id):
            return q.filter(.sql(embed: "\(ident: "owners").\(ident: "id") IN (SELECT \(ident: "owner_id") FROM \(ident: "instruments") WHERE \(institutionSees(id)))"))
        case .nothing: return q.filter(\.$id == -1)
        }
    }

    /// Which of these owners the scope may see.
    static func visibleOwnerIDs(among ids: [Int], scope: AccessScope, on db: any Database) async throws -> [Int] {
        var found: [Int] = []
        for chunk in ids.chunked(500) {
            found += try await scoped(OwnerModel.query(on: db), scope).filter(\.$id ~~ chunk).all(\.$id)
        }
        return found
    }

    /// Restricts a warning query to warnings on instruments the scope may see (an institution:
    /// the instruments `institutionSees`, never the whole province — issue #17, item 1).
    static func scoped(_ q: QueryBuilder<WarningModel>, _ scope: AccessScope) -> QueryBuilder<WarningModel> {
        switch scope {
        case .everything: return q
        case .region(let r): return q.inSubtree(of: r, \.$regionCode)
        case .owners(let ids): return q.filter(\.$ownerID ~~ ids)
        case .institution(let id):
            return q.filter(.sql(embed: "\(ident: "warnings").\(ident: "instrument_id") IN (SELECT \(ident: "instruments").\(ident: "id") FROM \(ident: "instruments") WHERE \(institutionSees(id)))"))
        case .nothing: return q.filter(\.$id == -1)
        }
    }

    /// The instruments an institution may see: those it has verified, and those its authorisation
    /// covers (a scope row's sub-item, in the subtree of the scope row's region — a province
    /// `35xxxx` ends in 0000, a city in 00). Plain SQL that SQLite and PostgreSQL both run.
    static func institutionSees(_ id: Int) -> SQLQueryString {
        """
        ("instruments"."id" IN (SELECT "instrument_id" FROM "verification_records" WHERE "institution_id" = \(bind: id))
         OR EXISTS (SELECT 1 FROM "institution_scopes" s WHERE s."institution_id" = \(bind: id) AND s."sub_no" = "instruments"."sub_no"
           AND (s."region_code" = "instruments"."region_code"
             OR (substr(s."region_code", 3, 4) = '0000' AND substr(s."region_code", 1, 2) = substr("instruments"."region_code", 1, 2))
             OR (substr(s."region_code", 5, 2) = '00' AND substr(s."region_code", 1, 4) = substr("instruments"."region_code", 1, 4)))))
        """
    }

    // MARK: Regions and catalogue

    /// Every region's name by code (reports and statistics label regions with it).
    public static func regionNames(on db: any Database) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: db).all().map { ($0.id!, $0.name) })
    }

    public static func regions(parent: String?, on db: any Database) async throws -> [RegionModel] {
        let q = RegionModel.query(on: db).sort(\.$id)
        if let parent {
            guard try await RegionModel.find(parent, on: db) != nil else { throw RegistryError.notFound(.region, key: parent) }
            q.filter(\.$parentCode == parent)
        }
        return try await q.all()
    }

    public static func region(_ code: String, on db: any Database) async throws -> RegionModel {
        guard let r = try await RegionModel.find(code, on: db) else { throw RegistryError.notFound(.region, key: code) }
        return r
    }

    /// Creates or renames a region. The code must fit under its parent (GB/T 2260 digits).
    public static func saveRegion(code: String, name: String?, operational: Bool?, on db: any Database) async throws -> RegionModel {
        var c = FieldChecker()
        let n = c.text("name", name, max: 50)
        guard let rc = RegionCode(code) else { throw RegistryError.invalid("code", .registry(.notARegionCode)) }
        try c.finish()
        return try await db.auditedTransaction { tx in
            if let parent = rc.parent, try await RegionModel.find(parent.value, on: tx) == nil {
                throw RegistryError.invalid("code", .registry(.noParentRegion(parent.value)))
            }
            let m = try await RegionModel.find(code, on: tx) ?? RegionModel(code: code, name: n!, level: rc.level.rawValue, parentCode: rc.parent?.value)
            m.name = n!
            if let operational { m.operational = operational }
            try await m.save(on: tx)
            return m
        }
    }

    public static func catalogue(on db: any Database) async throws -> [CatalogueEntryModel] {
        try await CatalogueEntryModel.query(on: db).sort(\.$id).all()
    }

    public static func catalogueEntry(_ subNo: Int, on db: any Database) async throws -> CatalogueEntryModel {
        guard let e = try await CatalogueEntryModel.find(subNo, on: db) else {
            throw RegistryError.notFound(.catalogueEntry, key: String(subNo))
        }
        return e
    }

    /// Creates or corrects a catalogue row (`exists`: true — only an existing row, false — only a new
    /// one, nil — either, as `PUT` does). A change to the catalogue changes what the engine answers:
    /// the stored compliance is marked for re-deriving in the same transaction.
    public static func saveCatalogueEntry(_ e: CatalogueEntry, exists: Bool? = nil, on db: any Database) async throws -> CatalogueEntryModel {
        var c = FieldChecker()
        _ = c.text("item_name", e.itemName, max: 100)
        _ = c.text("sub_name", e.subName, max: 200)
        if !(1...999).contains(e.subNo) { c.fail("sub_no", .outOfRange(from: 1, to: 999)) }
        if !(1...999).contains(e.itemNo) { c.fail("item_no", .outOfRange(from: 1, to: 999)) }
        try c.finish()
        return try await db.auditedTransaction { tx in
            let found = try await CatalogueEntryModel.find(e.subNo, on: tx)
            if exists == true, found == nil { throw RegistryError.notFound(.catalogueEntry, key: String(e.subNo)) }
            if exists == false, found != nil {
                throw RegistryError.conflict(field: "sub_no", reason: .registry(.subItemInCatalogue(subNo: e.subNo)))
            }
            let m = found ?? CatalogueEntryModel()
            m.apply(e)
            try await m.save(on: tx)
            try await DerivedData.markStale(on: tx)
            return m
        }
    }

    public static func rules(subNo: Int, on db: any Database) async throws -> [RuleModel] {
        _ = try await catalogueEntry(subNo, on: db)
        return try await RuleModel.query(on: db).filter(\.$subNo == subNo).sort(\.$effectiveFrom).sort(\.$version).all()
    }

    /// Adds a new version of a rule. Earlier versions stay, and records keep the version they used.
    public static func addRule(_ r: VerificationRule, on db: any Database) async throws -> RuleModel {
        _ = try await catalogueEntry(r.subNo, on: db)
        var c = FieldChecker()
        switch r.form {
        case .periodic:
            if r.cycleMonths.map({ !(1...240).contains($0) }) ?? true { c.fail("cycle_months", .registry(.periodicRuleNeedsCycle)) }
        case .firstOnlyRotation:
            if r.serviceLifeMonths.map({ !(1...600).contains($0) }) ?? true {
                c.fail("service_life_months", .registry(.rotationRuleNeedsServiceLife))
            }
        case .firstOnlyScrap: break
        }
        if let until = r.effectiveUntil, until < r.effectiveFrom { c.fail("effective_until", .before(other: "effective_from", day: r.effectiveFrom.description)) }
        try c.finish()
        return try await db.auditedTransaction { tx in
            let latest = try await RuleModel.query(on: tx).filter(\.$subNo == r.subNo).max(\.$version) ?? 0
            let m = RuleModel()
            var rule = r
            rule.version = latest + 1
            m.apply(rule)
            try await m.create(on: tx)
            // The new rule changes what the engine answers: re-derived in the background.
            try await DerivedData.markStale(on: tx)
            return m
        }
    }
}
