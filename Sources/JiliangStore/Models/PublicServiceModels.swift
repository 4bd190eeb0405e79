import FluentKit
import Foundation

/// A citizen's complaint or report (投诉举报) about an instrument or a business. The citizen holds
/// only the unguessable tracking code; the contact is personal data that only the handling bureau
/// sees (and the audit log leaves out).
public final class ComplaintModel: Model, @unchecked Sendable {
    public static let schema = "complaints"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "tracking_code") public var trackingCode: String
    @Field(key: "subject") public var subject: String
    @OptionalField(key: "instrument_id") public var instrumentID: Int?
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "category") public var category: String
    @Field(key: "text") public var text: String
    @OptionalField(key: "citizen_contact") public var citizenContact: String?
    @Field(key: "has_photo") public var hasPhoto: Bool
    @Field(key: "state") public var state: String
    @OptionalField(key: "assigned_to") public var assignedTo: String?
    @OptionalField(key: "reply") public var reply: String?
    @OptionalField(key: "outcome") public var outcome: String?
    @Field(key: "received_on") public var receivedOn: String
    @Field(key: "deadline") public var deadline: String
    @OptionalField(key: "closed_on") public var closedOn: String?
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
}

/// One step of a complaint's handling, as the citizen following it sees it.
public final class ComplaintEventModel: Model, @unchecked Sendable {
    public static let schema = "complaint_events"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "complaint_id") public var complaintID: Int
    @Field(key: "at") public var at: Date
    @Field(key: "actor") public var actor: String
    @Field(key: "action") public var action: String
    @OptionalField(key: "note") public var note: String?
    public init() {}
}

/// The photo a citizen attached (checked JPEG or PNG, at most 2 MB), kept apart from the complaint
/// so that lists never load it.
public final class ComplaintPhotoModel: Model, @unchecked Sendable {
    public static let schema = "complaint_photos"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "complaint_id") public var complaintID: Int
    @Field(key: "content_type") public var contentType: String
    @Field(key: "bytes") public var bytes: Data
    public init() {}
}

/// A free-check session an institution offers (e.g. blood-pressure meters on the 20th of each month).
public final class CheckSlotModel: Model, @unchecked Sendable {
    public static let schema = "check_slots"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "institution_id") public var institutionID: Int
    @Field(key: "day") public var day: String
    @Field(key: "time") public var time: String
    @Field(key: "place") public var place: String
    @Field(key: "items") public var items: String
    @Field(key: "capacity") public var capacity: Int
    @Field(key: "booked") public var booked: Int
    @Field(key: "created_by") public var createdBy: String
    public init() {}
}

/// A citizen's free check: a household instrument booked into a slot, or a utility meter check
/// asked for at home (你点我检). The booking code is the citizen's only key to it.
public final class FreeCheckModel: Model, @unchecked Sendable {
    public static let schema = "free_checks"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "code") public var code: String
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "slot_id") public var slotID: Int?
    @Field(key: "institution_id") public var institutionID: Int
    @Field(key: "item") public var item: String
    @OptionalField(key: "utility_id") public var utilityID: Int?
    @OptionalField(key: "meter_no") public var meterNo: String?
    @OptionalField(key: "address") public var address: String?
    @OptionalField(key: "contact_name") public var contactName: String?
    @OptionalField(key: "contact_phone") public var contactPhone: String?
    @Field(key: "state") public var state: String
    @OptionalField(key: "result") public var result: String?
    @OptionalField(key: "result_note") public var resultNote: String?
    @OptionalField(key: "done_on") public var doneOn: String?
    @OptionalField(key: "recorded_by") public var recordedBy: String?
    @Field(key: "created_on") public var createdOn: String
    public init() {}
}

/// A public campaign page (3.15, 5.20 World Metrology Day, quality month) with an optional quiz.
public final class CampaignModel: Model, @unchecked Sendable {
    public static let schema = "campaigns"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "slug") public var slug: String
    @Field(key: "event") public var event: String
    @Field(key: "title") public var title: String
    @Field(key: "title_en") public var titleEn: String
    @Field(key: "body") public var body: String
    @Field(key: "body_en") public var bodyEn: String
    @Field(key: "starts_on") public var startsOn: String
    @Field(key: "ends_on") public var endsOn: String
    @Field(key: "published") public var published: Bool
    public init() {}
}

public final class QuizQuestionModel: Model, @unchecked Sendable {
    public static let schema = "quiz_questions"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "campaign_id") public var campaignID: Int
    @Field(key: "position") public var position: Int
    @Field(key: "question") public var question: String
    @Field(key: "options") public var options: String
    @Field(key: "answer") public var answer: Int
    @Field(key: "explanation") public var explanation: String
    public init() {}
}

/// A quiz score, kept without any personal data (for the campaign's participation figures).
public final class QuizAttemptModel: Model, @unchecked Sendable {
    public static let schema = "quiz_attempts"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "campaign_id") public var campaignID: Int
    @Field(key: "score") public var score: Int
    @Field(key: "total") public var total: Int
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
}
