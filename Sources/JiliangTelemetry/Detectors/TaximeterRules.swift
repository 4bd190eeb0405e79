import Foundation

/// A taximeter's rules (出租汽车计价器, JJG 517-2016; reference.md §8.6), each on one trip.
enum TaximeterRules {
    /// The meter's distance error against the trip's GNSS distance, for trips long enough to judge.
    static func distanceError(_ r: Reading, _ t: Thresholds) -> (at: Date, seq: Int64, value: Double)? {
        guard case .trip(let trip) = r.body, let gnss = trip.gnssKm, gnss >= t.taximeterMinKm else { return nil }
        return (r.at, r.seq, (trip.meterKm - gnss) / gnss)
    }

    /// Outside −4.0 % … +1.0 % (with the GNSS track's own 0.3 % on either side): over +1 % the
    /// passenger pays for distance not driven.
    static func distance(_ r: Reading, _ c: DeviceContext, _ t: Thresholds) -> Finding? {
        guard let e = distanceError(r, t), case .trip(let trip) = r.body else { return nil }
        // 1e-9: the edges themselves are inside (a figure like 10.13 / 10 is not exactly 1.013).
        guard e.value > t.taximeterErrorHigh + t.gnssUncertainty + 1e-9 || e.value < t.taximeterErrorLow - t.gnssUncertainty - 1e-9 else { return nil }
        return Finding(.taximeterDistance, device: c.device, at: r.at, seqs: [r.seq], evidence: [
            "meter_km": trip.meterKm.evidence(3), "gnss_km": (trip.gnssKm ?? 0).evidence(3), "error": (e.value * 100).evidence(2) + "%",
            "mpe": "\((t.taximeterErrorLow * 100).evidence(1))% … +\((t.taximeterErrorHigh * 100).evidence(1))%",
            "fare": trip.fare.evidence(2),
        ])
    }

    /// A speed no taxi drives: the GNSS samples' highest, or the meter's own distance over its time.
    static func speed(_ r: Reading, _ c: DeviceContext, _ t: Thresholds) -> Finding? {
        guard case .trip(let trip) = r.body else { return nil }
        let meterKmh = trip.meterSeconds > 0 ? trip.meterKm / (trip.meterSeconds / 3600) : 0
        let fastest = max(meterKmh, trip.gnssMaxKmh ?? 0)
        guard fastest > t.taximeterMaxKmh + 1e-9, trip.meterKm >= 0.5 else { return nil }
        return Finding(.taximeterSpeed, device: c.device, at: r.at, seqs: [r.seq], evidence: [
            "meter_km": trip.meterKm.evidence(3), "meter_seconds": trip.meterSeconds.evidence(0), "meter_kmh": meterKmh.evidence(1),
            "gnss_max_kmh": (trip.gnssMaxKmh ?? 0).evidence(1), "limit_kmh": t.taximeterMaxKmh.evidence(0),
        ])
    }
}
