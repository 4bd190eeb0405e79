import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// Gateways' date-times (RFC 3339, docs/detectors.md "The wire format"), read from their bytes:
/// every text read gives the instant Foundation's `ISO8601FormatStyle` gives it; what Foundation
/// takes leniently (a day past its month's end, 24:00, a 60th second, text after the date-time, an
/// offset without its colon) is refused.
@Suite struct RFC3339Tests {
    static func foundation(_ s: String) -> Date? {
        if let d = try? Date(s, strategy: Date.ISO8601FormatStyle()) { return d }
        return try? Date(s, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The same instant, to 10 µs: a fraction's last binary digit may round apart (a Date past 2500
    /// holds about 4 µs).
    static func same(_ a: Date?, _ b: Date?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a.timeIntervalSince(b)) < 1e-5
    }

    /// (text, read) — the grammar's boundaries. Each text read is read as Foundation reads it.
    @Test(arguments: [
        ("2026-12-05T09:58:00+08:00", true), ("2026-12-05T01:58:00Z", true), ("2026-12-05T01:58:00-05:30", true),
        ("2026-12-05T01:58:00+00:00", true), ("2026-12-05T01:58:00-00:00", true),
        ("2026-12-05T09:58:00+17:59", true), ("2026-12-05T09:58:00-17:59", true), ("2026-12-05T09:58:00+18:00", false),
        ("1900-01-01T00:00:00Z", true), ("2999-12-31T23:59:59Z", true), ("1899-12-31T23:59:59Z", false), ("3000-01-01T00:00:00Z", false),
        ("2024-02-29T12:00:00+08:00", true), ("2026-02-29T12:00:00+08:00", false), ("2026-04-31T12:00:00+08:00", false),
        ("2026-12-05T24:00:00Z", false), ("2026-12-05T23:60:00Z", false), ("2026-12-05T23:59:60Z", false),
        ("2026-12-05T09:58:00+24:00", false), ("2026-12-05T09:58:00+08:60", false),
        ("2026-12-05T09:58:00.250+08:00", true), ("2026-12-05T09:58:00.5Z", true), ("2026-12-05T09:58:00.123456789Z", true),
        ("2026-12-05T09:58:00.Z", false), ("2026-12-05T09:58:00.1234567890Z", false),
        // Digits enough to overflow a whole number, within the field's 40 characters.
        ("2026-12-05T09:58:00.9999999999999999999Z", false), ("2026-12-05T09:58:00.99999999999999999999", false),
        ("2026-12-05T09:58:00+08:00junk", false), ("2026-12-05T09:58:00Zjunk", false), ("2026-12-05T09:58:00", false),
        ("2026-12-05t09:58:00z", false), ("2026-12-05 09:58:00+08:00", false), ("2026-12-05T09:58:00+0800", false),
        ("2026-12-5T09:58:00+08:00", false), ("2026-12-05T09:58:0a+08:00", false), ("２０２６-12-05T09:58:00Z", false),
        ("yesterday", false), ("", false),
    ])
    func theGrammarAndItsBoundaries(text: String, read: Bool) {
        let d = RFC3339.instant(text)
        #expect((d != nil) == read)
        if let d { #expect(Self.same(d, Self.foundation(text)), "\(text)") }
    }

    @Test func anOffsetNamesTheSameInstantAsZ() {
        #expect(RFC3339.instant("2026-12-05T09:58:00+08:00") == RFC3339.instant("2026-12-05T01:58:00Z"))
        #expect(RFC3339.instant("2026-12-05T01:58:00Z") == Date(timeIntervalSince1970: 1_796_435_880))
        #expect(RFC3339.instant("2026-12-05T01:58:00.250Z") == Date(timeIntervalSince1970: 1_796_435_880.25))
    }

    /// 20,000 texts of the grammar's shape, each field drawn over and past its range, a third with
    /// a fraction (seeded): exactly those whose fields are in range are read, each as the instant
    /// Foundation reads.
    @Test func agreesWithFoundationOnTwentyThousandTexts() {
        var g = SeededGenerator(seed: 3339)
        var read = 0
        for _ in 0..<20_000 {
            let year = Int.random(in: 1895...3004, using: &g), month = Int.random(in: 0...13, using: &g), day = Int.random(in: 0...32, using: &g)
            let hour = Int.random(in: 0...25, using: &g), minute = Int.random(in: 0...61, using: &g), second = Int.random(in: 0...61, using: &g)
            let utc = g.chance(0.3), east = g.chance(0.5), oh = Int.random(in: 0...25, using: &g), om = Int.random(in: 0...61, using: &g)
            let fraction = g.chance(0.33) ? "." + String(Int.random(in: 0...999, using: &g)) : ""
            let zone = utc ? "Z" : String(format: "%@%02d:%02d", east ? "+" : "-", oh, om)
            let text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second) + fraction + zone
            let inRange = (1900...2999).contains(year) && CalendarDay(year: year, month: month, day: day) != nil && hour < 24 && minute < 60
                && second < 60 && (utc || (oh < 18 && om < 60))
            let d = RFC3339.instant(text)
            #expect((d != nil) == inRange, "\(text)")
            if let d {
                read += 1
                #expect(Self.same(d, Self.foundation(text)), "\(text)")
            }
        }
        #expect(read > 2_000)
    }
}
