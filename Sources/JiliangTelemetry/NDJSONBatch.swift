import Foundation
import JiliangCore

/// A gateway's batch as newline-delimited JSON (NDJSON, one reading per line), read line by line:
/// every good line is kept and every bad one is named with its field and reason, so a batch with
/// one malformed line loses nothing else (issue #21, "bad input and faults").
public struct NDJSONBatch: Sendable {
    public struct LineError: Sendable, Equatable {
        public var line: Int
        public var field: String
        public var reason: Refusal
        public init(line: Int, field: String, reason: Refusal) {
            self.line = line
            self.field = field
            self.reason = reason
        }
    }

    /// The good lines: their number, the reading, and the line as sent (what is stored).
    public var readings: [(line: Int, reading: Reading, text: String)] = []
    public var errors: [LineError] = []

    /// Limits of one batch: a line's length, the number of lines, and how far ahead of the
    /// server's clock a device's may run before its readings are refused.
    public struct Limits: Sendable {
        public var maxLineBytes = 8 << 10
        public var maxLines = 100_000
        public var allowedClockSkew: TimeInterval = 300
        public init() {}
    }

    public static func parse(_ bytes: some Collection<UInt8>, receivedAt now: Date, limits: Limits = .init()) -> NDJSONBatch {
        var batch = NDJSONBatch()
        var lineNo = 0
        // Lines found with a plain search over one array: the generic `split` ran unspecialised
        // here, a closure call per byte (9 % of ingest).
        let all = bytes as? [UInt8] ?? Array(bytes)
        var start = 0
        while start <= all.count {
            let end = all[start...].firstIndex(of: UInt8(ascii: "\n")) ?? all.count
            defer { start = end + 1 }
            lineNo += 1
            var line = all[start..<end]
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }  // blank lines (and the final newline) are nothing
            if lineNo > limits.maxLines {
                batch.errors.append(.init(line: lineNo, field: "", reason: .telemetry(.tooManyLines(max: limits.maxLines))))
                break
            }
            guard line.count <= limits.maxLineBytes else {
                batch.errors.append(.init(line: lineNo, field: "", reason: .telemetry(.lineTooLong(maxBytes: limits.maxLineBytes))))
                continue
            }
            let read = JSONLine.withObject(line) { object, text in
                var fields = Fields(source: object)
                return (fields.reading(receivedAt: now, limits: limits), fields.errors, text)
            }
            guard let (reading, errors, text) = read else {
                batch.errors.append(.init(line: lineNo, field: "", reason: .telemetry(.notAJSONObject)))
                continue
            }
            if let reading, errors.isEmpty {
                batch.readings.append((lineNo, reading, text))
            } else {
                batch.errors += errors.map { LineError(line: lineNo, field: $0.field, reason: $0.reason) }
            }
        }
        return batch
    }
}

/// One line's fields, checked as they are read; every problem is kept with its field.
struct Fields {
    let source: any FieldSource
    var errors: [FieldError] = []

    init(source: any FieldSource) { self.source = source }

    static let types = ["delivery", "tank_level", "trip", "weighing", "scale_event", "meter_index", "heartbeat"]

    mutating func fail(_ field: String, _ reason: Refusal) { errors.append(FieldError(field, reason)) }

    /// 2^53 − 1: the largest whole number a JSON reader holds exactly (RFC 7493). One above it
    /// would arrive rounded, as another number than the one sent, and pass unnoticed.
    static let largestWhole = Int64(1) << 53 - 1

    mutating func text(_ key: String, max: Int, required: Bool = true) -> String? {
        guard let raw = source.value(key) else {
            if required { fail(key, .field(.required)) }
            return nil
        }
        guard case .string(let s) = raw, !Self.blank(s) else {
            fail(key, .field(.required))
            return nil
        }
        // Kept as an NDJSON line, which must read back as sent (a protobuf reading's text may hold one).
        guard !s.utf8.contains(0) else {
            fail(key, .telemetry(.holdsNUL))
            return nil
        }
        // Code points, as the API's texts are counted (`FieldChecker.longer`).
        guard !FieldChecker.longer(s, than: max) else {
            fail(key, .field(.tooLong(max: max)))
            return nil
        }
        return s
    }

    mutating func number(_ key: String, _ range: ClosedRange<Double>, required: Bool = true) -> Double? {
        guard let raw = source.value(key) else {
            if required { fail(key, .field(.required)) }
            return nil
        }
        // true and false are not numbers here.
        guard case .number(let n) = raw, n.isFinite, range.contains(n) else {
            fail(key, .telemetry(.notInRange(from: range.lowerBound, to: range.upperBound, got: raw.given)))
            return nil
        }
        return n
    }

    mutating func whole(_ key: String, _ range: ClosedRange<Int64>, required: Bool = true) -> Int64? {
        guard let d = number(key, Double(range.lowerBound)...Double(range.upperBound), required: required) else { return nil }
        guard d == d.rounded(.towardZero) else {
            fail(key, .telemetry(.notInRange(from: Double(range.lowerBound), to: Double(range.upperBound), got: "\(d)")))
            return nil
        }
        return Int64(d)
    }

    mutating func instant(_ key: String, required: Bool = true) -> Date? {
        guard let s = text(key, max: 40, required: required) else { return nil }
        guard let d = Self.rfc3339(s) else {
            fail(key, .telemetry(.notADateTime(got: s)))
            return nil
        }
        return d
    }

    mutating func flag(_ key: String) -> Bool {
        guard let raw = source.value(key) else { return false }
        guard case .bool(let b) = raw else {
            fail(key, .field(.notOneOf(["true", "false"], got: raw.given)))
            return false
        }
        return b
    }

    /// Nothing but spaces and tabs (`CharacterSet.whitespaces`: tab and Unicode's space separators,
    /// the ideographic space among them), judged on the scalars without bridging to NSString — a
    /// batch asks this of every text field of every line.
    static func blank(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// RFC 3339, with or without fractional seconds (`RFC3339`).
    static func rfc3339(_ s: String) -> Date? { RFC3339.instant(s) }

    mutating func reading(receivedAt now: Date, limits: NDJSONBatch.Limits) -> Reading? {
        let device = text("device", max: 64)
        let seq = whole("seq", 0...Self.largestWhole)
        let at = instant("at")
        if let at, at.timeIntervalSince(now) > limits.allowedClockSkew {
            fail("at", .telemetry(.clockAhead(seconds: Int(at.timeIntervalSince(now)), allowed: Int(limits.allowedClockSkew))))
        }
        guard let type = text("type", max: 20) else { return nil }
        let body: Reading.Body?
        switch type {
        case "delivery":
            let nozzle = whole("nozzle", 1...16)
            let volume = number("volume", 0...2_000)
            let amount = number("amount", 0...100_000)
            let price = number("unit_price", 0...1_000)
            let pe = number("pulse_equivalent", 0.000_001...10, required: false)
            let pulses = whole("pulses", 0...Self.largestWhole, required: false)
            let software = text("software_id", max: 64, required: false)
            let start = instant("start"), end = instant("end")
            if let start, let end, end < start { fail("end", .telemetry(.endsBeforeStart)) }
            if let nozzle, let volume, let amount, let price, let start, let end {
                body = .delivery(.init(
                    nozzle: Int(nozzle), volume: volume, amount: amount, unitPrice: price, pulseEquivalent: pe, pulses: pulses,
                    softwareID: software, start: start, end: end))
            } else { body = nil }
        case "tank_level":
            let tank = whole("tank", 1...64), level = number("level_mm", 0...50_000), temperature = number("temperature", -60...100, required: false)
            body = tank.flatMap { t in level.map { .tankLevel(.init(tank: Int(t), levelMM: $0, temperature: temperature)) } }
        case "trip":
            let km = number("meter_km", 0...2_000), seconds = number("meter_seconds", 0...86_400 * 2)
            let gnss = number("gnss_km", 0...2_000, required: false), speed = number("gnss_max_kmh", 0...400, required: false)
            let fare = number("fare", 0...100_000)
            body = km.flatMap { k in seconds.flatMap { s in fare.map { .trip(.init(meterKm: k, meterSeconds: s, gnssKm: gnss, gnssMaxKmh: speed, fare: $0)) } } }
        case "weighing":
            let kg = number("kg", 0...100_000), amount = number("amount", 0...1_000_000, required: false)
            body = kg.map { .weighing(.init(kg: $0, amount: amount)) }
        case "scale_event":
            let name = text("event", max: 40)
            if let name, ScaleEvent(rawValue: name) == nil { fail("event", .field(.notOneOf(ScaleEvent.allCases.map(\.rawValue), got: name))) }
            body = name.flatMap(ScaleEvent.init(rawValue:)).map { .scaleEvent($0) }
        case "meter_index":
            let index = number("index", 0...1e12), flow = number("flow", 0...1e6, required: false), reverse = flag("reverse")
            body = index.map { .meterIndex(.init(index: $0, flow: flow, reverse: reverse)) }
        case "heartbeat":
            body = .heartbeat
        default:
            fail("type", .telemetry(.unknownType(type, known: Self.types)))
            body = nil
        }
        guard let device, let seq, let at, let body else { return nil }
        return Reading(device: device, seq: seq, at: at, body: body)
    }
}
