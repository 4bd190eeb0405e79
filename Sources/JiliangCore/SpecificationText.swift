import Foundation

/// What a roll's 型号规格 (model and specification) or 测量范围 says plainly about an instrument's
/// size, for the cases where the size decides its catalogue sub-item or its rule (issue #19,
/// item 1). Only explicit figures with their unit are read ("150kg", "Max 30 kg", "3t", "DN20");
/// a bare model number ("ACS-30") says nothing here, because manufacturers' numbering is not a
/// measurement.
public enum SpecificationText {
    // The patterns are kept, not written at the call: a regex literal is parsed again each time it
    // is evaluated, which was a fifth of a 100,000-row import's time (BENCHMARKS.md, issue #19).
    // `Regex` is not declared Sendable, but its compiled program is set once, atomically, so one
    // instance may be matched from several threads.
    nonisolated(unsafe) private static let capacity = /([0-9]+(?:\.[0-9]+)?)\s*(kg|千克|公斤|t|吨|g|克)(?![a-z])/
    nonisolated(unsafe) private static let diameter = /DN\s*([0-9]{2,4})(?![0-9])/

    /// The largest capacity stated, in kilograms: "TCS-150kg" → 150, "0~3t" → 3000, "30公斤" → 30.
    public static func maxCapacityKg(_ text: String?) -> Double? {
        guard let text else { return nil }
        let units: [(String, Double)] = [("kg", 1), ("千克", 1), ("公斤", 1), ("t", 1000), ("吨", 1000), ("g", 0.001), ("克", 0.001)]
        var best: Double?
        let lower = text.lowercased()
        for match in lower.matches(of: capacity) {
            guard let value = Double(match.1), let factor = units.first(where: { $0.0 == String(match.2) })?.1 else { continue }
            // "kg" also ends in "g": the alternation tries "kg" first, so "g" here is grams.
            best = max(best ?? 0, value * factor)
        }
        return best
    }

    /// A nominal diameter written as DN: "LXS-20C DN20" → 20, "DN 50" → 50.
    public static func nominalDiameter(_ text: String?) -> Int? {
        guard let text, let m = text.uppercased().firstMatch(of: diameter) else { return nil }
        return Int(m.1)
    }
}
