import FluentKit
import Foundation

/// One filing (备案) of an instrument: the owner submits, the bureau approves or returns it with a
/// reason. Each submission is a new row, so the history of returns stays visible.
public final class FilingModel: Model, @unchecked Sendable {
    public static let schema = "filings"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "state") public var state: String  // submitted, approved, returned
    @Field(key: "submitted_by") public var submittedBy: String
    @Field(key: "submitted_at") public var submittedAt: Date
    @OptionalField(key: "decided_by") public var decidedBy: String?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "reason") public var reason: String?
    public init() {}
}

/// An application for verification (检定申请): the owner applies to an institution, the institution
/// accepts and schedules it (on site or in its laboratory) under a working-day deadline, and
/// records the result, which becomes a verification record.
public final class VerificationRequestModel: Model, @unchecked Sendable {
    public static let schema = "verification_requests"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "instrument_id") public var instrumentID: Int
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "institution_id") public var institutionID: Int
    @Field(key: "mode") public var mode: String  // on_site, laboratory
    @Field(key: "state") public var state: String  // applied, accepted, declined, completed
    @OptionalField(key: "note") public var note: String?
    @Field(key: "applied_by") public var appliedBy: String
    @Field(key: "applied_on") public var appliedOn: String
    @OptionalField(key: "accepted_on") public var acceptedOn: String?
    @OptionalField(key: "scheduled_for") public var scheduledFor: String?
    @OptionalField(key: "deadline") public var deadline: String?
    @OptionalField(key: "completed_on") public var completedOn: String?
    @OptionalField(key: "record_id") public var recordID: Int?
    @OptionalField(key: "reason") public var reason: String?
    public init() {}
}

/// A day that is not what its weekday says: a public holiday or a make-up working day (调休).
public final class CalendarDayModel: Model, @unchecked Sendable {
    public static let schema = "calendar_days"
    @ID(custom: .id, generatedBy: .user) public var id: String?  // YYYY-MM-DD
    @Field(key: "kind") public var kind: String  // holiday, workday
    @Field(key: "name") public var name: String
    /// Where the day comes from: the State Council's notice for a shipped day, nil for one an
    /// administrator entered.
    @OptionalField(key: "source") public var source: String?
    public init() {}
}
