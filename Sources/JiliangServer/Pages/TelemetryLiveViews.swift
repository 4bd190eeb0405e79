import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry

/// The live supervision screen of a region (`telemetry-live.mustache`, issue #21 item 6): its
/// figures (which `/assets/telemetry-live.js` keeps current from the server's event stream), the
/// open alerts by priority, and its devices with the ones that need looking at first.
struct TelemetryLiveView: PageView {
    struct Priority: Encodable, Sendable, Equatable {
        var priority: Int
        var label: String
        var tone: String
        var count: Int
    }
    struct Device: Encodable, Sendable, Equatable {
        var link: String
        var name: String
        var kind: String
        var instrument: String
        var online: Bool
        var state: String
        var lastSeen: String
        var openAlerts: Int
    }
    var figures: LiveFigures
    var priorities: [Priority]
    var alerts: [AlertRow]
    var noAlerts: Bool
    var devices: [Device]
    var nextLink: String?
    var eventsURL: String

    static func build(cursor: String?, by p: Principal, lang: PageStrings.Language, today: CalendarDay, now: Date = Date(), on db: any Database) async throws -> TelemetryLiveView {
        let t = PageStrings.strings(lang)
        let summary = try await Telemetry.liveSummary(today: today, by: p, now: now, on: db)
        let alerts = try await Telemetry.alerts(limit: 10, today: today, by: p, on: db).items.map { AlertRow.of($0, lang) }
        let page = try await Telemetry.deviceStatuses(cursor: cursor, by: p, now: now, on: db)
        return TelemetryLiveView(
            figures: LiveFigures(summary, at: now),
            priorities: (1...4).reversed().map {
                Priority(priority: $0, label: AlertRow.priorityLabel($0, lang), tone: AlertRow.tone($0), count: summary.openByPriority[$0] ?? 0)
            },
            alerts: alerts, noAlerts: alerts.isEmpty,
            devices: page.items.map {
                Device(
                    link: Site.telemetryDevice($0.device.id!), name: $0.device.name, kind: DetectorText.deviceKind(DeviceKind(rawValue: $0.device.kind), raw: $0.device.kind, lang),
                    instrument: "\($0.instrument.name) \($0.instrument.code)", online: $0.online, state: $0.online ? t[.tel_online] : t[.tel_offline],
                    lastSeen: $0.device.lastSeenAt.map(TelemetryTime.shown) ?? "—", openAlerts: $0.openAlerts)
            },
            nextLink: page.nextCursor.map { Site.telemetryLive() + "?cursor=\($0)" }, eventsURL: Site.telemetryLiveEvents())
    }
}

/// The figures the screen keeps current: one event of the stream, and the page's first values.
struct LiveFigures: Encodable, Sendable, Equatable {
    var devices: Int
    var online: Int
    var offline: Int
    var open: Int
    var urgent: Int
    var high: Int
    var newest: Int
    var readingsLastHour: Int
    var at: String

    init(_ s: Telemetry.LiveSummary, at: Date) {
        devices = s.devices
        online = s.online
        offline = s.offline
        open = s.open
        urgent = s.openByPriority[4] ?? 0
        high = s.openByPriority[3] ?? 0
        newest = s.newestOpen ?? 0
        readingsLastHour = s.readingsLastHour
        self.at = TelemetryTime.shown(at)
    }

    /// One server-sent event (`data:` a JSON object, then a blank line).
    var event: String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return "data: " + String(decoding: (try? e.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n\n"
    }
}

/// One device's timeline (`telemetry-device.mustache`): its latest readings and its findings.
struct TelemetryDeviceView: PageView {
    struct Reading: Encodable, Sendable, Equatable {
        var seq: Int64
        var at: String
        var type: String
        var line: String
    }
    struct Found: Encodable, Sendable, Equatable {
        var link: String
        var detector: String
        var at: String
        var state: String
    }
    var name: String
    var kind: String
    var instrument: String
    var instrumentLink: String
    var softwareID: String
    var pulseEquivalent: String
    var lastSeen: String
    var readings: [Reading]
    var findings: [Found]
    var noFindings: Bool

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, on db: any Database) async throws -> TelemetryDeviceView {
        let t = PageStrings.strings(lang)
        let (d, i, readings, findings) = try await Telemetry.timeline(device: id, by: p, on: db)
        let found = findings.map {
            Found(link: Site.telemetryAlert($0.id!), detector: DetectorText.name(DetectorKind(rawValue: $0.detector), raw: $0.detector, lang),
                  at: TelemetryTime.shown($0.at), state: AlertRow.stateLabel($0.alertState, t))
        }
        return TelemetryDeviceView(
            name: d.name, kind: DetectorText.deviceKind(DeviceKind(rawValue: d.kind), raw: d.kind, lang), instrument: "\(i.name) \(i.code)",
            instrumentLink: Site.instrument(i.id!), softwareID: d.softwareID ?? "—", pulseEquivalent: d.pulseEquivalent.map { String($0) } ?? "—",
            lastSeen: d.lastSeenAt.map(TelemetryTime.shown) ?? "—",
            readings: readings.map { Reading(seq: $0.seq, at: TelemetryTime.shown($0.at), type: DetectorText.readingType($0.type, lang), line: $0.line) },
            findings: found, noFindings: found.isEmpty)
    }
}

/// A region's detector thresholds as they apply, each with the region it comes from and how far
/// its default is borne out; the province's administrators edit the region's own (issue #21,
/// item 4: "configurable per region", and unconfirmed figures said so in the UI).
struct TelemetryThresholdsView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var name: String
        var label: String
        var value: String
        var from: String
        var basis: String
        var tone: String
        var source: String
        var own: String
        var canEdit: Bool
    }
    struct RegionLink: Encodable, Sendable, Equatable {
        var name: String
        var link: String
    }
    var region: String
    var regionName: String
    var rows: [Row]
    var canEdit: Bool
    var action: String
    var parentLink: String?
    var parentName: String?
    var children: [RegionLink]
    var hasChildren: Bool
    var error: String?

    /// The caller's own region when none is asked for (the province's for its staff).
    static func build(
        region asked: String?, by p: Principal, lang: PageStrings.Language, error: String? = nil, posted: [String: String]? = nil, on db: any Database
    ) async throws -> TelemetryThresholdsView {
        let t = PageStrings.strings(lang)
        let names = try await Registry.regionNames(on: db)
        let code = asked ?? p.region?.value ?? names.keys.compactMap(RegionCode.init).first { $0.level == .province }?.value ?? "350000"
        let e = try await Telemetry.thresholds(region: code, by: p, on: db)
        let canEdit = p.may(.manageReference)
        let rows = e.values.map { v -> Row in
            let s = ThresholdSettings.setting(v.name)
            let basis = s.map { ThresholdText.basis($0.basis, t) } ?? (label: "", tone: "")
            return Row(
                name: v.name, label: ThresholdText.label(v.name, lang), value: v.value.shown,
                from: v.from.map { "\(names[$0] ?? $0) \($0)" } ?? t[.tel_default], basis: basis.label, tone: basis.tone, source: s?.source ?? "",
                own: posted?[v.name] ?? e.own[v.name].map(\.shown) ?? "", canEdit: canEdit)
        }
        let region = RegionCode(e.region)
        // Only the regions the caller may look at (a county's staff: their own line up and down).
        let children = try await Registry.regions(parent: e.region, on: db).compactMap { r -> RegionLink? in
            guard let id = r.id, let c = RegionCode(id) else { return nil }
            if case .region(let mine) = p.scope, !(mine.contains(c) || c.contains(mine)) { return nil }
            return RegionLink(name: r.name, link: Site.telemetryThresholds() + "?region=\(id)")
        }
        return TelemetryThresholdsView(
            region: e.region, regionName: names[e.region] ?? e.region, rows: rows, canEdit: canEdit,
            action: Site.telemetryThresholds() + "?region=\(e.region)",
            parentLink: region?.parent.map { Site.telemetryThresholds() + "?region=\($0.value)" }, parentName: region?.parent.map { names[$0.value] ?? $0.value },
            children: children, hasChildren: !children.isEmpty, error: error)
    }
}

private extension Double {
    /// A threshold as a person writes it: no trailing zeros, no exponent for everyday sizes.
    var shown: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        var s = String(format: "%.6f", self)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
