/// A problem with one field of an input, named so that the API (RFC 9457 `errors[].field`), the
/// import error report (row, column) and forms can point at it.
public struct FieldError: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    public var field: String
    /// Why, as a fact; the Server words it (`RefusalText`).
    public var reason: Refusal
    public init(_ field: String, _ reason: Refusal) {
        self.field = field
        self.reason = reason
    }
    public init(_ field: String, _ reason: FieldRefusal) { self.init(field, .field(reason)) }
    /// For logs: the field and the reason's case, not words for a reader.
    public var description: String { "\(field): \(reason)" }
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

    public mutating func fail(_ field: String, _ reason: Refusal) { errors.append(FieldError(field, reason)) }
    public mutating func fail(_ field: String, _ reason: FieldRefusal) { fail(field, .field(reason)) }

    /// A required, trimmed, non-empty text of at most `max` characters.
    ///
    /// Characters as JSON Schema's `maxLength` counts them (the API's contract, `openapi.yaml`):
    /// Unicode code points of the value as sent, before trimming. Swift's `count` counts grapheme
    /// clusters — a letter and its combining marks, a flag, a family emoji are one — and the trimmed
    /// value is shorter, so either way texts the document refuses were taken (Schemathesis sent
    /// 501 code points led by a tab).
    public mutating func text(_ field: String, _ value: String?, max: Int = 200, required: Bool = true) -> String? {
        let t = value?.trimmingCharactersInWhitespace() ?? ""
        if t.isEmpty {
            if required { fail(field, .required) }
            return nil
        }
        if let value, Self.longer(value, than: max) {
            fail(field, .tooLong(max: max))
            return nil
        }
        return t
    }

    /// More than `max` code points (the UTF-8 length bounds them from above and is O(1)).
    public static func longer(_ s: String, than max: Int) -> Bool {
        s.utf8.count > max && s.unicodeScalars.count > max
    }

    public mutating func day(_ field: String, _ value: String?, required: Bool = true) -> CalendarDay? {
        guard let t = text(field, value, max: 10, required: required) else { return nil }
        guard let d = CalendarDay(t) else {
            fail(field, .notADate(got: t))
            return nil
        }
        return d
    }

    public mutating func region(_ field: String, _ value: String?, known: (RegionCode) -> Bool) -> RegionCode? {
        guard let t = text(field, value, max: 6) else { return nil }
        guard let r = RegionCode(t) else {
            fail(field, .notARegionCode(got: t))
            return nil
        }
        guard known(r) else {
            fail(field, .unknownRegion(t))
            return nil
        }
        return r
    }

    public mutating func creditCode(_ field: String, _ value: String?, required: Bool = true) -> CreditCode? {
        guard let t = text(field, value, max: 18 + 4, required: required) else { return nil }
        do { return try CreditCode(validating: t) } catch {
            fail(field, .notACreditCode(got: t))
            return nil
        }
    }

    public mutating func int(_ field: String, _ value: String?, range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let t = text(field, value, max: 12, required: required) else { return nil }
        guard let v = Int(t), range.contains(v) else {
            fail(field, .notAWholeNumber(from: range.lowerBound, to: range.upperBound, got: t))
            return nil
        }
        return v
    }

    public mutating func double(_ field: String, _ value: String?, range: ClosedRange<Double>, required: Bool = false) -> Double? {
        guard let t = text(field, value, max: 24, required: required) else { return nil }
        guard let v = Double(t), v.isFinite, range.contains(v) else {
            fail(field, .notANumber(from: range.lowerBound, to: range.upperBound, got: t))
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
        fail(field, .notOneOf(E.allCases.map(\.rawValue), got: t))
        return nil
    }

    public func finish() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
