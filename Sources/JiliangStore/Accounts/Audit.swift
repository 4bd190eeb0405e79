import FluentKit
import Foundation
import JiliangCore

/// The append-only audit log. Writers call it inside their own transaction, so an entry exists
/// exactly when the change it describes was committed. Nothing updates or deletes entries.
public enum Audit {
    /// Logs a model change with the model before and after, as JSON (Fluent models are Codable).
    public static func log<M: Model>(_ actor: Principal, _ action: String, _ model: M, before: String?, on db: any Database) async throws {
        try await write(actor, action: action, entity: M.schema, id: model.id.map { "\($0)" }, before: before, after: json(model), on: db)
    }

    /// Logs an event that is not a model change (sign-in, token revoked).
    public static func record(
        _ actor: Principal, action: String, entity: String, id: String?, after: [String: String]? = nil, on db: any Database
    ) async throws {
        try await write(actor, action: action, entity: entity, id: id, before: nil, after: after.flatMap(json), on: db)
    }

    static func write(_ actor: Principal, action: String, entity: String, id: String?, before: String?, after: String?, on db: any Database) async throws {
        let e = AuditEntryModel()
        e.at = Date()
        e.actor = actor.actor
        e.action = action
        e.entity = entity
        e.entityID = id
        e.before = before
        e.after = after
        try await e.create(on: db)
    }

    /// A model's JSON, for `before:` of a later `log`.
    /// Secrets (`redacted`) are left out.
    public static func json(_ value: some Encodable) -> String? {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        e.dateEncodingStrategy = .iso8601
        guard let data = try? e.encode(value) else { return nil }
        if var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            !redacted.isDisjoint(with: object.keys)
        {
            for k in redacted { object.removeValue(forKey: k) }
            guard let clean = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
            return String(decoding: clean, as: UTF8.self)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Newest first, filtered by actor, entity and time; cursor pagination by id.
    public static func list(
        actor: String?, entity: String?, entityID: String?, since: Date?, cursor: String?, limit: Int?, on db: any Database
    ) async throws -> Page<AuditEntryModel> {
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = AuditEntryModel.query(on: db).sort(\.$id, .descending).limit(n + 1)
        if let after { q.filter(\.$id < after) }
        if let actor { q.filter(\.$actor == actor) }
        if let entity { q.filter(\.$entity == entity) }
        if let entityID { q.filter(\.$entityID == entityID) }
        if let since { q.filter(\.$at >= since) }
        let rows = try await q.all()
        return Page(items: Array(rows.prefix(n)), nextCursor: rows.count > n ? Cursor.encode(rows[n - 1].id!) : nil)
    }
}

extension Principal {
    /// Failed sign-ins have no principal yet.
    public static let anonymous = Principal(kind: .system, id: 0, label: "anonymous", role: .owner, permissions: [])
}
