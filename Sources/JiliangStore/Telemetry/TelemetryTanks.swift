import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// A station's tanks and their reconciliation (进销存比对, issue #21, item 4): which gauge watches a
/// tank, its capacity table, which dispensers' nozzles draw from it; and, after each batch that
/// touches one, the tank's closed windows judged (`TankReconciliation`).
extension Telemetry {
    public struct Tank: Sendable, Equatable {
        public var id: Int
        public var gaugeID: Int
        public var tank: Int
        public var capacityTable: CapacityTable
        public var nozzles: [Nozzle]
        public var anchorSeq: Int64?
    }

    public struct Nozzle: Sendable, Equatable, Codable {
        public var dispenserID: Int
        public var nozzle: Int
        public init(dispenserID: Int, nozzle: Int) {
            self.dispenserID = dispenserID
            self.nozzle = nozzle
        }
    }

    /// Registers one of a gauge's tanks: its capacity table (from the tank's verification, so staff
    /// set it, as they set what a dispenser's initialisation authorised) and the nozzles drawing
    /// from it. Gauge and dispensers must be devices the caller may see; a nozzle draws from one
    /// tank only.
    public static func registerTank(
        gaugeID: Int?, tank: Int?, capacityTable points: [CapacityTable.Point]?, nozzles: [(dispenserID: Int?, nozzle: Int?)], by p: Principal,
        now: Date = Date(), on db: any Database
    ) async throws -> Tank {
        guard p.may(.submitReadings) else { throw RegistryError.forbidden(.notAllowed(.submitReadings)) }
        // A tank's capacity table comes from its verification: the regulator's side registers it.
        guard p.role != .owner else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        var c = FieldChecker()
        if gaugeID == nil { c.fail("gauge_id", .required) }
        if let tank, !(1...64).contains(tank) { c.fail("tank", .telemetry(.notInRange(from: 1, to: 64, got: String(tank)))) }
        if tank == nil { c.fail("tank", .required) }
        var table: CapacityTable?
        do { table = try CapacityTable(points ?? []) } catch {
            switch error {
            case .tooFewPoints: c.fail("capacity_table", .telemetry(.capacityTableTooShort))
            case .notIncreasing(let i): c.fail("capacity_table[\(i)]", .telemetry(.capacityTableNotRising))
            case .outOfRange(let i): c.fail("capacity_table[\(i)]", .telemetry(.capacityTableOutOfRange))
            }
        }
        if nozzles.isEmpty { c.fail("nozzles", .required) }
        if nozzles.count > 256 { c.fail("nozzles", .telemetry(.notInRange(from: 1, to: 256, got: String(nozzles.count)))) }
        if (points?.count ?? 0) > 2_000 { c.fail("capacity_table", .telemetry(.notInRange(from: 2, to: 2_000, got: String(points!.count)))) }
        var seen = Set<String>()
        for (i, n) in nozzles.enumerated() {
            if n.dispenserID == nil { c.fail("nozzles[\(i + 1)].device_id", .required) }
            guard let nozzle = n.nozzle, (1...16).contains(nozzle) else {
                c.fail("nozzles[\(i + 1)].nozzle", .telemetry(.notInRange(from: 1, to: 16, got: n.nozzle.map(String.init) ?? "")))
                continue
            }
            if let d = n.dispenserID, !seen.insert("\(d)/\(nozzle)").inserted { c.fail("nozzles[\(i + 1)]", .telemetry(.nozzleTaken(nozzle: nozzle))) }
        }
        try c.finish()
        let visible = try await devices(ids: Array(Set([gaugeID!] + nozzles.compactMap(\.dispenserID))), scope: p.scope, on: db)
        let byID = Dictionary(uniqueKeysWithValues: visible.map { ($0.id!, $0) })
        // Unknown and outside the caller's scope answer alike.
        guard let gauge = byID[gaugeID!] else { throw RegistryError.invalid("gauge_id", .telemetry(.unknownDevice("#\(gaugeID!)"))) }
        guard gauge.kind == DeviceKind.tankGauge.rawValue else {
            throw RegistryError.invalid("gauge_id", .telemetry(.notOfKind(device: gauge.name, kind: DeviceKind.tankGauge.rawValue)))
        }
        var d = FieldChecker()
        for (i, n) in nozzles.enumerated() {
            guard let dispenser = byID[n.dispenserID!] else {
                d.fail("nozzles[\(i + 1)].device_id", .telemetry(.unknownDevice("#\(n.dispenserID!)")))
                continue
            }
            if dispenser.kind != DeviceKind.fuelDispenser.rawValue {
                d.fail("nozzles[\(i + 1)].device_id", .telemetry(.notOfKind(device: dispenser.name, kind: DeviceKind.fuelDispenser.rawValue)))
            }
        }
        try d.finish()
        let rows = nozzles.map { Nozzle(dispenserID: $0.dispenserID!, nozzle: $0.nozzle!) }
        let tableText = String(decoding: try JSONEncoder().encode(table!.points.map { [$0.mm, $0.litres] }), as: UTF8.self)
        let number = tank!, gaugeID = gauge.id!, capacity = table!
        do {
            return try await db.auditedTransaction { tx in
                let sql = tx as! any SQLDatabase
                struct ID: Decodable { var id: Int }
                if try await sql.select().column("id").from("telemetry_tanks").where("gauge_id", .equal, SQLBind(gaugeID)).where("tank", .equal, SQLBind(number))
                    .first(decoding: ID.self) != nil
                {
                    throw RegistryError.conflict(field: "tank", reason: .telemetry(.tankTaken(tank: number)))
                }
                for (i, n) in rows.enumerated() {
                    struct Taken: Decodable { var tank_id: Int }
                    if try await sql.select().column("tank_id").from("telemetry_tank_nozzles").where("dispenser_id", .equal, SQLBind(n.dispenserID))
                        .where("nozzle", .equal, SQLBind(n.nozzle)).first(decoding: Taken.self) != nil
                    {
                        throw RegistryError.conflict(field: "nozzles[\(i + 1)]", reason: .telemetry(.nozzleTaken(nozzle: n.nozzle)))
                    }
                }
                // Judged from now on: before, the nozzles' deliveries were not known to draw from it.
                struct Latest: Decodable { var seq: Int64? }
                let latest = try await sql.raw("""
                    SELECT MAX(seq) AS seq FROM telemetry_readings WHERE device_id = \(bind: gaugeID) AND type = 'tank_level'
                    """).first(decoding: Latest.self)?.seq
                // The tank and its nozzles are placed with the gauge (M041), as its row stands now.
                let gaugeRegion = try await RegionCopies.current("telemetry_devices", id: gaugeID, on: tx)
                let id = try await sql.insert(into: "telemetry_tanks")
                    .columns("gauge_id", "region_code", "tank", "capacity_table", "anchor_seq", "registered_by", "registered_at")
                    .values(SQLBind(gaugeID), SQLBind(gaugeRegion), SQLBind(number), SQLBind(tableText), SQLBind(latest), SQLBind(p.label), SQLBind(now))
                    .returning("id").first(decoding: ID.self)!.id
                var insert = sql.insert(into: "telemetry_tank_nozzles").columns("tank_id", "region_code", "dispenser_id", "nozzle")
                for n in rows { insert = insert.values(SQLBind(id), SQLBind(gaugeRegion), SQLBind(n.dispenserID), SQLBind(n.nozzle)) }
                try await insert.run()
                try await Audit.record(
                    p, action: "telemetry.tank.register", entity: "telemetry_tanks", id: String(id),
                    after: ["gauge_id": String(gaugeID), "tank": String(number), "capacity_table": tableText,
                            "nozzles": rows.map { "\($0.dispenserID)/\($0.nozzle)" }.joined(separator: ",")],
                    on: tx)
                return Tank(id: id, gaugeID: gaugeID, tank: number, capacityTable: capacity, nozzles: rows, anchorSeq: latest)
            }
        } catch let e as any DatabaseError where e.isConstraintFailure {
            // Two registrations at once: the database's keys decided.
            throw RegistryError.conflict(field: "tank", reason: .telemetry(.tankTaken(tank: number)))
        }
    }

    /// The tanks whose gauges the caller may see (all of them for `.everything`).
    public static func tanks(scope: AccessScope, on db: any Database) async throws -> [Tank] {
        let tanks = try await allTanks(on: db)
        let visible = Set(try await devices(ids: Array(Set(tanks.map(\.gaugeID))), scope: scope, on: db).compactMap(\.id))
        return tanks.filter { visible.contains($0.gaugeID) }
    }

    static func allTanks(involving devices: Set<Int>? = nil, on db: any Database) async throws -> [Tank] {
        let sql = db as! any SQLDatabase
        struct Row: Decodable { var id: Int; var gauge_id: Int; var tank: Int; var capacity_table: String; var anchor_seq: Int64? }
        struct NozzleRow: Decodable { var tank_id: Int; var dispenser_id: Int; var nozzle: Int }
        struct ID: Decodable { var id: Int }
        // Only the tanks a batch touched, found in SQL (a gauge's tanks by their unique (gauge, tank)
        // key, a dispenser's through the nozzles' (dispenser, nozzle) key): a busy province's
        // batches do not each read every tank of it.
        var ids: [Int]?
        if let devices {
            guard !devices.isEmpty else { return [] }
            let list = SQLBind.group(Array(devices))
            ids = try await sql.raw("""
                SELECT id FROM telemetry_tanks WHERE gauge_id IN \(list)
                UNION SELECT tank_id AS id FROM telemetry_tank_nozzles WHERE dispenser_id IN \(list)
                """).all(decoding: ID.self).map(\.id)
            guard !(ids ?? []).isEmpty else { return [] }
        }
        let nozzleQuery = sql.select().columns("tank_id", "dispenser_id", "nozzle").from("telemetry_tank_nozzles")
        let tankQuery = sql.select().columns("id", "gauge_id", "tank", "capacity_table", "anchor_seq").from("telemetry_tanks")
        if let ids {
            nozzleQuery.where("tank_id", .in, SQLBind.group(ids))
            tankQuery.where("id", .in, SQLBind.group(ids))
        }
        let nozzles = Dictionary(grouping: try await nozzleQuery.orderBy("tank_id").orderBy("dispenser_id").orderBy("nozzle").all(decoding: NozzleRow.self), by: \.tank_id)
        return try await tankQuery.orderBy("id")
            .all(decoding: Row.self).compactMap { r in
                let mine = (nozzles[r.id] ?? []).map { Nozzle(dispenserID: $0.dispenser_id, nozzle: $0.nozzle) }
                let pairs = (try? JSONDecoder().decode([[Double]].self, from: Data(r.capacity_table.utf8))) ?? []
                guard let table = try? CapacityTable(pairs.filter { $0.count == 2 }.map { .init(mm: $0[0], litres: $0[1]) }) else { return nil }
                return Tank(id: r.id, gaugeID: r.gauge_id, tank: r.tank, capacityTable: table, nozzles: mine, anchorSeq: r.anchor_seq)
            }
    }

    /// A dispenser not heard from for this long is not waited for.
    static let settleAtMost: TimeInterval = 3_600
    /// Nor is any, past this long.
    static let waitAtMost: TimeInterval = 6 * 3_600
    /// The longest delivery assumed (one ending this long after a moment may have begun before it).
    static let deliveryAtMost: TimeInterval = 900
    /// A gauge's levels read in one run (three and a half days of four tanks at one a minute: more
    /// than a day, so every window can close).
    static let levelLimit = 20_000
    /// A window is never judged sooner than this after its end.
    static let settleAtLeast: TimeInterval = 600

    /// Judges the closed windows of the tanks a batch touched (their gauge or a nozzle's
    /// dispenser; `involving` nil: every tank) and keeps what is new. A window is closed once every
    /// dispenser drawing from it has reported past its end (or the server has not heard from it
    /// for an hour), and ten minutes at least have passed — so a delivery still on its way is not
    /// taken for a shortfall.
    @discardableResult
    public static func reconcileTanks(involving devices: Set<Int>? = nil, now: Date, thresholds: Thresholds? = nil, on db: any Database) async throws -> Int {
        let tanks = try await allTanks(involving: devices, on: db)
        guard !tanks.isEmpty else { return 0 }
        let sql = db as! any SQLDatabase
        let settings = thresholds == nil ? try await regionSettings(on: db) : [:]
        var found = 0
        for tank in tanks {
            guard let gauge = try await TelemetryDeviceModel.find(tank.gaugeID, on: db),
                let instrument = try await InstrumentModel.find(gauge.instrumentID, on: db)
            else { continue }
            let t = thresholds ?? ThresholdSettings.resolve(RegionCode(instrument.regionCode), settings)
            struct Line: Decodable { var line: String }
            // The gauge's levels from the anchor on (this tank's are picked out as they are read: the
            // lines were checked at ingest by the same parser; the database's JSON functions would
            // read them otherwise).
            let levelLines = try await sql.raw("""
                SELECT line FROM telemetry_readings
                WHERE device_id = \(bind: gauge.id!) AND type = 'tank_level' AND seq >= \(bind: tank.anchorSeq ?? 0)
                ORDER BY seq LIMIT \(bind: levelLimit)
                """).all(decoding: Line.self).map(\.line)
            let levels = parse(levelLines).filter { if case .tankLevel(let l) = $0.body { l.tank == tank.tank } else { false } }
            guard let first = levels.first?.at, let last = levels.last?.at, levels.count > 1 else { continue }
            let dispenserIDs = Array(Set(tank.nozzles.map(\.dispenserID)))
            let dispensers = try await TelemetryDeviceModel.query(on: db).filter(\.$id ~~ dispenserIDs).all()
            let names = Dictionary(uniqueKeysWithValues: dispensers.map { ($0.id!, $0.name) })
            // Each dispenser has sent its deliveries up to where its clock has reached — unless the
            // server has heard nothing from it for an hour (closed for the night, or broken: its
            // silence is an alert of its own), when it is not waited for.
            // (A delivery is reported when it ends, so one ending up to 15 minutes after a dispenser's
            // clock may have begun before it.) A gateway holding its dispensers' clocks back to keep
            // windows open is waited for six hours at most.
            let heard = dispensers.map { d in
                (d.lastReceivedAt ?? .distantPast) < now.addingTimeInterval(-settleAtMost)
                    ? .distantFuture : (d.lastSeenAt ?? .distantPast).addingTimeInterval(-deliveryAtMost)
            }.min() ?? .distantFuture
            let closedBefore = min(now.addingTimeInterval(-settleAtLeast), max(heard, now.addingTimeInterval(-waitAtMost)))
            struct Draw: Decodable { var device_id: Int; var line: String }
            // A delivery is kept at its end; one that ends within an hour after the last level
            // may have begun before it.
            let draws = try await sql.select().column("device_id").column("line").from("telemetry_readings")
                .where("device_id", .in, SQLBind.group(dispenserIDs)).where("type", .equal, SQLBind("delivery"))
                .where("at", .greaterThan, SQLBind(first)).where("at", .lessThanOrEqual, SQLBind(min(last, closedBefore).addingTimeInterval(deliveryAtMost)))
                .all(decoding: Draw.self)
            let drawn: [TankDraw] = draws.compactMap { row in
                guard let r = parse([row.line]).first, case .delivery(let d) = r.body,
                    tank.nozzles.contains(Nozzle(dispenserID: row.device_id, nozzle: d.nozzle))
                else { return nil }
                return TankDraw(device: names[row.device_id] ?? r.device, seq: r.seq, start: d.start, end: d.end, litres: d.volume)
            }
            let outcome = TankReconciliation.run(
                levels: levels, draws: drawn, table: tank.capacityTable, gauge: gauge.name, tank: tank.tank, thresholds: t, closedBefore: closedBefore)
            let findings = outcome.findings
            found += try await db.writeTransaction { tx in
                let sql = tx as! any SQLDatabase
                // The gauge's row first, locked (as a move of its instrument locks it before the
                // tanks below it): the findings carry its region as it stands now (M041).
                gauge.regionCode = try await RegionCopies.current("telemetry_devices", id: gauge.id!, on: tx)
                // A span too long to read at once resumes from its open window instead.
                if let anchor = levelLines.count == levelLimit ? outcome.windowStart : outcome.anchor {
                    try await sql.update("telemetry_tanks").set("anchor_seq", to: SQLBind(anchor)).where("id", .equal, SQLBind(tank.id)).run()
                }
                guard !findings.isEmpty else { return 0 }
                return try await keep(findings, device: gauge, now: now, on: sql)
            }
        }
        return found
    }

    /// Lines kept at ingest, read again (their clock is no longer in question).
    static func parse(_ lines: [String]) -> [Reading] {
        NDJSONBatch.parse(Array(lines.joined(separator: "\n").utf8), receivedAt: .distantFuture).readings.map(\.reading)
    }

    /// The same, one reading (or nil, for a line that no longer reads) per line, in order.
    static func parse(_ lines: [String], keepingOrder: Bool) -> [Reading?] {
        var out = [Reading?](repeating: nil, count: lines.count)
        for r in NDJSONBatch.parse(Array(lines.joined(separator: "\n").utf8), receivedAt: .distantFuture).readings where r.line <= lines.count {
            out[r.line - 1] = r.reading
        }
        return out
    }
}
