import FluentKit
import Foundation

/// The province's text of the honest-metrology commitment letter for one sector.
public final class CommitmentTemplateModel: Model, @unchecked Sendable {
    public static let schema = "commitment_templates"
    @ID(custom: "sector", generatedBy: .user) public var id: String?
    @Field(key: "title") public var title: String
    @Field(key: "body") public var body: String
    @Field(key: "updated_at") public var updatedAt: Date
    @Field(key: "updated_by") public var updatedBy: String
    public init() {}
}

/// The province's default checklist for demonstration rounds of one sector.
public final class DemoChecklistModel: Model, @unchecked Sendable {
    public static let schema = "demo_checklists"
    @ID(custom: "sector", generatedBy: .user) public var id: String?
    @Field(key: "criteria") public var criteria: String
    @Field(key: "updated_at") public var updatedAt: Date
    @Field(key: "updated_by") public var updatedBy: String
    public init() {}
}

/// A signed honest-metrology commitment (诚信计量承诺书), with the text as it was signed.
public final class CommitmentModel: Model, @unchecked Sendable {
    public static let schema = "commitments"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "sector") public var sector: String
    @Field(key: "title") public var title: String
    @Field(key: "body") public var body: String
    @Field(key: "signer_name") public var signerName: String
    @Field(key: "signer_title") public var signerTitle: String
    @Field(key: "complaint_phone") public var complaintPhone: String
    @Field(key: "signed_on") public var signedOn: String
    @Field(key: "state") public var state: String
    @OptionalField(key: "ended_on") public var endedOn: String?
    @OptionalField(key: "end_reason") public var endReason: String?
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
}

/// A bureau's evaluation round for demonstration units (诚信计量示范单位) of one sector.
public final class DemoRoundModel: Model, @unchecked Sendable {
    public static let schema = "demo_rounds"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "sector") public var sector: String
    @Field(key: "title") public var title: String
    @Field(key: "criteria") public var criteria: String
    @Field(key: "pass_score") public var passScore: Int
    @Field(key: "valid_months") public var validMonths: Int
    @Field(key: "opens_on") public var opensOn: String
    @Field(key: "closes_on") public var closesOn: String
    @Field(key: "state") public var state: String
    @OptionalField(key: "published_on") public var publishedOn: String?
    @Field(key: "created_by") public var createdBy: String
    public init() {}
}

public final class DemoApplicationModel: Model, @unchecked Sendable {
    public static let schema = "demo_applications"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "round_id") public var roundID: Int
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "statement") public var statement: String
    @Field(key: "applied_on") public var appliedOn: String
    @Field(key: "state") public var state: String
    @OptionalField(key: "total") public var total: Int?
    @OptionalField(key: "awarded_on") public var awardedOn: String?
    @OptionalField(key: "valid_until") public var validUntil: String?
    @OptionalField(key: "revoked_on") public var revokedOn: String?
    @OptionalField(key: "revoke_reason") public var revokeReason: String?
    public init() {}
}

/// One criterion's points for one application, with the evidence the scorer relied on.
public final class DemoScoreModel: Model, @unchecked Sendable {
    public static let schema = "demo_scores"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its application's owner, copied (M041: distributed by owner beside it).
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "application_id") public var applicationID: Int
    @Field(key: "criterion") public var criterion: Int
    @Field(key: "points") public var points: Int
    @Field(key: "evidence") public var evidence: String
    @Field(key: "scored_by") public var scoredBy: String
    @Field(key: "scored_at") public var scoredAt: Date
    public init() {}
}

/// An administrative penalty decision (行政处罚决定) and its publication.
public final class PenaltyModel: Model, @unchecked Sendable {
    public static let schema = "penalties"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "decision_no") public var decisionNo: String
    @Field(key: "kind") public var kind: String
    /// `PenaltyProcedure`: only decisions under the ordinary procedure are published (Order 45 art. 2).
    @Field(key: "procedure") public var procedure: String
    /// `PartyKind`: natural person or organisation (the low-fine thresholds differ).
    @Field(key: "party_kind") public var partyKind: String
    @Field(key: "legal_basis") public var legalBasis: String
    @Field(key: "facts") public var facts: String
    @OptionalField(key: "amount_yuan") public var amountYuan: Int?
    @Field(key: "heavy") public var heavy: Bool
    @Field(key: "decided_on") public var decidedOn: String
    @OptionalField(key: "restriction_until") public var restrictionUntil: String?
    @OptionalField(key: "publish_by") public var publishBy: String?
    @OptionalField(key: "published_on") public var publishedOn: String?
    @OptionalField(key: "display_until") public var displayUntil: String?
    @Field(key: "state") public var state: String
    @OptionalField(key: "withdrawn_on") public var withdrawnOn: String?
    @OptionalField(key: "withdraw_reason") public var withdrawReason: String?
    @Field(key: "recorded_by") public var recordedBy: String
    @Field(key: "created_at") public var createdAt: Date
    /// Food, drug or special-equipment field: a year on display before early ending (else 6 months).
    @Field(key: "special_domain") public var specialDomain: Bool
    @OptionalField(key: "repair_statement") public var repairStatement: String?
    @OptionalField(key: "repair_applied_on") public var repairAppliedOn: String?
    @OptionalField(key: "repaired_on") public var repairedOn: String?
    public init() {}
}

/// Evidence attached to a penalty (PDF, JPEG or PNG, checked by their first bytes).
public final class PenaltyAttachmentModel: Model, @unchecked Sendable {
    public static let schema = "penalty_attachments"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "penalty_id") public var penaltyID: Int
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "bytes") public var bytes: Data
    public init() {}
}

/// A case on the serious-dishonesty list (严重违法失信名单), from proposal to removal.
public final class ListingModel: Model, @unchecked Sendable {
    public static let schema = "listings"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "penalty_id") public var penaltyID: Int
    @Field(key: "reason") public var reason: String
    @Field(key: "state") public var state: String
    @Field(key: "proposed_by") public var proposedBy: String
    @Field(key: "proposed_on") public var proposedOn: String
    @OptionalField(key: "notified_on") public var notifiedOn: String?
    @OptionalField(key: "objection_until") public var objectionUntil: String?
    @OptionalField(key: "objection") public var objection: String?
    @OptionalField(key: "objected_on") public var objectedOn: String?
    @OptionalField(key: "decided_by") public var decidedBy: String?
    @OptionalField(key: "decided_on") public var decidedOn: String?
    @OptionalField(key: "decision_note") public var decisionNote: String?
    /// The region of the bureau that decided (nil: the province, or decided before this was kept).
    @OptionalField(key: "decided_region") public var decidedRegion: String?
    /// The upper-level bureau's consent (needed when `decidedRegion` is below the province).
    @OptionalField(key: "consent_by") public var consentBy: String?
    @OptionalField(key: "consent_on") public var consentOn: String?
    @OptionalField(key: "consent_note") public var consentNote: String?
    @OptionalField(key: "published_on") public var publishedOn: String?
    @OptionalField(key: "repair_eligible_on") public var repairEligibleOn: String?
    @OptionalField(key: "removal_on") public var removalOn: String?
    @OptionalField(key: "repair_statement") public var repairStatement: String?
    @OptionalField(key: "repair_applied_on") public var repairAppliedOn: String?
    @OptionalField(key: "ended_on") public var endedOn: String?
    @OptionalField(key: "end_reason") public var endReason: String?
    public init() {}
}

/// One step of a credit process, with who took it and when (the history staff and the party see).
public final class CreditEventModel: Model, @unchecked Sendable {
    public static let schema = "credit_events"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "owner_id") public var ownerID: Int
    @Field(key: "entity") public var entity: String
    @Field(key: "entity_id") public var entityID: Int
    @Field(key: "action") public var action: String
    @Field(key: "day") public var day: String
    @Field(key: "at") public var at: Date
    @Field(key: "actor") public var actor: String
    @OptionalField(key: "note") public var note: String?
    public init() {}
}

/// An owner's credit-risk class with the facts and contributions it was computed from.
public final class CreditScoreModel: Model, @unchecked Sendable {
    public static let schema = "credit_scores"
    @ID(custom: "owner_id", generatedBy: .user) public var id: Int?
    @Field(key: "score") public var score: Double
    @Field(key: "class") public var creditClass: String
    @Field(key: "facts") public var facts: String
    @Field(key: "contributions") public var contributions: String
    @Field(key: "computed_on") public var computedOn: String
    @Field(key: "stale") public var stale: Bool
    public init() {}
}
