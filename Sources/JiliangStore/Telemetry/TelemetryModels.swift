import FluentKit
import Foundation

/// A smart device or gateway bound to a registered instrument (issue #21, item 1), with what its
/// last initialisation authorised (software identification, pulse equivalent).
public final class TelemetryDeviceModel: Model, @unchecked Sendable {
    public static let schema = "telemetry_devices"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "software_id") public var softwareID: String?
    @OptionalField(key: "pulse_equivalent") public var pulseEquivalent: Double?
    @Field(key: "registered_by") public var registeredBy: String
    @Field(key: "registered_at") public var registeredAt: Date
    @OptionalField(key: "last_seen_at") public var lastSeenAt: Date?
    public init() {}
}

/// What a detector found on a device's readings; open until a bureau reviews it.
public final class TelemetryFindingModel: Model, @unchecked Sendable {
    public static let schema = "telemetry_findings"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
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
    public init() {}
}
