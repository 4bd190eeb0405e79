import Foundation

/// The statistical detector, for what no rule names: an EWMA chart on each device's own errors
/// (a dispenser's displayed volume against its encoder's, a taximeter's distance against GNSS).
/// The device's first `driftWarmup` values set its baseline (mean and spread); after that, the
/// exponentially weighted mean crossing mean ± L·σ·√(λ/(2−λ) + 1/n) (the second term: the mean was
/// learned from n values, not known) is a drift — smaller than any MPE
/// can catch, but the device's own behaviour changing (a slow skim, a wearing transducer).
/// The baseline is learned once and kept (`DetectorState`): later values never move it.
enum Drift {
    static func add(_ point: (at: Date, seq: Int64, value: Double), to chart: inout DriftChart, device: String, _ t: Thresholds) -> Finding? {
        guard let b = chart.baseline else {
            chart.warmup.append(point.value)
            if chart.warmup.count >= t.driftWarmup {
                let base = chart.warmup
                let mean = base.reduce(0, +) / Double(base.count)
                let variance = base.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(base.count - 1)
                // A perfectly steady device still has its display's resolution as spread.
                let sigma = max(variance.squareRoot(), 0.0005)
                let limit = t.driftL * sigma * (t.driftLambda / (2 - t.driftLambda) + 1 / Double(t.driftWarmup)).squareRoot()
                chart.baseline = .init(mean: mean, sigma: sigma, limit: limit)
                chart.z = mean
                chart.warmup = []
            }
            return nil
        }
        chart.z = t.driftLambda * point.value + (1 - t.driftLambda) * chart.z
        // One finding per excursion: reported when the chart leaves its limits, re-armed when it
        // comes back.
        guard abs(chart.z - b.mean) > b.limit else {
            chart.outside = false
            return nil
        }
        defer { chart.outside = true }
        guard !chart.outside else { return nil }
        return Finding(.drift, device: device, at: point.at, seqs: [point.seq], subject: "drift:\(point.seq)", evidence: [
            "baseline_mean": (b.mean * 100).evidence(3) + "%", "baseline_sigma": (b.sigma * 100).evidence(3) + "%",
            "ewma": (chart.z * 100).evidence(3) + "%", "limit": (b.limit * 100).evidence(3) + "%", "lambda": t.driftLambda.evidence(2),
        ])
    }
}
