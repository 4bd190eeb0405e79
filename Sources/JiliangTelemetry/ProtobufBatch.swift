import Foundation
import JiliangCore
import SwiftProtobuf

/// A gateway's batch in binary (protobuf, proto/telemetry.proto), for volume (issue #21, item 2).
/// Each reading becomes the same field set an NDJSON line has and is checked by the same rules
/// (`Fields.reading`), so the two encodings cannot drift apart: what one refuses, the other refuses
/// with the same field and reason — but for what only a line's JSON can get wrong (a text holding
/// NUL is refused naming its field here, and as not one JSON object in a line, whose reader
/// cannot hold it: `JSONLine`). A reading is kept as its canonical NDJSON line (`Reading.ndjson`),
/// so everything downstream — detection, evidence, the ledger — reads one format. Refusals are
/// numbered by the reading's position in the batch, from 1, as lines are.
public enum ProtobufBatch {
    /// A body that is not a `Batch` message at all.
    public struct NotProtobuf: Error {}

    public static func parse(_ bytes: [UInt8], receivedAt now: Date, limits: NDJSONBatch.Limits = .init()) throws -> NDJSONBatch {
        var batch = NDJSONBatch()
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 8
        // A `Batch` on the wire is its readings one after another, each as field 1 with its
        // length (tag 0x0A). They are decoded one at a time, so that a body of millions of tiny
        // readings is refused past the limit instead of first being decoded whole.
        var records = Records(bytes)
        var number = 0
        while let record = try records.next() {
            number += 1
            if number > limits.maxLines {
                batch.errors.append(.init(line: number, field: "", reason: .telemetry(.tooManyLines(max: limits.maxLines))))
                break
            }
            guard record.count <= limits.maxLineBytes else {
                batch.errors.append(.init(line: number, field: "", reason: .telemetry(.lineTooLong(maxBytes: limits.maxLineBytes))))
                continue
            }
            guard let r = try? Jiliang_Telemetry_V1_Reading(serializedBytes: Array(record), options: options) else {
                batch.errors.append(.init(line: number, field: "", reason: .telemetry(.notProtobuf)))
                continue
            }
            var fields = Fields(source: object(r))
            guard let reading = fields.reading(receivedAt: now, limits: limits), fields.errors.isEmpty else {
                batch.errors += fields.errors.map { NDJSONBatch.LineError(line: number, field: $0.field, reason: $0.reason) }
                continue
            }
            // Kept as its NDJSON line, which must be one the detectors can read back.
            let line = reading.ndjson
            guard line.utf8.count <= limits.maxLineBytes else {
                batch.errors.append(.init(line: number, field: "", reason: .telemetry(.lineTooLong(maxBytes: limits.maxLineBytes))))
                continue
            }
            batch.readings.append((number, reading, line))
        }
        return batch
    }

    /// The top-level records of a `Batch`: field 1, length-delimited. Anything else is not a batch.
    struct Records {
        let bytes: [UInt8]
        var at = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while at < bytes.count, shift < 64 {
                let b = bytes[at]
                at += 1
                value |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
            }
            throw NotProtobuf()
        }

        mutating func next() throws -> ArraySlice<UInt8>? {
            guard at < bytes.count else { return nil }
            guard try varint() == 0x0A else { throw NotProtobuf() }
            let length = try varint()
            guard length <= UInt64(bytes.count - at) else { throw NotProtobuf() }
            defer { at += Int(length) }
            return bytes[at..<at + Int(length)]
        }
    }

    /// The reading's fields under their NDJSON names; an absent field stays absent.
    static func object(_ r: Jiliang_Telemetry_V1_Reading) -> [String: FieldValue] {
        var o: [String: FieldValue] = [:]
        if r.hasDevice { o["device"] = .string(r.device) }
        if r.hasSeq { o["seq"] = .number(Double(r.seq)) }
        if r.hasAt { o["at"] = .string(time(r.at)) }
        func put(_ key: String, _ present: Bool, _ value: @autoclosure () -> FieldValue) { if present { o[key] = value() } }
        switch r.body {
        case .delivery(let d)?:
            o["type"] = .string("delivery")
            put("nozzle", d.hasNozzle, .number(Double(d.nozzle)))
            put("volume", d.hasVolume, .number(Double(d.volume)))
            put("amount", d.hasAmount, .number(Double(d.amount)))
            put("unit_price", d.hasUnitPrice, .number(Double(d.unitPrice)))
            put("pulse_equivalent", d.hasPulseEquivalent, .number(Double(d.pulseEquivalent)))
            put("pulses", d.hasPulses, .number(Double(d.pulses)))
            put("software_id", d.hasSoftwareID, .string(d.softwareID))
            put("start", d.hasStart, .string(time(d.start)))
            put("end", d.hasEnd, .string(time(d.end)))
        case .tankLevel(let t)?:
            o["type"] = .string("tank_level")
            put("tank", t.hasTank, .number(Double(t.tank)))
            put("level_mm", t.hasLevelMm, .number(Double(t.levelMm)))
            put("temperature", t.hasTemperature, .number(Double(t.temperature)))
        case .trip(let t)?:
            o["type"] = .string("trip")
            put("meter_km", t.hasMeterKm, .number(Double(t.meterKm)))
            put("meter_seconds", t.hasMeterSeconds, .number(Double(t.meterSeconds)))
            put("gnss_km", t.hasGnssKm, .number(Double(t.gnssKm)))
            put("gnss_max_kmh", t.hasGnssMaxKmh, .number(Double(t.gnssMaxKmh)))
            put("fare", t.hasFare, .number(Double(t.fare)))
        case .weighing(let w)?:
            o["type"] = .string("weighing")
            put("kg", w.hasKg, .number(Double(w.kg)))
            put("amount", w.hasAmount, .number(Double(w.amount)))
        case .scaleEvent(let e)?:
            o["type"] = .string("scale_event")
            put("event", e.hasEvent, .string(e.event))
        case .meterIndex(let m)?:
            o["type"] = .string("meter_index")
            put("index", m.hasIndex, .number(Double(m.index)))
            put("flow", m.hasFlow, .number(Double(m.flow)))
            put("reverse", m.hasReverse, .bool(m.reverse))
        case .heartbeat?:
            o["type"] = .string("heartbeat")
        case nil:
            break  // no body: refused naming `type`, as a line without one is
        }
        return o
    }

    /// Seconds since 1970 as the NDJSON time; a value no clock gives (before 1970 or after 2100)
    /// is passed on as the number, for the shared rule to refuse naming it.
    static func time(_ seconds: Int64) -> String {
        guard (0...4_102_444_800).contains(seconds) else { return String(seconds) }
        return Reading.time(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// A reading as the protobuf message a gateway would send (the simulator and tests use it).
    public static func message(_ r: Reading) -> Jiliang_Telemetry_V1_Reading {
        var m = Jiliang_Telemetry_V1_Reading()
        m.device = r.device
        m.seq = r.seq
        m.at = Int64(r.at.timeIntervalSince1970.rounded(.down))
        switch r.body {
        case .delivery(let d):
            var x = Jiliang_Telemetry_V1_Delivery()
            x.nozzle = Int32(d.nozzle)
            x.volume = d.volume
            x.amount = d.amount
            x.unitPrice = d.unitPrice
            if let v = d.pulseEquivalent { x.pulseEquivalent = v }
            if let v = d.pulses { x.pulses = v }
            if let v = d.softwareID { x.softwareID = v }
            x.start = Int64(d.start.timeIntervalSince1970.rounded(.down))
            x.end = Int64(d.end.timeIntervalSince1970.rounded(.down))
            m.delivery = x
        case .tankLevel(let t):
            var x = Jiliang_Telemetry_V1_TankLevel()
            x.tank = Int32(t.tank)
            x.levelMm = t.levelMM
            if let v = t.temperature { x.temperature = v }
            m.tankLevel = x
        case .trip(let t):
            var x = Jiliang_Telemetry_V1_Trip()
            x.meterKm = t.meterKm
            x.meterSeconds = t.meterSeconds
            if let v = t.gnssKm { x.gnssKm = v }
            if let v = t.gnssMaxKmh { x.gnssMaxKmh = v }
            x.fare = t.fare
            m.trip = x
        case .weighing(let w):
            var x = Jiliang_Telemetry_V1_Weighing()
            x.kg = w.kg
            if let v = w.amount { x.amount = v }
            m.weighing = x
        case .scaleEvent(let e):
            var x = Jiliang_Telemetry_V1_ScaleEvent()
            x.event = e.rawValue
            m.scaleEvent = x
        case .meterIndex(let i):
            var x = Jiliang_Telemetry_V1_MeterIndex()
            x.index = i.index
            if let v = i.flow { x.flow = v }
            if i.reverse { x.reverse = true }
            m.meterIndex = x
        case .heartbeat:
            m.heartbeat = .init()
        }
        return m
    }

    /// Readings as one binary batch.
    public static func encode(_ readings: [Reading]) throws -> [UInt8] {
        var b = Jiliang_Telemetry_V1_Batch()
        b.readings = readings.map(message)
        return try encode(b)
    }

    /// A batch message as bytes (tests build messages a gateway might get wrong).
    public static func encode(_ batch: Jiliang_Telemetry_V1_Batch) throws -> [UInt8] { try batch.serializedBytes() }
}
