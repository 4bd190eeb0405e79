import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// Detection at ingest: each device's detectors keep their state (`DetectorState`, in
/// `telemetry_devices.detector_state`), so a batch costs its new readings only. The state is
/// written in the same transaction as the readings it has seen, so a crash leaves both or
/// neither: the stored readings after `lastSeq` are always exactly the ones not yet fed.
extension Telemetry {
    /// What the detectors need of a device beyond its readings, loaded once per batch.
    struct Detection: Sendable {
        var context: DeviceContext
        var thresholds: Thresholds
        var basis: String
    }

    /// The batch's devices' contexts: their instruments (region, Q3) and recorded visits in one
    /// query each, the region's thresholds (county over city over province over the defaults).
    static func detections(
        for devices: [TelemetryDeviceModel], thresholds fixed: Thresholds?, on db: any Database
    ) async throws -> [Int: Detection] {
        let sql = db as! any SQLDatabase
        let settings = fixed == nil ? try await regionSettings(on: db) : [:]
        struct Instrument: Decodable { var id: Int; var region_code: String; var q3: Double? }
        struct Visit: Decodable { var instrument_id: Int; var verified_on: String }
        var instruments: [Int: Instrument] = [:]
        var visits: [Int: [DateInterval]] = [:]
        let ids = Array(Set(devices.map(\.instrumentID))).sorted()
        for part in stride(from: 0, to: ids.count, by: chunk).map({ Array(ids[$0..<min($0 + chunk, ids.count)]) }) {
            for i in try await sql.select().columns("id", "region_code", "q3").from("instruments").where("id", .in, SQLBind.group(part))
                .all(decoding: Instrument.self) { instruments[i.id] = i }
            // Opening a scale is expected on the day of a recorded verification.
            for v in try await sql.select().columns("instrument_id", "verified_on").from("verification_records")
                .where("instrument_id", .in, SQLBind.group(part)).all(decoding: Visit.self)
            {
                if let day = CalendarDay(v.verified_on) { visits[v.instrument_id, default: []].append(DateInterval(start: day.startInstant, duration: 86_400)) }
            }
        }
        var byRegion: [String: Thresholds] = [:]
        var bases: [String: String] = [:]
        var out: [Int: Detection] = [:]
        for d in devices {
            guard let kind = DeviceKind(rawValue: d.kind) else { continue }
            let instrument = instruments[d.instrumentID]
            let region = instrument?.region_code ?? ""
            let t = fixed ?? byRegion[region] ?? {
                let t = ThresholdSettings.resolve(RegionCode(region), settings)
                byRegion[region] = t
                return t
            }()
            // A meter's step is judged against its own overload flow (Q4 = 1.25 × Q3, JJG 162-2019).
            let context = DeviceContext(
                device: d.name, kind: kind, authorisedSoftwareIDs: d.softwareID.map { [$0] } ?? [], authorisedPulseEquivalent: d.pulseEquivalent,
                visits: visits[d.instrumentID] ?? [], maxPerHour: instrument?.q3.map { $0 * 1.25 })
            let key = "\(region)|\(kind.rawValue)|\(d.pulseEquivalent.map { "\($0)" } ?? "-")"
            let basis = bases[key] ?? Detectors.basis(context, t)
            bases[key] = basis
            out[d.id!] = Detection(context: context, thresholds: t, basis: basis)
        }
        return out
    }

    /// The carried states of these devices, locked for this transaction on PostgreSQL (in id
    /// order, so two batches never wait on each other crosswise); `heard` tells whether the device
    /// had sent anything before.
    static func detectorStates(_ ids: [Int], on sql: any SQLDatabase) async throws -> [Int: (state: String?, heard: Bool, region: String)] {
        struct Row: Decodable { var id: Int; var detector_state: String?; var last_seen_at: Date?; var region_code: String }
        var out: [Int: (String?, Bool, String)] = [:]
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        for part in stride(from: 0, to: ids.count, by: chunk).map({ Array(ids[$0..<min($0 + chunk, ids.count)]) }) {
            for r in try await sql.raw("""
                SELECT id, detector_state, last_seen_at, region_code FROM telemetry_devices WHERE id IN \(SQLBind.group(part)) ORDER BY id\(unsafeRaw: lock)
                """).all(decoding: Row.self) { out[r.id] = (r.detector_state, r.last_seen_at != nil, r.region_code) }
        }
        return out
    }

    /// Feeds each device's new readings to its detectors and keeps what they find, once per
    /// (device, detector, subject); returns the new findings and the states to store. A device
    /// without a state under today's basis, or sent a reading older than one already fed (a
    /// gateway filling a gap), has its state built again from all its stored readings, in order.
    static func detectNew(
        _ new: [Int: [Reading]], devices: [Int: TelemetryDeviceModel], detections: [Int: Detection], carried: [Int: (state: String?, heard: Bool, region: String)],
        now: Date, on sql: any SQLDatabase
    ) async throws -> (found: Int, states: [Int: String]) {
        var found = 0
        var states: [Int: String] = [:]
        for id in new.keys.sorted() {
            guard let d = devices[id], let x = detections[id], let readings = new[id] else { continue }
            var state = carried[id]?.state.flatMap { try? DetectorState.decoded($0) }.flatMap { $0.basis == x.basis ? $0 : nil }
            let late = state.flatMap(\.lastSeq).map { last in readings.contains { $0.seq <= last } } ?? false
            var findings: [Finding] = []
            if var s = state, !late {
                findings = Detectors.feed(readings, into: &s, context: x.context, thresholds: x.thresholds)
                state = s
            } else if state == nil, carried[id]?.heard == false {
                // Its first readings: nothing stored before them.
                var s = DetectorState(basis: x.basis)
                findings = Detectors.feed(readings, into: &s, context: x.context, thresholds: x.thresholds)
                state = s
            } else {
                var s = DetectorState(basis: x.basis)
                findings = try await replay(device: id, into: &s, x, on: sql)
                state = s
            }
            if !findings.isEmpty { found += try await keep(findings, device: d, now: now, on: sql) }
            states[id] = try state!.encoded()
        }
        return (found, states)
    }

    /// Every stored reading of a device, in its order, fed to a fresh state a page at a time.
    static func replay(device id: Int, into state: inout DetectorState, _ x: Detection, on sql: any SQLDatabase) async throws -> [Finding] {
        struct Row: Decodable { var seq: Int64; var line: String }
        var findings: [Finding] = []
        var after = Int64.min
        while true {
            let rows = try await sql.select().columns("seq", "line").from("telemetry_readings").where("device_id", .equal, SQLBind(id))
                .where("seq", .greaterThan, SQLBind(after)).orderBy("seq").limit(replayPage).all(decoding: Row.self)
            guard let last = rows.last else { break }
            after = last.seq
            // The lines were checked when they came; read again, the clock is no longer in question.
            let readings = NDJSONBatch.parse(Array(rows.map(\.line).joined(separator: "\n").utf8), receivedAt: .distantFuture).readings.map(\.reading)
            findings += Detectors.feed(readings, into: &state, context: x.context, thresholds: x.thresholds)
        }
        return findings
    }

    /// Readings read back a page at a time when a device's state is built again.
    static let replayPage = 5_000
}
