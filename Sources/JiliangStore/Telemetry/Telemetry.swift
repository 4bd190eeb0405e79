import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// Smart supervision's store (issue #21): devices bound to instruments the caller may see, their
/// readings kept once per (device, seq), and what the detectors find on them. Every device is
/// found through its instrument, and every instrument through `Registry.scoped`: a device outside
/// the caller's scope is answered as unknown.
public enum Telemetry {
    // MARK: Devices

    public static func register(
        name: String?, instrumentID: Int?, kind: String?, softwareID: String?, pulseEquivalent: Double?, by p: Principal, now: Date = Date(),
        on db: any Database
    ) async throws -> TelemetryDeviceModel {
        guard p.may(.submitReadings) else { throw RegistryError.forbidden(.notAllowed(.submitReadings)) }
        var c = FieldChecker()
        let name = c.text("name", name, max: 64)
        if instrumentID == nil { c.fail("instrument_id", .required) }
        let kind: DeviceKind? = c.choice("kind", kind)
        let software = c.text("software_id", softwareID, max: 64, required: false)
        if let pe = pulseEquivalent, !(pe.isFinite && (0.000_001...10).contains(pe)) {
            c.fail("pulse_equivalent", .notANumber(from: 0.000_001, to: 10, got: "\(pe)"))
        }
        try c.finish()
        let instrument = try await Registry.instrument(instrumentID!, scope: p.scope, on: db)
        return try await db.auditedTransaction { tx in
            if try await TelemetryDeviceModel.query(on: tx).filter(\.$name == name!).first() != nil {
                throw RegistryError.conflict(field: "name", reason: .telemetry(.deviceNameTaken(name!)))
            }
            let m = TelemetryDeviceModel()
            m.name = name!
            m.instrumentID = instrument.id!
            m.kind = kind!.rawValue
            m.softwareID = software
            m.pulseEquivalent = pulseEquivalent
            m.registeredBy = p.label
            m.registeredAt = now
            try await m.save(on: tx)
            return m
        }
    }

    /// The devices whose instruments the caller may see, by name (`names` nil: all of them).
    public static func devices(named names: [String]? = nil, scope: AccessScope, on db: any Database) async throws -> [TelemetryDeviceModel] {
        var q = TelemetryDeviceModel.query(on: db)
        if let names { q = q.filter(\.$name ~~ names) }
        let devices = try await q.sort(\.$id).all()
        guard !devices.isEmpty else { return [] }
        let visible = Set(try await Registry.scoped(InstrumentModel.query(on: db), scope)
            .filter(\.$id ~~ Array(Set(devices.map(\.instrumentID)))).all(\.$id).compactMap { $0 })
        return devices.filter { visible.contains($0.instrumentID) }
    }

    // MARK: Ingest

    public struct IngestReport: Sendable {
        public var accepted: Int
        /// Readings already kept (a retried batch): added nothing.
        public var duplicates: Int
        public var errors: [NDJSONBatch.LineError]
        /// New findings the batch led to.
        public var findings: Int
    }

    /// Keeps a gateway's batch: every good line of a device the caller may see is kept once per
    /// (device, seq); the others are named by line. Then the detectors run over each device's
    /// recent readings, and what they find is kept once.
    public static func ingest(
        _ bytes: [UInt8], by p: Principal, receivedAt now: Date = Date(), limits: NDJSONBatch.Limits = .init(), thresholds: Thresholds = .init(),
        on db: any Database
    ) async throws -> IngestReport {
        guard p.may(.submitReadings) else { throw RegistryError.forbidden(.notAllowed(.submitReadings)) }
        let batch = NDJSONBatch.parse(bytes, receivedAt: now, limits: limits)
        var errors = batch.errors
        let devices = try await Telemetry.devices(named: Array(Set(batch.readings.map(\.reading.device))), scope: p.scope, on: db)
        let byName = Dictionary(uniqueKeysWithValues: devices.map { ($0.name, $0) })
        var kept: [(device: Int, seq: Int64, at: Date, type: String, line: String)] = []
        var seen: [String: String] = [:]
        for (line, r, text) in batch.readings {
            guard let d = byName[r.device] else {
                // Unknown and outside the caller's scope alike.
                errors.append(.init(line: line, field: "device", reason: .telemetry(.unknownDevice(r.device))))
                continue
            }
            let key = "\(d.id!)/\(r.seq)"
            if let before = seen[key] {
                if before != text { errors.append(.init(line: line, field: "seq", reason: .telemetry(.sequenceReused(seq: r.seq)))) }
                continue
            }
            seen[key] = text
            kept.append((d.id!, r.seq, r.at, r.type, text))
        }
        errors.sort { ($0.line, $0.field) < ($1.line, $1.field) }
        let rows = kept  // the transaction's body may run again (replayable): it reads, never changes, them
        let inserted = try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            var inserted = 0
            for chunk in stride(from: 0, to: rows.count, by: 500).map({ Array(rows[$0..<min($0 + 500, rows.count)]) }) {
                var insert = sql.insert(into: "telemetry_readings").columns("device_id", "seq", "at", "type", "line", "received_at")
                for r in chunk { insert = insert.values(SQLBind(r.device), SQLBind(r.seq), SQLBind(r.at), SQLBind(r.type), SQLBind(r.line), SQLBind(now)) }
                inserted += try await insert.ignoringConflicts(with: ["device_id", "seq"]).returning("seq").all().count
            }
            for (device, at) in Dictionary(rows.map { ($0.device, $0.at) }, uniquingKeysWith: max) {
                try await sql.raw("""
                    UPDATE telemetry_devices SET last_seen_at = \(bind: at)
                    WHERE id = \(bind: device) AND (last_seen_at IS NULL OR last_seen_at < \(bind: at))
                    """).run()
            }
            return inserted
        }
        var found = 0
        for d in devices where rows.contains(where: { $0.device == d.id! }) {
            found += try await detect(d, now: now, thresholds: thresholds, on: db)
        }
        return IngestReport(accepted: inserted, duplicates: rows.count - inserted, errors: errors, findings: found)
    }

    // MARK: Detection

    /// How many of a device's latest readings the detectors look at.
    static let window = 500

    /// Runs the detectors over a device's latest readings and keeps what is new.
    @discardableResult
    public static func detect(_ d: TelemetryDeviceModel, now: Date, thresholds: Thresholds = .init(), on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        struct Row: Decodable { var line: String }
        let lines = try await sql.select().column("line").from("telemetry_readings").where("device_id", .equal, SQLBind(d.id!))
            .orderBy("at", .descending).orderBy("seq", .descending).limit(window).all(decoding: Row.self).map(\.line)
        // The lines were checked when they came; read again, the clock is no longer in question.
        let readings = NDJSONBatch.parse(Array(lines.reversed().joined(separator: "\n").utf8), receivedAt: .distantFuture).readings.map(\.reading)
        guard let kind = DeviceKind(rawValue: d.kind) else { return 0 }
        let context = DeviceContext(
            device: d.name, kind: kind, authorisedSoftwareIDs: d.softwareID.map { [$0] } ?? [], authorisedPulseEquivalent: d.pulseEquivalent)
        let findings = Detectors.run(readings, context: context, thresholds: thresholds, now: now)
            .filter { $0.detector != .deviceSilent }  // silence is judged by the clock, not by a batch that just came
        guard !findings.isEmpty else { return 0 }
        return try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            var insert = sql.insert(into: "telemetry_findings")
                .columns("device_id", "instrument_id", "detector", "first_seq", "at", "seqs", "evidence", "state", "found_at")
            for f in findings {
                let evidence = String(decoding: try JSONEncoder.sorted.encode(f.evidence), as: UTF8.self)
                insert = insert.values(
                    SQLBind(d.id!), SQLBind(d.instrumentID), SQLBind(f.detector.rawValue), SQLBind(f.seqs.first ?? 0), SQLBind(f.at),
                    SQLBind(f.seqs.map(String.init).joined(separator: ",")), SQLBind(evidence), SQLBind("open"), SQLBind(now))
            }
            return try await insert.ignoringConflicts(with: ["device_id", "detector", "first_seq"]).returning("id").all().count
        }
    }

    /// The findings on the devices the caller may see, newest first; of one device if given.
    public static func findings(deviceID: Int?, scope: AccessScope, limit: Int = 100, on db: any Database) async throws -> [TelemetryFindingModel] {
        let visible = try await devices(scope: scope, on: db).map { $0.id! }
        let ids = deviceID.map { visible.contains($0) ? [$0] : [] } ?? visible
        guard !ids.isEmpty else { return [] }
        return try await TelemetryFindingModel.query(on: db).filter(\.$deviceID ~~ ids).sort(\.$at, .descending).sort(\.$id, .descending)
            .limit(limit).all()
    }
}
