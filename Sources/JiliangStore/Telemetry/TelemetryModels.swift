import FluentKit
import Foundation

/// A smart device or gateway bound to a registered instrument (issue #21, item 1), with what its
/// last initialisation authorised (software identification, pulse equivalent).
public final class TelemetryDeviceModel: Model, @unchecked Sendable {
    public static let schema = "telemetry_devices"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    /// What its gateway calls it; unique per owner (M039).
    @Field(key: "name") public var name: String
    /// "<owner id>/<name>", the owner being the instrument's at registration: the unique key.
    @Field(key: "owner_and_name") public var ownerAndName: String
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "software_id") public var softwareID: String?
    @OptionalField(key: "pulse_equivalent") public var pulseEquivalent: Double?
    @Field(key: "registered_by") public var registeredBy: String
    @Field(key: "registered_at") public var registeredAt: Date
    @OptionalField(key: "last_seen_at") public var lastSeenAt: Date?
    /// When the server last received a reading of it (its own clock gives `lastSeenAt`).
    @OptionalField(key: "last_received_at") public var lastReceivedAt: Date?
    /// The gateway's API token, when the device is bound to one: then only that token may send
    /// its readings (one credential per gateway).
    @OptionalField(key: "gateway_token_id") public var gatewayTokenID: Int?
    public init() {}
}

/// What a detector found on a device's readings; open until a bureau reviews it.
public final class TelemetryFindingModel: Model, @unchecked Sendable {
    public static let schema = "telemetry_findings"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "device_id") public var deviceID: Int
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "detector") public var detector: String
    @Field(key: "first_seq") public var firstSeq: Int64
    /// What it is about (`Finding.subject`): the same subject found again is the same finding.
    @Field(key: "subject") public var subject: String
    @Field(key: "at") public var at: Date
    /// The readings it rests on, by sequence number, comma-separated.
    @Field(key: "seqs") public var seqs: String
    /// Its figures as a JSON object of text, sorted keys.
    @Field(key: "evidence") public var evidence: String
    @Field(key: "state") public var state: String
    @Field(key: "found_at") public var foundAt: Date
    /// The detector's `AlertSeverity` when it was found (the queue sorts by it in SQL).
    @Field(key: "severity") public var severity: Int
    @OptionalField(key: "decided_by") public var decidedBy: String?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    /// The day the decision counts from (credit facts look back two years from a day).
    @OptionalField(key: "decided_on") public var decidedOn: String?
    @OptionalField(key: "decision_reason") public var decisionReason: String?
    /// A confirmed alert's evidence as it was shown — the finding's figures and the readings it
    /// rests on, as the gateway sent them — and that text's SHA-256, which the ledger holds.
    @OptionalField(key: "frozen_evidence") public var frozenEvidence: String?
    @OptionalField(key: "evidence_hash") public var evidenceHash: String?
    @OptionalField(key: "ledger_index") public var ledgerIndex: Int64?
    public init() {}

    public var alertState: AlertState { AlertState(rawValue: state) ?? .open }
}

/// Where a finding stands in a bureau's review.
public enum AlertState: String, Sendable, Codable, CaseIterable {
    case open, confirmed, dismissed
}

/// Work for the region's bureau to do on site (issue #21, item 5: a confirmed alert opens one).
/// Field inspection (a later capability) takes it from here; today it is opened and listed.
public final class InspectionTaskModel: Model, @unchecked Sendable {
    public static let schema = "inspection_tasks"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "owner_id") public var ownerID: Int
    /// What opened it (`telemetry_alert`) and which one (the finding's id).
    @Field(key: "origin") public var origin: String
    @Field(key: "origin_id") public var originID: Int
    @Field(key: "state") public var state: String
    @Field(key: "opened_by") public var openedBy: String
    @Field(key: "opened_at") public var openedAt: Date
    public init() {}
}
