import Crypto
import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import JiliangTelemetry
import SQLKit

/// A finding as a bureau reviews it (issue #21, item 5): beside what the detector saw, who the
/// instrument belongs to and where it stands in law — its status today, its owner and the owner's
/// credit class — so that an alert on an overdue or failed instrument is read first.
public struct TelemetryAlert: Sendable {
    public var finding: TelemetryFindingModel
    public var device: TelemetryDeviceModel
    public var instrument: InstrumentModel
    public var status: ComplianceStatus
    public var owner: OwnerModel
    /// The owner's stored credit-risk class, if it has been computed.
    public var creditClass: CreditClass?
    /// `AlertPriority`: the detector's severity, one higher when the instrument may not be used.
    public var priority: Int
    /// The inspection task a confirmed alert opened.
    public var taskID: Int?

    public var detector: DetectorKind? { DetectorKind(rawValue: finding.detector) }
}

/// A bureau's decision on an alert.
public enum AlertDecision: String, Sendable, CaseIterable {
    case confirm, dismiss
}

extension Telemetry {
    /// Alerts of one state in the caller's region: open ones by priority then newest first,
    /// decided ones by when they were decided. Bureau staff and administrators (`reviewAlerts`).
    public static func alerts(
        state: AlertState = .open, cursor: String? = nil, limit: Int = 50, today: CalendarDay, window: Int = 30, by p: Principal,
        on db: any Database
    ) async throws -> Page<TelemetryAlert> {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        // The open queue pages by its sort key (priority, then newest found), so that alerts
        // decided while a reviewer works through it do not make the next page skip any. Decided
        // ones are history: newest decision first, paged by position.
        var condition: SQLQueryString = "f.state = \(bind: state.rawValue)"
        var offset = 0
        let order: SQLQueryString
        if state == .open {
            order = "priority DESC, f.id DESC"
            if let (key, id) = try Cursor.decodeKeyed(cursor) {
                guard let last = Int(key) else { throw RegistryError.invalid("cursor", .notACursorForThisOrder) }
                let priority = priorityExpression(today: today, window: window)
                condition = "\(condition) AND (\(priority) < \(bind: last) OR (\(priority) = \(bind: last) AND f.id < \(bind: id)))"
            }
        } else {
            order = "f.decided_at DESC, f.id DESC"
            offset = try Cursor.decode(cursor) ?? 0
        }
        let ranked = try await ranked(where: condition, order: order, limit: limit + 1, offset: offset, today: today, window: window, scope: p.scope, on: db)
        let items = try await load(Array(ranked.prefix(limit)), today: today, window: window, on: db)
        guard ranked.count > limit, let last = ranked.prefix(limit).last else { return Page(items: items, nextCursor: nil) }
        return Page(items: items, nextCursor: state == .open ? Cursor.encodeKeyed(String(last.priority), id: last.id) : Cursor.encode(offset + limit))
    }

    /// How many alerts of each state the caller's region has (the queue's tabs).
    public static func alertCounts(by p: Principal, on db: any Database) async throws -> [AlertState: Int] {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        var out = Dictionary(uniqueKeysWithValues: AlertState.allCases.map { ($0, 0) })
        for r in try await (db as! any SQLDatabase).raw("""
            SELECT f.state, COUNT(*) AS n FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id
            WHERE \(Registry.instrumentsVisible(p.scope)) GROUP BY f.state
            """).all() {
            if let s = AlertState(rawValue: try r.decode(column: "state", as: String.self)) { out[s] = try r.decode(column: "n", as: Int.self) }
        }
        return out
    }

    /// One alert the caller may review; outside its region it is not found, as an unknown one is.
    public static func alert(_ id: Int, today: CalendarDay, window: Int = 30, by p: Principal, on db: any Database) async throws -> TelemetryAlert {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let ranked = try await ranked(where: "f.id = \(bind: id)", order: "f.id", limit: 1, offset: 0, today: today, window: window, scope: p.scope, on: db)
        guard let alert = try await load(ranked, today: today, window: window, on: db).first else {
            throw RegistryError.notFound(.telemetryAlert, key: String(id))
        }
        return alert
    }

    /// The other alerts on the same instrument, newest first (an alert's history); none when the
    /// instrument is outside the caller's region.
    public static func alertsOnInstrument(
        _ instrumentID: Int, except id: Int, limit: Int = 20, by p: Principal, on db: any Database
    ) async throws -> [TelemetryFindingModel] {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let ids = try await (db as! any SQLDatabase).raw("""
            SELECT f.id FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id
            WHERE f.instrument_id = \(bind: instrumentID) AND f.id <> \(bind: id) AND \(Registry.instrumentsVisible(p.scope))
            ORDER BY f.at DESC, f.id DESC LIMIT \(bind: limit)
            """).all().map { try $0.decode(column: "id", as: Int.self) }
        guard !ids.isEmpty else { return [] }
        let found = Dictionary(uniqueKeysWithValues: try await TelemetryFindingModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        return ids.compactMap { found[$0] }
    }

    /// A bureau's decision, with its reason; final. Confirming freezes the evidence — the finding's
    /// figures and the readings it rests on, as the gateway sent them — and keeps its SHA-256 for
    /// the ledger (the sequencer picks confirmed alerts up), counts against the owner's credit
    /// (its score is marked for recomputation), opens an inspection task for the instrument's
    /// region and tells that region's inbox. Two decisions at once: the first one stands.
    public static func decide(
        _ id: Int, decision: String?, reason: String?, today: CalendarDay, by p: Principal, now: Date = Date(), on db: any Database
    ) async throws -> TelemetryAlert {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        var c = FieldChecker()
        let d: AlertDecision? = c.choice("decision", decision)
        let why = c.text("reason", reason, max: 500)
        try c.finish()
        let alert = try await self.alert(id, today: today, by: p, on: db)
        guard alert.finding.alertState == .open else {
            throw RegistryError.conflict(field: "decision", reason: .telemetry(.alertAlreadyDecided(state: alert.finding.state)))
        }
        let confirm = d! == .confirm
        let frozen = confirm ? try await freeze(alert, on: db) : nil
        let hash = frozen.map(digest)
        let instrument = alert.instrument, detector = alert.finding.detector, reason = why!, day = today.description
        let decided = try await db.auditedTransaction { tx -> Bool in
            let sql = tx as! any SQLDatabase
            let updated = try await sql.raw("""
                UPDATE telemetry_findings SET state = \(bind: confirm ? AlertState.confirmed.rawValue : AlertState.dismissed.rawValue),
                  decided_by = \(bind: p.label), decided_at = \(bind: now), decided_on = \(bind: day), decision_reason = \(bind: reason),
                  frozen_evidence = \(bind: frozen), evidence_hash = \(bind: hash)
                WHERE id = \(bind: id) AND state = \(bind: AlertState.open.rawValue) RETURNING id
                """).all()
            guard !updated.isEmpty else { return false }
            var after = ["decision": confirm ? "confirm" : "dismiss", "reason": reason]
            if confirm {
                let task = InspectionTaskModel()
                task.regionCode = instrument.regionCode
                task.instrumentID = instrument.id!
                task.ownerID = instrument.ownerID
                task.origin = "telemetry_alert"
                task.originID = id
                task.state = "open"
                task.openedBy = p.label
                task.openedAt = now
                try await task.create(on: tx)
                try await Notices.send(
                    .inspectionTaskOpened(
                        task: task.id!, alert: id, instrument: .init(id: instrument.id!, name: instrument.name, code: instrument.code), detector: detector),
                    to: "region:\(instrument.regionCode)", now: now, on: tx)
                try await CreditLog.markStale(instrument.ownerID, on: tx)
                after["evidence_hash"] = hash
                after["inspection_task"] = String(task.id!)
            }
            try await Audit.record(p, action: confirm ? "telemetry.confirm" : "telemetry.dismiss", entity: "telemetry_findings", id: String(id), after: after, on: tx)
            return true
        }
        guard decided else {
            let now = try await TelemetryFindingModel.find(id, on: db)
            throw RegistryError.conflict(field: "decision", reason: .telemetry(.alertAlreadyDecided(state: now?.state ?? "decided")))
        }
        return try await self.alert(id, today: today, by: p, on: db)
    }

    /// The open inspection tasks of the caller's region, newest first.
    public static func inspectionTasks(cursor: String? = nil, limit: Int = 50, by p: Principal, on db: any Database) async throws -> Page<InspectionTaskModel> {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let after = try Cursor.decode(cursor) ?? Int.max
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT t.id FROM inspection_tasks t JOIN instruments ON instruments.id = t.instrument_id
            WHERE t.state = 'open' AND \(Registry.instrumentsVisible(p.scope)) AND t.id < \(bind: after)
            ORDER BY t.id DESC LIMIT \(bind: limit + 1)
            """).all().map { try $0.decode(column: "id", as: Int.self) }
        let ids = Array(rows.prefix(limit))
        let tasks = ids.isEmpty ? [] : try await InspectionTaskModel.query(on: db).filter(\.$id ~~ ids).sort(\.$id, .descending).all()
        return Page(items: tasks, nextCursor: rows.count > limit ? ids.last.map(Cursor.encode) : nil)
    }

    // MARK: Reading them

    /// The readings a finding rests on, as the gateway sent them, in sequence order (the caller
    /// has the finding already, so its scope was checked).
    public static func evidenceReadings(_ f: TelemetryFindingModel, on db: any Database) async throws -> [(seq: Int64, line: String)] {
        let seqs = f.seqs.split(separator: ",").compactMap { Int64($0) }
        struct Row: Decodable { var seq: Int64; var line: String }
        var out: [(seq: Int64, line: String)] = []
        for part in seqs.chunked(chunk) {
            out += try await (db as! any SQLDatabase).select().column("seq").column("line").from("telemetry_readings")
                .where("device_id", .equal, SQLBind(f.deviceID)).where("seq", .in, SQLBind.group(Array(part)))
                .orderBy("seq").all(decoding: Row.self).map { ($0.seq, $0.line) }
        }
        return out
    }

    /// Finding ids in the caller's scope, with their priority computed in SQL from the joined
    /// instrument's status (`Registry.statusExpression`, the same cases as the engine).
    static func ranked(
        where condition: SQLQueryString, order: SQLQueryString, limit: Int, offset: Int, today: CalendarDay, window: Int, scope: AccessScope,
        on db: any Database
    ) async throws -> [(id: Int, priority: Int)] {
        try await (db as! any SQLDatabase).raw("""
            SELECT f.id, \(priorityExpression(today: today, window: window)) AS priority
            FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id
            WHERE \(condition) AND \(Registry.instrumentsVisible(scope))
            ORDER BY \(order) LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "priority", as: Int.self)) }
    }

    /// `AlertPriority.of` in SQL over a finding `f` joined with its instrument: the stored severity,
    /// one higher when the instrument's status is one that may not be used.
    static func priorityExpression(today: CalendarDay, window: Int) -> SQLQueryString {
        let unusable = ComplianceStatus.allCases.filter(\.mayNotBeUsed).map(\.rawValue)
        return "(f.severity + CASE WHEN \(Registry.statusExpression(today: today, window: window)) IN (\(binds: unusable)) THEN 1 ELSE 0 END)"
    }

    /// The alerts behind ranked ids, in their order: one query per table, not one per alert.
    static func load(_ ranked: [(id: Int, priority: Int)], today: CalendarDay, window: Int, on db: any Database) async throws -> [TelemetryAlert] {
        guard !ranked.isEmpty else { return [] }
        let findings = Dictionary(uniqueKeysWithValues: try await TelemetryFindingModel.query(on: db).filter(\.$id ~~ ranked.map(\.id)).all().map { ($0.id!, $0) })
        let devices = Dictionary(uniqueKeysWithValues: try await TelemetryDeviceModel.query(on: db)
            .filter(\.$id ~~ Array(Set(findings.values.map(\.deviceID)))).all().map { ($0.id!, $0) })
        let instruments = Dictionary(uniqueKeysWithValues: try await InstrumentModel.query(on: db)
            .filter(\.$id ~~ Array(Set(findings.values.map(\.instrumentID)))).all().map { ($0.id!, $0) })
        let ownerIDs = Array(Set(instruments.values.map(\.ownerID)))
        let owners = Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ ownerIDs).all().map { ($0.id!, $0) })
        let sql = db as! any SQLDatabase
        var classes: [Int: CreditClass] = [:]
        for r in try await sql.raw("SELECT owner_id, class FROM credit_scores WHERE owner_id IN (\(binds: ownerIDs))").all() {
            classes[try r.decode(column: "owner_id", as: Int.self)] = CreditClass(rawValue: try r.decode(column: "class", as: String.self))
        }
        var tasks: [Int: Int] = [:]
        for r in try await sql.raw("""
            SELECT id, origin_id FROM inspection_tasks WHERE origin = 'telemetry_alert' AND origin_id IN (\(binds: ranked.map(\.id)))
            """).all() {
            tasks[try r.decode(column: "origin_id", as: Int.self)] = try r.decode(column: "id", as: Int.self)
        }
        return ranked.compactMap { r in
            guard let f = findings[r.id], let d = devices[f.deviceID], let i = instruments[f.instrumentID], let o = owners[i.ownerID] else { return nil }
            return TelemetryAlert(
                finding: f, device: d, instrument: i, status: i.status(on: today, window: window), owner: o, creditClass: classes[o.id!],
                priority: r.priority, taskID: tasks[r.id])
        }
    }

    /// What a confirmed alert freezes: the finding as shown and the readings it rests on, as the
    /// gateway sent them (the raw window may later be thinned to aggregates; this stays). Sorted
    /// keys, so that the same evidence always hashes the same.
    public struct FrozenEvidence: Codable, Sendable, Equatable {
        public struct Line: Codable, Sendable, Equatable {
            public var seq: Int64
            public var line: String
        }
        public var alert: Int
        public var device: String
        public var instrument_id: Int
        public var detector: String
        public var subject: String
        public var at: String
        public var seqs: [Int64]
        public var evidence: [String: String]
        public var readings: [Line]
        /// The readings the finding rests on that were no longer kept when it was confirmed (past the
        /// raw-data window): said, not silently left out. Absent when none is missing.
        public var readings_missing: [Int64]?

        /// The frozen text as stored (nil: not frozen, or not readable as frozen evidence).
        public init?(text: String?) {
            guard let text, let v = try? JSONDecoder().decode(FrozenEvidence.self, from: Data(text.utf8)) else { return nil }
            self = v
        }

        init(alert: Int, device: String, instrument_id: Int, detector: String, subject: String, at: String, seqs: [Int64], evidence: [String: String], readings: [Line]) {
            self.alert = alert
            self.device = device
            self.instrument_id = instrument_id
            self.detector = detector
            self.subject = subject
            self.at = at
            self.seqs = seqs
            self.evidence = evidence
            self.readings = readings
            let kept = Set(readings.map(\.seq))
            let missing = seqs.filter { !kept.contains($0) }
            self.readings_missing = missing.isEmpty ? nil : missing
        }
    }

    /// The digest the ledger holds for a frozen text: anyone with the text can recompute it.
    public static func digest(_ text: String) -> String { "sha256:" + Hex.string(SHA256.hash(data: Array(text.utf8))) }

    static func freeze(_ a: TelemetryAlert, on db: any Database) async throws -> String {
        let seqs = a.finding.seqs.split(separator: ",").compactMap { Int64($0) }
        let lines = try await evidenceReadings(a.finding, on: db).map { FrozenEvidence.Line(seq: $0.seq, line: $0.line) }
        let evidence = (try? JSONDecoder().decode([String: String].self, from: Data(a.finding.evidence.utf8))) ?? [:]
        let f = FrozenEvidence(
            alert: a.finding.id!, device: a.device.name, instrument_id: a.instrument.id!, detector: a.finding.detector, subject: a.finding.subject,
            at: ISO8601DateFormatter().string(from: a.finding.at), seqs: seqs, evidence: evidence, readings: lines)
        return String(decoding: try JSONEncoder.sorted.encode(f), as: UTF8.self)
    }
}
