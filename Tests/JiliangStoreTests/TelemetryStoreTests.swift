import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

/// Smart supervision's store (issue #21) on SQLite and PostgreSQL: devices bound to instruments
/// in the caller's scope, a batch kept once per (device, seq) however often it is sent, every bad
/// line named while the good ones stay, and the detectors' findings kept once.
@Suite struct TelemetryStoreTests {
    static let now = ISO8601DateFormatter().date(from: "2026-12-05T02:00:00Z")!
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let otherBureau = Principal(kind: .user, id: 902, label: "siming", role: .bureauStaff, region: Fixtures.otherCounty)

    static func delivery(_ device: String, _ seq: Int, amount: Double = 300.40) -> String {
        #"{"device":"\#(device)","seq":\#(seq),"at":"2026-12-05T09:\#(String(format: "%02d", seq % 60)):00+08:00","type":"delivery","nozzle":1,"volume":40.00,"amount":\#(amount),"unit_price":7.51,"software_id":"A1","start":"2026-12-05T09:00:00+08:00","end":"2026-12-05T09:01:00+08:00"}"#
    }

    static func bytes(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\n").utf8) }

    @Test func aBatchIsKeptOnceAndItsBadLinesAreNamed() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let dispenser = try await Fixtures.instrument(subNo: 10, serial: "JY-1", owner: owner, on: db)
            let device = try await Telemetry.register(
                name: "FZ-GL-0001", instrumentID: dispenser.id, kind: "fuel_dispenser", softwareID: "A1", pulseEquivalent: 0.01, by: Self.bureau, now: Self.now, on: db)
            // The same name again, another county's instrument, a kind no device has: each refused by name.
            await #expect(throws: RegistryError.conflict(field: "name", reason: .telemetry(.deviceNameTaken("FZ-GL-0001")))) {
                try await Telemetry.register(name: "FZ-GL-0001", instrumentID: dispenser.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            }
            await #expect(throws: RegistryError.notFound(.instrument, key: String(dispenser.id!))) {
                try await Telemetry.register(name: "XM-1", instrumentID: dispenser.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.otherBureau, on: db)
            }
            await #expect(throws: ValidationFailure([FieldError("kind", .notOneOf(DeviceKind.allCases.map(\.rawValue), got: "toaster"))])) {
                try await Telemetry.register(name: "X", instrumentID: dispenser.id, kind: "toaster", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            }

            let lines = [
                Self.delivery("FZ-GL-0001", 1), Self.delivery("FZ-GL-0001", 2),
                "not json",
                Self.delivery("NO-SUCH-DEVICE", 3),
                Self.delivery("FZ-GL-0001", 4, amount: 290.00),  // 10 yuan short of 40 L × 7.51: the price arithmetic is wrong
            ]
            let first = try await Telemetry.ingest(Self.bytes(lines), by: Self.bureau, receivedAt: Self.now, on: db)
            #expect(first.accepted == 3 && first.duplicates == 0 && first.findings == 1)
            #expect(first.errors == [
                .init(line: 3, field: "", reason: .telemetry(.notAJSONObject)),
                .init(line: 4, field: "device", reason: .telemetry(.unknownDevice("NO-SUCH-DEVICE"))),
            ])
            // The gateway did not hear back and sends the batch again: nothing is added.
            let again = try await Telemetry.ingest(Self.bytes(lines), by: Self.bureau, receivedAt: Self.now.addingTimeInterval(60), on: db)
            #expect(again.accepted == 0 && again.duplicates == 3 && again.findings == 0)
            struct Count: Decodable { var n: Int }
            let kept = try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM telemetry_readings WHERE device_id = \(bind: device.id!)")
                .first(decoding: Count.self)
            #expect(kept?.n == 3)
            // A line is kept exactly as sent — tabs between tokens, escapes, a backslash — whichever
            // way the database takes it (PostgreSQL's COPY text format escapes them).
            let odd = "{\"device\":\"FZ-GL-0001\",\t\"seq\":5,\"at\":\"2026-12-05T09:05:00+08:00\",\"type\":\"delivery\",\"nozzle\":1,\"volume\":40.00,\"amount\":300.40,\"unit_price\":7.51,\"software_id\":\"A1\",\"note\":\"a\\\\N \\\"q\\\"\",\"start\":\"2026-12-05T09:00:00+08:00\",\"end\":\"2026-12-05T09:01:00+08:00\"}"
            #expect(try await Telemetry.ingest(Self.bytes([odd]), by: Self.bureau, receivedAt: Self.now, on: db).accepted == 1)
            struct Line: Decodable { var line: String }
            let stored = try await (db as! any SQLDatabase).raw("SELECT line FROM telemetry_readings WHERE device_id = \(bind: device.id!) AND seq = 5")
                .first(decoding: Line.self)
            #expect(stored?.line == odd)
            let findings = try await Telemetry.findings(deviceID: nil, scope: Self.bureau.scope, on: db)
            #expect(findings.map(\.detector) == ["price_arithmetic"] && findings.first?.firstSeq == 4 && findings.first?.state == "open")
            #expect(findings.first?.evidence.contains(#""difference":"-10.4""#) == true, "\(findings.first?.evidence ?? "")")
            let seen = try await TelemetryDeviceModel.find(device.id, on: db)
            #expect(seen?.lastSeenAt != nil)
            // Another county's bureau sees neither the device nor its findings, and its batch names the device unknown.
            #expect(try await Telemetry.devices(scope: Self.otherBureau.scope, on: db).isEmpty)
            #expect(try await Telemetry.findings(deviceID: device.id, scope: Self.otherBureau.scope, on: db).isEmpty)
            let foreign = try await Telemetry.ingest(Self.bytes([Self.delivery("FZ-GL-0001", 9)]), by: Self.otherBureau, receivedAt: Self.now, on: db)
            #expect(foreign.accepted == 0 && foreign.errors.map(\.field) == ["device"])
            // An institute's staff may not send readings at all.
            let institute = Principal(kind: .user, id: 903, label: "lab", role: .instituteStaff, institutionID: 1)
            await #expect(throws: RegistryError.forbidden(.notAllowed(.submitReadings))) {
                try await Telemetry.ingest(Self.bytes(lines), by: institute, on: db)
            }
        }
    }

    @Test func theRegulatorSetsWhatADeviceIsHeldToAndAFindingIsFoundOnce() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let dispenser = try await Fixtures.instrument(subNo: 10, serial: "JY-2", owner: owner, on: db)
            let scale = try await Fixtures.instrument(serial: "SC-2", owner: owner, on: db)
            let ownerCaller = Principal(kind: .user, id: 5, label: "station", role: .owner, ownerIDs: [owner.id!])
            // The supervised party does not choose the values it is held to, nor a kind its instrument is not.
            await #expect(throws: ValidationFailure([FieldError("software_id", .telemetry(.authorisedValuesStaffOnly))])) {
                try await Telemetry.register(name: "O-1", instrumentID: dispenser.id, kind: "fuel_dispenser", softwareID: "MINE", pulseEquivalent: nil, by: ownerCaller, on: db)
            }
            await #expect(throws: RegistryError.invalid("kind", .telemetry(.kindDoesNotFit(kind: "fuel_dispenser", instrument: "非自动衡器（最大秤量不大于60kg，分度值不小于1mg）")))) {
                try await Telemetry.register(name: "O-2", instrumentID: scale.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            }
            let device = try await Telemetry.register(
                name: "JY-2-GW", instrumentID: dispenser.id, kind: "fuel_dispenser", softwareID: "A1", pulseEquivalent: nil, by: Self.bureau, on: db)
            // Its own gateway (the owner's token) sends; a software change shows, and stays one
            // finding however many batches carry it.
            func delivery(_ seq: Int, software: String) -> String {
                #"{"device":"JY-2-GW","seq":\#(seq),"at":"2026-12-05T09:00:00+08:00","type":"delivery","nozzle":1,"volume":40,"amount":300.4,"unit_price":7.51,"software_id":"\#(software)","start":"2026-12-05T08:59:00+08:00","end":"2026-12-05T09:00:00+08:00"}"#
            }
            var total = 0
            for batch in 0..<4 {
                let lines = (1...3).map { delivery(batch * 3 + $0, software: batch == 0 && $0 == 1 ? "A1" : "C3") }
                total += try await Telemetry.ingest(Self.bytes(lines), by: ownerCaller, receivedAt: Self.now, on: db).findings
            }
            #expect(total == 1)
            let findings = try await Telemetry.findings(deviceID: device.id, scope: Self.bureau.scope, on: db)
            #expect(findings.map(\.subject) == ["software:C3"])
            // A sequence number used again for other contents is named, not counted as a retry.
            let reused = try await Telemetry.ingest(Self.bytes([delivery(2, software: "ZZ")]), by: ownerCaller, receivedAt: Self.now, on: db)
            #expect(reused.accepted == 0 && reused.duplicates == 0 && reused.errors == [.init(line: 1, field: "seq", reason: .telemetry(.sequenceReused(seq: 2)))])
        }
    }

    @Test func aDeviceGoneQuietIsFoundOncePerSilence() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(serial: "SC-3", owner: owner, on: db)
            let device = try await Telemetry.register(name: "SC-3-GW", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            func heartbeat(_ seq: Int, _ at: String) -> [UInt8] {
                Array(#"{"device":"SC-3-GW","seq":\#(seq),"at":"\#(at)","type":"heartbeat"}"#.utf8)
            }
            _ = try await Telemetry.ingest(heartbeat(1, "2026-12-05T10:00:00+08:00"), by: Self.bureau, receivedAt: Self.now, on: db)
            // Heard at 10:00: silent at 10:59 is not yet an hour; at 11:01 it is, and once only.
            #expect(try await Telemetry.recordSilence(now: Self.now.addingTimeInterval(59 * 60), on: db) == 0)
            #expect(try await Telemetry.recordSilence(now: Self.now.addingTimeInterval(61 * 60), on: db) == 1)
            #expect(try await Telemetry.recordSilence(now: Self.now.addingTimeInterval(90 * 60), on: db) == 0)
            // It speaks again, then falls silent again: a second silence, a second finding.
            _ = try await Telemetry.ingest(heartbeat(2, "2026-12-05T12:00:00+08:00"), by: Self.bureau, receivedAt: Self.now.addingTimeInterval(7200), on: db)
            #expect(try await Telemetry.recordSilence(now: Self.now.addingTimeInterval(7200 + 3601), on: db) == 1)
            let found = try await Telemetry.findings(deviceID: device.id, scope: Self.bureau.scope, on: db)
            #expect(found.map(\.detector) == ["device_silent", "device_silent"])
        }
    }

    /// The detectors carry their state between batches (DetectorState), and it is written with the
    /// readings it has seen. A reading that fills a gap after later ones were judged, and a device
    /// whose readings were stored without detection, have the state built again from the stored
    /// readings in the device's order — so what is found does not depend on how batches fell.
    @Test func aGapFilledLateIsJudgedInTheDevicesOrder() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let meter = try await Fixtures.instrument(subNo: 14, serial: "SB-9", owner: owner, meter: (.water, 20, nil), on: db)
            let device = try await Telemetry.register(name: "SB-9-GW", instrumentID: meter.id, kind: "utility_meter", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            func index(_ seq: Int, _ value: Double) -> String {
                // A day apart: a rule broken by single readings is one finding a day (Finding.subject).
                #"{"device":"SB-9-GW","seq":\#(seq),"at":"2026-11-2\#(seq)T10:00:00+08:00","type":"meter_index","index":\#(value)}"#
            }
            struct State: Decodable { var detector_state: String? }
            func state() async throws -> DetectorState? {
                try await (db as! any SQLDatabase).raw("SELECT detector_state FROM telemetry_devices WHERE id = \(bind: device.id!)")
                    .first(decoding: State.self)?.detector_state.map(DetectorState.decoded)
            }
            // Stored without detection (the benchmark's storage bound): no state is left.
            _ = try await Telemetry.ingest(Self.bytes([index(1, 10), index(2, 11)]), by: Self.bureau, receivedAt: Self.now, detect: false, on: db)
            #expect(try await state() == nil)
            // The next batch builds it from all three stored readings: 2 → 3 runs backwards.
            let built = try await Telemetry.ingest(Self.bytes([index(3, 10.5)]), by: Self.bureau, receivedAt: Self.now, on: db)
            #expect(built.findings == 1)
            #expect(try await state()?.lastSeq == 3)
            // 4 is lost on the way; 5 and 6 come and are judged on what is new only.
            #expect(try await Telemetry.ingest(Self.bytes([index(5, 12), index(6, 13)]), by: Self.bureau, receivedAt: Self.now, on: db).findings == 0)
            #expect(try await state()?.lastSeq == 6)
            // 4 comes late, below 3's index: judged between 3 and 5, not after 6.
            let late = try await Telemetry.ingest(Self.bytes([index(4, 10.2)]), by: Self.bureau, receivedAt: Self.now, on: db)
            #expect(late.accepted == 1 && late.findings == 1)
            let found = try await Telemetry.findings(deviceID: device.id, scope: Self.bureau.scope, on: db)
            #expect(Set(found.map(\.seqs)) == ["2,3", "3,4"] && found.allSatisfy { $0.detector == "meter_backwards" })
            #expect(try await state()?.lastSeq == 6)
            // Sent again, nothing is added and nothing found again.
            let again = try await Telemetry.ingest(Self.bytes([index(4, 10.2), index(6, 13)]), by: Self.bureau, receivedAt: Self.now, on: db)
            #expect(again.accepted == 0 && again.findings == 0)
        }
    }
    /// A device's name is unique per owner, not province-wide (M039): two owners may both have a
    /// "PUMP-1", and registering one tells nobody of another owner's; a batch's name goes to the
    /// one device of it the sender may send for — the one bound to its gateway credential, or the
    /// only one it may see — and a name that is still several devices' is refused by line.
    @Test func aDeviceNameIsUniquePerOwner() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owners = [try await Fixtures.owner(1, on: db), try await Fixtures.owner(2, on: db), try await Fixtures.owner(3, on: db)]
            var pumps: [Int] = []
            for (i, o) in owners.enumerated() { pumps.append(try await Fixtures.instrument(subNo: 10, serial: "PUMP-\(i)", owner: o, on: db).id!) }
            let token = APITokenModel()
            (token.name, token.tokenHash, token.role, token.regionCode) = ("gateway B", "unused", "bureau_staff", Fixtures.county.value)
            (token.permissions, token.createdBy, token.createdAt) = ("telemetry:write", "tests", Self.now)
            try await token.save(on: db)
            let a = try await Telemetry.register(
                name: "PUMP-1", instrumentID: pumps[0], kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, now: Self.now, on: db)
            let b = try await Telemetry.register(
                name: "PUMP-1", instrumentID: pumps[1], kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, gatewayTokenID: token.id, by: Self.bureau,
                now: Self.now, on: db)
            // Owner 3 registers its own PUMP-1: nothing tells it of the other owners' devices.
            let ownerC = Principal(kind: .user, id: 803, label: "owner3", role: .owner, ownerIDs: [owners[2].id!])
            let c = try await Telemetry.register(
                name: "PUMP-1", instrumentID: pumps[2], kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: ownerC, now: Self.now, on: db)
            #expect(Set([a.id, b.id, c.id]).count == 3 && [a, b, c].allSatisfy { $0.name == "PUMP-1" })
            // The same owner twice: taken.
            let second = try await Fixtures.instrument(subNo: 10, serial: "PUMP-0B", owner: owners[0], on: db)
            await #expect(throws: RegistryError.conflict(field: "name", reason: .telemetry(.deviceNameTaken("PUMP-1")))) {
                try await Telemetry.register(name: "PUMP-1", instrumentID: second.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            }
            func line(_ seq: Int) -> String {
                #"{"device":"PUMP-1","seq":\#(seq),"at":"2026-12-05T09:00:0\#(seq)+08:00","type":"heartbeat"}"#
            }
            func stored(_ device: TelemetryDeviceModel) async throws -> Int {
                try await Telemetry.timeline(device: device.id!, by: Self.bureau, on: db).readings.count
            }
            // The bureau sees A's and C's (B's is bound to the gateway's credential): which one is meant cannot be told.
            let bureau = try await Telemetry.ingest(Self.bytes([line(1)]), by: Self.bureau, receivedAt: Self.now, on: db)
            #expect(bureau.accepted == 0 && bureau.errors == [.init(line: 1, field: "device", reason: .telemetry(.deviceNameAmbiguous("PUMP-1")))])
            // The gateway's credential: its bound device, B's.
            let gateway = Principal(kind: .token, id: token.id!, label: "gateway B", role: .bureauStaff, region: Fixtures.county)
            #expect(try await Telemetry.ingest(Self.bytes([line(2)]), by: gateway, receivedAt: Self.now, on: db).accepted == 1)
            // Owner 3: its own.
            #expect(try await Telemetry.ingest(Self.bytes([line(3)]), by: ownerC, receivedAt: Self.now, on: db).accepted == 1)
            let counts = [try await stored(a), try await stored(b), try await stored(c)]
            #expect(counts == [0, 1, 1])
        }
    }
}
