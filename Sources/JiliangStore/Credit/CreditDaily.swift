import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The credit side of the daily run, on the same job worker as the early warnings: takes down
/// penalties whose display has ended and removes listings whose period has ended, reminds staff of
/// deadlines (publication within 20 working days, objection windows closed) and parties of their
/// repair eligibility, and recomputes every owner's credit class. Each reminder is sent once.
public enum CreditDaily {
    public struct Outcome: Sendable, Equatable {
        public var expiredPenalties = 0
        public var removedListings = 0
        public var reminders = 0
        public var scores = 0
    }

    public static func run(rules: CreditConfiguration = .init(), today: CalendarDay, on db: any Database) async throws -> Outcome {
        var o = Outcome()
        let expired = try await Penalties.expire(today: today, on: db)
        let removed = try await Listings.removeExpired(today: today, on: db)
        o.expiredPenalties = expired.count
        o.removedListings = removed.count
        // Tell the bureau (and a removed party) what left the public site today.
        for m in expired {
            o.reminders += try await remind(
                key: "penalty-expired:\(m.id!)", to: "region:\(m.regionCode)",
                .penaltyDisplayEnded(decisionNo: m.decisionNo, displayUntil: m.displayUntil), on: db)
        }
        for m in removed {
            for recipient in ["region:\(m.regionCode)", "owner:\(m.ownerID)"] {
                o.reminders += try await remind(
                    key: "listing-removed:\(m.id!):\(recipient)", to: recipient, .listingRemoved(listing: m.id!, on: today.description), on: db)
            }
        }
        let lead = today.adding(days: rules.reminderLeadDays).description
        for m in try await PenaltyModel.query(on: db).filter(\.$state == Penalties.State.recorded.rawValue).filter(\.$publishBy <= lead).all() {
            let late = (m.publishBy ?? "") < today.description
            o.reminders += try await remind(
                key: "penalty-publish:\(m.id!)\(late ? ":late" : "")", to: "region:\(m.regionCode)",
                .penaltyToPublish(decisionNo: m.decisionNo, publishBy: m.publishBy, late: late), on: db)
        }
        for m in try await ListingModel.query(on: db).filter(\.$state == Listings.State.notified.rawValue).filter(\.$objectionUntil < today.description).all() {
            o.reminders += try await remind(
                key: "listing-window:\(m.id!)", to: "region:\(m.regionCode)",
                .listingObjectionClosed(listing: m.id!, closedOn: m.objectionUntil), on: db)
        }
        for m in try await ListingModel.query(on: db).filter(\.$state == Listings.State.listed.rawValue).filter(\.$repairEligibleOn <= today.description).all()
        where m.repairAppliedOn == nil {
            o.reminders += try await remind(
                key: "listing-repair:\(m.id!)", to: "owner:\(m.ownerID)", .listingRepairAvailable(listing: m.id!, from: m.repairEligibleOn), on: db)
        }
        o.scores = try await CreditScores.recomputeAll(rules: rules, today: today, on: db)
        return o
    }

    /// Sends a message once per key (a repeated run sends nothing new).
    static func remind(key: String, to recipient: String, _ notice: Notice, on db: any Database) async throws -> Int {
        try await db.writeTransaction { tx in
            if try await (tx as! any SQLDatabase).raw("SELECT key FROM credit_reminders WHERE key = \(bind: key)").first() != nil { return 0 }
            try await (tx as! any SQLDatabase).insert(into: "credit_reminders").columns("key", "created_at").values(SQLBind(key), SQLBind(Date())).run()
            try await Notices.send(notice, to: recipient, on: tx)
            return 1
        }
    }

    /// Whether today's credit run has been done (recorded like a reminder).
    public static func runIfDue(rules: CreditConfiguration = .init(), today: CalendarDay, on db: any Database) async throws -> Outcome? {
        let key = "daily:\(today)"
        if try await (db as! any SQLDatabase).raw("SELECT key FROM credit_reminders WHERE key = \(bind: key)").first() != nil { return nil }
        let o = try await run(rules: rules, today: today, on: db)
        try await db.writeTransaction { tx in
            try await (tx as! any SQLDatabase).insert(into: "credit_reminders").columns("key", "created_at").values(SQLBind(key), SQLBind(Date())).run()
        }
        return o
    }
}
