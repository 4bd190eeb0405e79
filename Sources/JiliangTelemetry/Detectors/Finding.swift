import Foundation
import JiliangCore

/// Which rule found something. Each has its rule, its source and its evidence in
/// docs/detectors.md, and a false-alarm test beside its table of cases.
public enum DetectorKind: String, Sendable, Codable, CaseIterable {
    case priceArithmetic = "price_arithmetic"
    case dispenserIdentity = "dispenser_identity"
    case dispenserErrorLock = "dispenser_error_lock"
    case taximeterDistance = "taximeter_distance"
    case taximeterSpeed = "taximeter_speed"
    case scaleTamper = "scale_tamper"
    case meterBackwards = "meter_backwards"
    case meterStopped = "meter_stopped"
    case meterStep = "meter_step"
    case deviceSilent = "device_silent"
    case drift
    case tankReconciliation = "tank_reconciliation"
}

/// What a detector found on one device: when, on which readings (by sequence number), and the
/// figures that show it — kept as text so that a confirmed alert freezes exactly what was shown.
public struct Finding: Sendable, Equatable {
    public var detector: DetectorKind
    public var device: String
    public var at: Date
    public var seqs: [Int64]
    public var evidence: [String: String]
    /// What the finding is about, so that the same condition found again (as the detectors' window
    /// moves over later readings) is the same finding: the day (China time) for a rule broken by
    /// single readings (`day:2026-12-05` — a meter inflating every trip is one alert a day for the
    /// bureau, not one per trip; the first reading of the day is its evidence), the value for a
    /// changed identity (`software:C3D4`), the device for a lasting state (`lock`).
    public var subject: String

    public init(_ detector: DetectorKind, device: String, at: Date, seqs: [Int64], subject: String? = nil, evidence: [String: String]) {
        self.detector = detector
        self.device = device
        self.at = at
        self.seqs = seqs
        self.subject = subject ?? "day:\(CalendarDay(instant: at))"
        self.evidence = evidence
    }
}

/// What the detectors know about a device beyond its readings: what it is, and what the registry
/// authorised — the software and pulse equivalent of its last initialisation (首次/检定/修理后),
/// and the windows of recorded verification or repair visits, when opening it is expected.
public struct DeviceContext: Sendable, Equatable {
    public var device: String
    public var kind: DeviceKind
    public var authorisedSoftwareIDs: Set<String>
    public var authorisedPulseEquivalent: Double?
    public var visits: [DateInterval]
    /// A utility meter's overload flow per hour (Q4 = 1.25 × Q3 for a water meter, JJG 162-2019),
    /// when the registry knows its Q3; without it no step is judged.
    public var maxPerHour: Double?

    public init(
        device: String, kind: DeviceKind, authorisedSoftwareIDs: Set<String> = [], authorisedPulseEquivalent: Double? = nil,
        visits: [DateInterval] = [], maxPerHour: Double? = nil
    ) {
        self.device = device
        self.kind = kind
        self.authorisedSoftwareIDs = authorisedSoftwareIDs
        self.authorisedPulseEquivalent = authorisedPulseEquivalent
        self.visits = visits
        self.maxPerHour = maxPerHour
    }

    func duringVisit(_ at: Date) -> Bool { visits.contains { $0.contains(at) } }
}

/// Every detector over one device's readings, in the device's own order (its sequence numbers: a
/// device whose clock was reset still counts on). Pure: the same readings, context and thresholds
/// give the same findings, so a finding can be recomputed from its evidence — and the same
/// readings fed in any number of batches (`feed`) give the same findings as all of them at once
/// (`run`).
public enum Detectors {
    /// Every detector over all of a device's readings at once.
    public static func run(_ readings: [Reading], context: DeviceContext, thresholds t: Thresholds, now: Date) -> [Finding] {
        let ordered = readings.sorted { $0.seq < $1.seq }
        var state = DetectorState(basis: basis(context, t))
        return firstPerSubject(feed(ordered, into: &state, context: context, thresholds: t) + Silence.detect(ordered, context: context, t, now: now))
    }

    /// Feeds a device's readings that come after `state.lastSeq` to every detector (the others are
    /// passed over: the caller builds the state again for them) and returns what they found, one
    /// finding per subject. Silence is not judged here: it is a matter of the clock.
    public static func feed(_ readings: [Reading], into state: inout DetectorState, context c: DeviceContext, thresholds t: Thresholds) -> [Finding] {
        var out: [Finding] = []
        for r in readings.sorted(by: { $0.seq < $1.seq }) where state.lastSeq.map({ r.seq > $0 }) ?? true {
            state.lastSeq = r.seq
            switch c.kind {
            case .fuelDispenser:
                if let f = DispenserRules.priceArithmetic(r, c, t) { out.append(f) }
                out += DispenserRules.identity(r, c)
                if let f = DispenserRules.errorLock(r, &state.lock, c, t) { out.append(f) }
                if let e = DispenserRules.encoderError(r, c), let f = Drift.add(e, to: &state.drift, device: c.device, t) { out.append(f) }
            case .taximeter:
                if let f = TaximeterRules.distance(r, c, t) { out.append(f) }
                if let f = TaximeterRules.speed(r, c, t) { out.append(f) }
                if let e = TaximeterRules.distanceError(r, t), let f = Drift.add(e, to: &state.drift, device: c.device, t) { out.append(f) }
            case .scale:
                if let f = ScaleRules.tamper(r, c) { out.append(f) }
            case .utilityMeter:
                out += MeterRules.add(r, to: &state.meter, c, t)
            case .tankGauge:
                break
            }
        }
        return firstPerSubject(out)
    }

    /// What a carried state depends on: the thresholds and what the device is held to. A state
    /// computed under another basis is built again (a region's thresholds changed, a repair set a
    /// new pulse equivalent). The whole `Thresholds` counts, so a threshold added later is covered.
    public static func basis(_ c: DeviceContext, _ t: Thresholds) -> String {
        "\(c.kind.rawValue)|\(c.authorisedPulseEquivalent.map { "\($0)" } ?? "-")|\(t)"
    }

    /// One finding per subject: the first (in the device's order) is the evidence.
    static func firstPerSubject(_ findings: [Finding]) -> [Finding] {
        var seen = Set<String>()
        return findings.filter { seen.insert("\($0.detector.rawValue)|\($0.subject)").inserted }
    }
}

extension Double {
    /// A figure as evidence shows it: at most `digits` decimals, no trailing noise.
    func evidence(_ digits: Int = 4) -> String {
        let s = String(format: "%.\(digits)f", self)
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }
}
