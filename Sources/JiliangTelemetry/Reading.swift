import Foundation
import JiliangCore

/// What kind of device reports (issue #21): a smart instrument itself or the gateway in front of it.
public enum DeviceKind: String, Sendable, Codable, CaseIterable {
    case fuelDispenser = "fuel_dispenser"
    case tankGauge = "tank_gauge"
    case taximeter
    case scale
    case utilityMeter = "utility_meter"

    /// Whether a device of this kind can sit on an instrument of this catalogue item and sub-item
    /// (by name, as the 2020 catalogue words them).
    public func fits(itemName: String, subName: String) -> Bool {
        switch self {
        case .fuelDispenser: subName == "燃油加油机"
        case .tankGauge: itemName == "计量罐"
        case .taximeter: subName == "出租汽车计价器"
        case .scale: itemName.hasSuffix("衡器") || itemName == "轨道衡"
        case .utilityMeter: ["水表", "燃气表", "热能表", "电能表"].contains(itemName) || itemName.hasPrefix("电能表")
        }
    }
}

/// One reading or event, as a gateway sends it: the device's own name for itself, a sequence
/// number that makes a retried batch add nothing (device, seq), the device's clock, and what it
/// reports.
public struct Reading: Sendable, Equatable {
    public var device: String
    public var seq: Int64
    public var at: Date
    public var body: Body

    public init(device: String, seq: Int64, at: Date, body: Body) {
        self.device = device
        self.seq = seq
        self.at = at
        self.body = body
    }

    public enum Body: Sendable, Equatable {
        case delivery(Delivery)
        case tankLevel(TankLevel)
        case trip(Trip)
        case weighing(Weighing)
        case scaleEvent(ScaleEvent)
        case meterIndex(MeterIndex)
        case heartbeat
    }

    /// The body's kind as the wire names it (`type` in NDJSON).
    public var type: String {
        switch body {
        case .delivery: "delivery"
        case .tankLevel: "tank_level"
        case .trip: "trip"
        case .weighing: "weighing"
        case .scaleEvent: "scale_event"
        case .meterIndex: "meter_index"
        case .heartbeat: "heartbeat"
        }
    }
}

/// A fuel dispenser's delivery (一次加油): what the display showed, and what the encoder counted.
public struct Delivery: Sendable, Equatable {
    public var nozzle: Int
    /// Litres shown to the customer.
    public var volume: Double
    /// Yuan charged.
    public var amount: Double
    /// Yuan per litre.
    public var unitPrice: Double
    /// Litres per encoder pulse as the dispenser is set (脉冲当量), and the pulses it counted; the
    /// two give the volume the encoder measured, to compare with `volume`.
    public var pulseEquivalent: Double?
    public var pulses: Int64?
    /// The control board's software identification (软件标识/校验码).
    public var softwareID: String?
    public var start: Date
    public var end: Date

    public init(
        nozzle: Int, volume: Double, amount: Double, unitPrice: Double, pulseEquivalent: Double? = nil, pulses: Int64? = nil,
        softwareID: String? = nil, start: Date, end: Date
    ) {
        self.nozzle = nozzle
        self.volume = volume
        self.amount = amount
        self.unitPrice = unitPrice
        self.pulseEquivalent = pulseEquivalent
        self.pulses = pulses
        self.softwareID = softwareID
        self.start = start
        self.end = end
    }

    /// The volume the encoder measured, when the dispenser reports its pulses.
    public var encoderVolume: Double? {
        guard let pulseEquivalent, let pulses else { return nil }
        return pulseEquivalent * Double(pulses)
    }
}

/// A tank gauge's level (液位仪): millimetres of product and its temperature.
public struct TankLevel: Sendable, Equatable {
    public var tank: Int
    public var levelMM: Double
    public var temperature: Double?
    public init(tank: Int, levelMM: Double, temperature: Double? = nil) {
        self.tank = tank
        self.levelMM = levelMM
        self.temperature = temperature
    }
}

/// A taximeter's trip: the meter's distance and time, what satellite positioning (GNSS) measured
/// over the same trip, and the fare.
public struct Trip: Sendable, Equatable {
    public var meterKm: Double
    public var meterSeconds: Double
    public var gnssKm: Double?
    /// The highest speed among the trip's GNSS samples.
    public var gnssMaxKmh: Double?
    public var fare: Double

    public init(meterKm: Double, meterSeconds: Double, gnssKm: Double? = nil, gnssMaxKmh: Double? = nil, fare: Double) {
        self.meterKm = meterKm
        self.meterSeconds = meterSeconds
        self.gnssKm = gnssKm
        self.gnssMaxKmh = gnssMaxKmh
        self.fare = fare
    }
}

/// A scale's weighing (称重): kilograms, and the price if it computes one.
public struct Weighing: Sendable, Equatable {
    public var kg: Double
    public var amount: Double?
    public init(kg: Double, amount: Double? = nil) {
        self.kg = kg
        self.amount = amount
    }
}

/// What a scale reports about itself.
public enum ScaleEvent: String, Sendable, Equatable, CaseIterable {
    case caseOpened = "case_opened"
    case tilt
    case calibrationMode = "calibration_mode"
    case offline
}

/// A utility meter's index (累计读数) and, if it measures one, its flow now; `reverse` when it
/// reports flow the wrong way.
public struct MeterIndex: Sendable, Equatable {
    public var index: Double
    public var flow: Double?
    public var reverse: Bool
    public init(index: Double, flow: Double? = nil, reverse: Bool = false) {
        self.index = index
        self.flow = flow
        self.reverse = reverse
    }
}
