import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// The simulator (issue #21, item 7) and the detectors scored on its fleets. The thresholds were
/// tuned on seed 1 (below); docs/detectors.md reports another seed, which no test looks at.
@Suite struct FleetSimulatorTests {
    static let start = ISO8601DateFormatter().date(from: "2026-12-01T00:00:00Z")!

    @Test func theSamePlanGivesTheSameFleet() {
        let plan = FleetSimulator.Plan(devices: 25, cheatRate: 0.4, seed: 7, start: Self.start)
        let a = FleetSimulator.fleet(plan), b = FleetSimulator.fleet(plan)
        #expect(a.devices == b.devices)
        #expect(a.devices.map { a.readings[$0.name]!.map(\.ndjson) } == b.devices.map { b.readings[$0.name]!.map(\.ndjson) })
        let other = FleetSimulator.fleet(.init(devices: 25, cheatRate: 0.4, seed: 8, start: Self.start))
        #expect(other.devices.map(\.cheat) != a.devices.map(\.cheat) || other.readings != a.readings)
    }

    /// What the simulator sends is what a gateway sends: every line reads back as the same reading.
    @Test func everyReadingReadsBackFromItsLine() {
        let fleet = FleetSimulator.fleet(.init(devices: 10, cheatRate: 1, seed: 3, start: Self.start))
        let readings = fleet.devices.flatMap { fleet.readings[$0.name]! }
        let batch = NDJSONBatch.parse(Array(readings.map(\.ndjson).joined(separator: "\n").utf8), receivedAt: .distantFuture)
        #expect(batch.errors.isEmpty, "\(batch.errors.prefix(3))")
        #expect(batch.readings.count == readings.count)
        let differ = zip(batch.readings.map(\.reading), readings).first { $0 != $1 }
        #expect(differ == nil, "\(String(describing: differ))")
    }

    /// An honest fleet: at most one device in a hundred flagged by anything (the EWMA chart's own
    /// false-alarm rate), and no rule fires at all.
    @Test func anHonestFleetIsLeftAlone() {
        let fleet = FleetSimulator.fleet(.init(devices: 500, cheatRate: 0, seed: 1, start: Self.start))
        let score = FleetScore.score(fleet, flags: FleetScore.detect(fleet))
        let flagged = score.lines.map(\.flagged).reduce(0, +)
        #expect(flagged <= 5, "\(score.markdown)")
        #expect(score.lines.filter { $0.detector != .drift }.allSatisfy { $0.flagged == 0 }, "\(score.markdown)")
        #expect(score.lines.allSatisfy { $0.flagged == $0.honestFlagged }, "\(score.markdown)")
    }

    /// The tuning fleet (with stations: each pair of dispensers draws from one tank with a gauge):
    /// every cheat is caught by the detector meant for it, and what the rules flag is a cheat.
    /// Tank reconciliation misses some pulse generators: those that began within the simulated
    /// day's last two hours or were cut by a refill left under 20 L between the dispensers and the
    /// tank, inside the gauge's own allowance (seen case by case; docs/detectors.md).
    @Test func theTuningFleetsCheatsAreCaught() {
        let fleet = FleetSimulator.fleet(.init(devices: 500, cheatRate: 0.3, seed: 1, start: Self.start, tanks: true))
        let score = FleetScore.score(fleet, flags: FleetScore.detect(fleet))
        #expect(score.cheatingDevices > 100)
        for cheat in FleetSimulator.Cheat.allCases {
            let line = score.line(cheat.detector)!
            #expect(line.cheats > 0 && (line.recall ?? 0) >= (cheat.needsTank ? 0.75 : 1), "\(cheat): \(score.markdown)")
        }
        // The rules flag only cheats; the chart may flag an honest device now and then.
        for line in score.lines where line.flagged > 0 {
            #expect((line.precision ?? 0) >= (line.detector == .drift ? 0.95 : 1), "\(line.detector): \(score.markdown)")
            #expect(line.detector == .drift || line.honestFlagged == 0, "\(line.detector): \(score.markdown)")
        }
    }

    /// A finding before the cheat began is not credited to the cheat: scored by hand on one device.
    @Test func aFindingBeforeTheCheatIsAFalseAlarm() throws {
        let fleet = FleetSimulator.fleet(.init(devices: 1, cheatRate: 1, seed: 11, start: Self.start))
        let d = fleet.devices[0]
        let from = try #require(d.cheatFrom)
        let early = FleetScore.score(fleet, flags: [d.name: [(d.cheat!.detector, from - 1)]]).line(d.cheat!.detector)!
        let late = FleetScore.score(fleet, flags: [d.name: [(d.cheat!.detector, from)]]).line(d.cheat!.detector)!
        #expect(early.flagged == 1 && early.rightlyFlagged == 0 && early.caught == 0)
        #expect(late.flagged == 1 && late.rightlyFlagged == 1 && late.caught == 1)
    }
}
