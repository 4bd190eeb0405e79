import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// The detectors' carried state (`DetectorState`): a device's readings fed in batches, with the
/// state stored and read back between them as the store does, find exactly what one run over all
/// of them finds — every detector, every kind, cheats and honest devices alike.
@Suite struct DetectorStateTests {
    static let start = ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z")!

    static func key(_ f: Finding) -> String {
        "\(f.detector.rawValue)|\(f.subject)|\(f.seqs)|\(f.at.timeIntervalSince1970)|\(f.evidence.sorted { $0.key < $1.key })"
    }

    // Batch sizes from one reading at a time to more than a device sends.
    @Test(arguments: [1, 7, 64, 10_000])
    func batchesFindWhatOneRunFinds(batch: Int) throws {
        let fleet = FleetSimulator.fleet(.init(devices: 60, cheatRate: 0.5, seed: 11, start: Self.start))
        let t = Thresholds()
        var compared = 0
        for device in fleet.devices {
            let readings = fleet.readings[device.name] ?? []
            let whole = Detectors.run(readings, context: device.context, thresholds: t, now: fleet.end).filter { $0.detector != .deviceSilent }
            var stored = try DetectorState(basis: Detectors.basis(device.context, t)).encoded()
            var fed: [Finding] = []
            for part in stride(from: 0, to: readings.count, by: batch).map({ Array(readings[$0..<min($0 + batch, readings.count)]) }) {
                var state = try DetectorState.decoded(stored)
                fed += Detectors.feed(part, into: &state, context: device.context, thresholds: t)
                stored = try state.encoded()
            }
            // Across batches the store keeps one finding per subject (its unique key): the first.
            var seen = Set<String>()
            fed = fed.filter { seen.insert("\($0.detector.rawValue)|\($0.subject)").inserted }
            #expect(Set(fed.map(Self.key)) == Set(whole.map(Self.key)), "\(device.name) (\(device.cheat.map { "\($0)" } ?? "honest"))")
            #expect(try DetectorState.decoded(stored).lastSeq == readings.map(\.seq).max())
            compared += whole.count
        }
        #expect(compared > 50)  // the fleet's cheats were found, so the comparison compared something
    }

    /// A reading at or before the last one fed is passed over: the store builds the state again
    /// for it (TelemetryStoreTests), it is never judged against a later reading as if it came after.
    @Test func aReadingBeforeTheLastFedIsPassedOver() {
        let context = DeviceContext(device: "M", kind: .utilityMeter)
        let t = Thresholds()
        func index(_ seq: Int64, _ value: Double) -> Reading {
            Reading(device: "M", seq: seq, at: Self.start.addingTimeInterval(Double(seq) * 3600), body: .meterIndex(.init(index: value)))
        }
        var state = DetectorState(basis: Detectors.basis(context, t))
        #expect(Detectors.feed([index(1, 10), index(3, 12)], into: &state, context: context, thresholds: t).isEmpty)
        // Seq 2 (lower than 3's index) would read as running backwards after 3; it is not fed.
        #expect(Detectors.feed([index(2, 5)], into: &state, context: context, thresholds: t).isEmpty)
        #expect(state.lastSeq == 3)
        // Fed in order from scratch, it is found.
        var again = DetectorState(basis: state.basis)
        let found = Detectors.feed([index(1, 10), index(2, 5), index(3, 12)], into: &again, context: context, thresholds: t)
        #expect(found.map(\.detector) == [.meterBackwards] && found.first?.seqs == [1, 2])
    }

    /// The basis names what the state was computed under: other thresholds or another authorised
    /// pulse equivalent give another basis, so the store builds the state again.
    @Test func theBasisChangesWithWhatTheStateDependsOn() {
        let c = DeviceContext(device: "D", kind: .fuelDispenser, authorisedPulseEquivalent: 0.01)
        var t = Thresholds()
        let b = Detectors.basis(c, t)
        #expect(Detectors.basis(c, t) == b)
        var other = c
        other.authorisedPulseEquivalent = 0.0101
        #expect(Detectors.basis(other, t) != b)
        t.driftWarmup = 40
        #expect(Detectors.basis(c, t) != b)
        // Every threshold a region may set counts (the basis reads the whole `Thresholds`).
        for setting in ThresholdSettings.all {
            var changed = Thresholds()
            let v = setting.value(changed)
            setting.set(v == setting.range.upperBound ? setting.range.lowerBound : min(setting.range.upperBound, v + 1), on: &changed)
            #expect(Detectors.basis(c, changed) != Detectors.basis(c, Thresholds()), "\(setting.name)")
        }
        // What the rules read on each reading alone does not touch the state.
        var visited = c
        visited.visits = [DateInterval(start: Self.start, duration: 86_400)]
        #expect(Detectors.basis(visited, Thresholds()) == b)
    }
}
