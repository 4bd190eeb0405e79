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
    /// The device list pages through its three groups — open alerts (most first), silent, heard
    /// from — each by name, without a device twice or missed, whatever the page size; a cursor
    /// that is not this list's is refused by name. Readings in the last hour are the counts kept
    /// per region and minute: 61 minutes back is not counted; another county counts nothing.
    @Test func theDeviceListPagesThroughItsGroupsAndTheHourIsCountedByMinute() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            // Named so that name order and the groups' order differ.
            let names = ["P-A", "P-B", "P-C", "P-D", "P-E", "P-F", "P-G"]
            for (n, name) in names.enumerated() {
                let scale = try await Fixtures.instrument(serial: "PAGE-\(n)", owner: owner, on: db)
                _ = try await Telemetry.register(
                    name: name, instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, now: Self.now, on: db)
            }
            func line(_ device: String, seq: Int, minutesAgo: Double, event: String? = nil) -> String {
                let at = ISO8601DateFormatter().string(from: Self.now.addingTimeInterval(-minutesAgo * 60))
                return event.map { #"{"device":"\#(device)","seq":\#(seq),"at":"\#(at)","type":"scale_event","event":"\#($0)"}"# }
                    ?? #"{"device":"\#(device)","seq":\#(seq),"at":"\#(at)","type":"weighing","kg":1.5}"#
            }
            func send(_ lines: [String], minutesAgo: Double) async throws {
                let r = try await Telemetry.ingest(Array(lines.joined(separator: "\n").utf8), by: Self.bureau, receivedAt: Self.now.addingTimeInterval(-minutesAgo * 60), on: db)
                #expect(r.errors.isEmpty, "\(r.errors)")
            }
            // Two hours ago (silent now): P-C weighed, P-F opened its case; P-G's case was opened
            // yesterday (an alert of that day). 61 minutes ago: P-A weighed.
            try await send([line("P-C", seq: 1, minutesAgo: 120), line("P-F", seq: 1, minutesAgo: 120, event: "case_opened"),
                            line("P-G", seq: 1, minutesAgo: 25 * 60, event: "case_opened")], minutesAgo: 119)
            try await send([line("P-A", seq: 1, minutesAgo: 61)], minutesAgo: 61)
            // In the last hour: P-G entered calibration mode (its second alert, today's), P-B and P-E weighed.
            try await send([line("P-G", seq: 2, minutesAgo: 10, event: "calibration_mode"), line("P-B", seq: 1, minutesAgo: 5),
                            line("P-E", seq: 1, minutesAgo: 2)], minutesAgo: 1)
            let expected = ["P-G", "P-F", "P-A", "P-C", "P-D", "P-B", "P-E"]
            let whole = try await Telemetry.deviceStatuses(limit: 50, by: Self.bureau, now: Self.now, on: db)
            #expect(whole.items.map(\.device.name) == expected && whole.nextCursor == nil)
            #expect(whole.items.map(\.openAlerts) == [2, 1, 0, 0, 0, 0, 0] && whole.items.map(\.online) == [true, false, false, false, false, true, true])
            for size in 1...7 {
                var seen: [String] = [], cursor: String? = nil, pages = 0
                repeat {
                    let page = try await Telemetry.deviceStatuses(cursor: cursor, limit: size, by: Self.bureau, now: Self.now, on: db)
                    #expect(!page.items.isEmpty && page.items.count <= size)
                    seen += page.items.map(\.device.name)
                    cursor = page.nextCursor
                    pages += 1
                } while cursor != nil && pages < 20
                #expect(seen == expected, "pages of \(size)")
            }
            await #expect(throws: RegistryError.invalid("cursor", .notACursorForThisOrder)) {
                try await Telemetry.deviceStatuses(cursor: Cursor.encodeKeyed("9|x", id: 1), by: Self.bureau, now: Self.now, on: db)
            }
            // The last hour: the three readings received a minute ago, not the one 61 minutes ago nor the three before.
            let s = try await Telemetry.liveSummary(today: Self.today, by: Self.bureau, now: Self.now, on: db)
            #expect(s.readingsLastHour == 3 && s.devices == 7 && s.online == 3, "\(s)")
            #expect(try await Telemetry.liveSummary(today: Self.today, by: Self.otherBureau, now: Self.now, on: db).readingsLastHour == 0)
            // A batch sent again adds nothing to the count.
            try await send([line("P-B", seq: 1, minutesAgo: 5)], minutesAgo: 1)
            #expect(try await Telemetry.liveSummary(today: Self.today, by: Self.bureau, now: Self.now, on: db).readingsLastHour == 3)
            // An alert opened between two pages, ahead of where the first page stopped (P-D, silent,
            // its case opened): no device is shown twice, none after it is missed.
            let first = try await Telemetry.deviceStatuses(limit: 2, by: Self.bureau, now: Self.now, on: db)
            #expect(first.items.map(\.device.name) == ["P-G", "P-F"])
            try await send([line("P-D", seq: 1, minutesAgo: 90, event: "case_opened")], minutesAgo: 1)
            var seen = first.items.map(\.device.name), cursor = first.nextCursor
            while let c = cursor {
                let page = try await Telemetry.deviceStatuses(cursor: c, limit: 2, by: Self.bureau, now: Self.now, on: db)
                seen += page.items.map(\.device.name)
                cursor = page.nextCursor
            }
            #expect(seen == ["P-G", "P-F", "P-A", "P-C", "P-B", "P-E"], "\(seen)")
        }
    }
}
