import JiliangCore

/// An instrument's status on a day, from what the registry stores of the rules engine's answer
/// (its compliance base, next due date and due kind; `DerivedData` keeps them current). The one
/// place the stored text becomes a typed `ComplianceStatus` (issue #20, item 6): the staff pages,
/// the API and the public lookup read it here instead of each parsing the columns.
public enum StoredStatus {
    public static func of(base: String, nextDue: String?, dueKind: String?, on day: CalendarDay, window: Int) -> ComplianceStatus {
        ComplianceEngine.status(
            base: ComplianceBase(rawValue: base) ?? .notFiled, nextDue: nextDue.flatMap(CalendarDay.init),
            dueKind: dueKind.flatMap(DueKind.init), on: day, window: window)
    }
}

extension InstrumentModel {
    /// Its status on `day` (`StoredStatus`), "due soon" `window` days ahead.
    public func status(on day: CalendarDay, window: Int) -> ComplianceStatus {
        StoredStatus.of(base: complianceBase, nextDue: nextDue, dueKind: dueKind, on: day, window: window)
    }
}
