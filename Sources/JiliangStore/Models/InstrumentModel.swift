import FluentKit
import Foundation

/// A measuring instrument under mandatory management. `complianceBase`, `nextDue` and `dueKind` are
/// derived by `ComplianceEngine` whenever a record, schedule or lifecycle status changes; the status
/// on a given day follows from them without a recomputation (see `ComplianceEngine.status`).
public final class InstrumentModel: Model, @unchecked Sendable {
    public static let schema = "instruments"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "code") public var code: String
    @Field(key: "sub_no") public var subNo: Int
    @Field(key: "name") public var name: String
    @OptionalField(key: "model") public var model: String?
    @Field(key: "serial_no") public var serialNo: String
    @OptionalField(key: "manufacturer") public var manufacturer: String?
    @OptionalField(key: "type_approval_no") public var typeApprovalNo: String?
    @OptionalField(key: "accuracy_class") public var accuracyClass: String?
    @OptionalField(key: "measuring_range") public var measuringRange: String?
    @Field(key: "purpose") public var purpose: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "address") public var address: String
    @OptionalField(key: "latitude") public var latitude: Double?
    @OptionalField(key: "longitude") public var longitude: Double?
    @Field(key: "owner_id") public var ownerID: Int
    @OptionalField(key: "in_service_date") public var inServiceDate: String?
    @Field(key: "lifecycle") public var lifecycle: String
    @OptionalField(key: "meter_type") public var meterType: String?
    @OptionalField(key: "dn") public var dn: Int?
    @OptionalField(key: "q3") public var q3: Double?
    @OptionalField(key: "medium") public var medium: String?
    @OptionalField(key: "batch") public var batch: String?
    /// The family's own fields (`FamilyFields`) as a JSON object of text values; nil when none.
    @OptionalField(key: "attributes") public var attributes: String?
    @Field(key: "compliance_base") public var complianceBase: String
    @OptionalField(key: "next_due") public var nextDue: String?
    @OptionalField(key: "due_kind") public var dueKind: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    public init() {}
}

/// A manually kept schedule (seal check, …) beside the computed verification/rotation schedules.
public final class ScheduleModel: Model, @unchecked Sendable {
    public static let schema = "schedules"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "name") public var name: String
    @Field(key: "due_date") public var dueDate: String
    @OptionalField(key: "interval_months") public var intervalMonths: Int?
    public init() {}
}

/// 检定记录. Append-only: a correction is a new row whose `correctsID` names the row it replaces.
public final class VerificationRecordModel: Model, @unchecked Sendable {
    public static let schema = "verification_records"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "institution_id") public var institutionID: Int
    @Field(key: "verified_on") public var verifiedOn: String
    @Field(key: "kind") public var kind: String
    @Field(key: "result") public var result: String
    @OptionalField(key: "certificate_no") public var certificateNo: String?
    @OptionalField(key: "result_notice_no") public var resultNoticeNo: String?
    @OptionalField(key: "readings") public var readings: String?
    @OptionalField(key: "valid_until") public var validUntil: String?
    @OptionalField(key: "rule_id") public var ruleID: Int?
    @OptionalField(key: "corrects_id") public var correctsID: Int?
    @OptionalField(key: "correction_reason") public var correctionReason: String?
    /// The record's leaf in the tamper-evident ledger; set by the sequencer, never by the API.
    @OptionalField(key: "ledger_index") public var ledgerIndex: Int64?
    @Field(key: "recorded_by") public var recordedBy: String
    @Timestamp(key: "recorded_at", on: .create) public var recordedAt: Date?
    public init() {}
}
