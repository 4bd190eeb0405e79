import FluentKit
import Foundation

/// 行政区划. The code is the key: the hierarchy is in its digits (see `RegionCode.subtreeRange`).
public final class RegionModel: Model, @unchecked Sendable {
    public static let schema = "regions"
    @ID(custom: "code", generatedBy: .user) public var id: String?
    @Field(key: "name") public var name: String
    @Field(key: "level") public var level: String
    @OptionalField(key: "parent_code") public var parentCode: String?
    /// Shown but not operational (金门县, administered by the Taiwan authorities).
    @Field(key: "operational") public var operational: Bool

    public init() {}
    public init(code: String, name: String, level: String, parentCode: String?, operational: Bool = true) {
        self.id = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
        self.operational = operational
    }
}
