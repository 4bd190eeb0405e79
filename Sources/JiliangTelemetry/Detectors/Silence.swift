import Foundation

/// A device that stopped reporting (issue #21, item 1: "an instrument that stops reporting is
/// itself an alert"): nothing for `silentAfter` up to `now`.
enum Silence {
    static func detect(_ readings: [Reading], context c: DeviceContext, _ t: Thresholds, now: Date) -> [Finding] {
        guard let last = readings.last, now.timeIntervalSince(last.at) > t.silentAfter else { return [] }
        return [Finding(.deviceSilent, device: c.device, at: now, seqs: [last.seq], subject: "silent:\(last.seq)", evidence: [
            "last_seen": ISO8601DateFormatter().string(from: last.at), "silent_seconds": String(Int(now.timeIntervalSince(last.at))),
        ])]
    }
}
