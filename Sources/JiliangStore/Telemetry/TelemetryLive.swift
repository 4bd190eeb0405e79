import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// What the live supervision screen shows of a region (issue #21, item 6): its devices online and
/// offline, open alerts by priority, the latest ones; each device's timeline. Counted in SQL
/// through the instrument, scoped as the alerts are (`Registry.instrumentsVisible`), for bureau
/// staff and administrators (`telemetry:review`).
extension Telemetry {
    public struct LiveSummary: Sendable, Equatable {
        public var devices: Int
        /// Heard from within the silence threshold.
        public var online: Int
        public var offline: Int { devices - online }
        /// Open alerts by priority (1…4).
        public var openByPriority: [Int: Int]
        public var open: Int { openByPriority.values.reduce(0, +) }
        /// The newest open alert's id (the screen asks for the list again when it changes).
        public var newestOpen: Int?
        public var readingsLastHour: Int
    }

    public static func liveSummary(
        today: CalendarDay, window: Int = 30, thresholds: Thresholds? = nil, by p: Principal, now: Date = Date(), on db: any Database
    ) async throws -> LiveSummary {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let sql = db as! any SQLDatabase
        let visible = Registry.instrumentsVisible(p.scope)
        // Online: heard within the region's silence threshold (the screen's region's setting).
        let silentAfter = try await silence(thresholds, p, on: db)
        let counts = try await sql.raw("""
            SELECT COUNT(*) AS n, SUM(CASE WHEN d.last_seen_at >= \(bind: now.addingTimeInterval(-silentAfter)) THEN 1 ELSE 0 END) AS online
            FROM telemetry_devices d JOIN instruments ON instruments.id = d.instrument_id WHERE \(visible)
            """).first()
        var byPriority: [Int: Int] = [:]
        for r in try await sql.raw("""
            SELECT \(priorityExpression(today: today, window: window)) AS priority, COUNT(*) AS n
            FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id
            WHERE f.state = 'open' AND \(visible) GROUP BY 1
            """).all() {
            byPriority[try r.decode(column: "priority", as: Int.self), default: 0] += try r.decode(column: "n", as: Int.self)
        }
        let newest = try await sql.raw("""
            SELECT MAX(f.id) AS id FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id WHERE f.state = 'open' AND \(visible)
            """).first()
        // Readings received in the last hour: from the counts kept per region and minute (at most
        // 60 rows a region); a scope that is not a region's counts the readings themselves.
        let minute = receivedMinute(now)
        let lastHour = try await sql.raw(Registry.regionVisible(p.scope, column: "region_code").map { regions in
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM telemetry_minute_counts WHERE minute > \(bind: minute - 60) AND \(regions)"
        } ?? """
            SELECT COUNT(*) AS n FROM telemetry_readings r JOIN telemetry_devices d ON d.id = r.device_id
              JOIN instruments ON instruments.id = d.instrument_id
            WHERE r.received_at >= \(bind: now.addingTimeInterval(-3_600)) AND \(visible)
            """).first()
        return LiveSummary(
            devices: try counts?.decode(column: "n", as: Int.self) ?? 0, online: try counts?.decode(column: "online", as: Int?.self) ?? 0,
            openByPriority: byPriority, newestOpen: try newest?.decode(column: "id", as: Int?.self),
            readingsLastHour: try lastHour?.decode(column: "n", as: Int.self) ?? 0)
    }

    /// The minute a reading was received in, as `telemetry_minute_counts` keeps it (since 1970, UTC).
    static func receivedMinute(_ instant: Date) -> Int64 { Int64((instant.timeIntervalSince1970 / 60).rounded(.down)) }

    /// Counts a batch's new readings by their devices' regions in the minute they were received
    /// (M038), in the batch's transaction: the live screen's last hour sums these, not the readings.
    static func countReceived(_ perDevice: [Int: Int], at now: Date, on sql: any SQLDatabase) async throws {
        let devices = perDevice.sorted { $0.key < $1.key }
        for part in stride(from: 0, to: devices.count, by: 500).map({ devices[$0..<min($0 + 500, devices.count)] }) {
            let values = SQLList(part.map { SQLQueryString("(\(bind: $0.key), \(bind: $0.value))") })
            // (SQLite needs the WHERE to read ON CONFLICT after a join as the upsert's.)
            try await sql.raw("""
                INSERT INTO telemetry_minute_counts (region_code, minute, n)
                SELECT instruments.region_code, \(bind: receivedMinute(now)), SUM(v.column2) FROM (VALUES \(values)) AS v
                JOIN telemetry_devices d ON d.id = v.column1 JOIN instruments ON instruments.id = d.instrument_id
                WHERE 1 = 1 GROUP BY instruments.region_code
                ON CONFLICT (region_code, minute) DO UPDATE SET n = telemetry_minute_counts.n + excluded.n
                """).run()
        }
    }

    /// A device on the screen: its instrument, when it was last heard, its open alerts.
    public struct DeviceStatus: Sendable {
        public var device: TelemetryDeviceModel
        public var instrument: InstrumentModel
        public var online: Bool
        public var openAlerts: Int
    }

    /// How long a device may be quiet and still count as online: the given thresholds', else the
    /// caller's region's.
    static func silence(_ thresholds: Thresholds?, _ p: Principal, on db: any Database) async throws -> TimeInterval {
        if let thresholds { return thresholds.silentAfter }
        return try await Telemetry.thresholds(for: p.region, on: db).silentAfter
    }

    /// The region's devices, those with open alerts first (most first, the silent before the
    /// heard-from, then by name), then the silent, then the others, each by name. Built to stay
    /// quick at a province's 100,000 devices, page after page: each group is read from where the
    /// last page stopped (the cursor holds the group and its last device's place in it), so no page
    /// counts or sorts the region's devices whole, and a device that keeps its place is shown once.
    /// One whose place changes between two pages (an alert opened or closed, gone silent) may be
    /// shown again or not at all in that walk, as on any live list. The first group is as large as
    /// the devices with open alerts (a silent device's own alert among them).
    public static func deviceStatuses(
        cursor: String? = nil, limit: Int = 50, thresholds: Thresholds? = nil, by p: Principal, now: Date = Date(), on db: any Database
    ) async throws -> Page<DeviceStatus> {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let sql = db as! any SQLDatabase
        let visible = Registry.instrumentsVisible(p.scope)
        let since = now.addingTimeInterval(-(try await silence(thresholds, p, on: db)))
        let (group, after) = try DeviceCursor.decode(cursor)
        struct Row: Decodable { var id: Int; var name: String; var open_alerts: Int; var online: Int }
        var rows: [(row: Row, next: DeviceCursor)] = []
        if group == 1 {
            // After (open alerts, online, name, id) of the last page's last device, in that order
            // (open alerts descending).
            let past: SQLQueryString = after.map { a in
                """
                WHERE g.open_alerts < \(bind: a.openAlerts) OR (g.open_alerts = \(bind: a.openAlerts) AND (g.online > \(bind: a.online)
                  OR (g.online = \(bind: a.online) AND (g.name > \(bind: a.name) OR (g.name = \(bind: a.name) AND g.id > \(bind: a.id))))))
                """
            } ?? ""
            for r in try await sql.raw("""
                SELECT g.id, g.name, g.open_alerts, g.online FROM (
                  SELECT d.id, d.name, COUNT(*) AS open_alerts, CASE WHEN d.last_seen_at >= \(bind: since) THEN 1 ELSE 0 END AS online
                  FROM telemetry_findings f JOIN telemetry_devices d ON d.id = f.device_id JOIN instruments ON instruments.id = d.instrument_id
                  WHERE f.state = 'open' AND \(visible) GROUP BY d.id, d.name, d.last_seen_at
                ) g \(past)
                ORDER BY g.open_alerts DESC, g.online ASC, g.name ASC, g.id ASC LIMIT \(bind: limit + 1)
                """).all(decoding: Row.self) {
                rows.append((r, DeviceCursor(group: 1, openAlerts: r.open_alerts, online: r.online, name: r.name, id: r.id)))
            }
        }
        for g in [2, 3] where g >= group && rows.count <= limit {
            let heard: SQLQueryString = g == 2
                ? "(d.last_seen_at IS NULL OR d.last_seen_at < \(bind: since))" : "d.last_seen_at >= \(bind: since)"
            let past: SQLQueryString = g == group ? after.map { "AND (d.name > \(bind: $0.name) OR (d.name = \(bind: $0.name) AND d.id > \(bind: $0.id)))" } ?? "" : ""
            for r in try await sql.raw("""
                SELECT d.id, d.name, 0 AS open_alerts, \(unsafeRaw: g == 2 ? "0" : "1") AS online
                FROM telemetry_devices d JOIN instruments ON instruments.id = d.instrument_id
                WHERE \(visible) AND \(heard) \(past)
                  AND NOT EXISTS (SELECT 1 FROM telemetry_findings f WHERE f.device_id = d.id AND f.state = 'open')
                ORDER BY d.name, d.id LIMIT \(bind: limit + 1 - rows.count)
                """).all(decoding: Row.self) {
                rows.append((r, DeviceCursor(group: g, openAlerts: 0, online: g == 2 ? 0 : 1, name: r.name, id: r.id)))
            }
        }
        let page = Array(rows.prefix(limit))
        guard !page.isEmpty else { return Page(items: [], nextCursor: nil) }
        let devices = Dictionary(uniqueKeysWithValues: try await TelemetryDeviceModel.query(on: db).filter(\.$id ~~ page.map(\.row.id)).all().map { ($0.id!, $0) })
        let instruments = Dictionary(uniqueKeysWithValues: try await InstrumentModel.query(on: db)
            .filter(\.$id ~~ Array(Set(devices.values.map(\.instrumentID)))).all().map { ($0.id!, $0) })
        let items = page.compactMap { r, _ -> DeviceStatus? in
            guard let d = devices[r.id], let i = instruments[d.instrumentID] else { return nil }
            return DeviceStatus(device: d, instrument: i, online: r.online == 1, openAlerts: r.open_alerts)
        }
        return Page(items: items, nextCursor: rows.count > limit ? page.last!.next.encoded : nil)
    }

    /// Where a page of the live screen's devices stopped: the group (1 open alerts, 2 silent, 3
    /// heard from) and the last device's place in it (in group 1 its open alerts and whether it
    /// was heard from too).
    struct DeviceCursor {
        var group: Int
        var openAlerts: Int
        var online: Int
        var name: String
        var id: Int

        var encoded: String { Cursor.encodeKeyed("\(group)|\(openAlerts)|\(online)|\(name)", id: id) }

        static func decode(_ s: String?) throws(RegistryError) -> (group: Int, after: DeviceCursor?) {
            // A page link from before the upgrade (an offset, "c…") starts the list again.
            if let s, s.first == "c", (try? Cursor.decode(s)) != nil { return (1, nil) }
            guard let (key, id) = try Cursor.decodeKeyed(s) else { return (1, nil) }
            let parts = key.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, let g = Int(parts[0]), (1...3).contains(g), let open = Int(parts[1]), open >= 0, let online = Int(parts[2]),
                (0...1).contains(online)
            else {
                throw .invalid("cursor", .notACursorForThisOrder)
            }
            return (g, DeviceCursor(group: g, openAlerts: open, online: online, name: String(parts[3]), id: id))
        }
    }

    /// One device's timeline: its latest readings (newest first) and every finding on it. A device
    /// outside the caller's region is not found, as an unknown one is.
    public static func timeline(
        device id: Int, limit: Int = 100, by p: Principal, on db: any Database
    ) async throws -> (device: TelemetryDeviceModel, instrument: InstrumentModel, readings: [(seq: Int64, at: Date, type: String, line: String)], findings: [TelemetryFindingModel]) {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let sql = db as! any SQLDatabase
        let visible = try await sql.raw("""
            SELECT d.id FROM telemetry_devices d JOIN instruments ON instruments.id = d.instrument_id
            WHERE d.id = \(bind: id) AND \(Registry.instrumentsVisible(p.scope))
            """).first()
        guard visible != nil, let device = try await TelemetryDeviceModel.find(id, on: db), let instrument = try await InstrumentModel.find(device.instrumentID, on: db)
        else { throw RegistryError.notFound(.telemetryDevice, key: String(id)) }
        struct Row: Decodable { var seq: Int64; var at: Date; var type: String; var line: String }
        let readings = try await sql.select().columns("seq", "at", "type", "line").from("telemetry_readings").where("device_id", .equal, SQLBind(id))
            .orderBy("seq", .descending).limit(limit).all(decoding: Row.self).map { ($0.seq, $0.at, $0.type, $0.line) }
        let findings = try await TelemetryFindingModel.query(on: db).filter(\.$deviceID == id).sort(\.$at, .descending).sort(\.$id, .descending).limit(200).all()
        return (device, instrument, readings, findings)
    }
}
