import JiliangCore
import Testing

/// A text's length as the API's contract counts it: JSON Schema 2020-12 Validation §6.3.1
/// (`maxLength`: "the number of characters as defined by RFC 8259", i.e. Unicode code points), of
/// the value as sent — before `FieldChecker.text` trims it. Boundaries at max − 1, max, max + 1.
@Suite struct TextLengthTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var value: String
        var max: Int
        var accepted: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "ASCII, one under", value: String(repeating: "a", count: 9), max: 10, accepted: true),
        Case(name: "ASCII, at the limit", value: String(repeating: "a", count: 10), max: 10, accepted: true),
        Case(name: "ASCII, one over", value: String(repeating: "a", count: 11), max: 10, accepted: false),
        // Three UTF-8 bytes each, one code point each: bytes are not the measure.
        Case(name: "Chinese, at the limit", value: String(repeating: "秤", count: 10), max: 10, accepted: true),
        Case(name: "Chinese, one over", value: String(repeating: "秤", count: 11), max: 10, accepted: false),
        // Outside the BMP: one code point (two UTF-16 units in JSON's \u escapes).
        Case(name: "astral, at the limit", value: String(repeating: "𠀀", count: 10), max: 10, accepted: true),
        // A letter and its combining accent: 2 code points, 1 grapheme cluster (Swift's `count`).
        Case(name: "combining marks, 6 clusters of 12 code points", value: String(repeating: "e\u{301}", count: 6), max: 10, accepted: false),
        Case(name: "combining marks, 5 clusters of 10 code points", value: String(repeating: "e\u{301}", count: 5), max: 10, accepted: true),
        // A family emoji: 5 code points (3 people joined by 2 ZWJ), 1 cluster.
        Case(name: "ZWJ sequence, 3 × 5 code points", value: String(repeating: "👨\u{200D}👩\u{200D}👧", count: 3), max: 10, accepted: false),
        // Whitespace around counts as sent; the stored value is trimmed.
        Case(name: "a tab before the limit's worth", value: "\t" + String(repeating: "a", count: 10), max: 10, accepted: false),
        Case(name: "a tab before one under", value: "\t" + String(repeating: "a", count: 9), max: 10, accepted: true),
    ]

    @Test(arguments: cases) func textIsCountedInCodePointsAsSent(_ c: Case) {
        var checker = FieldChecker()
        let kept = checker.text("reason", c.value, max: c.max)
        #expect((kept != nil) == c.accepted)
        if c.accepted {
            #expect(kept == c.value.trimmingCharactersInWhitespace())
            #expect(checker.errors.isEmpty)
        } else {
            #expect(checker.errors == [FieldError("reason", .tooLong(max: c.max))])
        }
    }
}
