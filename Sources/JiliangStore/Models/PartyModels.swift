import FluentKit
import Foundation

/// 使用单位: an instrument owner. A market organiser's traders point to it through `parentID`.
public final class OwnerModel: Model, @unchecked Sendable {
    public static let schema = "owners"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "credit_code") public var creditCode: String
    @Field(key: "address") public var address: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "industry") public var industry: String
    @OptionalField(key: "contact_name") public var contactName: String?
    @OptionalField(key: "contact_phone") public var contactPhone: String?
    @OptionalField(key: "parent_id") public var parentID: Int?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    public init() {}
}

/// 计量技术机构.
public final class InstitutionModel: Model, @unchecked Sendable {
    public static let schema = "institutions"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "credit_code") public var creditCode: String?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "address") public var address: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    public init() {}
}

/// One line of an institution's authorisation scope: a catalogue sub-item in a region subtree, for a period.
public final class InstitutionScopeModel: Model, @unchecked Sendable {
    public static let schema = "institution_scopes"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "institution_id") public var institutionID: Int
    @Field(key: "sub_no") public var subNo: Int
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "valid_from") public var validFrom: String
    @Field(key: "valid_until") public var validUntil: String
    public init() {}
}
