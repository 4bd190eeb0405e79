/// The lifelong instrument code (计量器具唯一识别码), designed in the spirit of GB/T 36377-2018
/// (计量器具识别编码): one code for the instrument's whole life, printed on its QR label, never reused.
///
/// Layout (19 characters, shown in groups as `350102-7K3M-9QXT-R2AB-4`):
/// - 6 digits: the administrative division (GB/T 2260) where the code was issued. It records where
///   the instrument was first filed and never changes when the instrument moves;
/// - 12 characters: 60 random bits in Crockford base32 (no I, L, O, U), drawn from a CSPRNG so that
///   codes cannot be enumerated from a public lookup page;
/// - 1 check character: ISO/IEC 7064 MOD 37-2 (the pure system) over the first 18, which catches
///   every single-character error and every swap of two neighbouring characters when a code is typed
///   by hand. Its 37th symbol is `*`, which QR codes' alphanumeric mode encodes like the others.
/// See docs/instrument-code.md.
public struct InstrumentCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    static let randomAlphabet: [Character] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let checkAlphabet: [Character] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*")

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case wrongLength(Int)
        case invalidCharacter(position: Int, character: Character)
        case wrongCheckCharacter

        public var description: String {
            switch self {
            case .wrongLength(let n): "an instrument code has 19 characters (without hyphens), got \(n)"
            case .invalidCharacter(let p, let c): "character '\(c)' at position \(p) is not allowed"
            case .wrongCheckCharacter: "the check character does not match; the code was mistyped"
            }
        }
    }

    /// Accepts the code with or without group hyphens and spaces, in any letter case.
    public init(validating raw: some StringProtocol) throws(Problem) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(19)
        for b in raw.utf8 where b != UInt8(ascii: "-") && b != UInt8(ascii: " ") {
            bytes.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b)  // ASCII upper-case
        }
        guard bytes.count == 19, bytes.allSatisfy({ $0 < 0x80 }) else {
            let chars = Array(raw.uppercased().filter { $0 != "-" && $0 != " " })
            guard chars.count == 19 else { throw .wrongLength(chars.count) }
            guard let bad = chars.firstIndex(where: { $0.asciiValue == nil }) else { throw .wrongLength(bytes.count) }
            throw .invalidCharacter(position: bad + 1, character: chars[bad])
        }
        for i in 0..<6 where !(bytes[i] >= 0x30 && bytes[i] <= 0x39) {
            throw .invalidCharacter(position: i + 1, character: Character(Unicode.Scalar(bytes[i])))
        }
        for i in 6..<18 where !InstrumentCode.randomAlphabetBytes.contains(bytes[i]) {
            throw .invalidCharacter(position: i + 1, character: Character(Unicode.Scalar(bytes[i])))
        }
        guard InstrumentCode.checkAlphabetBytes.contains(bytes[18]) else {
            throw .invalidCharacter(position: 19, character: Character(Unicode.Scalar(bytes[18])))
        }
        guard InstrumentCode.checkByte(for: bytes[0..<18]) == bytes[18] else { throw .wrongCheckCharacter }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// Issues a new code for a region with randomness from `generator` (system CSPRNG in production;
    /// a seeded generator only for the deterministic demo province). One 64-bit draw gives the 60
    /// random bits, so issuing a million codes costs a million draws, not twelve million.
    public static func issue(region: RegionCode, using generator: inout some RandomNumberGenerator) -> InstrumentCode {
        var bytes = Array(region.value.utf8)
        var bits = generator.next()
        for _ in 0..<12 {
            bytes.append(randomAlphabetBytes[Int(bits & 31)])
            bits >>= 5
        }
        bytes.append(checkByte(for: bytes[...]))
        return InstrumentCode(checked: String(decoding: bytes, as: UTF8.self))
    }

    private init(checked value: String) { self.value = value }

    static let randomAlphabetBytes: [UInt8] = randomAlphabet.map { $0.asciiValue! }
    static let checkAlphabetBytes: [UInt8] = checkAlphabet.map { $0.asciiValue! }

    /// ISO/IEC 7064 MOD 37-2: the weighted sum of all 19 characters (weights 2^k mod 37) is 1 mod 37.
    /// (The hybrid MOD 37,36 system, tried first, misses some adjacent swaps; the tests found it.)
    static func checkByte(for bytes: ArraySlice<UInt8>) -> UInt8 {
        var p = 0
        for b in bytes {
            let v = b <= 0x39 ? Int(b - 48) : Int(b - 55)
            p = ((p + v) * 2) % 37
        }
        return checkAlphabetBytes[(38 - p) % 37]
    }

    /// The grouped form printed on labels.
    public var grouped: String {
        let c = Array(value)
        return [String(c[0..<6]), String(c[6..<10]), String(c[10..<14]), String(c[14..<18]), String(c[18])]
            .joined(separator: "-")
    }

    /// The region the code was issued in.
    public var issuingRegion: String { String(value.prefix(6)) }
}
