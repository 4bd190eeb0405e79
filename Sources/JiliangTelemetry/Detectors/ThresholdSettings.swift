import Foundation
import JiliangCore

/// The thresholds a region may set for itself (issue #21, item 4: "configurable per region"):
/// each by name, with the bounds a setting must keep and whether it is a whole number. A region's
/// setting holds for it and every region under it, unless a region nearer the instrument sets its
/// own: county, then city, then province, then the defaults (`Thresholds()`, whose sources are in
/// docs/detectors.md).
public enum ThresholdSettings {
    /// How far a default is borne out (docs/detectors.md gives each its source).
    public enum Basis: String, Sendable, CaseIterable {
        /// Read in a regulation, standard or textbook.
        case sourced
        /// From a secondary summary; the clause itself not read.
        case unconfirmed
        /// Ours, chosen and tuned on the simulator.
        case designChoice = "design_choice"
    }

    public struct Setting: Sendable {
        public let name: String
        public let range: ClosedRange<Double>
        public let whole: Bool
        public let basis: Basis
        /// Where the default comes from, in a few words (English; the docs say more).
        public let source: String
        let keyPath: (any WritableKeyPath<Thresholds, Double> & Sendable)?
        let wholeKeyPath: (any WritableKeyPath<Thresholds, Int> & Sendable)?

        init(_ name: String, _ keyPath: any WritableKeyPath<Thresholds, Double> & Sendable, _ range: ClosedRange<Double>, _ basis: Basis, _ source: String) {
            (self.name, self.range, self.whole, self.keyPath, self.wholeKeyPath, self.basis, self.source) = (name, range, false, keyPath, nil, basis, source)
        }
        init(_ name: String, whole keyPath: any WritableKeyPath<Thresholds, Int> & Sendable, _ range: ClosedRange<Double>, _ basis: Basis, _ source: String) {
            (self.name, self.range, self.whole, self.keyPath, self.wholeKeyPath, self.basis, self.source) = (name, range, true, nil, keyPath, basis, source)
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
        Setting("amount_tolerance_yuan", \.amountToleranceYuan, 0.01...10, .unconfirmed, "JJG 443-2023 per a manufacturer's summary"),
        Setting("dispenser_lock_band", \.dispenserLockBand, 0.001...0.05, .sourced, "JJG 443-2006 (reference.md §5.3)"),
        Setting("dispenser_lock_count", whole: \.dispenserLockCount, 1...100, .sourced, "JJG 443-2006 (reference.md §5.3)"),
        Setting("taximeter_error_low", \.taximeterErrorLow, -0.2 ... -0.001, .sourced, "JJG 517-2016 (reference.md §8.6)"),
        Setting("taximeter_error_high", \.taximeterErrorHigh, 0.001...0.2, .sourced, "JJG 517-2016 (reference.md §8.6)"),
        Setting("gnss_uncertainty", \.gnssUncertainty, 0...0.05, .sourced, "JJG(京)177-2025 tracking MPE"),
        Setting("taximeter_min_km", \.taximeterMinKm, 0.1...50, .designChoice, "short trips are positioning noise"),
        Setting("taximeter_max_kmh", \.taximeterMaxKmh, 60...400, .designChoice, "implausible for a city taxi"),
        Setting("meter_backwards_tolerance", \.meterBackwardsTolerance, 0.000_001...10, .sourced, "the register's resolution (reference.md §5.4)"),
        Setting("meter_stopped_readings", whole: \.meterStoppedReadings, 2...100, .designChoice, "three readings in a row"),
        Setting("silent_after_seconds", \.silentAfter, 300...30 * 86_400, .designChoice, "an hour"),
        Setting("tank_short_rate", \.tankShortRate, 0.001...0.05, .unconfirmed, "JJG 443 dispenser MPE with JJG 266/168 capacity table, combined"),
        Setting("tank_loss_rate", \.tankLossRate, 0.001...0.05, .unconfirmed, "the same plus GB/T 11085-1989 retail loss (gasoline)"),
        Setting("tank_level_allowance_mm", \.tankLevelAllowanceMM, 0.1...20, .designChoice, "gauge repeatability; API MPMS 3.1B"),
        Setting("tank_min_litres", \.tankMinLitres, 100...100_000, .designChoice, "enough litres for a rate to mean something"),
        Setting("tank_window_seconds", \.tankWindow, 3_600...7 * 86_400, .designChoice, "the day's close (日结)"),
        Setting("tank_span_seconds", \.tankSpan, 86_400...31 * 86_400, .designChoice, "a week, as stations' cumulative checks"),
        Setting("fuel_expansion_per_kelvin", \.fuelExpansionPerKelvin, 0...0.002, .sourced, "GB/T 1885-1998 (ISO 91), gasoline near 20 °C"),
        Setting("drift_lambda", \.driftLambda, 0.05...1, .sourced, "Montgomery, Introduction to SQC, §9.2"),
        Setting("drift_l", \.driftL, 2...8, .designChoice, "tuned on the simulator's seed-1 fleets"),
        Setting("drift_warmup", whole: \.driftWarmup, 10...1_000, .designChoice, "the baseline's first values"),
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
