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
        let lastHour = try await sql.raw("""
            SELECT COUNT(*) AS n FROM telemetry_readings r JOIN telemetry_devices d ON d.id = r.device_id
              JOIN instruments ON instruments.id = d.instrument_id
            WHERE r.received_at >= \(bind: now.addingTimeInterval(-3_600)) AND \(visible)
            """).first()
        return LiveSummary(
            devices: try counts?.decode(column: "n", as: Int.self) ?? 0, online: try counts?.decode(column: "online", as: Int?.self) ?? 0,
            openByPriority: byPriority, newestOpen: try newest?.decode(column: "id", as: Int?.self),
            readingsLastHour: try lastHour?.decode(column: "n", as: Int.self) ?? 0)
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

    /// The region's devices, those with open alerts first, then the silent, then by name.
    public static func deviceStatuses(
        cursor: String? = nil, limit: Int = 50, thresholds: Thresholds? = nil, by p: Principal, now: Date = Date(), on db: any Database
    ) async throws -> Page<DeviceStatus> {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let offset = try Cursor.decode(cursor) ?? 0
        let since = now.addingTimeInterval(-(try await silence(thresholds, p, on: db)))
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT d.id, (SELECT COUNT(*) FROM telemetry_findings f WHERE f.device_id = d.id AND f.state = 'open') AS open_alerts,
              CASE WHEN d.last_seen_at >= \(bind: since) THEN 1 ELSE 0 END AS online
            FROM telemetry_devices d JOIN instruments ON instruments.id = d.instrument_id
            WHERE \(Registry.instrumentsVisible(p.scope))
            ORDER BY open_alerts DESC, online ASC, d.name ASC LIMIT \(bind: limit + 1) OFFSET \(bind: offset)
            """).all().map { (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "open_alerts", as: Int.self), try $0.decode(column: "online", as: Int.self) == 1) }
        let page = Array(rows.prefix(limit))
        guard !page.isEmpty else { return Page(items: [], nextCursor: nil) }
        let devices = Dictionary(uniqueKeysWithValues: try await TelemetryDeviceModel.query(on: db).filter(\.$id ~~ page.map(\.0)).all().map { ($0.id!, $0) })
        let instruments = Dictionary(uniqueKeysWithValues: try await InstrumentModel.query(on: db)
            .filter(\.$id ~~ Array(Set(devices.values.map(\.instrumentID)))).all().map { ($0.id!, $0) })
        let items = page.compactMap { id, open, online -> DeviceStatus? in
            guard let d = devices[id], let i = instruments[d.instrumentID] else { return nil }
            return DeviceStatus(device: d, instrument: i, online: online, openAlerts: open)
        }
        return Page(items: items, nextCursor: rows.count > limit ? Cursor.encode(offset + limit) : nil)
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
