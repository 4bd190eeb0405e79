import Foundation

/// A utility meter's rules (水表, 燃气表, 电能表): an index runs one way, moves when there is flow,
/// and cannot jump faster than the meter's overload flow. Each judges a reading against the one
/// before it, which `MeterTrack` keeps across batches.
enum MeterRules {
    static func add(_ r: Reading, to track: inout MeterTrack, _ c: DeviceContext, _ t: Thresholds) -> [Finding] {
        guard case .meterIndex(let m) = r.body else { return [] }
        let b = MeterTrack.Point(seq: r.seq, at: r.at, index: m.index, reverse: m.reverse)
        defer { track.last = b }
        guard let a = track.last else { return [] }
        return [backwards(a, b, c, t), stopped(a, b, flow: m.flow, &track.stoppedRun, c, t), step(a, b, c, t)].compactMap { $0 }
    }

    static func backwards(_ a: MeterTrack.Point, _ b: MeterTrack.Point, _ c: DeviceContext, _ t: Thresholds) -> Finding? {
        guard b.index < a.index - t.meterBackwardsTolerance || b.reverse && !a.reverse else { return nil }
        return Finding(.meterBackwards, device: c.device, at: b.at, seqs: [a.seq, b.seq], evidence: [
            "from": a.index.evidence(3), "to": b.index.evidence(3), "reverse_flow": String(b.reverse),
        ])
    }

    /// Flow reported in `meterStoppedReadings` consecutive readings while the index stood still.
    static func stopped(
        _ a: MeterTrack.Point, _ b: MeterTrack.Point, flow: Double?, _ run: inout [Int64], _ c: DeviceContext, _ t: Thresholds
    ) -> Finding? {
        // Only a flow that should have moved the index by ten resolutions counts: at a trickle
        // between frequent readings an index legitimately stands still.
        let hours = b.at.timeIntervalSince(a.at) / 3600
        guard (flow ?? 0) * hours > 10 * t.meterBackwardsTolerance, abs(b.index - a.index) <= t.meterBackwardsTolerance else {
            run = []
            return nil
        }
        if run.isEmpty { run.append(a.seq) }
        // Once found, the run is only counted on (kept short: a meter stopped for a year is one finding).
        if run.count <= t.meterStoppedReadings + 1 { run.append(b.seq) }
        guard run.count == t.meterStoppedReadings + 1 else { return nil }
        return Finding(.meterStopped, device: c.device, at: b.at, seqs: run, subject: "stopped:\(b.index.evidence(3))", evidence: [
            "index": b.index.evidence(3), "flow": (flow ?? 0).evidence(3), "readings": String(t.meterStoppedReadings),
        ])
    }

    /// A rise faster than the meter's own overload flow (`DeviceContext.maxPerHour`, from its Q3).
    static func step(_ a: MeterTrack.Point, _ b: MeterTrack.Point, _ c: DeviceContext, _ t: Thresholds) -> Finding? {
        guard let most = c.maxPerHour else { return nil }
        let hours = b.at.timeIntervalSince(a.at) / 3600
        let rise = b.index - a.index
        guard rise > 0, rise > most * max(hours, 1.0 / 60) + 1e-9 else { return nil }
        return Finding(.meterStep, device: c.device, at: b.at, seqs: [a.seq, b.seq], evidence: [
            "from": a.index.evidence(3), "to": b.index.evidence(3), "hours": hours.evidence(3), "max_per_hour": most.evidence(3),
        ])
    }
}
