import Foundation

/// What the detectors carry from one batch of a device's readings to the next: the EWMA chart's
/// baseline and position, the dispenser lock's count, and the meter's last index with its stopped
/// run. With it the store feeds a batch's new readings only, instead of reading a window of the
/// device's history back and running every rule over it again (BENCHMARKS.md, 2026-12-05: that
/// re-read was 80 % of ingest). The rules then see the device's whole history, exactly as
/// `Detectors.run` does in process: the baseline is learned once, from the device's first values,
/// and the lock counts every delivery since the first.
public struct DetectorState: Sendable, Codable, Equatable {
    /// The last reading fed, in the device's order (its sequence numbers); what comes after it is
    /// new. A reading that arrives after later ones were fed (a gateway filling a gap) cannot be
    /// fed: the store then builds the state again from the device's stored readings.
    public internal(set) var lastSeq: Int64?
    /// What this state was computed under (`Detectors.basis`): under other thresholds or another
    /// authorised pulse equivalent it would be different, so it is built again.
    public let basis: String
    var drift = DriftChart()
    var lock = LockCount()
    var meter = MeterTrack()

    public init(basis: String) { self.basis = basis }

    /// As stored: JSON, about 730 bytes (measured on the bench's fleet; most of it the basis; the
    /// baseline's values only until it is learned).
    public func encoded() throws -> String { String(decoding: try Self.encoder.encode(self), as: UTF8.self) }
    public static func decoded(_ text: String) throws -> DetectorState { try decoder.decode(DetectorState.self, from: Data(text.utf8)) }
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        // A chart fed an infinite error must still be kept, not fail the batch.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()
    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()
}

/// The EWMA chart's state (`Drift`): the first values until the baseline is learned, then the
/// baseline and the chart's position.
struct DriftChart: Sendable, Codable, Equatable {
    var warmup: [Double] = []
    var baseline: Baseline?
    var z = 0.0
    /// Outside its limits now: one finding per excursion.
    var outside = false

    struct Baseline: Sendable, Codable, Equatable {
        var mean: Double
        var sigma: Double
        var limit: Double
    }
}

/// The dispenser lock's count (`DispenserRules.errorLock`): the deliveries outside the band so far.
struct LockCount: Sendable, Codable, Equatable {
    var outside: [Int64] = []
    var fired = false
}

/// A utility meter's last index and its current run of readings with flow but no movement.
struct MeterTrack: Sendable, Codable, Equatable {
    var last: Point?
    var stoppedRun: [Int64] = []

    struct Point: Sendable, Codable, Equatable {
        var seq: Int64
        var at: Date
        var index: Double
        var reverse: Bool
    }
}
