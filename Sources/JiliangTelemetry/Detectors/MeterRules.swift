import Foundation

/// A utility meter's rules (水表, 燃气表, 电能表): an index runs one way, moves when there is flow,
/// and cannot jump faster than the meter's overload flow.
enum MeterRules {
    static func indexes(_ readings: [Reading]) -> [(r: Reading, m: MeterIndex)] {
        readings.compactMap { r in if case .meterIndex(let m) = r.body { (r, m) } else { nil } }
    }

    static func backwards(_ readings: [Reading], _ c: DeviceContext, _ t: Thresholds) -> [Finding] {
        let xs = indexes(readings)
        return zip(xs, xs.dropFirst()).compactMap { a, b in
            guard b.m.index < a.m.index - t.meterBackwardsTolerance || b.m.reverse && !a.m.reverse else { return nil }
            return Finding(.meterBackwards, device: c.device, at: b.r.at, seqs: [a.r.seq, b.r.seq], evidence: [
                "from": a.m.index.evidence(3), "to": b.m.index.evidence(3), "reverse_flow": String(b.m.reverse),
            ])
        }
    }

    /// Flow reported in `meterStoppedReadings` consecutive readings while the index stood still.
    static func stopped(_ readings: [Reading], _ c: DeviceContext, _ t: Thresholds) -> [Finding] {
        let xs = indexes(readings)
        var run: [Int64] = []
        var out: [Finding] = []
        for (a, b) in zip(xs, xs.dropFirst()) {
            // Only a flow that should have moved the index by ten resolutions counts: at a trickle
            // between frequent readings an index legitimately stands still.
            let hours = b.r.at.timeIntervalSince(a.r.at) / 3600
            if (b.m.flow ?? 0) * hours > 10 * t.meterBackwardsTolerance, abs(b.m.index - a.m.index) <= t.meterBackwardsTolerance {
                if run.isEmpty { run.append(a.r.seq) }
                run.append(b.r.seq)
                if run.count == t.meterStoppedReadings + 1 {
                    out.append(Finding(.meterStopped, device: c.device, at: b.r.at, seqs: run, subject: "stopped:\(b.m.index.evidence(3))", evidence: [
                        "index": b.m.index.evidence(3), "flow": (b.m.flow ?? 0).evidence(3), "readings": String(t.meterStoppedReadings),
                    ]))
                }
            } else {
                run = []
            }
        }
        return out
    }

    /// A rise faster than the meter's own overload flow (`DeviceContext.maxPerHour`, from its Q3).
    static func step(_ readings: [Reading], _ c: DeviceContext, _ t: Thresholds) -> [Finding] {
        guard let most = c.maxPerHour else { return [] }
        let xs = indexes(readings)
        return zip(xs, xs.dropFirst()).compactMap { a, b in
            let hours = b.r.at.timeIntervalSince(a.r.at) / 3600
            let rise = b.m.index - a.m.index
            guard rise > 0, rise > most * max(hours, 1.0 / 60) + 1e-9 else { return nil }
            return Finding(.meterStep, device: c.device, at: b.r.at, seqs: [a.r.seq, b.r.seq], evidence: [
                "from": a.m.index.evidence(3), "to": b.m.index.evidence(3), "hours": hours.evidence(3), "max_per_hour": most.evidence(3),
            ])
        }
    }
}
