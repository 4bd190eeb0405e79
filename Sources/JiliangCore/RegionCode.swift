/// A GB/T 2260 administrative division code (6 digits): province `35 00 00`, city `35 01 00`,
/// county `35 01 02`.
public struct RegionCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public enum Level: String, Sendable, Codable, CaseIterable { case province, city, county }

    public init?(_ raw: some StringProtocol) {
        let t = raw.trimmingCharactersInWhitespace()
        guard t.count == 6, t.allSatisfy(\.isASCIIDigit), t.prefix(2) != "00" else { return nil }
        value = t
    }

    public static func < (a: RegionCode, b: RegionCode) -> Bool { a.value < b.value }

    public var level: Level {
        if value.hasSuffix("0000") { return .province }
        if value.hasSuffix("00") { return .city }
        return .county
    }

    /// The parent derived from the code itself (county → city → province).
    public var parent: RegionCode? {
        switch level {
        case .province: nil
        case .city: RegionCode(value.prefix(2) + "0000")
        case .county: RegionCode(value.prefix(4) + "00")
        }
    }

    /// The inclusive range of codes in this region's subtree. Because the hierarchy is encoded in
    /// the digits, "everything under 福州市" is the range 350100...350199, which an ordinary B-tree
    /// index answers without a recursive query.
    public var subtreeRange: ClosedRange<String> {
        switch level {
        case .province: (value.prefix(2) + "0000")...(value.prefix(2) + "9999")
        case .city: (value.prefix(4) + "00")...(value.prefix(4) + "99")
        case .county: value...value
        }
    }

    public func contains(_ other: RegionCode) -> Bool { subtreeRange.contains(other.value) }
}
