import Foundation

/// The statistical detector, for what no rule names: an EWMA chart on each device's own errors
/// (a dispenser's displayed volume against its encoder's, a taximeter's distance against GNSS).
/// The device's first `driftWarmup` values set its baseline (mean and spread); after that, the
/// exponentially weighted mean crossing mean ± L·σ·√(λ/(2−λ) + 1/n) (the second term: the mean was
/// learned from n values, not known) is a drift — smaller than any MPE
/// can catch, but the device's own behaviour changing (a slow skim, a wearing transducer).
enum Drift {
    static func detect(_ series: [(at: Date, seq: Int64, value: Double)], device: String, _ t: Thresholds) -> [Finding] {
        guard series.count > t.driftWarmup else { return [] }
        let base = series.prefix(t.driftWarmup).map(\.value)
        let mean = base.reduce(0, +) / Double(base.count)
        let variance = base.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(base.count - 1)
        // A perfectly steady device still has its display's resolution as spread.
        let sigma = max(variance.squareRoot(), 0.0005)
        let limit = t.driftL * sigma * (t.driftLambda / (2 - t.driftLambda) + 1 / Double(t.driftWarmup)).squareRoot()
        var z = mean
        var out: [Finding] = []
        var outside = false
        for point in series.dropFirst(t.driftWarmup) {
            z = t.driftLambda * point.value + (1 - t.driftLambda) * z
            // One finding per excursion: reported when the chart leaves its limits, re-armed when
            // it comes back.
            guard abs(z - mean) > limit else {
                outside = false
                continue
            }
            if !outside {
                out.append(Finding(.drift, device: device, at: point.at, seqs: [point.seq], subject: "drift:\(point.seq)", evidence: [
                    "baseline_mean": (mean * 100).evidence(3) + "%", "baseline_sigma": (sigma * 100).evidence(3) + "%",
                    "ewma": (z * 100).evidence(3) + "%", "limit": (limit * 100).evidence(3) + "%", "lambda": t.driftLambda.evidence(2),
                ]))
            }
            outside = true
        }
        return out
    }
}
