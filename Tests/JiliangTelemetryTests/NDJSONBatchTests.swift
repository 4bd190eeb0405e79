import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// A gateway's NDJSON batch (issue #21, "bad input and faults"): every good line kept, every bad
/// one named by line, field and reason; a wrong clock flagged, not believed.
@Suite struct NDJSONBatchTests {
    static let now = Fields.rfc3339("2026-12-05T10:00:00+08:00")!

    static func parse(_ lines: [String]) -> NDJSONBatch { NDJSONBatch.parse(Array(lines.joined(separator: "\n").utf8), receivedAt: now) }

    @Test func everyKindOfReadingIsRead() {
        let b = Self.parse([
            #"{"device":"D1","seq":1,"at":"2026-12-05T09:58:00+08:00","type":"delivery","nozzle":2,"volume":40.13,"amount":301.38,"unit_price":7.51,"pulse_equivalent":0.01,"pulses":4013,"software_id":"A1B2","start":"2026-12-05T09:57:00+08:00","end":"2026-12-05T09:58:00+08:00"}"#,
            #"{"device":"G1","seq":1,"at":"2026-12-05T09:58:00+08:00","type":"tank_level","tank":1,"level_mm":1523.4,"temperature":18.5}"#,
            #"{"device":"T1","seq":7,"at":"2026-12-05T09:58:00.250+08:00","type":"trip","meter_km":10.2,"meter_seconds":1260,"gnss_km":10.15,"gnss_max_kmh":62,"fare":33.5}"#,
            #"{"device":"S1","seq":3,"at":"2026-12-05T01:58:00Z","type":"weighing","kg":1.25,"amount":12.5}"#,
            #"{"device":"S1","seq":4,"at":"2026-12-05T01:59:00Z","type":"scale_event","event":"case_opened"}"#,
            #"{"device":"M1","seq":9,"at":"2026-12-05T09:00:00+08:00","type":"meter_index","index":123.456,"flow":0.02,"reverse":false}"#,
            #"{"device":"M1","seq":10,"at":"2026-12-05T09:30:00+08:00","type":"heartbeat"}"#,
            "",
        ])
        #expect(b.errors.isEmpty, "\(b.errors)")
        #expect(b.readings.map(\.reading.type) == ["delivery", "tank_level", "trip", "weighing", "scale_event", "meter_index", "heartbeat"])
        guard case .delivery(let d) = b.readings[0].reading.body else { Issue.record("not a delivery"); return }
        #expect(d.nozzle == 2 && d.pulses == 4013 && d.softwareID == "A1B2" && abs((d.encoderVolume ?? 0) - 40.13) < 1e-9)
        #expect(b.readings[3].reading.at == Fields.rfc3339("2026-12-05T09:58:00+08:00"))
    }

    /// (line, the field named, its reason) — each bad line alone, beside a good one that is kept.
    @Test(arguments: [
        (#"not json"#, "", Refusal.telemetry(.notAJSONObject)),
        (#"[1,2]"#, "", .telemetry(.notAJSONObject)),
        (#"{"seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "device", .field(.required)),
        // Blank is spaces and tabs, the ideographic space (U+3000) among them; 64 characters at most,
        // counted as characters, not bytes.
        (#"{"device":" \t\u3000","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "device", .field(.required)),
        ("{\"device\":\"\(String(repeating: "D", count: 65))\",\"seq\":1,\"at\":\"2026-12-05T09:00:00+08:00\",\"type\":\"heartbeat\"}", "device", .field(.tooLong(max: 64))),
        ("{\"device\":\"\(String(repeating: "加", count: 65))\",\"seq\":1,\"at\":\"2026-12-05T09:00:00+08:00\",\"type\":\"heartbeat\"}", "device", .field(.tooLong(max: 64))),
        (#"{"device":"D","seq":-1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "seq", .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "-1"))),
        (#"{"device":"D","seq":1.5,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "seq", .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "1.5"))),
        (#"{"device":"D","seq":1,"at":"yesterday","type":"heartbeat"}"#, "at", .telemetry(.notADateTime(got: "yesterday"))),
        // RFC 3339 read strictly: no day past its month's end, nothing after the offset (RFC3339Tests).
        (#"{"device":"D","seq":1,"at":"2026-02-30T09:00:00+08:00","type":"heartbeat"}"#, "at", .telemetry(.notADateTime(got: "2026-02-30T09:00:00+08:00"))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00junk","type":"heartbeat"}"#, "at", .telemetry(.notADateTime(got: "2026-12-05T09:00:00+08:00junk"))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00.9999999999999999999Z","type":"heartbeat"}"#, "at", .telemetry(.notADateTime(got: "2026-12-05T09:00:00.9999999999999999999Z"))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T10:05:01+08:00","type":"heartbeat"}"#, "at", .telemetry(.clockAhead(seconds: 301, allowed: 300))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"teleport"}"#, "type", .telemetry(.unknownType("teleport", known: Fields.types))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"delivery","nozzle":17,"volume":1,"amount":7.5,"unit_price":7.5,"start":"2026-12-05T08:59:00+08:00","end":"2026-12-05T09:00:00+08:00"}"#,
         "nozzle", .telemetry(.notInRange(from: 1, to: 16, got: "17"))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"delivery","nozzle":1,"volume":true,"amount":7.5,"unit_price":7.5,"start":"2026-12-05T08:59:00+08:00","end":"2026-12-05T09:00:00+08:00"}"#,
         "volume", .telemetry(.notInRange(from: 0, to: 2000, got: "true"))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"delivery","nozzle":1,"volume":1,"amount":7.5,"unit_price":7.5,"start":"2026-12-05T09:00:00+08:00","end":"2026-12-05T08:59:00+08:00"}"#,
         "end", .telemetry(.endsBeforeStart)),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"scale_event","event":"exploded"}"#, "event", .field(.notOneOf(ScaleEvent.allCases.map(\.rawValue), got: "exploded"))),
        // A value of another kind than the field's is refused naming the field and quoting what came:
        // a number as text, text as a number, an array or an object where a number belongs, a
        // number where a flag belongs; null for a required field is as if it were absent.
        (#"{"device":"D","seq":"1","at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "seq", .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "1"))),
        (#"{"device":7,"seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "device", .field(.required)),
        (#"{"device":null,"seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "device", .field(.required)),
        (#"{"device":"D","seq":1,"at":20261205,"type":"heartbeat"}"#, "at", .field(.required)),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"weighing","kg":[1.5]}"#, "kg", .telemetry(.notInRange(from: 0, to: 100_000, got: "[…]"))),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"weighing","kg":{"v":1.5}}"#, "kg", .telemetry(.notInRange(from: 0, to: 100_000, got: "{…}"))),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"weighing","kg":null}"#, "kg", .field(.required)),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"weighing","kg":100000.5}"#, "kg", .telemetry(.notInRange(from: 0, to: 100_000, got: "100000.5"))),
        (#"{"device":"M","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"meter_index","index":5,"reverse":1}"#, "reverse", .field(.notOneOf(["true", "false"], got: "1"))),
        (#"{"device":"M","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"meter_index","index":5,"reverse":"yes"}"#, "reverse", .field(.notOneOf(["true", "false"], got: "yes"))),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat""#, "", .telemetry(.notAJSONObject)),
        (#""heartbeat""#, "", .telemetry(.notAJSONObject)),
        // One object a line, and nothing after it; no NUL in any string (cJSON's strings end at one).
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"} x"#, "", .telemetry(.notAJSONObject)),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}{"device":"D","seq":2,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "", .telemetry(.notAJSONObject)),
        (#"{"device":"D\u0000X","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "", .telemetry(.notAJSONObject)),
        ("{\"device\":\"D\u{0}X\",\"seq\":1,\"at\":\"2026-12-05T09:00:00+08:00\",\"type\":\"heartbeat\"}", "", .telemetry(.notAJSONObject)),
        // cJSON reads a \u escape that is not four hex digits as NUL too, and takes raw control
        // characters; JSON has neither. A member named twice says two things (readers differ on which).
        (#"{"device":"D\uZZZZX","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "", .telemetry(.notAJSONObject)),
        (#"{"device":"D\u12G4","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "", .telemetry(.notAJSONObject)),
        (#"{"device":"D\u12"}"#, "", .telemetry(.notAJSONObject)),
        ("{\"device\":\"D\u{1B}X\",\"seq\":1,\"at\":\"2026-12-05T09:00:00+08:00\",\"type\":\"heartbeat\"}", "", .telemetry(.notAJSONObject)),
        ("{\"device\":\"D\",\u{1B}\"seq\":1,\"at\":\"2026-12-05T09:00:00+08:00\",\"type\":\"heartbeat\"}", "", .telemetry(.notAJSONObject)),
        (#"{"device":"D","seq":1,"seq":2,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "", .telemetry(.notAJSONObject)),
        (#"{"device":"D","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat",}"#, "", .telemetry(.notAJSONObject)),
        // A lone surrogate is no character.
        (#"{"device":"D\ud800","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "", .telemetry(.notAJSONObject)),
        // Past 2^53 − 1 a number is not held exactly; beyond a double's range it is infinite.
        (#"{"device":"D","seq":9007199254740992,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "seq", .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "9007199254740992"))),
        (#"{"device":"D","seq":9007199254740993,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#, "seq", .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "9007199254740992"))),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"weighing","kg":1e400}"#, "kg", .telemetry(.notInRange(from: 0, to: 100_000, got: "inf"))),
        (#"{"device":"S","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"weighing","kg":1e18}"#, "kg", .telemetry(.notInRange(from: 0, to: 100_000, got: "1000000000000000000"))),
    ] as [(String, String, Refusal)])
    func aBadLineIsNamedAndTheRestIsKept(line: String, field: String, reason: Refusal) {
        let good = #"{"device":"M1","seq":1,"at":"2026-12-05T09:30:00+08:00","type":"heartbeat"}"#
        let b = Self.parse([good, line, good.replacingOccurrences(of: #""seq":1"#, with: #""seq":2"#)])
        #expect(b.readings.map(\.line) == [1, 3])
        #expect(b.errors.contains(.init(line: 2, field: field, reason: reason)), "\(b.errors)")
    }

    /// A line that is not UTF-8 is not JSON; the lines around it are kept.
    @Test func aLineThatIsNotUTF8IsRefused() {
        let good = Array(#"{"device":"M1","seq":1,"at":"2026-12-05T09:30:00+08:00","type":"heartbeat"}"#.utf8)
        var bad = Array(#"{"device":"M"#.utf8) + [0xFF, 0xFE] + Array(#"","seq":2,"at":"2026-12-05T09:30:00+08:00","type":"heartbeat"}"#.utf8)
        bad += [0x0A]
        let b = NDJSONBatch.parse(good + [0x0A] + bad + good, receivedAt: Self.now)
        #expect(b.readings.map(\.line) == [1, 3])
        #expect(b.errors == [.init(line: 2, field: "", reason: .telemetry(.notAJSONObject))])
    }

    /// The other side of the escapes' boundary: a backslash that is itself escaped, before `u0000`,
    /// is text; a pair of surrogates is one character; the largest whole number is kept.
    @Test func escapesThatAreTextAndTheLargestSeqAreKept() {
        let b = Self.parse([
            #"{"device":"D\\u0000","seq":9007199254740991,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#,
            #"{"device":"D\ud83d\ude00","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#,
        ])
        #expect(b.errors.isEmpty, "\(b.errors)")
        #expect(b.readings.map(\.reading.device) == [#"D\u0000"#, "D😀"])
        #expect(b.readings.first?.reading.seq == 9_007_199_254_740_991)
    }

    /// Escapes are read as JSON reads them: a quote, a backslash and a CJK character written as
    /// escapes give the name they stand for.
    @Test func escapedCharactersAreReadAsTheyStandFor() {
        let b = Self.parse([#"{"device":"\"\\\u52a0\u0041","seq":1,"at":"2026-12-05T09:00:00+08:00","type":"heartbeat"}"#])
        #expect(b.errors.isEmpty, "\(b.errors)")
        #expect(b.readings.map(\.reading.device) == ["\"\\加A"])
    }

    /// Optional fields sent as null are absent, and a whole number may be written with an exponent
    /// or a fraction of zero: the line is kept.
    @Test func nullOptionalsAndWrittenOutNumbersAreKept() {
        let b = Self.parse([
            #"{"device":"D","seq":1e3,"at":"2026-12-05T09:00:00+08:00","type":"delivery","nozzle":2.0,"volume":1,"amount":7.5,"unit_price":7.5,"pulse_equivalent":null,"pulses":null,"software_id":null,"start":"2026-12-05T08:59:00+08:00","end":"2026-12-05T09:00:00+08:00"}"#,
            #"{"device":"M","seq":2,"at":"2026-12-05T09:00:00+08:00","type":"meter_index","index":5,"flow":null,"reverse":null}"#,
        ])
        #expect(b.errors.isEmpty, "\(b.errors)")
        #expect(b.readings.map(\.reading.seq) == [1000, 2])
        guard case .delivery(let d) = b.readings.first?.reading.body else { Issue.record("not a delivery"); return }
        #expect(d.nozzle == 2 && d.pulseEquivalent == nil && d.pulses == nil && d.softwareID == nil)
        guard case .meterIndex(let m) = b.readings.last?.reading.body else { Issue.record("not a meter index"); return }
        #expect(m.flow == nil && m.reverse == false)
    }

    /// The other side of those boundaries: a name with a space inside, and 64 characters of three
    /// bytes each (192 bytes), are names.
    @Test(arguments: ["D 1", "\u{3000}D", String(repeating: "加", count: 64), String(repeating: "D", count: 64)])
    func aNameAtTheLimitsIsKept(name: String) {
        let b = Self.parse(["{\"device\":\"\(name)\",\"seq\":1,\"at\":\"2026-12-05T09:00:00+08:00\",\"type\":\"heartbeat\"}"])
        #expect(b.errors.isEmpty && b.readings.map(\.reading.device) == [name], "\(b.errors)")
    }

    @Test func aLongLineAndTooManyLinesAreRefusedWithoutReadingThem() {
        var limits = NDJSONBatch.Limits()
        limits.maxLines = 2
        limits.maxLineBytes = 100
        let heartbeat = #"{"device":"M1","seq":1,"at":"2026-12-05T09:30:00+08:00","type":"heartbeat"}"#
        let long = #"{"device":"\#(String(repeating: "x", count: 200))","seq":1,"at":"2026-12-05T09:30:00+08:00","type":"heartbeat"}"#
        let b = NDJSONBatch.parse(Array([heartbeat, long, heartbeat].joined(separator: "\r\n").utf8), receivedAt: Self.now, limits: limits)
        #expect(b.readings.map(\.line) == [1])
        #expect(b.errors == [.init(line: 2, field: "", reason: .telemetry(.lineTooLong(maxBytes: 100))), .init(line: 3, field: "", reason: .telemetry(.tooManyLines(max: 2)))])
    }
}
