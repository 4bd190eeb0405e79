import Foundation

/// A market scale's rules (电子计价秤; reference.md §5.4: case opened, calibration mode).
enum ScaleRules {
    /// The case opened or calibration mode entered outside a recorded verification or repair
    /// visit: an adjustment nobody authorised.
    static func tamper(_ r: Reading, _ c: DeviceContext) -> Finding? {
        guard case .scaleEvent(let e) = r.body, e == .caseOpened || e == .calibrationMode, !c.duringVisit(r.at) else { return nil }
        return Finding(.scaleTamper, device: c.device, at: r.at, seqs: [r.seq], evidence: ["event": e.rawValue, "visits": String(c.visits.count)])
    }
}
