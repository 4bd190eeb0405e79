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

    /// Validates and normalises (trims, upper-cases) a code. Works on bytes: it runs once per
    /// imported row.
    public init(validating raw: some StringProtocol) throws(Problem) {
        var text = raw.trimmingCharactersInWhitespace()
        if text.utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) { text = text.uppercased() }
        guard text.utf8.count == 18, text.utf8.allSatisfy({ $0 < 0x80 }) else {
            let chars = Array(text)
            if chars.count != 18 { throw .wrongLength(chars.count) }
            guard let bad = chars.firstIndex(where: { CreditCode.valueOf[$0] == nil }) else { throw .wrongLength(text.utf8.count) }
            throw .invalidCharacter(position: bad + 1, character: chars[bad])
        }
        let bytes = Array(text.utf8)
        var sum = 0
        for (i, b) in bytes.enumerated() {
            let v = CreditCode.byteValue[Int(b)]
            guard v >= 0 else { throw .invalidCharacter(position: i + 1, character: Character(Unicode.Scalar(b))) }
            if i < 17 { sum += Int(v) * CreditCode.weights[i] }
        }
        guard bytes[2..<8].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidRegion(String(decoding: bytes[2..<8], as: UTF8.self))
        }
        let expected = CreditCode.alphabet[(31 - sum % 31) % 31]
        let found = Character(Unicode.Scalar(bytes[17]))
        guard found == expected else { throw .wrongCheckCharacter(expected: expected, found: found) }
        value = text
    }

    /// Each ASCII byte's value in the alphabet, or -1.
    static let byteValue: [Int8] = {
        var t = [Int8](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { t[Int(c.asciiValue!)] = Int8(i) }
        return t
    }()

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
        // Fast path for the common case (a million import cells): the first and last bytes are
        // printable ASCII, so there is nothing to trim and no Unicode property to look up.
        let whole = String(self)
        if let first = whole.utf8.first, let last = whole.utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return whole
        }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
