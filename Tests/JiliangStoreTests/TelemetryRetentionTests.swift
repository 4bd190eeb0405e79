import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

/// Raw telemetry for a window, daily aggregates for years (issue #21, item 3), on SQLite and
/// PostgreSQL: each China day that leaves the window is summed up by device and type, then its raw
/// readings are removed; once a day; readings dated before the window refused at ingest; findings stay.
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
            // The finding outlives its readings.
            #expect(try await Telemetry.findings(deviceID: device.id, scope: Self.bureau.scope, on: db).count == 1)
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

    /// A reading dated before the window is refused naming `at`: its day is summed up already.
    @Test func aReadingOlderThanTheWindowIsRefused() {
        let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
        let limits = NDJSONBatch.Limits(rawDays: 2)
        let b = NDJSONBatch.parse(Array(Self.lines("RET-2").joined(separator: "\n").utf8), receivedAt: now, limits: limits)
        // Four and three days back refused; two days back is the window's first day.
        #expect(b.readings.count == 9 && b.errors.count == 6)
        #expect(b.errors.allSatisfy { $0.field == "at" && $0.reason == .telemetry(.olderThanKept(days: 2)) })
    }
}
