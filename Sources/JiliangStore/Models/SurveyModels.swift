import FluentKit
import Foundation

/// A survey of the users of mandatory instruments (使用单位摸排) in one industry and region.
public final class SurveyModel: Model, @unchecked Sendable {
    public static let schema = "surveys"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "title") public var title: String
    @Field(key: "industry") public var industry: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "opened_on") public var openedOn: String
    @Field(key: "closes_on") public var closesOn: String
    @Field(key: "opened_by") public var openedBy: String
    @Field(key: "state") public var state: String
    public init() {}
}

/// One owner's part in a survey: invited (or joined through the public link), answered or silent,
/// chased how often. The token is its personal link (`/p/survey/{token}`).
public final class SurveyInvitationModel: Model, @unchecked Sendable {
    public static let schema = "survey_invitations"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "survey_id") public var surveyID: Int
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "token") public var token: String
    @Field(key: "joined") public var joined: Bool
    @Field(key: "invited_at") public var invitedAt: Date
    @OptionalField(key: "answered_at") public var answeredAt: Date?
    @Field(key: "chase_count") public var chaseCount: Int
    @OptionalField(key: "last_chased_at") public var lastChasedAt: Date?
    public init() {}
}

/// A request to join a survey from its public link, by an owner not (known to be) registered. The
/// bureau accepts it — the owner is registered if it was not, and invited at its registered
/// contacts if it was — or rejects it. Public input never enters the registry unchecked.
public final class SurveyJoinRequestModel: Model, @unchecked Sendable {
    public static let schema = "survey_join_requests"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "survey_id") public var surveyID: Int
    @Field(key: "name") public var name: String
    @Field(key: "credit_code") public var creditCode: String
    @Field(key: "address") public var address: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "contact_phone") public var contactPhone: String
    @Field(key: "requested_at") public var requestedAt: Date
    @Field(key: "state") public var state: String
    @OptionalField(key: "decided_by") public var decidedBy: String?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    public init() {}
}
