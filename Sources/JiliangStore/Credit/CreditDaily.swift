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
                key: "penalty-expired:\(m.id!)", to: "region:\(m.regionCode)", subject: "处罚信息公示期满已撤下 Penalty display ended",
                body: "行政处罚 \(m.decisionNo) 公示期至 \(m.displayUntil ?? "-") 届满，已从公示页面撤下。Decision \(m.decisionNo) is no longer shown.", on: db)
        }
        for m in removed {
            for recipient in ["region:\(m.regionCode)", "owner:\(m.ownerID)"] {
                o.reminders += try await remind(
                    key: "listing-removed:\(m.id!):\(recipient)", to: recipient, subject: "严重违法失信名单期满移出 Listing period ended",
                    body: "严重违法失信名单案件 #\(m.id!) 已于 \(today) 期满移出。Listing #\(m.id!) ended on \(today).", on: db)
            }
        }
        let lead = today.adding(days: rules.reminderLeadDays).description
        for m in try await PenaltyModel.query(on: db).filter(\.$state == Penalties.State.recorded.rawValue).filter(\.$publishBy <= lead).all() {
            let late = (m.publishBy ?? "") < today.description
            o.reminders += try await remind(
                key: "penalty-publish:\(m.id!)\(late ? ":late" : "")", to: "region:\(m.regionCode)",
                subject: late ? "处罚信息逾期未公示 Penalty publication overdue" : "处罚信息待公示 Penalty to publish",
                body: "行政处罚 \(m.decisionNo) 应于 \(m.publishBy ?? "-") 前公示。Decision \(m.decisionNo) must be published by \(m.publishBy ?? "-").", on: db)
        }
        for m in try await ListingModel.query(on: db).filter(\.$state == Listings.State.notified.rawValue).filter(\.$objectionUntil < today.description).all() {
            o.reminders += try await remind(
                key: "listing-window:\(m.id!)", to: "region:\(m.regionCode)", subject: "异议期已满，待决定 Objection window closed",
                body: "严重违法失信名单案件 #\(m.id!) 的异议期已于 \(m.objectionUntil ?? "-") 届满，请由另一名工作人员作出决定。"
                    + " Listing #\(m.id!): the objection window closed; a second person decides.", on: db)
        }
        for m in try await ListingModel.query(on: db).filter(\.$state == Listings.State.listed.rawValue).filter(\.$repairEligibleOn <= today.description).all()
        where m.repairAppliedOn == nil {
            o.reminders += try await remind(
                key: "listing-repair:\(m.id!)", to: "owner:\(m.ownerID)", subject: "可申请信用修复 Credit repair available",
                body: "自 \(m.repairEligibleOn ?? "-") 起，符合条件的可在平台申请信用修复。From \(m.repairEligibleOn ?? "-") you may apply for credit repair.", on: db)
        }
        o.scores = try await CreditScores.recomputeAll(rules: rules, today: today, on: db)
        return o
    }

    /// Sends a message once per key (a repeated run sends nothing new).
    static func remind(key: String, to recipient: String, subject: String, body: String, on db: any Database) async throws -> Int {
        try await db.writeTransaction { tx in
            if try await (tx as! any SQLDatabase).raw("SELECT key FROM credit_reminders WHERE key = \(bind: key)").first() != nil { return 0 }
            try await (tx as! any SQLDatabase).insert(into: "credit_reminders").columns("key", "created_at").values(SQLBind(key), SQLBind(Date())).run()
            let m = InboxMessageModel()
            m.recipient = recipient
            m.subject = subject
            m.body = body
            m.createdAt = Date()
            try await m.create(on: tx)
            return 1
        }
    }

    /// Whether today's credit run has been done (recorded like a reminder).
    public static func runIfDue(rules: CreditConfiguration = .init(), today: CalendarDay, on db: any Database) async throws -> Outcome? {
        let key = "daily:\(today)"
        if try await (db as! any SQLDatabase).raw("SELECT key FROM credit_reminders WHERE key = \(bind: key)").first() != nil { return nil }
        let o = try await run(rules: rules, today: today, on: db)
        try await (db as! any SQLDatabase).insert(into: "credit_reminders").columns("key", "created_at").values(SQLBind(key), SQLBind(Date())).run()
        return o
    }
}
