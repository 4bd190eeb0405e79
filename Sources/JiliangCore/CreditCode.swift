/// The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a
/// 31-character alphabet (digits and upper-case letters without I, O, Z, S, V); position 18 is a
/// check character computed with weights 3^(i) mod 31.
public struct CreditCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    static let valueOf: [Character: Int] = Dictionary(
        uniqueKeysWithValues: alphabet.enumerated().map { ($0.element, $0.offset) })

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case wrongLength(Int)
        case invalidCharacter(position: Int, character: Character)
        case invalidRegion(String)
        case wrongCheckCharacter(expected: Character, found: Character)

        public var description: String {
            switch self {
            case .wrongLength(let n): "must be 18 characters, got \(n)"
            case .invalidCharacter(let p, let c): "character '\(c)' at position \(p) is not allowed (GB 32100 uses 0-9 and A-Y without I, O, S, V, Z)"
            case .invalidRegion(let r): "positions 3-8 must be a 6-digit administrative division code, got \(r)"
            case .wrongCheckCharacter(let e, let f): "check character is \(f) but should be \(e); the code was mistyped"
            }
        }
    }

    /// Validates and normalises (trims, upper-cases) a code.
    public init(validating raw: some StringProtocol) throws(Problem) {
        let text = raw.trimmingCharactersInWhitespace().uppercased()
        let chars = Array(text)
        guard chars.count == 18 else { throw .wrongLength(chars.count) }
        var sum = 0
        for (i, c) in chars.enumerated() {
            guard let v = CreditCode.valueOf[c] else { throw .invalidCharacter(position: i + 1, character: c) }
            if i < 17 { sum += v * CreditCode.weights[i] }
        }
        let region = String(chars[2..<8])
        guard region.allSatisfy(\.isASCIIDigit) else { throw .invalidRegion(region) }
        let expected = CreditCode.checkCharacter(forFirst17: chars.prefix(17))
        guard chars[17] == expected else { throw .wrongCheckCharacter(expected: expected, found: chars[17]) }
        value = text
    }

    /// The check character for the first 17 characters (which must already be in the alphabet).
    public static func checkCharacter(forFirst17 chars: some Collection<Character>) -> Character {
        var sum = 0
        for (i, c) in chars.enumerated() { sum += valueOf[c]! * weights[i] }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// Builds a valid code from a 17-character body (used by the demo generator and tests).
    public static func withCheckCharacter(body: String) -> CreditCode {
        let code = body + String(checkCharacter(forFirst17: Array(body)))
        return try! CreditCode(validating: code)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    /// Trims ASCII and full-width (U+3000) spaces, which appear in spreadsheets typed in Chinese.
    public func trimmingCharactersInWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
