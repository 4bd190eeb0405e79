/// The codes a citizen holds instead of an account: a complaint's tracking code (投诉查询码) and a
/// free check's booking code. 16 characters of Crockford base32 = 80 random bits from a CSPRNG, so
/// that knowing one code says nothing about any other and guessing one is hopeless even without
/// the rate limits. Shown in groups of four (`7K3M-9QXT-R2AB-4WZC`); typing accepts lower case,
/// spaces and hyphens, and Crockford's look-alikes (O→0, I/L→1).
public struct TrackingCode: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    public static let length = 16

    public static func issue(using generator: inout some RandomNumberGenerator) -> TrackingCode {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        var bits = generator.next()
        for i in 0..<length {
            if i == 12 { bits = generator.next() }  // 12 × 5 = 60 bits from the first draw, 20 from the second
            bytes.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return TrackingCode(checked: String(decoding: bytes, as: UTF8.self))
    }

    /// nil when the text cannot be a code (wrong length or a character outside the alphabet).
    public init?(typed raw: some StringProtocol) {
        var bytes: [UInt8] = []
        for b in raw.utf8 where b != UInt8(ascii: "-") && b != UInt8(ascii: " ") {
            var c = b >= 0x61 && b <= 0x7A ? b - 0x20 : b
            switch c {
            case UInt8(ascii: "O"): c = UInt8(ascii: "0")
            case UInt8(ascii: "I"), UInt8(ascii: "L"): c = UInt8(ascii: "1")
            default: break
            }
            guard Self.alphabet.contains(c) else { return nil }
            bytes.append(c)
            if bytes.count > Self.length { return nil }
        }
        guard bytes.count == Self.length else { return nil }
        value = String(decoding: bytes, as: UTF8.self)
    }

    private init(checked: String) { value = checked }

    public var grouped: String {
        var out = ""
        for (i, c) in value.enumerated() {
            if i > 0, i % 4 == 0 { out.append("-") }
            out.append(c)
        }
        return out
    }
}
