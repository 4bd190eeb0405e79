import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

/// Tank reconciliation and thresholds per region in the store (issue #21, item 4), on SQLite and
/// PostgreSQL: a station's tank registered with its capacity table and nozzles, judged after each
/// batch once its windows have closed, kept once however often the batch comes; a region's
/// thresholds applying to its instruments and no others.
@Suite struct TelemetryTankTests {
    static let t0 = ISO8601DateFormatter().date(from: "2026-12-05T00:00:00Z")!
    static let bureau = TelemetryStoreTests.bureau
    static let admin = Principal(kind: .user, id: 1, label: "admin", role: .provinceAdmin)
    static let straight: [CapacityTable.Point] = [.init(mm: 0, litres: 0), .init(mm: 2_000, litres: 20_000)]

    struct Station {
        var gauge: TelemetryDeviceModel
        var dispensers: [TelemetryDeviceModel]
        var owner: OwnerModel
    }

    static func station(_ name: String, _ n: Int, region: RegionCode = Fixtures.county, on db: any Database) async throws -> Station {
        let owner = try await Fixtures.owner(n, region: region, on: db)
        let tank = try await Fixtures.instrument(subNo: 7, serial: "\(name)-TANK", owner: owner, region: region, on: db)
        let gauge = try await Telemetry.register(
            name: "\(name)-YW", instrumentID: tank.id, kind: "tank_gauge", softwareID: nil, pulseEquivalent: nil, by: admin, now: t0, on: db)
        var dispensers: [TelemetryDeviceModel] = []
        for n in 1...2 {
            let i = try await Fixtures.instrument(subNo: 10, serial: "\(name)-JY\(n)", owner: owner, region: region, on: db)
            dispensers.append(try await Telemetry.register(
                name: "\(name)-JY\(n)", instrumentID: i.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: admin, now: t0, on: db))
        }
        return Station(gauge: gauge, dispensers: dispensers, owner: owner)
    }

    /// Four hours of a station: 40 deliveries of 50 L shown on two dispensers, while the tank
    /// (10 L/mm) drops by `factor` of that — 0.94 for a pulse generator adding 6 %.
    static func batch(_ s: Station, factor: Double) -> [UInt8] {
        var lines: [String] = []
        for k in 0..<40 {
            let end = t0.addingTimeInterval(Double(k) * 360 + 300)
            let d = s.dispensers[k % 2]
            lines.append(Reading(device: d.name, seq: Int64(k / 2 + 1), at: end, body: .delivery(.init(
                nozzle: 1, volume: 50, amount: 375.5, unitPrice: 7.51, start: end.addingTimeInterval(-90), end: end))).ndjson)
        }
        for (seq, hours) in [(1, 0.0), (2, 2.0), (3, 4.0)] {
            let mm = 1_500 - 100 * hours / 2 * factor
            lines.append(Reading(device: s.gauge.name, seq: Int64(seq), at: t0.addingTimeInterval(hours * 3600), body: .tankLevel(.init(tank: 1, levelMM: mm))).ndjson)
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    @Test func aPulseGeneratorIsCaughtByItsTankAndAnHonestStationIsNot() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let cheat = try await Self.station("CHEAT", 1, on: db), honest = try await Self.station("HONEST", 2, on: db)
            for s in [cheat, honest] {
                let tank = try await Telemetry.registerTank(
                    gaugeID: s.gauge.id, tank: 1, capacityTable: Self.straight, nozzles: s.dispensers.map { ($0.id, 1) }, by: Self.bureau, on: db)
                #expect(tank.nozzles.count == 2 && tank.capacityTable.points == Self.straight)
            }
            // Five hours in: the dispensers' clocks have reached 3h53m, so the window to 2h is closed
            // and the one to 4h waits — a delivery of theirs may still be on its way.
            let now = Self.t0.addingTimeInterval(5 * 3600)
            let caught = try await Telemetry.ingest(Self.batch(cheat, factor: 0.94), by: Self.bureau, receivedAt: now, on: db)
            #expect(caught.accepted == 43 && caught.findings == 1, "\(caught)")
            let clean = try await Telemetry.ingest(Self.batch(honest, factor: 1), by: Self.bureau, receivedAt: now, on: db)
            #expect(clean.accepted == 43 && clean.findings == 0, "\(clean)")
            // Sent again: nothing new, and the second window still waits.
            let again = try await Telemetry.ingest(Self.batch(cheat, factor: 0.94), by: Self.bureau, receivedAt: now.addingTimeInterval(60), on: db)
            #expect(again.accepted == 0 && again.findings == 0)
            // An hour and more without a word from the dispensers (the station closed): not waited for.
            #expect(try await Telemetry.reconcileTanks(now: now.addingTimeInterval(30 * 60), on: db) == 0)
            #expect(try await Telemetry.reconcileTanks(now: now.addingTimeInterval(2 * 3600), on: db) == 1)
            #expect(try await Telemetry.reconcileTanks(now: now.addingTimeInterval(3 * 3600), on: db) == 0)
            let found = try await Telemetry.findings(deviceID: cheat.gauge.id, scope: .everything, on: db)
            #expect(found.map(\.detector) == ["tank_reconciliation", "tank_reconciliation"])
            #expect(found.allSatisfy { $0.instrumentID == cheat.gauge.instrumentID && $0.severity == 3 })
            let evidence = try JSONDecoder().decode([String: String].self, from: Data(found.last!.evidence.utf8))
            #expect(evidence["dispensed_l"] == "1000" && evidence["tank_drop_l"] == "940" && evidence["dispensers"] == "CHEAT-JY1,CHEAT-JY2", "\(evidence)")
            // The tank's anchor moved on; the list shows it to those who may see the gauge.
            let listed = try await Telemetry.tanks(scope: Self.bureau.scope, on: db)
            #expect(listed.count == 2 && listed.first { $0.gaugeID == cheat.gauge.id }?.anchorSeq == 3)
            #expect(try await Telemetry.tanks(scope: TelemetryStoreTests.otherBureau.scope, on: db).isEmpty)
        }
    }

    @Test func aTankIsRegisteredOnlyWithAGoodTableByStaffWhoSeeItsDevices() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let s = try await Self.station("REG", 1, on: db)
            let nozzles = s.dispensers.map { ($0.id, Optional(1)) }
            func refusal(_ gauge: Int?, tank: Int? = 1, table: [CapacityTable.Point]? = Self.straight, nozzles: [(Int?, Int?)]? = nil, by p: Principal = Self.bureau)
                async -> (any Error)?
            {
                do {
                    _ = try await Telemetry.registerTank(gaugeID: gauge, tank: tank, capacityTable: table, nozzles: nozzles ?? s.dispensers.map { ($0.id, 1) }, by: p, on: db)
                    return nil
                } catch { return error }
            }
            let owner = Principal(kind: .user, id: 77, label: "owner", role: .owner, ownerIDs: [s.owner.id!])
            // A capacity table comes from the tank's verification: an owner may not register one at all.
            #expect(await refusal(s.gauge.id, by: owner) as? RegistryError == .forbidden(.notAllowed(.manageReference)))
            #expect(await refusal(s.gauge.id, table: [Self.straight[1], Self.straight[0]]) as? ValidationFailure
                    == ValidationFailure([FieldError("capacity_table[2]", .telemetry(.capacityTableNotRising))]))
            #expect(await refusal(s.gauge.id, tank: 65) as? ValidationFailure
                    == ValidationFailure([FieldError("tank", .telemetry(.notInRange(from: 1, to: 64, got: "65")))]))
            #expect(await refusal(s.gauge.id, nozzles: [(s.dispensers[0].id, 17)]) as? ValidationFailure
                    == ValidationFailure([FieldError("nozzles[1].nozzle", .telemetry(.notInRange(from: 1, to: 16, got: "17")))]))
            // A dispenser is not a gauge; a gauge is not a dispenser; another county's bureau sees neither.
            #expect(await refusal(s.dispensers[0].id) as? RegistryError == .invalid("gauge_id", .telemetry(.notOfKind(device: "REG-JY1", kind: "tank_gauge"))))
            #expect(await refusal(s.gauge.id, nozzles: [(s.gauge.id, 1)]) as? ValidationFailure
                    == ValidationFailure([FieldError("nozzles[1].device_id", .telemetry(.notOfKind(device: "REG-YW", kind: "fuel_dispenser")))]))
            #expect(await refusal(s.gauge.id, by: TelemetryStoreTests.otherBureau) as? RegistryError
                    == .invalid("gauge_id", .telemetry(.unknownDevice("#\(s.gauge.id!)"))))
            #expect(await refusal(s.gauge.id, nozzles: nozzles) == nil)
            // The same tank again, and a nozzle already drawing from it under another number.
            #expect(await refusal(s.gauge.id) as? RegistryError == .conflict(field: "tank", reason: .telemetry(.tankTaken(tank: 1))))
            #expect(await refusal(s.gauge.id, tank: 2, nozzles: [(s.dispensers[1].id, 1)]) as? RegistryError
                    == .conflict(field: "nozzles[1]", reason: .telemetry(.nozzleTaken(nozzle: 1))))
            struct Count: Decodable { var n: Int }
            let tanks = try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM telemetry_tanks").first(decoding: Count.self)
            let audited = try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'telemetry.tank.register'").first(decoding: Count.self)
            #expect(tanks?.n == 1 && audited?.n == 1)
        }
    }

    /// A county that sets its own amount tolerance judges its dispensers by it; another county's
    /// dispensers are judged by the default. Set by the province's administrators only; a bureau
    /// reads its own region's and not another's.
    @Test func aRegionsThresholdsApplyToItsInstrumentsOnly() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let gulou = try await Self.station("GL", 1, on: db), siming = try await Self.station("SM", 2, region: Fixtures.otherCounty, on: db)
            await #expect(throws: RegistryError.forbidden(.notAllowed(.manageReference))) {
                try await Telemetry.setThresholds(region: "350102", settings: ["amount_tolerance_yuan": 5], by: Self.bureau, on: db)
            }
            await #expect(throws: ValidationFailure([FieldError("settings.amount_tolerance_yuan", .telemetry(.notInRange(from: 0.01, to: 10, got: "50")))])) {
                try await Telemetry.setThresholds(region: "350102", settings: ["amount_tolerance_yuan": 50], by: Self.admin, on: db)
            }
            let set = try await Telemetry.setThresholds(region: "350102", settings: ["amount_tolerance_yuan": 5], by: Self.admin, now: Self.t0, on: db)
            #expect(set.own == ["amount_tolerance_yuan": 5] && set.values.first { $0.name == "amount_tolerance_yuan" }.map { $0.value == 5 && $0.from == "350102" } == true)
            #expect(set.values.first { $0.name == "drift_l" }.map { $0.value == 4 && $0.from == nil } == true)
            let read = try await Telemetry.thresholds(region: "350102", by: Self.bureau, on: db)
            #expect(read.own == ["amount_tolerance_yuan": 5] && read.setBy == "admin")
            await #expect(throws: RegistryError.notFound(.region, key: "350102")) {
                try await Telemetry.thresholds(region: "350102", by: TelemetryStoreTests.otherBureau, on: db)
            }
            // 3 yuan over volume × price: inside Gulou's 5 yuan, outside the default 0.01 in Siming.
            func overcharged(_ d: TelemetryDeviceModel) -> [UInt8] {
                Array(Reading(device: d.name, seq: 1, at: Self.t0, body: .delivery(.init(
                    nozzle: 1, volume: 50, amount: 378.5, unitPrice: 7.51, start: Self.t0.addingTimeInterval(-90), end: Self.t0))).ndjson.utf8)
            }
            let now = Self.t0.addingTimeInterval(60)
            #expect(try await Telemetry.ingest(overcharged(gulou.dispensers[0]), by: Self.admin, receivedAt: now, on: db).findings == 0)
            #expect(try await Telemetry.ingest(overcharged(siming.dispensers[0]), by: Self.admin, receivedAt: now, on: db).findings == 1)
            // Emptied, the county inherits again.
            let cleared = try await Telemetry.setThresholds(region: "350102", settings: [:], by: Self.admin, on: db)
            #expect(cleared.own.isEmpty && cleared.values.first { $0.name == "amount_tolerance_yuan" }?.value == 0.01)
            struct Count: Decodable { var n: Int }
            let audited = try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'telemetry.thresholds.set'").first(decoding: Count.self)
            #expect(audited?.n == 2)
        }
    }
}
