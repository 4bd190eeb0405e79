import FluentKit
import Foundation
import JiliangCore

extension Registry {
    // MARK: Owners

    public struct OwnerFilter: Sendable {
        public var region: RegionCode?
        public var industry: String?
        public var search: String?
        public var parentID: Int?
        public init(region: RegionCode? = nil, industry: String? = nil, search: String? = nil, parentID: Int? = nil) {
            self.region = region
            self.industry = industry
            self.search = search
            self.parentID = parentID
        }
    }

    /// Registers an owner in a region the caller may register owners in, under a parent (a
    /// market organiser) the caller may see.
    public static func createOwner(_ d: OwnerDraft, scope: AccessScope, on db: any Database) async throws -> OwnerModel {
        try checkOwnerPlacement(d, scope: scope)
        // Checked first outside the write transaction, so that a taken code is answered at once
        // even while another writer holds SQLite's lock; then again inside, with the row and its
        // audit entry (on SQLite two callers with one code meet the check in turn).
        if try await OwnerModel.query(on: db).filter(\.$creditCode == d.creditCode.value).first() != nil {
            throw RegistryError.conflict(field: "credit_code", reason: .registry(.ownerExists(creditCode: d.creditCode.value)))
        }
        return try await db.auditedTransaction { tx in
            if try await OwnerModel.query(on: tx).filter(\.$creditCode == d.creditCode.value).first() != nil {
                throw RegistryError.conflict(field: "credit_code", reason: .registry(.ownerExists(creditCode: d.creditCode.value)))
            }
            if let p = d.parentID { _ = try await parent(p, of: nil, scope: scope, on: tx) }
            let m = OwnerModel()
            apply(d, to: m)
            try await m.create(on: tx)
            return m
        }
    }

    public static func updateOwner(_ id: Int, _ d: OwnerDraft, scope: AccessScope, on db: any Database) async throws -> OwnerModel {
        try await db.auditedTransaction { tx in
            let m = try await owner(id, scope: scope, on: tx)
            try checkOwnerPlacement(d, scope: scope)
            if d.creditCode.value != m.creditCode,
                try await OwnerModel.query(on: tx).filter(\.$creditCode == d.creditCode.value).first() != nil
            {
                throw RegistryError.conflict(field: "credit_code", reason: .registry(.ownerExists(creditCode: d.creditCode.value)))
            }
            // A parent the owner already has stays, even one outside the caller's area (an administrator
            // may have set it); a new one must be visible.
            if let p = d.parentID, p != m.parentID { _ = try await parent(p, of: id, scope: scope, on: tx) }
            apply(d, to: m)
            try await m.update(on: tx)
            return m
        }
    }

    /// An owner stays in the caller's region: a bureau can neither register one elsewhere nor
    /// move one of its own out of its reach (issue #17).
    static func checkOwnerPlacement(_ d: OwnerDraft, scope: AccessScope) throws {
        switch scope {
        case .everything: return
        case .region(let r) where r.contains(d.region): return
        case .region(let r): throw RegistryError.forbidden(.registry(.mayNotRegisterOwnersOutside(region: r.value)))
        case .owners, .institution, .nothing: throw RegistryError.forbidden(.registry(.mayNotRegisterOwners))
        }
    }

    /// A market organiser an owner may be put under: another owner the caller may see. One it may
    /// not see answers like one that does not exist (its account would otherwise see the child's
    /// instruments).
    static func parent(_ p: Int, of child: Int?, scope: AccessScope, on db: any Database) async throws -> OwnerModel {
        guard p != child, let parent = try await scoped(OwnerModel.query(on: db), scope).filter(\.$id == p).first() else {
            throw RegistryError.invalid("parent_id", .registry(.parentNotAnOwnerInYourArea))
        }
        return parent
    }

    static func apply(_ d: OwnerDraft, to m: OwnerModel) {
        m.name = d.name
        m.creditCode = d.creditCode.value
        m.address = d.address
        m.regionCode = d.region.value
        m.industry = d.industry.rawValue
        m.contactName = d.contactName
        m.contactPhone = d.contactPhone
        m.parentID = d.parentID
    }

    public static func owner(_ id: Int, scope: AccessScope, on db: any Database) async throws -> OwnerModel {
        guard let m = try await scoped(OwnerModel.query(on: db), scope).filter(\.$id == id).first() else {
            throw RegistryError.notFound(.owner, key: String(id))
        }
        return m
    }

    public static func owners(
        _ f: OwnerFilter, cursor: String?, limit: Int?, scope: AccessScope, on db: any Database
    ) async throws -> Page<OwnerModel> {
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = scoped(OwnerModel.query(on: db), scope).sort(\.$id).limit(n + 1)
        if let after { q.filter(\.$id > after) }
        if let r = f.region { q.inSubtree(of: r, \.$regionCode) }
        if let i = f.industry { q.filter(\.$industry == i) }
        if let p = f.parentID { q.filter(\.$parentID == p) }
        if let s = try SearchText.checked(f.search) {
            q.group(.or) { $0.filter(\.$name, containsLiterally: s).filter(\.$creditCode == s.uppercased()) }
        }
        return page(try await q.all(), n, id: { $0.id! })
    }

    static func page<T>(_ rows: [T], _ n: Int, id: (T) -> Int) -> Page<T> {
        let items = Array(rows.prefix(n))
        return Page(items: items, nextCursor: rows.count > n ? items.last.map { Cursor.encode(id($0)) } : nil)
    }

    // MARK: Institutions

    public static func createInstitution(_ d: InstitutionDraft, on db: any Database) async throws -> InstitutionModel {
        try await db.auditedTransaction { tx in
            if try await InstitutionModel.query(on: tx).filter(\.$name == d.name).first() != nil {
                throw RegistryError.conflict(field: "name", reason: .registry(.institutionExists(name: d.name)))
            }
            let m = InstitutionModel()
            apply(d, to: m)
            try await m.create(on: tx)
            try await replaceScopes(of: m.id!, with: d.scopes, on: tx)
            return m
        }
    }

    public static func updateInstitution(_ id: Int, _ d: InstitutionDraft, on db: any Database) async throws -> InstitutionModel {
        try await db.auditedTransaction { tx in
            let m = try await institution(id, on: tx)
            if d.name != m.name, try await InstitutionModel.query(on: tx).filter(\.$name == d.name).first() != nil {
                throw RegistryError.conflict(field: "name", reason: .registry(.institutionExists(name: d.name)))
            }
            let region = m.regionCode
            if d.region.value != region { try await RegionCopies.lockBelow("institutions", id: id, on: tx) }
            apply(d, to: m)
            try await m.update(on: tx)
            // Its sessions, bookings and standards go with it to another county (M041).
            if m.regionCode != region { try await RegionCopies.moved("institutions", id: id, on: tx) }
            try await replaceScopes(of: id, with: d.scopes, on: tx)
            return m
        }
    }

    static func apply(_ d: InstitutionDraft, to m: InstitutionModel) {
        m.name = d.name
        m.kind = d.kind.rawValue
        m.creditCode = d.creditCode?.value
        m.regionCode = d.region.value
        m.address = d.address
    }

    static func replaceScopes(of id: Int, with scopes: [InstitutionDraft.Scope], on db: any Database) async throws {
        try await InstitutionScopeModel.query(on: db).filter(\.$institutionID == id).delete()
        for s in scopes {
            let m = InstitutionScopeModel()
            m.institutionID = id
            m.subNo = s.subNo
            m.regionCode = s.region.value
            m.validFrom = s.validFrom.description
            m.validUntil = s.validUntil.description
            try await m.create(on: db)
        }
    }

    public static func institution(_ id: Int, on db: any Database) async throws -> InstitutionModel {
        guard let m = try await InstitutionModel.find(id, on: db) else { throw RegistryError.notFound(.institution, key: String(id)) }
        return m
    }

    public static func scopes(of id: Int, on db: any Database) async throws -> [InstitutionDraft.Scope] {
        try await InstitutionScopeModel.query(on: db).filter(\.$institutionID == id).sort(\.$id).all().map {
            .init(subNo: $0.subNo, region: RegionCode($0.regionCode)!, validFrom: CalendarDay($0.validFrom)!, validUntil: CalendarDay($0.validUntil)!)
        }
    }

    public static func institutions(
        region: RegionCode?, subNo: Int?, cursor: String?, limit: Int?, on db: any Database
    ) async throws -> Page<InstitutionModel> {
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = InstitutionModel.query(on: db).sort(\.$id).limit(n + 1)
        if let after { q.filter(\.$id > after) }
        if let r = region { q.inSubtree(of: r, \.$regionCode) }
        if let subNo {
            let ids = try await InstitutionScopeModel.query(on: db).filter(\.$subNo == subNo).all().map(\.institutionID)
            q.filter(\.$id ~~ Set(ids))
        }
        return page(try await q.all(), n, id: { $0.id! })
    }
}
