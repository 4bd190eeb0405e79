import FluentKit
import Foundation
import JiliangCore

/// What a message to a person says, kept as facts (issue #20): the store records which event
/// happened and its figures; the server words it when it is shown, in the reader's language, and
/// turns its `Link` into an address. A message worded at creation would be frozen in both
/// languages at once ("…尚未备案。… has not been filed.") with its links as raw paths.
///
/// Stored as JSON in the `notice` column of `inbox_messages`, `warnings` and `outbox_messages`
/// (migration 028). Cases are only ever added: a stored notice must decode for as long as it is
/// kept. Rows from before 028 have no notice and are shown with the text they were stored with.
public enum Notice: Codable, Sendable, Equatable {
    /// An early warning about one instrument (`WarningRun`).
    case warning(kind: WarningKind, instrument: InstrumentRef, due: String?)
    /// A warning run found nothing where the previous one found many.
    case warningRunSilent(previousRun: Int, previousFound: Int)
    /// A party is told it is proposed for the dishonesty list, and until when it may object.
    case listingProposed(listing: Int, reason: String, objectionUntil: String)
    case listingRemoved(listing: Int, on: String)
    case listingObjectionClosed(listing: Int, closedOn: String?)
    case listingRepairAvailable(listing: Int, from: String?)
    case penaltyDisplayEnded(decisionNo: String, displayUntil: String?)
    case penaltyToPublish(decisionNo: String, publishBy: String?, late: Bool)
    /// The n-th complaint about one business within the window.
    case repeatedComplaints(owner: String, creditCode: String, complaints: Int, days: Int)
    /// An account keeps failing to sign in.
    case failedSignIns(login: String, failures: Int, client: String)
    /// A survey of users (摸排) invites an owner, or reminds it.
    case survey(survey: Int, title: String, closesOn: String, token: String, reminder: Bool)
    /// The monthly 三表 report of a region; `regionName` is set on a county's line sent to it by its city's run.
    case utilityReport(region: String, regionName: String?, month: String, firstVerification: Rate, rotation: Rate, offending: Int)
    /// The annual statistics report of a region.
    case annualReport(region: String, year: Int, onTime: Rate, firstPass: Rate, filing: Rate, coverage: Rate)
    /// A bureau confirmed a telemetry alert, which opened an on-site inspection task (issue #21).
    case inspectionTaskOpened(task: Int, alert: Int, instrument: InstrumentRef, detector: String)

    /// The instrument a notice is about, as it was named when the notice was raised.
    public struct InstrumentRef: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var code: String
        public init(id: Int, name: String, code: String) {
            self.id = id
            self.name = name
            self.code = code
        }
    }

    /// Where a notice points, for the server to turn into an address (the store knows no URLs).
    public enum Link: Sendable, Equatable {
        case instrument(Int)
        case publicSurvey(token: String)
        case listing(Int)
        case penalties
        case utilityReport(region: String, month: String)
        case annualReport(region: String, year: Int)
        case telemetryAlert(Int)
    }

    public var link: Link? {
        switch self {
        case .warning(_, let i, _): .instrument(i.id)
        case .survey(_, _, _, let token, _): .publicSurvey(token: token)
        case .listingProposed(let id, _, _), .listingRemoved(let id, _), .listingObjectionClosed(let id, _), .listingRepairAvailable(let id, _):
            .listing(id)
        case .penaltyDisplayEnded, .penaltyToPublish: .penalties
        case .utilityReport(let region, _, let month, _, _, _): .utilityReport(region: region, month: month)
        case .annualReport(let region, let year, _, _, _, _): .annualReport(region: region, year: year)
        case .inspectionTaskOpened(_, let alert, _, _): .telemetryAlert(alert)
        case .failedSignIns, .warningRunSilent, .repeatedComplaints: nil
        }
    }

    public var json: String { String(decoding: try! JSONEncoder.sorted.encode(self), as: UTF8.self) }

    public init?(json: String?) {
        guard let json, let n = try? JSONDecoder().decode(Notice.self, from: Data(json.utf8)) else { return nil }
        self = n
    }
}

extension WarningKind: Codable {}

extension InboxMessageModel {
    /// The facts of a message stored since migration 028 (nil for an older row: show its text).
    public var decodedNotice: Notice? { Notice(json: notice) }
}

extension WarningModel {
    public var decodedNotice: Notice? { Notice(json: notice) }
}

extension OutboxMessageModel {
    public var decodedNotice: Notice? { Notice(json: notice) }
}

/// Putting notices in inboxes and the SMS outbox.
public enum Notices {
    /// A message in one inbox (`owner:<id>`, `region:<code>` or `admin`).
    public static func send(_ n: Notice, to recipient: String, warningID: Int? = nil, now: Date = Date(), on db: any Database) async throws {
        let m = InboxMessageModel()
        m.recipient = recipient
        m.subject = ""
        m.body = ""
        m.notice = n.json
        m.warningID = warningID
        m.createdAt = now
        try await m.create(on: db)
    }

    /// An SMS for a gateway to word (in Chinese, with the owner's name) and send.
    public static func queueSMS(_ n: Notice, to phone: String, warningID: Int? = nil, now: Date = Date(), on db: any Database) async throws {
        let m = OutboxMessageModel()
        m.channel = "sms"
        m.address = phone
        m.body = ""
        m.notice = n.json
        m.warningID = warningID
        m.state = "pending"
        m.createdAt = now
        try await m.create(on: db)
    }
}
