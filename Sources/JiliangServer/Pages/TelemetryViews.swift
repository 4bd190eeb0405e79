import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry

/// A row of the alerts' queue, and the parts of an alert both pages show.
struct AlertRow: Encodable, Sendable, Equatable {
    var id: Int
    var link: String
    var priority: Int
    var priorityLabel: String
    var tone: String
    var detector: String
    var instrument: String
    var code: String
    var status: String
    var statusKey: String
    var owner: String
    var creditClass: String
    var device: String
    var at: String
    var decidedOn: String?

    static func of(_ a: TelemetryAlert, _ lang: PageStrings.Language) -> AlertRow {
        AlertRow(
            id: a.finding.id!, link: Site.telemetryAlert(a.finding.id!), priority: a.priority, priorityLabel: priorityLabel(a.priority, lang),
            tone: tone(a.priority), detector: DetectorText.name(a.detector, raw: a.finding.detector, lang),
            instrument: a.instrument.name, code: a.instrument.code, status: PageStrings.statusLabel(a.status.rawValue, lang),
            statusKey: a.status.rawValue, owner: a.owner.name, creditClass: a.creditClass?.rawValue ?? "—", device: a.device.name,
            at: TelemetryTime.shown(a.finding.at), decidedOn: a.finding.decidedOn)
    }

    /// The badge's colour for a priority.
    static func tone(_ p: Int) -> String { p >= 4 ? "bad" : p == 3 ? "warn" : "ok" }

    /// An alert's state in the page's words.
    static func stateLabel(_ s: AlertState, _ t: PageText) -> String {
        switch s {
        case .open: t[.tel_open]
        case .confirmed: t[.tel_confirmed]
        case .dismissed: t[.tel_dismissed]
        }
    }

    /// 4: a high-severity finding on an instrument that may not be used; 1: a silent device.
    static func priorityLabel(_ p: Int, _ lang: PageStrings.Language) -> String {
        let zh = lang == .zh
        switch p {
        case 4...: return zh ? "紧急" : "Urgent"
        case 3: return zh ? "高" : "High"
        case 2: return zh ? "中" : "Medium"
        default: return zh ? "低" : "Low"
        }
    }
}

/// Times as staff in Fujian read them: Beijing time, to the second.
enum TelemetryTime {
    static func shown(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: d)
    }
}

/// The alerts' queue of a region (`telemetry.mustache`): tabs by state with their counts, open
/// alerts by priority, the open inspection tasks.
struct TelemetryAlertsView: PageView {
    struct Tab: Encodable, Sendable, Equatable {
        var link: String
        var label: String
        var count: Int
        var current: Bool
    }
    struct Task: Encodable, Sendable, Equatable {
        var id: Int
        var alertLink: String
        var instrumentLink: String
        var instrument: String
        var region: String
        var opened: String
    }
    var tabs: [Tab]
    var alerts: [AlertRow]
    var empty: Bool
    var decided: Bool
    /// The queue's columns (decided tabs add the day of the decision).
    var columns: Int
    var nextLink: String?
    var tasks: [Task]
    var noTasks: Bool

    static func build(
        state: String?, cursor: String?, by p: Principal, lang: PageStrings.Language, today: CalendarDay, on db: any Database
    ) async throws -> TelemetryAlertsView {
        let t = PageStrings.strings(lang)
        let state = try state.flatMap { $0.isEmpty ? nil : $0 }.map { s in
            guard let v = AlertState(rawValue: s) else { throw RegistryError.invalid("state", .request(.mustBe(AlertState.allCases.map(\.rawValue)))) }
            return v
        } ?? .open
        let counts = try await Telemetry.alertCounts(by: p, on: db)
        let page = try await Telemetry.alerts(state: state, cursor: cursor, limit: 50, today: today, by: p, on: db)
        let tabs = AlertState.allCases.map {
            Tab(link: Site.telemetry() + "?state=\($0.rawValue)", label: AlertRow.stateLabel($0, t), count: counts[$0] ?? 0, current: $0 == state)
        }
        let open = try await Telemetry.inspectionTasks(limit: 20, by: p, on: db).items
        let names = Dictionary(uniqueKeysWithValues: try await Registry.instruments(ids: open.map(\.instrumentID), scope: p.scope, on: db).map { ($0.id!, $0) })
        let tasks = open.map {
            Task(id: $0.id!, alertLink: Site.telemetryAlert($0.originID), instrumentLink: Site.instrument($0.instrumentID),
                 instrument: names[$0.instrumentID].map { "\($0.name) \($0.code)" } ?? String($0.instrumentID), region: $0.regionCode,
                 opened: TelemetryTime.shown($0.openedAt))
        }
        let rows = page.items.map { AlertRow.of($0, lang) }
        return TelemetryAlertsView(
            tabs: tabs, alerts: rows, empty: rows.isEmpty, decided: state != .open, columns: state == .open ? 8 : 9,
            nextLink: page.nextCursor.map { Site.telemetry() + "?state=\(state.rawValue)&cursor=\($0)" }, tasks: tasks, noTasks: tasks.isEmpty)
    }
}

/// One alert (`telemetry-alert.mustache`): what was found and on what readings, the instrument's
/// legal standing and history, and the decision form while it is open.
struct TelemetryAlertView: PageView {
    struct Figure: Encodable, Sendable, Equatable {
        var name: String
        var value: String
    }
    struct Reading: Encodable, Sendable, Equatable {
        var seq: Int64
        var line: String
    }
    struct Record: Encodable, Sendable, Equatable {
        var day: String
        var result: String
        var certificate: String
    }
    struct Other: Encodable, Sendable, Equatable {
        var link: String
        var detector: String
        var at: String
        var state: String
    }
    var alert: AlertRow
    var title: String
    var rule: String
    var severity: String
    var instrumentLink: String
    var ownerLink: String
    var region: String
    var state: String
    var open: Bool
    var figures: [Figure]
    var readings: [Reading]
    var records: [Record]
    var noRecords: Bool
    var others: [Other]
    var hasOthers: Bool
    var decisionAction: String
    var decidedBy: String?
    var decidedAt: String?
    var reason: String?
    /// The SHA-256 of the frozen evidence, computed as the page is shown (the ledger holds the same).
    var evidenceHash: String?
    /// The stored digest no longer matches the frozen text: someone edited one of them.
    var digestDiffers: Bool
    var frozenText: String?
    var taskID: Int?
    var error: String?
    /// The form's values as posted.
    var v: [String: String]
    var confirmChecked: Bool
    var dismissChecked: Bool

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, form: AlertDecisionForm?, on db: any Database
    ) async throws -> TelemetryAlertView {
        let t = PageStrings.strings(lang)
        let a = try await Telemetry.alert(id, today: today, by: p, on: db)
        // A confirmed alert is shown from its frozen evidence (what the ledger's digest covers, kept
        // when the raw readings are thinned); an open or dismissed one from the finding and the
        // stored readings.
        let frozen = Telemetry.FrozenEvidence(text: a.finding.frozenEvidence)
        let evidence = frozen?.evidence ?? (try? JSONDecoder().decode([String: String].self, from: Data(a.finding.evidence.utf8))) ?? [:]
        let readings: [Reading]
        if let frozen {
            readings = frozen.readings.map { Reading(seq: $0.seq, line: $0.line) }
        } else {
            readings = try await Telemetry.evidenceReadings(a.finding, on: db).map { Reading(seq: $0.seq, line: $0.line) }
        }
        let digest = a.finding.frozenEvidence.map(Telemetry.digest)
        let records = try await Registry.records(instrumentID: a.instrument.id, institutionID: nil, cursor: nil, limit: 5, scope: p.scope, on: db).items.map {
            Record(day: $0.verifiedOn, result: $0.result == "pass" ? t[.tel_pass] : t[.tel_fail], certificate: $0.certificateNo ?? "—")
        }
        let others = try await Telemetry.alertsOnInstrument(a.instrument.id!, except: id, by: p, on: db).map {
            Other(link: Site.telemetryAlert($0.id!), detector: DetectorText.name(DetectorKind(rawValue: $0.detector), raw: $0.detector, lang),
                  at: TelemetryTime.shown($0.at), state: AlertRow.stateLabel($0.alertState, t))
        }
        let row = AlertRow.of(a, lang)
        return TelemetryAlertView(
            alert: row, title: "\(row.detector) #\(id)", rule: DetectorText.rule(a.detector, lang),
            severity: a.detector.map { DetectorText.severity($0.severity, lang) } ?? "—",
            instrumentLink: Site.instrument(a.instrument.id!), ownerLink: Site.owner(a.owner.id!), region: a.instrument.regionCode,
            state: AlertRow.stateLabel(a.finding.alertState, t), open: a.finding.alertState == .open,
            figures: evidence.keys.sorted().map { Figure(name: DetectorText.evidenceKey($0, lang), value: evidence[$0]!) }, readings: readings, records: records,
            noRecords: records.isEmpty, others: others, hasOthers: !others.isEmpty, decisionAction: Site.telemetryAlertDecision(id), decidedBy: a.finding.decidedBy,
            decidedAt: a.finding.decidedAt.map(TelemetryTime.shown), reason: a.finding.decisionReason, evidenceHash: digest,
            digestDiffers: digest != nil && digest != a.finding.evidenceHash, frozenText: a.finding.frozenEvidence,
            taskID: a.taskID, error: error, v: ["reason": form?.reason ?? ""],
            confirmChecked: form?.decision == AlertDecision.confirm.rawValue, dismissChecked: form?.decision == AlertDecision.dismiss.rawValue)
    }
}
