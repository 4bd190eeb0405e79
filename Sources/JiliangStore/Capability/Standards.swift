import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The registry of social public measurement standards (社会公用计量标准) and the construction
/// targets per administrative level. Reference data: every signed-in staff member reads it, the
/// province administrator (`reference:write`) maintains it; every change is audited by model.
public enum Standards {
    public struct Entry: Sendable {
        public var id: Int
        public var institutionID: Int
        public var institutionName: String
        public var institutionRegion: String
        public var name: String
        public var certificateNo: String
        public var validFrom: CalendarDay
        public var validUntil: CalendarDay
        public var measuringRange: String
        public var uncertainty: String
        public var subNos: [Int]
        public var regions: [String]

        public func isValid(on day: CalendarDay) -> Bool { validFrom <= day && day <= validUntil }
    }

    static func requireWriter(_ p: Principal) throws {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.registry(.mayNotManageStandards)) }
    }

    static func requireReader(_ p: Principal) throws {
        guard p.role != .owner, p.may(.readRegistry) else { throw RegistryError.forbidden(.registry(.mayNotReadStandards)) }
    }

    public static func create(_ d: StandardDraft, by p: Principal, on db: any Database) async throws -> Entry {
        try requireWriter(p)
        let id = try await db.auditedTransaction { tx in
            let institution = try await checkInstitutionAndCertificate(d, except: nil, on: tx)
            let m = StandardModel()
            apply(d, to: m, at: institution)
            try await m.create(on: tx)
            try await replaceLinks(of: m.id!, region: m.regionCode, d, on: tx)
            return m.id!
        }
        return try await get(id, by: p, on: db)
    }

    public static func update(_ id: Int, _ d: StandardDraft, by p: Principal, on db: any Database) async throws -> Entry {
        try requireWriter(p)
        try await db.auditedTransaction { tx in
            guard let m = try await StandardModel.find(id, on: tx) else { throw RegistryError.notFound(.standard, key: String(id)) }
            let institution = try await checkInstitutionAndCertificate(d, except: id, on: tx)
            let region = m.regionCode
            apply(d, to: m, at: institution)
            try await m.update(on: tx)
            // Moved to an institution in another county: its items go with it (M041).
            if m.regionCode != region { try await RegionCopies.moved("measurement_standards", id: id, on: tx) }
            try await replaceLinks(of: id, region: m.regionCode, d, on: tx)
        }
        return try await get(id, by: p, on: db)
    }

    /// Answers the standard's institution, its region as a move now would leave it (M041: the
    /// standard and its items carry it).
    static func checkInstitutionAndCertificate(_ d: StandardDraft, except id: Int?, on db: any Database) async throws -> InstitutionModel {
        guard let institution = try await InstitutionModel.find(d.institutionID, on: db) else {
            throw RegistryError.invalid("institution_id", .registry(.noSuchInstitution(id: d.institutionID)))
        }
        institution.regionCode = try await RegionCopies.current("institutions", id: d.institutionID, on: db)
        if let other = try await StandardModel.query(on: db).filter(\.$certificateNo == d.certificateNo).first(), other.id != id {
            throw RegistryError.conflict(field: "certificate_no", reason: .registry(.certificateRegistered(certificateNo: d.certificateNo, standard: other.id!)))
        }
        return institution
    }

    static func apply(_ d: StandardDraft, to m: StandardModel, at institution: InstitutionModel) {
        m.institutionID = d.institutionID
        m.regionCode = institution.regionCode  // read under a lock: see checkInstitutionAndCertificate
        m.name = d.name
        m.certificateNo = d.certificateNo
        m.validFrom = d.validFrom.description
        m.validUntil = d.validUntil.description
        m.measuringRange = d.measuringRange
        m.uncertainty = d.uncertainty
    }

    /// Replaces the served sub-items and regions, touching only what changed (each change audited).
    static func replaceLinks(of id: Int, region: String, _ d: StandardDraft, on db: any Database) async throws {
        let items = try await StandardItemModel.query(on: db).filter(\.$standardID == id).all()
        for m in items where !d.subNos.contains(m.subNo) { try await m.delete(on: db) }
        for s in d.subNos where !items.contains(where: { $0.subNo == s }) {
            let m = StandardItemModel()
            m.standardID = id
            m.regionCode = region
            m.subNo = s
            try await m.create(on: db)
        }
        let regions = try await StandardRegionModel.query(on: db).filter(\.$standardID == id).all()
        let wanted = d.regions.map(\.value)
        for m in regions where !wanted.contains(m.regionCode) { try await m.delete(on: db) }
        for r in wanted where !regions.contains(where: { $0.regionCode == r }) {
            let m = StandardRegionModel()
            m.standardID = id
            m.regionCode = r
            try await m.create(on: db)
        }
    }

    public static func get(_ id: Int, by p: Principal, on db: any Database) async throws -> Entry {
        try requireReader(p)
        guard let e = try await load(ids: [id], on: db).first else { throw RegistryError.notFound(.standard, key: String(id)) }
        return e
    }

    /// Standards serving a region (any served region inside or above it), optionally one sub-item,
    /// optionally only those valid on a day; ordered by certificate number.
    public static func list(
        region: RegionCode? = nil, subNo: Int? = nil, validOn: CalendarDay? = nil, by p: Principal, on db: any Database
    ) async throws -> [Entry] {
        try requireReader(p)
        var all = try await load(ids: nil, on: db)
        if let region { all = all.filter { e in e.regions.contains { RegionCode($0).map { $0.contains(region) || region.contains($0) } ?? false } } }
        if let subNo { all = all.filter { $0.subNos.contains(subNo) } }
        if let validOn { all = all.filter { $0.isValid(on: validOn) } }
        return all
    }

    static func load(ids: [Int]?, on db: any Database) async throws -> [Entry] {
        var q = StandardModel.query(on: db).sort(\.$certificateNo)
        if let ids { q = q.filter(\.$id ~~ ids) }
        let models = try await q.all()
        guard !models.isEmpty else { return [] }
        let sids = models.compactMap(\.id)
        let items = Dictionary(grouping: try await StandardItemModel.query(on: db).filter(\.$standardID ~~ sids).all(), by: \.standardID)
        let regions = Dictionary(grouping: try await StandardRegionModel.query(on: db).filter(\.$standardID ~~ sids).all(), by: \.standardID)
        let institutions = Dictionary(
            uniqueKeysWithValues: try await InstitutionModel.query(on: db).filter(\.$id ~~ Set(models.map(\.institutionID))).all().map { ($0.id!, $0) })
        return models.map { m in
            Entry(
                id: m.id!, institutionID: m.institutionID, institutionName: institutions[m.institutionID]?.name ?? "#\(m.institutionID)",
                institutionRegion: institutions[m.institutionID]?.regionCode ?? "", name: m.name, certificateNo: m.certificateNo,
                validFrom: CalendarDay(m.validFrom)!, validUntil: CalendarDay(m.validUntil)!, measuringRange: m.measuringRange,
                uncertainty: m.uncertainty, subNos: (items[m.id!] ?? []).map(\.subNo).sorted(), regions: (regions[m.id!] ?? []).map(\.regionCode).sorted())
        }
    }

    // MARK: Construction targets

    /// The target sub-items per level.
    public static func targets(on db: any Database) async throws -> [RegionCode.Level: Set<Int>] {
        var out: [RegionCode.Level: Set<Int>] = [:]
        for t in try await StandardTargetModel.query(on: db).all() {
            if let level = RegionCode.Level(rawValue: t.level) { out[level, default: []].insert(t.subNo) }
        }
        return out
    }

    /// Sets the target sub-items of one level (replacing that level's list).
    public static func setTargets(level: RegionCode.Level, subNos: [Int], by p: Principal, on db: any Database) async throws {
        try requireWriter(p)
        let catalogue = try await Registry.context(on: db).catalogue
        var c = FieldChecker()
        for (i, s) in subNos.enumerated() where catalogue[s] == nil { c.fail("sub_nos[\(i)]", .registry(.noSuchSubItem(s))) }
        do { try c.finish() } catch { throw RegistryError.invalid(error) }
        let wanted = Set(subNos)
        try await db.auditedTransaction { tx in
            let existing = try await StandardTargetModel.query(on: tx).filter(\.$level == level.rawValue).all()
            for m in existing where !wanted.contains(m.subNo) { try await m.delete(on: tx) }
            for s in wanted.sorted() where !existing.contains(where: { $0.subNo == s }) {
                let m = StandardTargetModel()
                m.level = level.rawValue
                m.subNo = s
                m.updatedBy = p.label
                try await m.create(on: tx)
            }
        }
    }

    // MARK: Capability

    /// Every capability provider: authorisation scope lines and (standard × sub-item × region).
    public static func providers(on db: any Database) async throws -> [CapabilityProvider] {
        let institutions = Dictionary(uniqueKeysWithValues: try await InstitutionModel.query(on: db).all().map { ($0.id!, $0) })
        var out: [CapabilityProvider] = []
        for s in try await InstitutionScopeModel.query(on: db).all() {
            guard let i = institutions[s.institutionID], let loc = RegionCode(i.regionCode), let serves = RegionCode(s.regionCode),
                let from = CalendarDay(s.validFrom), let until = CalendarDay(s.validUntil)
            else { continue }
            out.append(.init(institutionID: i.id!, institutionName: i.name, location: loc, subNo: s.subNo, serves: serves, validFrom: from, validUntil: until, source: .scope))
        }
        for e in try await load(ids: nil, on: db) {
            guard let loc = RegionCode(e.institutionRegion) else { continue }
            for sub in e.subNos {
                for r in e.regions.compactMap(RegionCode.init) {
                    out.append(.init(institutionID: e.institutionID, institutionName: e.institutionName, location: loc, subNo: sub, serves: r,
                                     validFrom: e.validFrom, validUntil: e.validUntil, source: .standard))
                }
            }
        }
        return out
    }
}
