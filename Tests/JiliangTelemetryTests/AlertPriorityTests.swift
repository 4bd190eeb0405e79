import JiliangCore
import JiliangTelemetry
import Testing

/// The alerts' queue order (issue #21, item 5): a detector's severity, one step higher when the
/// instrument may not lawfully be used (计量法 art. 9: not verified as required, or failed, must
/// not be used). Severity is our order (docs/detectors.md), not a regulation's.
@Suite struct AlertPriorityTests {
    static let severities: [(DetectorKind, AlertSeverity)] = [
        (.priceArithmetic, .high), (.dispenserIdentity, .high), (.scaleTamper, .high), (.meterBackwards, .high),
        (.taximeterDistance, .high), (.dispenserErrorLock, .medium), (.taximeterSpeed, .medium), (.meterStopped, .medium), (.meterStep, .medium),
        (.drift, .medium), (.deviceSilent, .low), (.tankReconciliation, .high),
    ]

    @Test(arguments: severities)
    func everyDetectorHasItsSeverity(_ d: DetectorKind, _ s: AlertSeverity) {
        #expect(d.severity == s)
    }

    /// A new detector is not ranked by default: it must be added to the table above.
    @Test func everyDetectorIsInTheTable() {
        #expect(Set(Self.severities.map(\.0)) == Set(DetectorKind.allCases))
    }

    /// Each status, on a medium (2) finding: the boundary is "may not be used", not "has a problem".
    @Test(arguments: [
        (ComplianceStatus.valid, 2), (.dueSoon, 2), (.ruleMissing, 2),
        (.overdue, 3), (.failed, 3), (.lifeExpired, 3), (.notFiled, 3), (.suspended, 3), (.scrapped, 3),
    ])
    func theInstrumentsStatusRaisesItByOne(_ status: ComplianceStatus, _ priority: Int) {
        #expect(AlertPriority.of(.meterStep, status: status) == priority)
    }

    @Test func theExtremes() {
        #expect(AlertPriority.of(.priceArithmetic, status: .failed) == 4)
        #expect(AlertPriority.of(.deviceSilent, status: .valid) == 1)
    }
}
