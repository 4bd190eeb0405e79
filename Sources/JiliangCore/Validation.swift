/// A problem with one field of an input, named so that the API (RFC 9457 `errors[].field`), the
/// import error report (row, column) and forms can point at it.
public struct FieldError: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// Every problem found in one input; thrown only when at least one exists.
public struct ValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// Collects field errors while parsing an input, so that one response names every bad field.
public struct FieldChecker {
    public private(set) var errors: [FieldError] = []
    public init() {}

    public mutating func fail(_ field: String, _ message: String) { errors.append(FieldError(field, message)) }

    /// A required, trimmed, non-empty text of at most `max` characters.
    public mutating func text(_ field: String, _ value: String?, max: Int = 200, required: Bool = true) -> String? {
        let t = value?.trimmingCharactersInWhitespace() ?? ""
        if t.isEmpty {
            if required { fail(field, "is required") }
            return nil
        }
        if t.utf8.count > max, t.count > max {  // utf8 count bounds the character count, and is O(1)
            fail(field, "must be at most \(max) characters")
            return nil
        }
        return t
    }

    public mutating func day(_ field: String, _ value: String?, required: Bool = true) -> CalendarDay? {
        guard let t = text(field, value, max: 10, required: required) else { return nil }
        guard let d = CalendarDay(t) else {
            fail(field, "must be a date written YYYY-MM-DD, got '\(t)'")
            return nil
        }
        return d
    }

    public mutating func region(_ field: String, _ value: String?, known: (RegionCode) -> Bool) -> RegionCode? {
        guard let t = text(field, value, max: 6) else { return nil }
        guard let r = RegionCode(t) else {
            fail(field, "must be a 6-digit administrative division code (GB/T 2260), got '\(t)'")
            return nil
        }
        guard known(r) else {
            fail(field, "unknown region \(t)")
            return nil
        }
        return r
    }

    public mutating func creditCode(_ field: String, _ value: String?, required: Bool = true) -> CreditCode? {
        guard let t = text(field, value, max: 18 + 4, required: required) else { return nil }
        do { return try CreditCode(validating: t) } catch {
            fail(field, "invalid unified social credit code: \(error)")
            return nil
        }
    }

    public mutating func int(_ field: String, _ value: String?, range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let t = text(field, value, max: 12, required: required) else { return nil }
        guard let v = Int(t), range.contains(v) else {
            fail(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(t)'")
            return nil
        }
        return v
    }

    public mutating func double(_ field: String, _ value: String?, range: ClosedRange<Double>, required: Bool = false) -> Double? {
        guard let t = text(field, value, max: 24, required: required) else { return nil }
        guard let v = Double(t), v.isFinite, range.contains(v) else {
            fail(field, "must be a number from \(range.lowerBound) to \(range.upperBound), got '\(t)'")
            return nil
        }
        return v
    }

    /// An enum value given by its raw value or one of its Chinese labels.
    public mutating func choice<E: RawRepresentable & CaseIterable>(
        _ field: String, _ value: String?, labels: [String: E] = [:], required: Bool = true
    ) -> E? where E.RawValue == String {
        guard let t = text(field, value, max: 40, required: required) else { return nil }
        if let e = E(rawValue: t) ?? E(rawValue: t.lowercased()) ?? labels[t] { return e }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        fail(field, "'\(t)' is not one of: \(allowed)")
        return nil
    }

    public func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
