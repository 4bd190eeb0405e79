import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// The binary batch (issue #21, item 2, proto/telemetry.proto): the same readings as NDJSON, read
/// by the same rules — what one encoding keeps or refuses, the other keeps or refuses alike, each
/// refused reading named by its position and field.
@Suite struct ProtobufBatchTests {
    static let now = NDJSONBatchTests.now

    /// Every reading of a simulated fleet (all five kinds, honest and cheating) reads back from
    /// protobuf as it does from its NDJSON line, and is kept as that line.
    @Test func aFleetReadsTheSameFromProtobufAsFromNDJSON() throws {
        let fleet = FleetSimulator.fleet(.init(devices: 10, cheatRate: 0.5, seed: 7, start: Self.now.addingTimeInterval(-86_400 * 3), readingsPerDevice: 40))
        let readings = fleet.devices.flatMap { fleet.readings[$0.name]! }
        let binary = try ProtobufBatch.parse(try ProtobufBatch.encode(readings), receivedAt: .distantFuture)
        let text = NDJSONBatch.parse(Array(readings.map(\.ndjson).joined(separator: "\n").utf8), receivedAt: .distantFuture)
        #expect(binary.errors.isEmpty && text.errors.isEmpty, "\(binary.errors.prefix(3))")
        #expect(binary.readings.count == readings.count)
        // Kept as the same lines, which read back as the same readings.
        let stored = NDJSONBatch.parse(Array(binary.readings.map(\.text).joined(separator: "\n").utf8), receivedAt: .distantFuture)
        #expect(stored.readings.map(\.reading) == text.readings.map(\.reading))
        #expect(binary.readings.map(\.text) == readings.map(\.ndjson))
        #expect(binary.readings.map(\.line) == Array(1...readings.count))
    }

    static func delivery(_ change: (inout Jiliang_Telemetry_V1_Delivery) -> Void) -> Jiliang_Telemetry_V1_Reading {
        var d = Jiliang_Telemetry_V1_Delivery()
        d.nozzle = 1
        d.volume = 10
        d.amount = 75.1
        d.unitPrice = 7.51
        d.start = 1_764_900_000
        d.end = 1_764_900_060
        change(&d)
        var r = Jiliang_Telemetry_V1_Reading()
        r.device = "D"
        r.seq = 5
        r.at = 1_764_900_060
        r.delivery = d
        return r
    }

    /// (the reading, the field named, its reason) — each bad reading between two good ones.
    @Test(arguments: [
        (delivery { $0.clearVolume() }, "volume", Refusal.field(.required)),
        (delivery { $0.nozzle = 17 }, "nozzle", .telemetry(.notInRange(from: 1, to: 16, got: "17"))),
        (delivery { $0.end = 1_764_899_000 }, "end", .telemetry(.endsBeforeStart)),
        (delivery { $0.volume = .nan }, "volume", .telemetry(.notInRange(from: 0, to: 2000, got: "nan"))),
        ({ var r = delivery { _ in }; r.seq = -1; return r }(), "seq", .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "-1"))),
        ({ var r = delivery { _ in }; r.at = -5; return r }(), "at", .telemetry(.notADateTime(got: "-5"))),
        // A number past 2^53 − 1 would be kept rounded; a NUL could not be read back from the stored line.
        ({ var r = delivery { _ in }; r.seq = 9_007_199_254_740_993; return r }(), "seq",
         .telemetry(.notInRange(from: 0, to: 9_007_199_254_740_991, got: "9007199254740992"))),
        (delivery { $0.softwareID = "A1\u{0}B2" }, "software_id", .telemetry(.holdsNUL)),
        ({ var r = delivery { _ in }; r.at = Int64(NDJSONBatchTests.now.timeIntervalSince1970) + 301; return r }(), "at",
         .telemetry(.clockAhead(seconds: 301, allowed: 300))),
        ({ var r = delivery { _ in }; r.clearDevice(); return r }(), "device", .field(.required)),
        ({ var r = delivery { _ in }; r.body = nil; return r }(), "type", .field(.required)),
        ({ var r = delivery { _ in }; var e = Jiliang_Telemetry_V1_ScaleEvent(); e.event = "exploded"; r.scaleEvent = e; return r }(), "event",
         .field(.notOneOf(ScaleEvent.allCases.map(\.rawValue), got: "exploded"))),
    ] as [(Jiliang_Telemetry_V1_Reading, String, Refusal)])
    func aBadReadingIsNamedByItsPositionAndTheRestIsKept(bad: Jiliang_Telemetry_V1_Reading, field: String, reason: Refusal) throws {
        var good = Self.delivery { _ in }
        var batch = Jiliang_Telemetry_V1_Batch()
        batch.readings = [good, bad]
        good.seq = 6
        batch.readings.append(good)
        let b = try ProtobufBatch.parse(try ProtobufBatch.encode(batch), receivedAt: Self.now)
        #expect(b.readings.map(\.line) == [1, 3])
        #expect(b.errors.contains(.init(line: 2, field: field, reason: reason)), "\(b.errors)")
    }

    @Test func aBodyThatIsNotABatchIsRefusedWhole() {
        for body in [Array("{\"device\":\"D\"}\n".utf8), [0xFF, 0xFF, 0xFF, 0xFF], [0x0A, 0x40, 0x01]] {
            #expect(throws: ProtobufBatch.NotProtobuf.self) { try ProtobufBatch.parse(body, receivedAt: Self.now) }
        }
    }

    @Test func tooManyReadingsAreRefusedPastTheLimit() throws {
        var limits = NDJSONBatch.Limits()
        limits.maxLines = 2
        let readings = (1...4).map { Reading(device: "M", seq: Int64($0), at: Self.now, body: .heartbeat) }
        let b = try ProtobufBatch.parse(try ProtobufBatch.encode(readings), receivedAt: Self.now, limits: limits)
        #expect(b.readings.count == 2 && b.errors == [.init(line: 3, field: "", reason: .telemetry(.tooManyLines(max: 2)))])
    }

    /// A reading that does not decode is refused alone; one whose stored line would pass the
    /// 8 KiB a line may have (and so be unreadable to the detectors) is refused as NDJSON's is.
    @Test func aBrokenOrOversizedReadingIsRefusedAlone() throws {
        let good = try ProtobufBatch.encode([Reading(device: "M", seq: 1, at: Self.now, body: .heartbeat)])
        let broken: [UInt8] = [0x0A, 0x02, 0xFF, 0xFF]
        let again = try ProtobufBatch.encode([Reading(device: "M", seq: 2, at: Self.now, body: .heartbeat)])
        let b = try ProtobufBatch.parse(good + broken + again, receivedAt: Self.now)
        #expect(b.readings.map(\.line) == [1, 3] && b.errors == [.init(line: 2, field: "", reason: .telemetry(.notProtobuf))])
        // 64 characters, each with 100 combining marks: within `software_id`'s 64, over 8 KiB as a line.
        let heavy = String(repeating: "a" + String(repeating: "\u{301}", count: 100), count: 64)
        let big = Self.delivery { $0.softwareID = heavy }
        var batch = Jiliang_Telemetry_V1_Batch()
        batch.readings = [big]
        let refused = try ProtobufBatch.parse(try ProtobufBatch.encode(batch), receivedAt: Self.now)
        #expect(refused.readings.isEmpty && refused.errors == [.init(line: 1, field: "", reason: .telemetry(.lineTooLong(maxBytes: 8 << 10)))])
    }
}
