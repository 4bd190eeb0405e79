import FluentKit
import Foundation

/// A social public measurement standard (社会公用计量标准) held by an institution.
public final class StandardModel: Model, @unchecked Sendable {
    public static let schema = "measurement_standards"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "institution_id") public var institutionID: Int
    @Field(key: "name") public var name: String
    @Field(key: "certificate_no") public var certificateNo: String
    @Field(key: "valid_from") public var validFrom: String
    @Field(key: "valid_until") public var validUntil: String
    @Field(key: "measuring_range") public var measuringRange: String
    @Field(key: "uncertainty") public var uncertainty: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    public init() {}
}

/// A catalogue sub-item a standard serves.
public final class StandardItemModel: Model, @unchecked Sendable {
    public static let schema = "standard_items"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Its parent row's region, copied (M041: a database distributed by region places it there).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "standard_id") public var standardID: Int
    @Field(key: "sub_no") public var subNo: Int
    public init() {}
}

/// A region (subtree) a standard serves.
public final class StandardRegionModel: Model, @unchecked Sendable {
    public static let schema = "standard_regions"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "standard_id") public var standardID: Int
    @Field(key: "region_code") public var regionCode: String
    public init() {}
}

/// A construction target: every region of `level` should hold a standard for `subNo`.
public final class StandardTargetModel: Model, @unchecked Sendable {
    public static let schema = "standard_targets"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "level") public var level: String
    @Field(key: "sub_no") public var subNo: Int
    @Field(key: "updated_by") public var updatedBy: String
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    public init() {}
}
