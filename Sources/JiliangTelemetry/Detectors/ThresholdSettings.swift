import Foundation
import JiliangCore

/// The thresholds a region may set for itself (issue #21, item 4: "configurable per region"):
/// each by name, with the bounds a setting must keep and whether it is a whole number. A region's
/// setting holds for it and every region under it, unless a region nearer the instrument sets its
/// own: county, then city, then province, then the defaults (`Thresholds()`, whose sources are in
/// docs/detectors.md).
public enum ThresholdSettings {
    public struct Setting: Sendable {
        public let name: String
        public let range: ClosedRange<Double>
        public let whole: Bool
        let keyPath: (WritableKeyPath<Thresholds, Double> & Sendable)?
        let wholeKeyPath: (WritableKeyPath<Thresholds, Int> & Sendable)?

        init(_ name: String, _ keyPath: WritableKeyPath<Thresholds, Double> & Sendable, _ range: ClosedRange<Double>) {
            (self.name, self.range, self.whole, self.keyPath, self.wholeKeyPath) = (name, range, false, keyPath, nil)
        }
        init(_ name: String, whole keyPath: WritableKeyPath<Thresholds, Int> & Sendable, _ range: ClosedRange<Double>) {
            (self.name, self.range, self.whole, self.keyPath, self.wholeKeyPath) = (name, range, true, nil, keyPath)
        }

        public func value(_ t: Thresholds) -> Double { keyPath.map { t[keyPath: $0] } ?? Double(t[keyPath: wholeKeyPath!]) }
        func set(_ v: Double, on t: inout Thresholds) {
            if let keyPath { t[keyPath: keyPath] = v } else { t[keyPath: wholeKeyPath!] = Int(v) }
        }
    }

    /// Every setting, in the order the detectors' page lists them. The bounds keep a detector
    /// meaningful (a tolerance of zero would flag every honest rounding), not lawful: a region
    /// answers for its own values.
    public static let all: [Setting] = [
        Setting("amount_tolerance_yuan", \.amountToleranceYuan, 0.01...10),
        Setting("dispenser_lock_band", \.dispenserLockBand, 0.001...0.05),
        Setting("dispenser_lock_count", whole: \.dispenserLockCount, 1...100),
        Setting("taximeter_error_low", \.taximeterErrorLow, -0.2 ... -0.001),
        Setting("taximeter_error_high", \.taximeterErrorHigh, 0.001...0.2),
        Setting("gnss_uncertainty", \.gnssUncertainty, 0...0.05),
        Setting("taximeter_min_km", \.taximeterMinKm, 0.1...50),
        Setting("taximeter_max_kmh", \.taximeterMaxKmh, 60...400),
        Setting("meter_backwards_tolerance", \.meterBackwardsTolerance, 0.000_001...10),
        Setting("meter_stopped_readings", whole: \.meterStoppedReadings, 2...100),
        Setting("silent_after_seconds", \.silentAfter, 300...30 * 86_400),
        Setting("tank_short_rate", \.tankShortRate, 0.001...0.05),
        Setting("tank_loss_rate", \.tankLossRate, 0.001...0.05),
        Setting("tank_level_allowance_mm", \.tankLevelAllowanceMM, 0.1...20),
        Setting("tank_min_litres", \.tankMinLitres, 100...100_000),
        Setting("tank_window_seconds", \.tankWindow, 3_600...7 * 86_400),
        Setting("tank_span_seconds", \.tankSpan, 86_400...31 * 86_400),
        Setting("fuel_expansion_per_kelvin", \.fuelExpansionPerKelvin, 0...0.002),
        Setting("drift_lambda", \.driftLambda, 0.05...1),
        Setting("drift_l", \.driftL, 2...8),
        Setting("drift_warmup", whole: \.driftWarmup, 10...1_000),
    ]

    public static func setting(_ name: String) -> Setting? { all.first { $0.name == name } }

    /// Checks a region's settings: every name known, every value a number within its bounds
    /// (whole where it counts); each problem names the setting.
    public static func check(_ values: [String: Double]) -> [FieldError] {
        values.sorted { $0.key < $1.key }.compactMap { name, v in
            guard let s = setting(name) else { return FieldError(name, .field(.notOneOf(all.map(\.name), got: name))) }
            guard v.isFinite, s.range.contains(v), !s.whole || v == v.rounded() else {
                return FieldError(name, .telemetry(.notInRange(from: s.range.lowerBound, to: s.range.upperBound, got: v.evidence(6))))
            }
            return nil
        }
    }

    /// The thresholds for an instrument in `region`: the defaults, then the province's settings,
    /// the city's and the county's, each over the one before (`byRegion`: region code → settings).
    public static func resolve(_ region: RegionCode?, _ byRegion: [String: [String: Double]]) -> Thresholds {
        var t = Thresholds()
        guard !byRegion.isEmpty, let region else { return t }
        var chain: [RegionCode] = [region]
        while let up = chain.last?.parent { chain.append(up) }
        for r in chain.reversed() {
            for (name, v) in byRegion[r.value] ?? [:] { setting(name)?.set(v, on: &t) }
        }
        return t
    }
}
