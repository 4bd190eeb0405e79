import FluentKit
import Foundation
import JiliangCore

/// Reading warnings, runs and inboxes.
public enum Warnings {
    public static func list(
        region: RegionCode?, kind: String?, ownerID: Int?, cursor: String?, limit: Int?, scope: AccessScope, on db: any Database
    ) async throws -> Page<WarningModel> {
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = WarningModel.query(on: db).sort(\.$id).limit(n + 1)
        if let after { q.filter(\.$id > after) }
        _ = Registry.scoped(q, scope)
        if let region { q.inSubtree(of: region, \.$regionCode) }
        if let kind { q.filter(\.$kind == kind) }
        if let ownerID { q.filter(\.$ownerID == ownerID) }
        return Registry.page(try await q.all(), n, id: { $0.id! })
    }

    public static func runs(limit: Int, on db: any Database) async throws -> [WarningRunModel] {
        try await WarningRunModel.query(on: db).sort(\.$id, .descending).limit(limit).all()
    }

    public static func inbox(recipient: String, cursor: String?, limit: Int?, on db: any Database) async throws -> Page<InboxMessageModel> {
        let before = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let valid = recipient == "admin" || recipient.hasPrefix("owner:") && Int(recipient.dropFirst(6)) != nil
            || recipient.hasPrefix("region:") && RegionCode(recipient.dropFirst(7)) != nil
        guard valid else { throw RegistryError.invalid("recipient", .registry(.notARecipient)) }
        let q = InboxMessageModel.query(on: db).filter(\.$recipient == recipient).sort(\.$id, .descending).limit(n + 1)
        if let before { q.filter(\.$id < before) }
        return Registry.page(try await q.all(), n, id: { $0.id! })
    }
}
