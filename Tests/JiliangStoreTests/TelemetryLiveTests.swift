import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import Testing

/// The live screen's figures and each device's timeline (issue #21, item 6), on SQLite and
/// PostgreSQL: online is "heard within the silence threshold"; open alerts count by priority; the
/// devices that need looking at come first; another region sees none of it.
@Suite struct TelemetryLiveTests {
    static let now = ISO8601DateFormatter().date(from: "2026-12-05T02:00:00Z")!
    static let today = CalendarDay("2026-12-05")!
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let otherBureau = Principal(kind: .user, id: 902, label: "siming", role: .bureauStaff, region: Fixtures.otherCounty)

    @Test func theRegionsFiguresAndADevicesTimeline() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            var devices: [TelemetryDeviceModel] = []
            for n in 1...3 {
                let scale = try await Fixtures.instrument(serial: "LIVE-\(n)", owner: owner, on: db)
                devices.append(try await Telemetry.register(
                    name: "SC-LIVE-\(n)", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, now: Self.now, on: db))
            }
            // Device 1 was heard 10 minutes ago with its case opened (an alert); device 2 two hours
            // ago, weighing; device 3 never.
            let lines = [
                #"{"device":"SC-LIVE-1","seq":1,"at":"2026-12-05T09:50:00+08:00","type":"scale_event","event":"case_opened"}"#,
                #"{"device":"SC-LIVE-2","seq":1,"at":"2026-12-05T08:00:00+08:00","type":"weighing","kg":1.25}"#,
            ]
            _ = try await Telemetry.ingest(Array(lines.joined(separator: "\n").utf8), by: Self.bureau, receivedAt: Self.now.addingTimeInterval(-60), on: db)
            let s = try await Telemetry.liveSummary(today: Self.today, by: Self.bureau, now: Self.now, on: db)
            #expect(s.devices == 3 && s.online == 1 && s.offline == 2, "\(s)")
            // Never verified since 2024: overdue, so the high scale_tamper alert is urgent (4).
            #expect(s.openByPriority == [4: 1] && s.open == 1 && s.newestOpen != nil && s.readingsLastHour == 2, "\(s)")
            let page = try await Telemetry.deviceStatuses(by: Self.bureau, now: Self.now, on: db)
            #expect(page.items.map(\.device.name) == ["SC-LIVE-1", "SC-LIVE-2", "SC-LIVE-3"])
            #expect(page.items.map(\.openAlerts) == [1, 0, 0] && page.items.map(\.online) == [true, false, false])
            let first = try await Telemetry.deviceStatuses(limit: 2, by: Self.bureau, now: Self.now, on: db)
            let rest = try await Telemetry.deviceStatuses(cursor: first.nextCursor, limit: 2, by: Self.bureau, now: Self.now, on: db)
            #expect(first.items.count == 2 && rest.items.map(\.device.name) == ["SC-LIVE-3"] && rest.nextCursor == nil)
            let t = try await Telemetry.timeline(device: devices[0].id!, by: Self.bureau, on: db)
            #expect(t.readings.map(\.seq) == [1] && t.findings.map(\.detector) == ["scale_tamper"])
            // Another county: nothing, and the device is unknown.
            let other = try await Telemetry.liveSummary(today: Self.today, by: Self.otherBureau, now: Self.now, on: db)
            #expect(other.devices == 0 && other.open == 0 && other.readingsLastHour == 0 && other.newestOpen == nil)
            #expect(try await Telemetry.deviceStatuses(by: Self.otherBureau, now: Self.now, on: db).items.isEmpty)
            await #expect(throws: RegistryError.notFound(.telemetryDevice, key: String(devices[0].id!))) {
                try await Telemetry.timeline(device: devices[0].id!, by: Self.otherBureau, on: db)
            }
        }
    }
}
