import JiliangCore

/// How serious a detector's finding is on its own, before the instrument's legal status is
/// weighed. The order is ours (no regulation ranks detectors), documented in docs/detectors.md
/// and kept in one place: what directly takes money from a buyer, or shows the legal
/// measurement was tampered with, comes first; a device gone quiet last.
public enum AlertSeverity: Int, Sendable, Codable, CaseIterable, Comparable {
    case low = 1, medium = 2, high = 3

    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rawValue < b.rawValue }

    /// Its name in the API (`low`, `medium`, `high`).
    public var name: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }
}

extension DetectorKind {
    public var severity: AlertSeverity {
        switch self {
        // The buyer pays for what was not delivered, or the measurement itself was altered.
        case .priceArithmetic, .dispenserIdentity, .scaleTamper, .meterBackwards, .taximeterDistance, .tankReconciliation: .high
        // Wrong, but possibly a fault rather than a cheat: the inspection decides.
        case .dispenserErrorLock, .taximeterSpeed, .meterStopped, .meterStep, .drift: .medium
        // No data is not wrong data; it is still a reason to look (issue #21, item 1).
        case .deviceSilent: .low
        }
    }
}

/// Where an alert stands in a bureau's queue (issue #21, item 5): its severity, one step higher
/// when the instrument may not lawfully be used at all — overdue or failed verification, past its
/// service life, never filed, suspended or scrapped (计量法 art. 9: an instrument not verified as
/// required, or failed, must not be used). Higher first.
public enum AlertPriority {
    public static func of(_ detector: DetectorKind, status: ComplianceStatus) -> Int {
        detector.severity.rawValue + (status.mayNotBeUsed ? 1 : 0)
    }
}

extension ComplianceStatus {
    /// Whether the instrument may not lawfully be used as it stands. A missing rule is the
    /// registry's gap, not the owner's fault, and a due date ahead is not a breach.
    public var mayNotBeUsed: Bool {
        switch self {
        case .overdue, .failed, .lifeExpired, .notFiled, .suspended, .scrapped: true
        case .valid, .dueSoon, .ruleMissing: false
        }
    }
}
