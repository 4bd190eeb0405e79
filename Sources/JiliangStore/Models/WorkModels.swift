import FluentKit
import Foundation

/// A row of the database-backed job queue (no external broker; STYLE.md idiom 10).
public final class JobModel: Model, @unchecked Sendable {
    public static let schema = "jobs"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "kind") public var kind: String
    @Field(key: "payload") public var payload: String
    @Field(key: "state") public var state: String  // queued, running, done, failed
    @Field(key: "run_after") public var runAfter: Date
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @OptionalField(key: "progress_done") public var progressDone: Int?
    @OptionalField(key: "progress_total") public var progressTotal: Int?
    @OptionalField(key: "result") public var result: String?
    @OptionalField(key: "error") public var error: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "finished_at") public var finishedAt: Date?
    /// The actor who queued it (`Principal.actor`); only they and administrators may read it.
    @OptionalField(key: "created_by") public var createdBy: String?
    public init() {}
}

/// What one early-warning run found: the counts are kept so that a run finding nothing where the
/// last found thousands is itself an alarm (reminders that silently stop are worse than none).
public final class WarningRunModel: Model, @unchecked Sendable {
    public static let schema = "warning_runs"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "as_of") public var asOf: String
    @Field(key: "started_at") public var startedAt: Date
    @OptionalField(key: "finished_at") public var finishedAt: Date?
    @Field(key: "found") public var found: Int
    @Field(key: "raised") public var raised: Int
    @Field(key: "counts") public var counts: String  // JSON {kind: n}
    @OptionalField(key: "alarm") public var alarm: String?
    public init() {}
}

/// An early warning about one instrument. (instrument, kind, due date) is unique, so re-running
/// the worker raises nothing twice.
public final class WarningModel: Model, @unchecked Sendable {
    public static let schema = "warnings"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "kind") public var kind: String
    @Field(key: "due_key") public var dueKey: String
    /// The text as worded before migration 028; since then empty, the facts in `notice`.
    @Field(key: "message") public var message: String
    /// The warning as facts (`Notice`, JSON), worded when shown.
    @OptionalField(key: "notice") public var notice: String?
    @Field(key: "run_id") public var runID: Int
    @Field(key: "raised_at") public var raisedAt: Date
    @OptionalField(key: "resolved_at") public var resolvedAt: Date?
    public init() {}
}

/// In-app inbox. The recipient is an owner (`owner:<id>`) or a bureau (`region:<code>`).
public final class InboxMessageModel: Model, @unchecked Sendable {
    public static let schema = "inbox_messages"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "recipient") public var recipient: String
    @Field(key: "subject") public var subject: String
    @Field(key: "body") public var body: String
    @OptionalField(key: "warning_id") public var warningID: Int?
    /// The message as facts (`Notice`, JSON), worded when shown; `subject` and `body` hold the text
    /// of rows from before migration 028 and are empty since.
    @OptionalField(key: "notice") public var notice: String?
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "read_at") public var readAt: Date?
    public init() {}
}

/// Outgoing messages for gateways (SMS, e-mail) to drain later.
public final class OutboxMessageModel: Model, @unchecked Sendable {
    public static let schema = "outbox_messages"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "channel") public var channel: String
    @Field(key: "address") public var address: String
    @Field(key: "body") public var body: String
    @OptionalField(key: "warning_id") public var warningID: Int?
    /// The message as facts (`Notice`, JSON), for the gateway to word; `body` is empty since 028.
    @OptionalField(key: "notice") public var notice: String?
    @Field(key: "state") public var state: String  // pending, sent, failed
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
}
