import FluentKit
import Foundation

/// A raised warning on its way to people.
public struct WarningNotice: Sendable {
    public var warningID: Int
    public var ownerID: Int
    public var ownerPhone: String?
    public var regionCode: String
    public var kind: String
    public var notice: Notice
}

/// Where warnings go. The first channels write to the database; SMS and e-mail gateways drain the
/// outbox later, so a slow gateway never holds up a warning run.
public protocol WarningChannel: Sendable {
    var name: String { get }
    func deliver(_ notices: [WarningNotice], on db: any Database, now: Date) async throws
}

/// The in-app inbox of the owner and of the responsible bureau (the instrument's county).
public struct InboxChannel: WarningChannel {
    public init() {}
    public var name: String { "inbox" }
    public func deliver(_ notices: [WarningNotice], on db: any Database, now: Date) async throws {
        for n in notices {
            let owner = WarningKind(rawValue: n.kind)?.concernsOwner ?? true
            for recipient in (owner ? ["owner:\(n.ownerID)"] : []) + ["region:\(n.regionCode)"] {
                try await Notices.send(n.notice, to: recipient, warningID: n.warningID, now: now, on: db)
            }
        }
    }
}

/// Queues an SMS to the owner's contact phone, for a gateway to send.
public struct SMSOutboxChannel: WarningChannel {
    public init() {}
    public var name: String { "sms-outbox" }
    public func deliver(_ notices: [WarningNotice], on db: any Database, now: Date) async throws {
        for n in notices {
            guard let phone = n.ownerPhone, !phone.isEmpty, WarningKind(rawValue: n.kind)?.concernsOwner ?? true else { continue }
            try await Notices.queueSMS(n.notice, to: phone, warningID: n.warningID, now: now, on: db)
        }
    }
}

public enum WarningKind: String, Sendable, CaseIterable {
    case dueSoon = "due_soon"
    case overdue
    case lifeExpired = "life_expired"
    case failedInUse = "failed_in_use"
    case notFiled = "not_filed"
    /// No verification rule says when the instrument is due (issue #18, item 2): the bureau's
    /// staff are told, not the owner, who cannot act on it.
    case ruleMissing = "rule_missing"

    /// Whether the owner is told (inbox and SMS) as well as the bureau.
    public var concernsOwner: Bool { self != .ruleMissing }
}
