import FluentKit
import FluentPostgresDriver
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// Smart supervision's store (issue #21): devices bound to instruments the caller may see, their
/// readings kept once per (device, seq), and what the detectors find on them. Every device is
/// found through its instrument, and every instrument through `Registry.scoped`: a device outside
/// the caller's scope is answered as unknown.
public enum Telemetry {
    /// The most devices one batch may name (a gateway serves a station or a fleet, not a province).
    public static let maxDevicesPerBatch = 1_000
    /// Keys per `IN (…)` list: well under SQLite's 32,766 and PostgreSQL's 65,535 binds.
    static let chunk = 1_000

    // MARK: Devices

    /// Binds a device to an instrument in the caller's scope. The software identification and
    /// pulse equivalent it is held to are the regulator's to set (from its verification or
    /// initialisation), never the supervised owner's.
    public static func register(
        name: String?, instrumentID: Int?, kind: String?, softwareID: String?, pulseEquivalent: Double?, gatewayTokenID: Int? = nil, by p: Principal,
        now: Date = Date(), on db: any Database
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
        if p.role == .owner, software != nil || pulseEquivalent != nil || gatewayTokenID != nil {
            c.fail(software != nil ? "software_id" : pulseEquivalent != nil ? "pulse_equivalent" : "gateway_token_id", .telemetry(.authorisedValuesStaffOnly))
        }
        if let g = gatewayTokenID, p.role != .owner {
            let token = try await APITokenModel.find(g, on: db)
            if token == nil || token?.revokedAt != nil || token?.permissions.split(separator: " ").contains(Substring(Permission.submitReadings.rawValue)) != true {
                c.fail("gateway_token_id", .telemetry(.notAGatewayToken(id: g)))
            }
        }
        try c.finish()
        let instrument = try await Registry.instrument(instrumentID!, scope: p.scope, on: db)
        if let entry = try await CatalogueEntryModel.find(instrument.subNo, on: db), !kind!.fits(itemName: entry.itemName, subName: entry.subName) {
            throw RegistryError.invalid("kind", .telemetry(.kindDoesNotFit(kind: kind!.rawValue, instrument: entry.subName)))
        }
        do {
            return try await db.auditedTransaction { tx in
                // The instrument again, under its row's lock: in scope, with its owner and region.
                let inst = try await Registry.lockedInstrument(instrument.id!, scope: p.scope, on: tx)
                // Unique per owner: another owner's device of this name is neither a conflict nor
                // told (the caller may not see it).
                let key = "\(inst.ownerID)/\(name!)"
                if try await TelemetryDeviceModel.query(on: tx).filter(\.$ownerAndName == key).first() != nil {
                    throw RegistryError.conflict(field: "name", reason: .telemetry(.deviceNameTaken(name!)))
                }
                let m = TelemetryDeviceModel()
                m.name = name!
                m.ownerAndName = key
                m.instrumentID = inst.id!
                m.regionCode = inst.regionCode  // read under the lock above
                m.kind = kind!.rawValue
                m.softwareID = software
                m.pulseEquivalent = pulseEquivalent
                m.gatewayTokenID = gatewayTokenID
                m.registeredBy = p.label
                m.registeredAt = now
                try await m.save(on: tx)
                return m
            }
        } catch let e as any DatabaseError where e.isConstraintFailure {
            // Two registrations of one name for one owner at once: the database's unique key decided.
            throw RegistryError.conflict(field: "name", reason: .telemetry(.deviceNameTaken(name!)))
        }
    }

    /// The devices whose instruments the caller may see, by name (`names` nil: all of them).
    public static func devices(named names: [String]? = nil, scope: AccessScope, on db: any Database) async throws -> [TelemetryDeviceModel] {
        var devices: [TelemetryDeviceModel] = []
        if let names {
            for part in names.chunked(chunk) {
                devices += try await TelemetryDeviceModel.query(on: db).filter(\.$name ~~ part).all()
            }
        } else {
            devices = try await TelemetryDeviceModel.query(on: db).sort(\.$id).all()
        }
        return try await visible(devices, scope: scope, on: db)
    }

    /// The devices of these ids the caller may see (unknown and outside the scope alike: absent).
    public static func devices(ids: [Int], scope: AccessScope, on db: any Database) async throws -> [TelemetryDeviceModel] {
        var devices: [TelemetryDeviceModel] = []
        for part in ids.chunked(chunk) {
            devices += try await TelemetryDeviceModel.query(on: db).filter(\.$id ~~ part).all()
        }
        return try await visible(devices, scope: scope, on: db)
    }

    /// Those of `devices` whose instruments `Registry.scoped` shows the caller, by id.
    static func visible(_ devices: [TelemetryDeviceModel], scope: AccessScope, on db: any Database) async throws -> [TelemetryDeviceModel] {
        guard !devices.isEmpty else { return [] }
        let instruments = Array(Set(devices.map(\.instrumentID)))
        var visible = Set<Int>()
        // Ids only, in SQL: a batch asks this for every device it names (Fluent would build a whole
        // instrument model for each id).
        for part in instruments.chunked(chunk) {
            visible.formUnion(try await (db as! any SQLDatabase).raw("""
                SELECT id FROM instruments WHERE id IN \(SQLBind.group(Array(part))) AND \(Registry.instrumentsVisible(scope))
                """).all().map { try $0.decode(column: "id", as: Int.self) })
        }
        return devices.filter { visible.contains($0.instrumentID) }.sorted { $0.id! < $1.id! }
    }

    /// The devices the caller may see, by id, a page at a time (the cursor is the last id seen).
    public static func devicesPage(cursor: String?, limit: Int, scope: AccessScope, on db: any Database) async throws -> Page<TelemetryDeviceModel> {
        let after = try Cursor.decode(cursor) ?? 0
        let ids = try await (db as! any SQLDatabase).raw("""
            SELECT d.id FROM telemetry_devices d JOIN instruments ON instruments.id = d.instrument_id
            WHERE d.id > \(bind: after) AND \(Registry.instrumentsVisible(scope)) ORDER BY d.id LIMIT \(bind: limit + 1)
            """).all().map { try $0.decode(column: "id", as: Int.self) }
        let page = Array(ids.prefix(limit))
        let items = page.isEmpty ? [] : try await TelemetryDeviceModel.query(on: db).filter(\.$id ~~ page).sort(\.$id).all()
        return Page(items: items, nextCursor: ids.count > limit ? Cursor.encode(page.last!) : nil)
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
    /// (device, seq); the others are named by line — a sequence number the device already used
    /// for other contents too. Then the detectors run over each device's latest readings, and
    /// what they find is kept once. One audit entry sums the batch up.
    public static func ingest(
        _ bytes: [UInt8], by p: Principal, receivedAt now: Date = Date(), limits: NDJSONBatch.Limits = .init(), thresholds: Thresholds? = nil,
        detect runDetectors: Bool = true, on db: any Database
    ) async throws -> IngestReport {
        guard p.may(.submitReadings) else { throw RegistryError.forbidden(.notAllowed(.submitReadings)) }
        return try await ingest(
            NDJSONBatch.parse(bytes, receivedAt: now, limits: limits), by: p, receivedAt: now, thresholds: thresholds, detect: runDetectors, on: db)
    }

    /// Keeps a batch already read (from NDJSON, or from protobuf by `ProtobufBatch`), as above.
    public static func ingest(
        _ batch: NDJSONBatch, by p: Principal, receivedAt now: Date = Date(), thresholds: Thresholds? = nil,
        detect runDetectors: Bool = true, on db: any Database
    ) async throws -> IngestReport {
        guard p.may(.submitReadings) else { throw RegistryError.forbidden(.notAllowed(.submitReadings)) }
        var errors = batch.errors
        var names: [String] = []
        var named = Set<String>()
        for (_, r, _) in batch.readings where !named.contains(r.device) && names.count < maxDevicesPerBatch {
            named.insert(r.device)
            names.append(r.device)
        }
        let devices = try await Telemetry.devices(named: names, scope: p.scope, on: db)
        // A name is unique per owner: among the devices of a name the caller may see, those bound
        // to another gateway's credential are not its (as unknown), one bound to this credential
        // is, and otherwise the name must be the caller's one device of it.
        var byName: [String: TelemetryDeviceModel] = [:]
        var ambiguous = Set<String>()
        for (name, group) in Dictionary(grouping: devices, by: \.name) {
            let mine = group.filter { d in d.gatewayTokenID.map { p.kind == .token && p.id == $0 } ?? true }
            let bound = mine.filter { $0.gatewayTokenID != nil }
            if bound.count == 1 || mine.count == 1 {
                byName[name] = bound.first ?? mine[0]
            } else if mine.count > 1 {
                ambiguous.insert(name)
            }
        }
        var kept: [(line: Int, device: Int, seq: Int64, at: Date, type: String, text: String, reading: Reading)] = []
        var seen: [DeviceSeq: String] = [:]
        for (line, r, text) in batch.readings {
            guard named.contains(r.device) else {
                errors.append(.init(line: line, field: "device", reason: .telemetry(.tooManyDevices(max: maxDevicesPerBatch))))
                continue
            }
            guard !ambiguous.contains(r.device) else {
                errors.append(.init(line: line, field: "device", reason: .telemetry(.deviceNameAmbiguous(r.device))))
                continue
            }
            // Unknown, outside the caller's scope, or bound to another gateway's credential: alike.
            guard let d = byName[r.device] else {
                errors.append(.init(line: line, field: "device", reason: .telemetry(.unknownDevice(r.device))))
                continue
            }
            let key = DeviceSeq(device: d.id!, seq: r.seq)
            if let before = seen[key] {
                if before != text { errors.append(.init(line: line, field: "seq", reason: .telemetry(.sequenceReused(seq: r.seq)))) }
                continue
            }
            seen[key] = text
            kept.append((line, d.id!, r.seq, r.at, r.type, text, r))
        }
        let rows = kept  // the transaction's body may run again (replayable): it reads, never changes, them
        let byID = Dictionary(uniqueKeysWithValues: devices.map { ($0.id!, $0) })
        let sending = Set(rows.map(\.device)).sorted()
        // (`runDetectors: false` only for the benchmark's storage bound: every other caller detects.)
        let detections = runDetectors ? try await detections(for: sending.compactMap { byID[$0] }, thresholds: thresholds, on: db) : [:]
        let (inserted, reused, detected) = try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            // First, so that two batches of one device take their turns (PostgreSQL locks the rows):
            // the detectors' state, and on PostgreSQL the check that a number is kept once, need it.
            let carried = try await detectorStates(sending, on: sql)
            // The devices' regions as their rows stand now that they are locked (a move of their
            // instrument waits, or has finished): readings and findings carry them (M041).
            for (id, c) in carried { if let d = byID[id] { d.regionCode = c.region } }
            let inserted = try await insertReadings(
                rows.map { ($0.device, carried[$0.device]!.region, $0.seq, $0.at, $0.type, $0.text) }, receivedAt: now, on: tx)
            // The rest were kept before: the same line is a retry; other contents are a reused number.
            var reused: [Int] = []
            let already = rows.filter { !inserted.contains(DeviceSeq(device: $0.device, seq: $0.seq)) }
            for (device, group) in Dictionary(grouping: already, by: \.device) {
                for part in group.chunked(chunk) {
                    struct Stored: Decodable { var seq: Int64; var line: String }
                    let stored = try await sql.select().column("seq").column("line").from("telemetry_readings")
                        .where("device_id", .equal, SQLBind(device)).where("seq", .in, SQLBind.group(part.map(\.seq)))
                        .all(decoding: Stored.self)
                    let lines = Dictionary(stored.map { ($0.seq, $0.line) }, uniquingKeysWith: { a, _ in a })
                    // The same reading in the other encoding (NDJSON as sent, protobuf as its
                    // canonical line) is a retry too.
                    reused += part.filter { r in lines[r.seq].map { $0 != r.text && !sameReading($0, r.text) } ?? false }.map(\.line)
                }
            }
            // The detectors see what is new, in the same transaction as their state.
            let new = Dictionary(grouping: rows.filter { inserted.contains(DeviceSeq(device: $0.device, seq: $0.seq)) }, by: \.device)
                .mapValues { $0.map(\.reading) }
            let (found, states) = runDetectors
                ? try await detectNew(new, devices: byID, detections: detections, carried: carried, now: now, on: sql) : (0, [:])
            let latest = Dictionary(rows.map { ($0.device, $0.at) }, uniquingKeysWith: max)
            let highest = Dictionary(inserted.map { ($0.device, $0.seq) }, uniquingKeysWith: max)
            try await heard(sending.map { ($0, latest[$0]!, highest[$0], states[$0]) }, now: now, on: sql)
            // Last: the region's counter row is held only until the commit.
            try await countReceived(Dictionary(grouping: inserted, by: \.device).mapValues(\.count), at: now, on: sql)
            return (inserted.count, reused, found)
        }
        for line in reused {
            let r = rows.first { $0.line == line }!
            errors.append(.init(line: line, field: "seq", reason: .telemetry(.sequenceReused(seq: r.seq))))
        }
        errors.sort { ($0.line, $0.field) < ($1.line, $1.field) }
        var found = detected
        let fresh = Set(rows.map(\.device))
        if runDetectors, !fresh.isEmpty {
            // A station's tanks whose gauge or dispensers sent something: their closed windows.
            found += try await reconcileTanks(involving: fresh, now: now, thresholds: thresholds, on: db)
        }
        // The batch's summary entry, once its findings are known: a write transaction of its own, as
        // every write (SQLite's lock is taken in turn, `WriteGate`).
        let summary = ["devices": String(fresh.count), "accepted": String(inserted), "duplicates": String(rows.count - inserted - reused.count),
                       "refused_lines": String(errors.count), "findings": String(found)]
        try await db.writeTransaction { tx in
            try await Audit.record(p, action: "telemetry.ingest", entity: "telemetry_readings", id: nil, after: summary, on: tx)
        }
        return IngestReport(accepted: inserted, duplicates: rows.count - inserted - reused.count, errors: errors, findings: found)
    }

    /// Keeps readings once per (device, seq) and answers which were new. PostgreSQL takes the
    /// batch by `COPY` into a temporary table and keeps it with one `INSERT … SELECT`: one
    /// statement, not ten of 3,000 parameters each, which both sides had to bind (BENCHMARKS.md,
    /// 2026-12-06 evening). Its table is partitioned by time (M037), so its key holds the time too
    /// and cannot say alone that a number is new: a reading numbered above its device's highest
    /// (`max_seq`) is; one at or below it is looked for in the partitions. The batch's devices are
    /// locked by then, so no other batch of theirs comes between the look and the insert. SQLite,
    /// in process, takes multi-row inserts keyed (device, seq).
    static func insertReadings(
        _ rows: [(device: Int, region: String, seq: Int64, at: Date, type: String, text: String)], receivedAt now: Date, on db: any Database
    ) async throws -> Set<DeviceSeq> {
        let sql = db as! any SQLDatabase
        struct Key: Decodable { var device_id: Int; var seq: Int64 }
        var inserted = Set<DeviceSeq>()
        if let pg = db as? any PostgresDatabase {
            guard !rows.isEmpty else { return [] }
            // Dropped at commit: nothing of it outlives the batch's transaction.
            try await sql.raw("""
                CREATE TEMPORARY TABLE telemetry_incoming (
                  device_id BIGINT NOT NULL, seq BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL, type TEXT NOT NULL, line TEXT NOT NULL,
                  received_at TIMESTAMPTZ NOT NULL
                ) ON COMMIT DROP
                """).run()
            try await InstrumentBulkWriter.copy(
                rows.map { [.int($0.device), .int(Int($0.seq)), .date($0.at), .text($0.type), .text($0.text), .date(now)] },
                columns: ["device_id", "seq", "at", "type", "line", "received_at"], table: "telemetry_incoming", into: pg, logger: db.logger,
                progress: { _ in })
            for k in try await sql.raw("""
                INSERT INTO telemetry_readings (device_id, region_code, seq, at, type, line, received_at)
                SELECT i.device_id, d.region_code, i.seq, i.at, i.type, i.line, i.received_at FROM telemetry_incoming i
                JOIN telemetry_devices d ON d.id = i.device_id
                WHERE d.max_seq IS NULL OR i.seq > d.max_seq
                   OR NOT EXISTS (SELECT 1 FROM telemetry_readings r WHERE r.device_id = i.device_id AND r.seq = i.seq)
                RETURNING device_id, seq
                """).all(decoding: Key.self) { inserted.insert(DeviceSeq(device: k.device_id, seq: k.seq)) }
            return inserted
        }
        for part in rows.chunked(500) {
            var insert = sql.insert(into: "telemetry_readings").columns("device_id", "region_code", "seq", "at", "type", "line", "received_at")
            for r in part { insert = insert.values(SQLBind(r.device), SQLBind(r.region), SQLBind(r.seq), SQLBind(r.at), SQLBind(r.type), SQLBind(r.text), SQLBind(now)) }
            for k in try await insert.ignoringConflicts(with: ["device_id", "seq"]).returning("device_id", "seq").all(decoding: Key.self) {
                inserted.insert(DeviceSeq(device: k.device_id, seq: k.seq))
            }
        }
        return inserted
    }

    /// What a batch changes on its devices, in one statement per 500 of them (not two per device:
    /// on PostgreSQL each was a round trip): the latest time a device's clock reported; and, for a
    /// device that sent something new, when it was heard from — a batch sent again does not keep a
    /// dispenser's tank windows waiting for it (TelemetryTanks) — and its detectors' state, which
    /// undetected readings (the benchmark's storage bound) leave empty, so the next detection builds
    /// it again, and its highest sequence number kept (`max_seq`, see `insertReadings`). The values
    /// travel as a VALUES list, whose columns both databases name column1….
    static func heard(_ devices: [(id: Int, at: Date, highest: Int64?, state: String?)], now: Date, on sql: any SQLDatabase) async throws {
        for part in devices.chunked(500) {
            // No NULL among the values (PostgreSQL would have to guess its type): "" is no state,
            // and a device that sent nothing new has 0 new and its highest number kept as it was.
            let values = SQLList(part.map { d -> any SQLExpression in
                SQLQueryString("(\(bind: d.id), \(bind: d.at), \(bind: d.highest == nil ? 0 : 1), \(bind: now), \(bind: d.state ?? ""), \(bind: d.highest ?? 0))")
            })
            try await sql.raw("""
                UPDATE telemetry_devices SET
                  last_seen_at = CASE WHEN telemetry_devices.last_seen_at IS NULL OR telemetry_devices.last_seen_at < v.column2
                    THEN v.column2 ELSE telemetry_devices.last_seen_at END,
                  last_received_at = CASE WHEN v.column3 = 1 THEN v.column4 ELSE telemetry_devices.last_received_at END,
                  detector_state = CASE WHEN v.column3 = 1 THEN NULLIF(v.column5, '') ELSE telemetry_devices.detector_state END,
                  max_seq = CASE WHEN v.column3 = 1 AND (telemetry_devices.max_seq IS NULL OR telemetry_devices.max_seq < v.column6)
                    THEN v.column6 ELSE telemetry_devices.max_seq END
                FROM (VALUES \(values)) AS v WHERE telemetry_devices.id = v.column1
                """).run()
        }
    }

    /// Whether two lines read as the same reading.
    static func sameReading(_ a: String, _ b: String) -> Bool {
        let both = NDJSONBatch.parse(Array((a + "\n" + b).utf8), receivedAt: .distantFuture).readings
        return both.count == 2 && both[0].reading == both[1].reading
    }

    // MARK: Detection (TelemetryDetection.swift)

    /// A reading's key: a device's sequence number is used once.
    struct DeviceSeq: Hashable, Sendable {
        var device: Int
        var seq: Int64
    }

    /// Keeps findings on a device, once per (device, detector, subject); returns how many were new.
    static func keep(_ findings: [Finding], device d: TelemetryDeviceModel, now: Date, on sql: any SQLDatabase) async throws -> Int {
        // 11 binds a row: a few hundred rows a statement stay under every database's bind limit
        // (a device's state built again may find its whole history's).
        guard findings.count <= 500 else {
            var found = 0
            for part in stride(from: 0, to: findings.count, by: 500) { found += try await keep(Array(findings[part..<min(part + 500, findings.count)]), device: d, now: now, on: sql) }
            return found
        }
        var insert = sql.insert(into: "telemetry_findings")
            .columns("device_id", "instrument_id", "region_code", "detector", "first_seq", "subject", "at", "seqs", "evidence", "state", "found_at", "severity")
        for f in findings {
            let evidence = String(decoding: try JSONEncoder.sorted.encode(f.evidence), as: UTF8.self)
            insert = insert.values(
                SQLBind(d.id!), SQLBind(d.instrumentID), SQLBind(d.regionCode), SQLBind(f.detector.rawValue), SQLBind(f.seqs.first ?? 0), SQLBind(f.subject), SQLBind(f.at),
                SQLBind(f.seqs.map(String.init).joined(separator: ",")), SQLBind(evidence), SQLBind("open"), SQLBind(now),
                SQLBind(f.detector.severity.rawValue))
        }
        return try await insert.ignoringConflicts(with: ["device_id", "detector", "subject"]).returning("id").all().count
    }

    /// A device that has sent nothing for `silentAfter` is itself a finding (issue #21, item 1),
    /// once per silence: its subject is the last moment it was heard. The job worker asks this
    /// whenever it is idle; asking again finds nothing new.
    @discardableResult
    public static func recordSilence(now: Date, thresholds: Thresholds? = nil, on db: any Database) async throws -> Int {
        // Each device by its region's hour; the query asks for the shortest any region set.
        let settings = thresholds == nil ? try await regionSettings(on: db) : [:]
        let shortest = thresholds.map { [$0.silentAfter] } ?? ([Thresholds().silentAfter] + settings.values.compactMap { $0["silent_after_seconds"] })
        var quiet = try await TelemetryDeviceModel.query(on: db).filter(\.$lastSeenAt < now.addingTimeInterval(-shortest.min()!)).all()
        if thresholds == nil, !settings.isEmpty, !quiet.isEmpty {
            var regions: [Int: String] = [:]
            let ids = Array(Set(quiet.map(\.instrumentID)))
            for part in ids.chunked(chunk) {
                for i in try await InstrumentModel.query(on: db).filter(\.$id ~~ part).all() { regions[i.id!] = i.regionCode }
            }
            quiet = quiet.filter { d in
                let t = ThresholdSettings.resolve(regions[d.instrumentID].flatMap { RegionCode($0) }, settings)
                return d.lastSeenAt! < now.addingTimeInterval(-t.silentAfter)
            }
        }
        // A silence already found is not found again, nor its device locked for it (a device quiet
        // for months would otherwise be locked, and its row written by the lock, on every pass).
        let subject: @Sendable (TelemetryDeviceModel) -> String = { d in "silent:\(Int64(d.lastSeenAt!.timeIntervalSince1970))" }
        var known = Set<Int>()
        for part in quiet.chunked(500) {
            struct Found: Decodable { var device_id: Int }
            let keys = part.map { d -> SQLQueryString in "(\(bind: d.id!), \(bind: subject(d)))" }
            let query: SQLQueryString = "SELECT device_id FROM telemetry_findings WHERE detector = \(bind: DetectorKind.deviceSilent.rawValue) AND (device_id, subject) IN (VALUES "
                + keys.joined(separator: ", ") + ")"
            for f in try await (db as! any SQLDatabase).raw(query).all(decoding: Found.self) { known.insert(f.device_id) }
        }
        quiet.removeAll { known.contains($0.id!) }
        guard !quiet.isEmpty else { return 0 }
        let silent = quiet
        // 11 binds a row: a few hundred rows a statement stay under every database's bind limit.
        return try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            var found = 0
            let regions = try await RegionCopies.current("telemetry_devices", ids: silent.map { $0.id! }, on: tx)  // as a move now would leave them
            for part in silent.chunked(500) {
            var insert = sql.insert(into: "telemetry_findings")
                .columns("device_id", "instrument_id", "region_code", "detector", "first_seq", "subject", "at", "seqs", "evidence", "state", "found_at", "severity")
            for d in part {
                let last = d.lastSeenAt!
                let evidence = String(decoding: try JSONEncoder.sorted.encode([
                    "last_seen": ISO8601DateFormatter().string(from: last), "silent_seconds": String(Int(now.timeIntervalSince(last))),
                ]), as: UTF8.self)
                insert = insert.values(
                    SQLBind(d.id!), SQLBind(d.instrumentID), SQLBind(regions[d.id!] ?? d.regionCode), SQLBind(DetectorKind.deviceSilent.rawValue), SQLBind(Int64(0)),
                    SQLBind(subject(d)), SQLBind(now), SQLBind(""), SQLBind(evidence), SQLBind("open"), SQLBind(now),
                    SQLBind(DetectorKind.deviceSilent.severity.rawValue))
            }
            found += try await insert.ignoringConflicts(with: ["device_id", "detector", "subject"]).returning("id").all().count
            }
            return found
        }
    }

    /// The findings on the devices the caller may see, the latest found first, a page at a time (the
    /// cursor is the last id seen); of one device if given (another's device: none).
    public static func findingsPage(
        deviceID: Int?, cursor: String?, limit: Int, scope: AccessScope, on db: any Database
    ) async throws -> Page<TelemetryFindingModel> {
        let before = try Cursor.decode(cursor) ?? Int.max
        let sql = db as! any SQLDatabase
        // Two statements rather than one with an "any device" switch, so that each uses its index.
        let rows = if let deviceID {
            try await sql.raw("""
                SELECT f.id FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id
                WHERE f.device_id = \(bind: deviceID) AND f.id < \(bind: before) AND \(Registry.instrumentsVisible(scope))
                ORDER BY f.id DESC LIMIT \(bind: limit + 1)
                """).all()
        } else {
            try await sql.raw("""
                SELECT f.id FROM telemetry_findings f JOIN instruments ON instruments.id = f.instrument_id
                WHERE f.id < \(bind: before) AND \(Registry.instrumentsVisible(scope))
                ORDER BY f.id DESC LIMIT \(bind: limit + 1)
                """).all()
        }
        let ids = try rows.map { try $0.decode(column: "id", as: Int.self) }
        let page = Array(ids.prefix(limit))
        let items = page.isEmpty ? [] : try await TelemetryFindingModel.query(on: db).filter(\.$id ~~ page).sort(\.$id, .descending).all()
        return Page(items: items, nextCursor: ids.count > limit ? Cursor.encode(page.last!) : nil)
    }

    /// The first `limit` of `findingsPage`: the latest found first; of one device if given.
    public static func findings(deviceID: Int?, scope: AccessScope, limit: Int = 100, on db: any Database) async throws -> [TelemetryFindingModel] {
        try await findingsPage(deviceID: deviceID, cursor: nil, limit: limit, scope: scope, on: db).items
    }
}
