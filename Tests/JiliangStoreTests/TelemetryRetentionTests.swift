import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

/// Raw telemetry for a window, daily aggregates for years (issue #21, item 3), on SQLite and
/// PostgreSQL: readings that leave the window are summed up by device, China day and type and
/// removed in the same transaction; once a day; a late reading added to its day; findings stay.
@Suite struct TelemetryRetentionTests {
    static let today = CalendarDay("2026-12-05")!
    static let bureau = TelemetryStoreTests.bureau

    /// Three deliveries a day on the four days before `today` and on `today` (China time, noon and after).
    static func lines(_ device: String) -> [String] {
        (0...4).flatMap { back -> [String] in
            let noon = today.adding(days: -back).startInstant.addingTimeInterval(12 * 3600)
            return (0..<3).map { k in
                let at = noon.addingTimeInterval(Double(k) * 600)
                // The last delivery of four days ago is short-charged: a finding that must outlive its readings.
                let amount = back == 4 && k == 2 ? 70.0 : 75.1
                return Reading(device: device, seq: Int64((4 - back) * 3 + k + 1), at: at, body: .delivery(.init(
                    nozzle: 1, volume: 10 + Double(k), amount: amount * (10 + Double(k)) / 10, unitPrice: 7.51, start: at.addingTimeInterval(-60), end: at))).ndjson
            }
        }
    }

    @Test func daysLeavingTheWindowAreSummedUpThenRemoved() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let instrument = try await Fixtures.instrument(subNo: 10, serial: "JY-R", owner: owner, on: db)
            let device = try await Telemetry.register(
                name: "RET-1", instrumentID: instrument.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
            let kept = try await Telemetry.ingest(Array(Self.lines("RET-1").joined(separator: "\n").utf8), by: Self.bureau, receivedAt: now, on: db)
            #expect(kept.accepted == 15 && kept.findings == 1)
            // Chunks of two: the run goes on until a chunk comes back short.
            let policy = TelemetryRetention(rawDays: 2, chunk: 2)
            // Today's run: the window starts two days back, so four and three days back leave it.
            let run = try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db)
            #expect(run == .init(cutoff: Self.today.adding(days: -2), rolledDays: 2, deleted: 6))
            #expect(try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db) == nil)
            let sums = try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today, scope: Self.bureau.scope, on: db)
            #expect(sums.map(\.day) == [Self.today.adding(days: -4).description, Self.today.adding(days: -3).description])
            let first = try #require(sums.first)
            #expect(first.type == "delivery" && first.count == 3 && first.valueSum == 33 && first.valueMin == 10 && first.valueMax == 12)
            #expect(abs((first.amountSum ?? 0) - (75.1 + 75.1 * 1.1 + 70 * 1.2)) < 1e-6, "\(first)")
            struct Count: Decodable { var n: Int }
            let left = try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM telemetry_readings").first(decoding: Count.self)
            #expect(left?.n == 9)
            // The finding outlives its readings; confirmed now, its frozen evidence says which are gone.
            let found = try await Telemetry.findings(deviceID: device.id, scope: Self.bureau.scope, on: db)
            #expect(found.count == 1)
            let decided = try await Telemetry.decide(found[0].id!, decision: "confirm", reason: "现场核实：少收 6.12 元", today: Self.today, by: Self.bureau, on: db)
            let frozen = Telemetry.FrozenEvidence(text: decided.finding.frozenEvidence)
            #expect(frozen?.readings.isEmpty == true && frozen?.readings_missing == [3], "\(decided.finding.frozenEvidence ?? "")")
            // The next day rolls up the next day only; a day rolled once is not rolled again.
            let next = try await Telemetry.runRetentionIfDue(policy, today: Self.today.adding(days: 1), on: db)
            #expect(next == .init(cutoff: Self.today.adding(days: -1), rolledDays: 1, deleted: 3))
            #expect(try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today, scope: Self.bureau.scope, on: db).count == 3)
            // Another county's bureau does not see the device's sums: unknown.
            await #expect(throws: RegistryError.notFound(.telemetryDevice, key: String(device.id!))) {
                try await Telemetry.daily(deviceID: device.id!, from: Self.today, to: Self.today, scope: TelemetryStoreTests.otherBureau.scope, on: db)
            }
            // No window: nothing is run.
            #expect(try await Telemetry.runRetentionIfDue(TelemetryRetention(rawDays: nil), today: Self.today.adding(days: 2), on: db) == nil)
        }
    }

    /// A reading that comes late, for a day summed up already, is added to that day at the next run
    /// — summed once, never lost; a day with nothing left and nothing new adds no row.
    @Test func aLateReadingIsAddedToItsDay() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let instrument = try await Fixtures.instrument(subNo: 2, serial: "CH-R", owner: owner, on: db)
            let device = try await Telemetry.register(
                name: "RET-S", instrumentID: instrument.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            let old = Self.today.adding(days: -10).startInstant.addingTimeInterval(9 * 3600)
            func weighing(_ seq: Int64, kg: Double) -> [UInt8] {
                Array(Reading(device: "RET-S", seq: seq, at: old.addingTimeInterval(Double(seq)), body: .weighing(.init(kg: kg))).ndjson.utf8)
            }
            let policy = TelemetryRetention(rawDays: 2)
            _ = try await Telemetry.ingest(weighing(1, kg: 2), by: Self.bureau, receivedAt: Self.today.startInstant, on: db)
            #expect(try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db)?.deleted == 1)
            // A gateway back from an outage sends the same day's second weighing.
            _ = try await Telemetry.ingest(weighing(2, kg: 3.5), by: Self.bureau, receivedAt: Self.today.startInstant.addingTimeInterval(3600), on: db)
            #expect(try await Telemetry.runRetentionIfDue(policy, today: Self.today.adding(days: 1), on: db)?.deleted == 1)
            let day = try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today.adding(days: -10), scope: Self.bureau.scope, on: db)
            #expect(day.count == 1 && day.first?.count == 2 && day.first?.valueSum == 5.5 && day.first?.valueMin == 2 && day.first?.valueMax == 3.5, "\(day)")
            let empty = try await Telemetry.runRetentionIfDue(policy, today: Self.today.adding(days: 2), on: db)
            #expect(empty == .init(cutoff: Self.today, rolledDays: 0, deleted: 0))
        }
    }
}
