import Foundation
import JiliangCore

/// A fleet of smart instruments, honest and cheating, for demos, tests and benchmarks (issue #21,
/// item 7). Pure and seeded: the same plan gives the same devices, readings and injected cheats,
/// so that what the detectors catch can be scored against what was injected (`FleetScore`).
///
/// Honest devices behave as the regulations allow: a dispenser's encoder agrees with its display
/// within ±0.1 % (its MPE is ±0.3 %), a taximeter reads 0.5 % short of GNSS give or take 0.3 %
/// (MPE −4 % … +1 %), a scale reports weighings and the odd tilt or offline event, a water meter
/// turns with its flow. A cheating device behaves honestly until its cheat starts, after the
/// detectors' 30-value warm-up, so the statistical detector has learned its baseline first.
public enum FleetSimulator {
    /// What a fleet is made of.
    public struct Plan: Sendable, Equatable {
        public var devices: Int
        /// Share of devices with a cheat (0…1), each kind's cheats drawn evenly.
        public var cheatRate: Double
        public var seed: UInt64
        /// The first reading's time; readings follow at each kind's pace.
        public var start: Date
        public var readingsPerDevice: Int
        /// Device names start with this (the server's device names are unique province-wide).
        public var prefix: String
        /// Whether each pair of dispensers is a station drawing from one tank with its own gauge
        /// (液位仪), so that tank reconciliation has something to judge and the cheat only it sees
        /// (`pulseInjection`) is drawn. Off, a plan gives the fleets it gave before stations came.
        public var tanks: Bool

        public init(
            devices: Int, cheatRate: Double, seed: UInt64, start: Date, readingsPerDevice: Int = 60, prefix: String = "SIM", tanks: Bool = false
        ) {
            self.devices = devices
            self.cheatRate = cheatRate
            self.seed = seed
            self.start = start
            self.readingsPerDevice = readingsPerDevice
            self.prefix = prefix
            self.tanks = tanks
        }
    }

    /// A cheat as done in the field (reference.md §5.3, §5.4; provincial dispenser and taxi cases).
    public enum Cheat: String, Sendable, CaseIterable {
        /// A dispenser charges more than volume × price (an altered price computation).
        case overcharge
        /// A dispenser's control program replaced (the software identification changes).
        case softwareSwap = "software_swap"
        /// A dispenser's pulse equivalent raised by 3 %: the display shows 3 % more than delivered.
        case pulseTamper = "pulse_tamper"
        /// A dispenser shows 0.4 % more than its encoder measured: inside the ±0.6 % lock band.
        case slowSkim = "slow_skim"
        /// A taximeter's distance inflated by 8 % (a "跳表" pulse generator).
        case distanceInflation = "distance_inflation"
        /// A scale's case opened or calibration mode entered with no verification visit.
        case scaleTamper = "scale_tamper"
        /// A water meter wound back.
        case meterRollback = "meter_rollback"
        /// A water meter bypassed or jammed: it reports flow while its index stands still.
        case meterBypass = "meter_bypass"
        /// A water meter's index jumps by more than its overload flow allows (a tampered register).
        case meterJump = "meter_jump"
        /// A pulse generator (作弊芯片) feeds 6 % more pulses to the encoder and so to the display:
        /// the dispenser's own data agree with themselves; only the tank's drop shows the litres
        /// were never delivered. Drawn only for fleets with tanks.
        case pulseInjection = "pulse_injection"

        /// Whether only a tank gauge can see it.
        public var needsTank: Bool { self == .pulseInjection }

        /// Whether the display shows litres that did not leave the tank (tank reconciliation's
        /// rightful catches).
        public var showsUndeliveredLitres: Bool { [.pulseInjection, .pulseTamper, .slowSkim].contains(self) }

        public var kind: DeviceKind {
            switch self {
            case .overcharge, .softwareSwap, .pulseTamper, .slowSkim, .pulseInjection: .fuelDispenser
            case .distanceInflation: .taximeter
            case .scaleTamper: .scale
            case .meterRollback, .meterBypass, .meterJump: .utilityMeter
            }
        }

        /// The detector that names this cheat: its recall is counted against it.
        public var detector: DetectorKind {
            switch self {
            case .overcharge: .priceArithmetic
            case .softwareSwap, .pulseTamper: .dispenserIdentity
            case .slowSkim: .drift
            case .distanceInflation: .taximeterDistance
            case .scaleTamper: .scaleTamper
            case .meterRollback: .meterBackwards
            case .meterBypass: .meterStopped
            case .meterJump: .meterStep
            case .pulseInjection: .tankReconciliation
            }
        }

        /// Every detector that rightly fires on it: a raised pulse equivalent is also an error
        /// the lock should have stopped and a drift; an inflated taximeter drifts too.
        public var detectors: Set<DetectorKind> {
            switch self {
            case .pulseTamper: [.dispenserIdentity, .dispenserErrorLock, .drift]
            case .distanceInflation: [.taximeterDistance, .drift]
            default: [detector]
            }
        }
    }

    /// One simulated device: what the registry would hold for it, and its cheat if it has one.
    public struct Device: Sendable, Equatable {
        public var name: String
        public var kind: DeviceKind
        public var softwareID: String?
        public var pulseEquivalent: Double?
        /// A water meter's overload flow per hour (Q4 = 1.25 × Q3 with Q3 = 2.5 m³/h).
        public var maxPerHour: Double?
        public var cheat: Cheat?
        /// The first reading the cheat shows in.
        public var cheatFrom: Int64?
        /// A tank gauge's tank 1: its capacity table and the dispensers drawing from it (every nozzle).
        public var capacityTable: CapacityTable?
        public var feeds: [String] = []

        public var context: DeviceContext {
            DeviceContext(
                device: name, kind: kind, authorisedSoftwareIDs: softwareID.map { [$0] } ?? [], authorisedPulseEquivalent: pulseEquivalent,
                maxPerHour: maxPerHour)
        }
    }

    public struct Fleet: Sendable {
        public var devices: [Device]
        /// Each device's readings in sequence order, by device name.
        public var readings: [String: [Reading]]
        /// The time just after the last reading.
        public var end: Date

        public init(devices: [Device], readings: [String: [Reading]], end: Date) {
            self.devices = devices
            self.readings = readings
            self.end = end
        }
    }

    /// The kinds in a fleet, in turn: dispensers are the commonest supervised smart instrument.
    static let kinds: [DeviceKind] = [.fuelDispenser, .fuelDispenser, .taximeter, .scale, .utilityMeter]
    /// Water meters' registered Q3 (m³/h) and the overload flow it gives.
    public static let meterQ3 = 2.5

    public static func fleet(_ plan: Plan) -> Fleet {
        var rng = SeededGenerator(seed: plan.seed)
        var devices: [Device] = []
        var readings: [String: [Reading]] = [:]
        var end = plan.start
        var draws: [String: [TankDraw]] = [:]
        for i in 0..<plan.devices {
            let kind = kinds[i % kinds.count]
            let cheats = Cheat.allCases.filter { $0.kind == kind && (plan.tanks || !$0.needsTank) }
            let cheat: Cheat? = rng.chance(plan.cheatRate) ? rng.pick(cheats) : nil
            let warmup = 31, n = max(plan.readingsPerDevice, warmup + 10)
            let from = cheat.map { _ in Int64(Int.random(in: warmup...(n - 8), using: &rng)) }
            var d = Device(name: "\(plan.prefix)-\(kind.code)-\(String(format: "%05d", i + 1))", kind: kind, cheat: cheat, cheatFrom: from)
            if kind == .fuelDispenser {
                d.softwareID = "A1B2"
                d.pulseEquivalent = 0.01
            }
            if kind == .utilityMeter { d.maxPerHour = meterQ3 * 1.25 }
            var series = Series(device: d, at: plan.start.addingTimeInterval(Double(Int.random(in: 0..<600, using: &rng))))
            for seq in 1...Int64(n) { series.next(seq, &rng) }
            devices.append(d)
            readings[d.name] = series.readings
            draws[d.name] = series.draws
            end = max(end, series.at)
            // The second dispenser of a pair completes a station: its tank's gauge comes next.
            if plan.tanks, i % kinds.count == 1 {
                let pair = Array(devices.suffix(2))
                let gauge = Station.gauge(
                    name: "\(plan.prefix)-\(DeviceKind.tankGauge.code)-\(String(format: "%05d", i + 1))", feeds: pair,
                    draws: pair.flatMap { draws[$0.name]! }, &rng)
                devices.append(gauge.device)
                readings[gauge.device.name] = gauge.readings
                end = max(end, gauge.readings.last?.at ?? end)
            }
        }
        return Fleet(devices: devices, readings: readings, end: end.addingTimeInterval(60))
    }

    /// One device's readings, built one at a time.
    struct Series {
        let device: Device
        var at: Date
        var readings: [Reading] = []
        /// A dispenser's true deliveries: the litres that left the tank.
        var draws: [TankDraw] = []
        var index = 100.0
        var jammed: Double?

        init(device: Device, at: Date) {
            self.device = device
            self.at = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
        }

        func cheating(_ seq: Int64) -> Cheat? {
            guard let c = device.cheat, let from = device.cheatFrom, seq >= from else { return nil }
            return c
        }

        mutating func next(_ seq: Int64, _ rng: inout SeededGenerator) {
            let cheat = cheating(seq)
            switch device.kind {
            case .fuelDispenser:
                at += Double(Int.random(in: 300...900, using: &rng))
                let price = 7.51, pe = device.pulseEquivalent!
                // Litres the nozzle delivered, and what the encoder counted of them (±0.1 %).
                let delivered = Double(Int.random(in: 1_000...6_000, using: &rng)) / 100
                var pulses = Int64((delivered * (1 + Self.normal(0.001, &rng)) / pe).rounded())
                // The display is computed from the pulses; a cheat changes the computation.
                var shown = (Double(pulses) * pe * 100).rounded() / 100, reportedPE = pe, software = device.softwareID!
                switch cheat {
                case .pulseTamper?:
                    reportedPE = pe * 1.03
                    shown = (Double(pulses) * reportedPE * 100).rounded() / 100
                case .slowSkim?: shown = (Double(pulses) * pe * 1.004 * 100).rounded() / 100
                case .softwareSwap?: software = "C9D8"
                case .pulseInjection?:
                    pulses = (Double(pulses) * 1.06).rounded().toInt64
                    shown = (Double(pulses) * pe * 100).rounded() / 100
                default: break
                }
                var amount = (shown * price * 100).rounded() / 100
                if cheat == .overcharge, seq % 3 == 0 { amount += Double(Int.random(in: 50...300, using: &rng)) / 100 }
                let seconds = shown / 0.6
                draws.append(TankDraw(device: device.name, seq: seq, start: at.addingTimeInterval(-seconds.rounded()), end: at, litres: delivered))
                readings.append(Reading(device: device.name, seq: seq, at: at, body: .delivery(.init(
                    nozzle: Int(seq % 4) + 1, volume: shown, amount: amount, unitPrice: price, pulseEquivalent: reportedPE, pulses: pulses,
                    softwareID: software, start: at.addingTimeInterval(-seconds.rounded()), end: at))))
            case .taximeter:
                at += Double(Int.random(in: 900...2_400, using: &rng))
                let gnss = Double(Int.random(in: 150...2_500, using: &rng)) / 100
                var error = -0.005 + Self.normal(0.003, &rng)
                if cheat == .distanceInflation { error = 0.08 + Self.normal(0.003, &rng) }
                let meterKm = (gnss * (1 + error) * 1000).rounded() / 1000
                let kmh = Double(Int.random(in: 18...55, using: &rng))
                let seconds = (gnss / kmh * 3600).rounded()
                let fare = ((10 + max(0, meterKm - 3) * 2.4) * 100).rounded() / 100
                readings.append(Reading(device: device.name, seq: seq, at: at, body: .trip(.init(
                    meterKm: meterKm, meterSeconds: seconds, gnssKm: gnss, gnssMaxKmh: min((kmh * 16).rounded() / 10, 110), fare: fare))))
            case .scale:
                at += Double(Int.random(in: 120...900, using: &rng))
                let body: Reading.Body
                if cheat == .scaleTamper, seq == device.cheatFrom! {
                    body = .scaleEvent(rng.chance(0.5) ? .caseOpened : .calibrationMode)
                } else if rng.chance(0.03) {
                    body = .scaleEvent(rng.chance(0.5) ? .tilt : .offline)
                } else {
                    body = .weighing(.init(kg: Double(Int.random(in: 50...5_000, using: &rng)) / 1000))
                }
                readings.append(Reading(device: device.name, seq: seq, at: at, body: body))
            case .utilityMeter:
                at += 3_600
                let flow = Double(Int.random(in: 0...2_000, using: &rng)) / 1000
                var reported = flow
                switch cheat {
                case .meterRollback? where seq == device.cheatFrom!: index = max(0, index - Double(Int.random(in: 5...40, using: &rng)))
                case .meterBypass?:
                    // Flow through the bypass; the meter's register does not move.
                    reported = max(flow, 0.8)
                    jammed = jammed ?? index
                case .meterJump? where seq == device.cheatFrom!: index += device.maxPerHour! * Double(Int.random(in: 3...10, using: &rng))
                default: index += flow
                }
                if let j = jammed { index = j }
                readings.append(Reading(device: device.name, seq: seq, at: at, body: .meterIndex(.init(
                    index: (index * 1000).rounded() / 1000, flow: reported))))
            case .tankGauge:
                at += 600
                readings.append(Reading(device: device.name, seq: seq, at: at, body: .tankLevel(.init(tank: 1, levelMM: 1_500))))
            }
        }

        /// A normal deviate (Box–Muller) with this standard deviation.
        static func normal(_ sigma: Double, _ rng: inout SeededGenerator) -> Double {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return sigma * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }
}

extension Double {
    fileprivate var toInt64: Int64 { Int64(self) }
}

extension DeviceKind {
    /// A short code for simulated device names.
    var code: String {
        switch self {
        case .fuelDispenser: "JY"
        case .tankGauge: "YW"
        case .taximeter: "CZ"
        case .scale: "CH"
        case .utilityMeter: "SB"
        }
    }
}
