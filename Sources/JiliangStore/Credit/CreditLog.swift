import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The record every credit process keeps: each step as an event (who, when, what), each change of
/// a public list (a penalty shown or taken down, a party listed or removed) as an append-only row
/// that the ledger sequencer picks up, and the owner's credit score marked for recomputation.
enum CreditLog {
    /// `p` is who took the step (nil: the task's audit actor, e.g. the daily run).
    static func event(owner: Int, _ entity: String, _ id: Int, _ action: String, day: CalendarDay, note: String? = nil, by p: Principal? = nil, on db: any Database) async throws {
        let e = CreditEventModel()
        e.ownerID = owner
        e.entity = entity
        e.entityID = id
        e.action = action
        e.day = day.description
        e.at = Date()
        e.actor = (p ?? Audit.actor).actor
        e.note = note
        try await e.create(on: db)
        try await markStale(owner, on: db)
    }

    /// A change of what the public sees; ledgered with the owner's credit code (public by law).
    static func listChange(owner: OwnerModel, list: String, ref: Int, change: String, day: CalendarDay, by p: Principal? = nil, on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: "credit_list_changes")
            .columns("owner_id", "credit_code", "list", "ref_id", "change", "day", "actor")
            .values(SQLBind(owner.id!), SQLBind(owner.creditCode), SQLBind(list), SQLBind(ref), SQLBind(change), SQLBind(day.description), SQLBind((p ?? Audit.actor).actor))
            .run()
    }

    /// Marks a stored score out of date; the job worker recomputes it within seconds.
    static func markStale(_ owner: Int, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("UPDATE credit_scores SET stale = \(bind: true) WHERE owner_id = \(bind: owner)").run()
    }

    /// The history of one process, oldest first.
    static func history(_ entity: String, _ id: Int, on db: any Database) async throws -> [CreditEventModel] {
        try await CreditEventModel.query(on: db).filter(\.$entity == entity).filter(\.$entityID == id).sort(\.$id).all()
    }

    /// The owner the caller may act on or read, through the registry's one scoping point.
    static func owner(_ id: Int?, field: String = "owner_id", by p: Principal, on db: any Database) async throws -> OwnerModel {
        guard let id else { throw RegistryError.invalid(field, .required) }
        do { return try await Registry.owner(id, scope: p.scope, on: db) } catch RegistryError.notFound {
            throw RegistryError.invalid(field, .credit(.noOwnerToActFor(id: id)))
        }
    }

    /// Staff who handle credit in the owner's region (bureau staff of that subtree, administrators).
    static func requireStaff(_ p: Principal, _ what: CreditRefusal.Action) throws {
        guard p.may(.manageCredit), p.role == .provinceAdmin || p.role == .bureauStaff else { throw RegistryError.forbidden(.credit(.roleMayNot(what))) }
    }

    /// The party's own account (an owner account, or its API token): administrators do not act for it.
    static func requireParty(_ p: Principal, _ what: CreditRefusal.Action) throws {
        guard p.may(.applyForCredit), p.role == .owner else { throw RegistryError.forbidden(.credit(.roleMayNot(what))) }
    }

    /// Whether the caller may read the owner's credit record: its own owner account or staff of its region.
    static func mayRead(owner: OwnerModel, _ p: Principal) -> Bool {
        switch p.scope {
        case .everything: return p.may(.manageCredit) || (p.role == .provinceAdmin && p.may(.readRegistry))
        case .region(let r): return p.may(.manageCredit) && (RegionCode(owner.regionCode).map(r.contains) ?? false)
        case .owners(let ids): return ids.contains(owner.id!)
        case .institution, .nothing: return false
        }
    }

    /// One credit record the caller may read (staff of its owner's region, or that owner); anything
    /// else is "not found", as if it did not exist.
    static func visible<M: Model>(_ type: M.Type, _ id: Int, owner: (M) -> Int, entity: Entity, by p: Principal, on db: any Database) async throws -> M
    where M.IDValue == Int {
        guard let m = try await M.find(id, on: db), let o = try await OwnerModel.find(owner(m), on: db), mayRead(owner: o, p) else {
            throw RegistryError.notFound(entity, key: "\(id)")
        }
        return m
    }

    /// A newest-first page of a credit table in the caller's scope (staff: their region subtree;
    /// an owner: its own rows), optionally for one owner.
    static func page<M: Model>(
        _ q: QueryBuilder<M>, region: KeyPath<M, FieldProperty<M, String>>, owner: KeyPath<M, FieldProperty<M, Int>>, ownerID: Int?,
        cursor: String?, limit: Int?, by p: Principal
    ) async throws -> Page<M> where M.IDValue == Int {
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        q.sort(.id, .descending).limit(n + 1)
        switch p.scope {
        case .everything: break
        case .region(let r): _ = q.inSubtree(of: r, region)
        case .owners(let ids): q.filter(owner ~~ ids)
        default: q.filter(.id, .equal, -1)
        }
        if let ownerID { q.filter(owner == ownerID) }
        if let after { q.filter(.id, .lessThan, after) }
        let rows = try await q.all()
        return Page(items: Array(rows.prefix(n)), nextCursor: rows.count > n ? Cursor.encode(rows[n - 1].id!) : nil)
    }
}
