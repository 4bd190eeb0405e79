import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import Testing

/// The simulator's fleet through the whole store path (issue #21, item 7), on SQLite and
/// PostgreSQL: devices registered on instruments of their kind with what staff authorised, the
/// readings sent as gateways send them (NDJSON batches, interleaved by time), the findings kept by
/// ingest — scored against what was injected. What the in-process detectors catch
/// (FleetSimulatorTests), the stored path catches too: its context (authorised values, Q3,
/// visits) comes from the registry, and its detectors carry their state from batch to batch.
@Suite struct SimulatedFleetTests {
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    @Test func theStoreCatchesWhatTheSimulatorInjected() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let fleet = FleetSimulator.fleet(.init(
                devices: 30, cheatRate: 0.6, seed: 5, start: ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z")!, tanks: true))
            let owner = try await Fixtures.owner(on: db)
            var ids: [String: Int] = [:]
            for (n, d) in fleet.devices.enumerated() {
                let instrument: InstrumentModel = switch d.kind {
                case .fuelDispenser: try await Fixtures.instrument(subNo: 10, serial: "JY-\(n)", owner: owner, on: db)
                case .taximeter: try await Fixtures.instrument(subNo: 911, serial: "CZ-\(n)", owner: owner, on: db)
                case .scale: try await Fixtures.instrument(subNo: 2, serial: "CH-\(n)", owner: owner, on: db)
                case .tankGauge: try await Fixtures.instrument(subNo: 7, serial: "YW-\(n)", owner: owner, on: db)
                // Q3 2.5 m³/h, so its overload flow is the simulator's.
                default: try await Fixtures.instrument(subNo: 14, serial: "SB-\(n)", owner: owner, meter: (.water, 20, nil), on: db)
                }
                let m = try await Telemetry.register(
                    name: d.name, instrumentID: instrument.id, kind: d.kind.rawValue, softwareID: d.softwareID, pulseEquivalent: d.pulseEquivalent,
                    by: Self.bureau, on: db)
                ids[d.name] = m.id!
            }
            // Each station's tank: the simulator's capacity table, every nozzle of its two dispensers.
            for g in fleet.devices where g.kind == .tankGauge {
                _ = try await Telemetry.registerTank(
                    gaugeID: ids[g.name], tank: 1, capacityTable: g.capacityTable!.points,
                    nozzles: g.feeds.flatMap { f in (1...4).map { (ids[f], Optional($0)) } }, by: Self.bureau, on: db)
            }
            let all = fleet.devices.flatMap { fleet.readings[$0.name]! }.sorted { ($0.at, $0.device, $0.seq) < ($1.at, $1.device, $1.seq) }
            var accepted = 0
            for part in stride(from: 0, to: all.count, by: 250).map({ all[$0..<min($0 + 250, all.count)] }) {
                // As live gateways send: each batch received a minute after its last reading.
                let r = try await Telemetry.ingest(
                    Array(part.map(\.ndjson).joined(separator: "\n").utf8), by: Self.bureau, receivedAt: part.last!.at.addingTimeInterval(60), on: db)
                #expect(r.errors.isEmpty, "\(r.errors.prefix(3))")
                accepted += r.accepted
            }
            #expect(accepted == all.count)
            // The next morning: the dispensers long quiet, the last day's windows close.
            _ = try await Telemetry.reconcileTanks(now: fleet.end.addingTimeInterval(2 * 3600), on: db)
            let stored = try await TelemetryFindingModel.query(on: db).all()
            let names = Dictionary(uniqueKeysWithValues: ids.map { ($1, $0) })
            var flags: [String: [FleetScore.Flag]] = [:]
            for f in stored {
                guard let d = DetectorKind(rawValue: f.detector) else { continue }
                flags[names[f.deviceID]!, default: []].append((d, f.seqs.split(separator: ",").compactMap { Int64($0) }.max() ?? f.firstSeq))
            }
            let score = FleetScore.score(fleet, flags: flags)
            #expect(score.cheatingDevices >= 10)
            for line in score.lines where line.cheats > 0 && line.detector != .tankReconciliation { #expect(line.recall == 1, "\(line.detector): \(score.markdown)") }
            // The stored path catches what the in-process one does (FleetScore.detect).
            let inProcess = FleetScore.score(fleet, flags: FleetScore.detect(fleet))
            #expect(score.line(.tankReconciliation) == inProcess.line(.tankReconciliation), "\(score.markdown)\n\(inProcess.markdown)")
            // Every detector alike, batch by batch as over the whole history at once (silence is
            // the clock's: the stored path asks it apart).
            for d in DetectorKind.allCases where d != .deviceSilent {
                #expect(score.line(d) == inProcess.line(d), "\(d): \(score.markdown)\n\(inProcess.markdown)")
            }
            #expect((score.line(.tankReconciliation)?.cheats ?? 0) > 0, "\(score.markdown)")
            for line in score.lines where line.flagged > 0 && line.detector != .drift { #expect(line.precision == 1, "\(line.detector): \(score.markdown)") }
        }
    }
}
