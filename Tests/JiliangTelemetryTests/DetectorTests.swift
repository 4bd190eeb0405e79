import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// The detectors, table-driven with their boundaries and a false-alarm case each (issue #21).
/// Sources beside each table; docs/detectors.md says the same.
@Suite struct DetectorTests {
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)
    static let t = Thresholds()

    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    static func delivery(
        _ seq: Int64, volume: Double, price: Double = 7.5, amount: Double? = nil, pulses: Int64? = nil, pe: Double? = nil, software: String? = nil
    ) -> Reading {
        Reading(device: "D", seq: seq, at: at(Double(seq)), body: .delivery(.init(
            nozzle: 1, volume: volume, amount: amount ?? (volume * price * 100).rounded() / 100, unitPrice: price, pulseEquivalent: pe, pulses: pulses,
            softwareID: software, start: at(Double(seq)), end: at(Double(seq) + 1))))
    }

    static func findings(_ readings: [Reading], _ context: DeviceContext, _ kind: DetectorKind, thresholds: Thresholds = t) -> [Finding] {
        Detectors.run(readings, context: context, thresholds: thresholds, now: at(Double(readings.count) + 1)).filter { $0.detector == kind }
    }

    // JJG 443-2023 (reference.md §8.2): |amount − volume × price| ≤ the least payment increment, 0.01 yuan.
    @Test(arguments: [
        (40.00, 7.50, 300.00, false),  // exact
        (40.13, 7.51, 301.38, false),  // 301.3763 rounded
        (40.13, 7.51, 301.39, true),  // 0.0137 over the exact product: more than one increment
        (40.13, 7.51, 301.37, false),  // 0.0063 under: within one increment
        (40.13, 7.51, 301.36, true),  // 0.0163 under
        (40.13, 7.51, 300.00, true),  // the classic skim: the display shows more litres than were paid for
    ])
    func priceArithmetic(volume: Double, price: Double, amount: Double, found: Bool) {
        let f = Self.findings([Self.delivery(1, volume: volume, price: price, amount: amount)], .init(device: "D", kind: .fuelDispenser), .priceArithmetic)
        #expect(f.isEmpty == !found, "\(f)")
    }

    // JJG 443-2006 (reference.md §5.3): a board, encoder or program changed without initialisation.
    @Test func aNewSoftwareIDOrPulseEquivalentIsFoundOnce() {
        let context = DeviceContext(device: "D", kind: .fuelDispenser, authorisedSoftwareIDs: ["A1B2"], authorisedPulseEquivalent: 0.01)
        let honest = (1...10).map { Self.delivery(Int64($0), volume: 20, pulses: 2000, pe: 0.01, software: "A1B2") }
        #expect(Self.findings(honest, context, .dispenserIdentity).isEmpty)
        let swapped = honest + [Self.delivery(11, volume: 20, pulses: 1980, pe: 0.0101, software: "C3D4"), Self.delivery(12, volume: 20, pulses: 1980, pe: 0.0101, software: "C3D4")]
        let f = Self.findings(swapped, context, .dispenserIdentity)
        #expect(f.count == 2 && f.allSatisfy { $0.seqs == [11] })
        #expect(f.contains { $0.evidence["software_id"] == "C3D4" } && f.contains { $0.evidence["pulse_equivalent"] == "0.0101" })
        // Nothing authorised yet (a device not yet initialised): nothing to compare with.
        #expect(Self.findings(swapped, .init(device: "D", kind: .fuelDispenser), .dispenserIdentity).isEmpty)
    }

    // JJG 443-2006: locks after 5 cumulative deliveries outside ±0.6 %; one more is a missing lock.
    @Test(arguments: [(4, false), (5, true)])
    func aDispenserThatDoesNotLockAfterFiveBadDeliveries(bad: Int, found: Bool) {
        // 1 % more shown than measured, `bad` times, then an honest delivery.
        let readings = (0..<bad).map { Self.delivery(Int64($0 + 1), volume: 20.2, pulses: 2000, pe: 0.01) } + [Self.delivery(Int64(bad + 1), volume: 20, pulses: 2000, pe: 0.01)]
        #expect(Self.findings(readings, .init(device: "D", kind: .fuelDispenser), .dispenserErrorLock).isEmpty == !found)
    }

    @Test func withinTheBandIsNeverCounted() {
        // +0.5 %, inside ±0.6 %, a hundred times.
        let readings = (1...100).map { Self.delivery(Int64($0), volume: 20.1, pulses: 2000, pe: 0.01) }
        #expect(Self.findings(readings, .init(device: "D", kind: .fuelDispenser), .dispenserErrorLock).isEmpty)
    }

    static func trip(_ seq: Int64, meter: Double, gnss: Double?, seconds: Double = 900, maxKmh: Double? = 60) -> Reading {
        Reading(device: "T", seq: seq, at: at(Double(seq) * 20), body: .trip(.init(meterKm: meter, meterSeconds: seconds, gnssKm: gnss, gnssMaxKmh: maxKmh, fare: 10 + meter * 2.3)))
    }

    // JJG 517-2016 in the vehicle: −4.0 % … +1.0 %, plus the GNSS track's 0.3 % (JJG(京)177-2025).
    @Test(arguments: [
        (10.0, 10.0, false),
        (10.13, 10.0, false),  // +1.3 %: the edge
        (10.14, 10.0, true),  // +1.4 %: the passenger pays for 140 m not driven
        (9.57, 10.0, false),  // −4.3 %: the edge
        (9.56, 10.0, true),  // −4.4 %
        (1.2, 0.9, false),  // under 1 km of GNSS: not judged
    ])
    func taximeterDistance(meter: Double, gnss: Double, found: Bool) {
        #expect(Self.findings([Self.trip(1, meter: meter, gnss: gnss)], .init(device: "T", kind: .taximeter), .taximeterDistance).isEmpty == !found)
    }

    @Test(arguments: [(25.0, 900.0, 80.0, false), (25.0, 600.0, 80.0, false), (25.0, 590.0, 80.0, true), (5.0, 900.0, 151.0, true)])
    func taximeterSpeed(km: Double, seconds: Double, maxKmh: Double, found: Bool) {
        let f = Self.findings([Self.trip(1, meter: km, gnss: km, seconds: seconds, maxKmh: maxKmh)], .init(device: "T", kind: .taximeter), .taximeterSpeed)
        #expect(f.isEmpty == !found, "\(f)")
    }

    static func event(_ seq: Int64, _ e: ScaleEvent, minute: Double) -> Reading { Reading(device: "S", seq: seq, at: at(minute), body: .scaleEvent(e)) }

    @Test func aScaleOpenedOutsideAVisitIsFound() {
        let visit = DateInterval(start: Self.at(100), duration: 3600)
        let context = DeviceContext(device: "S", kind: .scale, visits: [visit])
        let readings = [Self.event(1, .caseOpened, minute: 110), Self.event(2, .calibrationMode, minute: 120), Self.event(3, .tilt, minute: 130), Self.event(4, .caseOpened, minute: 300)]
        let f = Self.findings(readings, context, .scaleTamper)
        #expect(f.map(\.seqs) == [[4]])
    }

    static func index(_ seq: Int64, _ value: Double, hour: Double, flow: Double? = nil, reverse: Bool = false) -> Reading {
        Reading(device: "M", seq: seq, at: t0.addingTimeInterval(hour * 3600), body: .meterIndex(.init(index: value, flow: flow, reverse: reverse)))
    }

    @Test func metersRunOneWayMoveWithFlowAndCannotJump() {
        let context = DeviceContext(device: "M", kind: .utilityMeter, maxPerHour: 5)
        let honest = (0..<48).map { Self.index(Int64($0), 100 + Double($0) * 0.05, hour: Double($0), flow: 0.05) }
        for kind in [DetectorKind.meterBackwards, .meterStopped, .meterStep] { #expect(Self.findings(honest, context, kind).isEmpty, "\(kind)") }
        let backwards = [Self.index(1, 100, hour: 0), Self.index(2, 99.9, hour: 1)]
        #expect(Self.findings(backwards, context, .meterBackwards).count == 1)
        #expect(Self.findings([Self.index(1, 100, hour: 0), Self.index(2, 99.9995, hour: 1)], context, .meterBackwards).isEmpty)  // within resolution
        let stuck = (0..<4).map { Self.index(Int64($0), 100, hour: Double($0), flow: 0.4) }
        #expect(Self.findings(stuck, context, .meterStopped).count == 1)
        #expect(Self.findings(Array(stuck.prefix(3)), context, .meterStopped).isEmpty)  // two still readings are not yet three
        // DN20 overload flow Q4 = 5 m³/h (JJG 162-2019): 5 in an hour is possible, 5.1 is not.
        #expect(Self.findings([Self.index(1, 100, hour: 0), Self.index(2, 105, hour: 1)], context, .meterStep).isEmpty)
        #expect(Self.findings([Self.index(1, 100, hour: 0), Self.index(2, 105.1, hour: 1)], context, .meterStep).count == 1)
    }

    @Test func aSilentDeviceIsItselfAnAlert() {
        let r = [Self.index(1, 100, hour: 0)]
        let context = DeviceContext(device: "M", kind: .utilityMeter)
        #expect(Detectors.run(r, context: context, thresholds: Self.t, now: Self.t0.addingTimeInterval(3600)).filter { $0.detector == .deviceSilent }.isEmpty)
        #expect(Detectors.run(r, context: context, thresholds: Self.t, now: Self.t0.addingTimeInterval(3601)).filter { $0.detector == .deviceSilent }.count == 1)
    }

    // EWMA (Montgomery §9.2, λ = 0.2, L = 3) on the device's own baseline, over 50 fleets of one
    // device each (seeds), so the figures are rates, not one lucky draw.
    @Test func aSlowSkimBelowTheMPEIsFoundByTheDevicesOwnBaseline() {
        let context = DeviceContext(device: "D", kind: .fuelDispenser)
        var falseAlarms = 0, caught = 0, ruleFired = 0
        for seed in UInt64(1)...50 {
            var rng = SplitMix(seed: seed)
            // ±0.1 % noise around 0 for 50 deliveries (30 learn the baseline, 20 are watched)…
            let honest = (1...50).map { i in Self.delivery(Int64(i), volume: 20 * (1 + rng.noise(0.001)), pulses: 2000, pe: 0.01) }
            if !Self.findings(honest, context, .drift).isEmpty { falseAlarms += 1 }
            // …then a 0.4 % skim: inside ±0.6 %, so no rule fires; the chart should.
            let skim = honest + (51...70).map { i in Self.delivery(Int64(i), volume: 20 * (1.004 + rng.noise(0.001)), pulses: 2000, pe: 0.01) }
            if !Self.findings(skim, context, .dispenserErrorLock).isEmpty { ruleFired += 1 }
            if Self.findings(skim, context, .drift).contains(where: { ($0.seqs.first ?? 0) > 50 }) { caught += 1 }
        }
        #expect(ruleFired == 0)
        #expect(caught == 50, "caught \(caught) of 50")
        #expect(falseAlarms <= 2, "\(falseAlarms) false alarms in 50 honest devices")
    }
}

/// A small deterministic generator for test noise.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in ±`amplitude`.
    mutating func noise(_ amplitude: Double) -> Double { Double.random(in: -amplitude...amplitude, using: &self) }
}
