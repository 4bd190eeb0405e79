import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry

/// A fleet of smart instruments for the demo province (issue #21, item 7): simulated devices bound
/// to the demo's dispensers, taximeters, scales and water meters — Gulou's first, so the county
/// bureau's demo account has alerts to review — with a fifth of them cheating, their readings sent
/// through the same ingest as a gateway's and ending at the start of `today`.
public enum DemoTelemetry {
    public struct Summary: Sendable, CustomStringConvertible {
        public var devices: Int
        public var readings: Int
        public var findings: Int
        public var description: String { "\(devices) smart devices, \(readings) readings, \(findings) findings" }
    }

    /// Registers each simulated device on an instrument in use of a fitting kind — Gulou's first,
    /// then the rest of the province, one device an instrument — with what its initialisation
    /// authorised. Devices with no instrument left of their kind are passed over. Returns the bound.
    public static func bind(_ fleet: FleetSimulator.Fleet, by p: Principal, on db: any Database) async throws -> [FleetSimulator.Device] {
        let catalogue = try await CatalogueEntryModel.query(on: db).all()
        var pools: [DeviceKind: [InstrumentModel]] = [:]
        for kind in Set(fleet.devices.map(\.kind)) {
            let subs = catalogue.filter { kind.fits(itemName: $0.itemName, subName: $0.subName) }.compactMap(\.id)
            guard !subs.isEmpty else { continue }
            func inUse() -> QueryBuilder<InstrumentModel> {
                InstrumentModel.query(on: db).filter(\.$subNo ~~ subs).filter(\.$lifecycle == LifecycleStatus.inService.rawValue).sort(\.$id)
            }
            let wanted = fleet.devices.count
            pools[kind] = try await inUse().filter(\.$regionCode == "350102").limit(wanted).all()
                + inUse().filter(\.$regionCode != "350102").limit(wanted).all()
        }
        var used: [DeviceKind: Int] = [:], bound: [FleetSimulator.Device] = []
        for d in fleet.devices {
            guard let pool = pools[d.kind], let i = used[d.kind, default: 0] < pool.count ? used[d.kind, default: 0] : nil else { continue }
            used[d.kind] = i + 1
            _ = try await Telemetry.register(
                name: d.name, instrumentID: pool[i].id, kind: d.kind.rawValue, softwareID: d.softwareID, pulseEquivalent: d.pulseEquivalent,
                by: p, now: fleet.end, on: db)
            bound.append(d)
        }
        return bound
    }

    public static func load(
        today: CalendarDay, devices: Int = 60, cheatRate: Double = 0.2, seed: UInt64 = 2022, on db: any Database
    ) async throws -> Summary {
        let demo = Principal.system("demo")
        let span = Double(60 * 3_600 + 3_600)
        let fleet = FleetSimulator.fleet(.init(
            devices: devices, cheatRate: cheatRate, seed: seed, start: today.startInstant.addingTimeInterval(-span), prefix: "DEMO"))
        let bound = try await bind(fleet, by: demo, on: db)
        let lines = bound.flatMap { fleet.readings[$0.name]! }.sorted { ($0.at, $0.device, $0.seq) < ($1.at, $1.device, $1.seq) }
        var readings = 0, findings = 0
        try await Audit.$actor.withValue(demo) {
            for part in lines.chunked(2_000) {
                let r = try await Telemetry.ingest(Array(part.map(\.ndjson).joined(separator: "\n").utf8), by: demo, receivedAt: fleet.end, on: db)
                readings += r.accepted
                findings += r.findings
            }
        }
        return Summary(devices: bound.count, readings: readings, findings: findings)
    }
}
