import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// What the public may know of a business's honesty on a day: its signed commitment, a
/// demonstration title it holds, how many penalties are on display, whether it is on the
/// serious-dishonesty list. Nothing else of the credit record is public (the risk class never is).
public struct HonestySummary: Sendable, Equatable {
    public var commitmentID: Int?
    public var commitmentSignedOn: String?
    public var demonstrationTitle: String?
    public var demonstrationUntil: String?
    public var penaltiesShown = 0
    public var listed = false
    public init() {}
}

public enum PublicCredit {
    /// Every business with something to show, by credit code — a few small queries over the credit
    /// tables (not the registry), so the instrument page can carry it without a query per scan.
    public static func snapshot(today: CalendarDay, on db: any Database) async throws -> [String: HonestySummary] {
        let sql = db as! any SQLDatabase
        let t = today.description
        var out: [String: HonestySummary] = [:]
        for r in try await sql.raw("""
            SELECT o.credit_code, c.id, c.signed_on FROM commitments c JOIN owners o ON o.id = c.owner_id WHERE c.state = 'active'
            """).all() {
            let code = try r.decode(column: "credit_code", as: String.self)
            out[code, default: .init()].commitmentID = try r.decode(column: "id", as: Int.self)
            out[code, default: .init()].commitmentSignedOn = try r.decode(column: "signed_on", as: String.self)
        }
        for r in try await sql.raw("""
            SELECT o.credit_code, r.title, a.valid_until FROM demo_applications a JOIN owners o ON o.id = a.owner_id JOIN demo_rounds r ON r.id = a.round_id
            WHERE a.state = 'awarded' AND a.valid_until >= \(bind: t)
            """).all() {
            let code = try r.decode(column: "credit_code", as: String.self)
            out[code, default: .init()].demonstrationTitle = try r.decode(column: "title", as: String.self)
            out[code, default: .init()].demonstrationUntil = try r.decode(column: "valid_until", as: String?.self)
        }
        for r in try await sql.raw("""
            SELECT o.credit_code, COUNT(*) AS n FROM penalties p JOIN owners o ON o.id = p.owner_id
            WHERE p.state = 'published' AND p.published_on <= \(bind: t) AND p.display_until >= \(bind: t) GROUP BY o.credit_code
            """).all() {
            out[try r.decode(column: "credit_code", as: String.self), default: .init()].penaltiesShown = try r.decode(column: "n", as: Int.self)
        }
        for r in try await sql.raw("""
            SELECT DISTINCT o.credit_code FROM listings l JOIN owners o ON o.id = l.owner_id
            WHERE l.state = 'listed' AND l.published_on <= \(bind: t) AND l.removal_on > \(bind: t)
            """).all() {
            out[try r.decode(column: "credit_code", as: String.self), default: .init()].listed = true
        }
        return out
    }

    /// One business's summary, read live (the business page).
    public static func snapshotFor(creditCode: String, today: CalendarDay, on db: any Database) async throws -> HonestySummary? {
        guard let o = try await OwnerModel.query(on: db).filter(\.$creditCode == creditCode).first() else { return nil }
        var h = HonestySummary()
        if let c = try await Commitments.active(ownerID: o.id!, on: db) {
            h.commitmentID = c.id
            h.commitmentSignedOn = c.signedOn
        }
        if let a = try await Demonstration.title(ownerID: o.id!, today: today, on: db) {
            h.demonstrationTitle = try await DemoRoundModel.find(a.roundID, on: db)?.title
            h.demonstrationUntil = a.validUntil
        }
        h.penaltiesShown = try await Penalties.shown(ownerID: o.id!, today: today, on: db).count
        h.listed = try await Listings.isListed(ownerID: o.id!, today: today, on: db)
        return h
    }

    /// The public letter: only an active commitment is shown.
    public static func commitment(_ id: Int, on db: any Database) async throws -> (CommitmentModel, OwnerModel) {
        guard let c = try await CommitmentModel.find(id, on: db), c.state == Commitments.State.active.rawValue,
            let o = try await OwnerModel.find(c.ownerID, on: db)
        else { throw RegistryError.notFound(.commitment, key: "\(id)") }
        return (c, o)
    }
}
