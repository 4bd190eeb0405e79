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
        let chars = Array(raw.uppercased().filter { $0 != "-" && $0 != " " })
        guard chars.count == 19 else { throw .wrongLength(chars.count) }
        for i in 0..<6 where !chars[i].isASCIIDigit { throw .invalidCharacter(position: i + 1, character: chars[i]) }
        for i in 6..<18 where !InstrumentCode.randomAlphabet.contains(chars[i]) {
            throw .invalidCharacter(position: i + 1, character: chars[i])
        }
        guard InstrumentCode.checkAlphabet.contains(chars[18]) else {
            throw .invalidCharacter(position: 19, character: chars[18])
        }
        guard InstrumentCode.checkCharacter(for: chars[0..<18]) == chars[18] else { throw .wrongCheckCharacter }
        value = String(chars)
    }

    /// Issues a new code for a region with randomness from `generator` (system CSPRNG in production;
    /// a seeded generator only for the deterministic demo province).
    public static func issue(region: RegionCode, using generator: inout some RandomNumberGenerator) -> InstrumentCode {
        var chars = Array(region.value)
        for _ in 0..<12 { chars.append(randomAlphabet[Int(generator.next(upperBound: UInt8(32)))]) }
        chars.append(checkCharacter(for: chars[...]))
        return try! InstrumentCode(validating: String(chars))
    }

    /// ISO/IEC 7064 MOD 37-2: the weighted sum of all 19 characters (weights 2^k mod 37) is 1 mod 37.
    /// (The hybrid MOD 37,36 system, tried first, misses some adjacent swaps; the tests found it.)
    static func checkCharacter(for chars: ArraySlice<Character>) -> Character {
        var p = 0
        for c in chars {
            let v = c.isASCIIDigit ? Int(c.asciiValue! - 48) : Int(c.asciiValue! - 55)
            p = ((p + v) * 2) % 37
        }
        return checkAlphabet[(38 - p) % 37]
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
