/// What is wrong with one value, whatever the form: the checks every input shares (`FieldChecker`,
/// cursors, limits, dates in order).
public enum FieldRefusal: Sendable, Hashable, Codable {
    case required
    case tooLong(max: Int)
    case tooShort(min: Int)
    case notADate(got: String)
    case notARegionCode(got: String)
    case unknownRegion(String)
    /// Not a valid unified social credit code (GB 32100); the wording re-reads `got` to say why.
    case notACreditCode(got: String)
    /// Not a lifelong instrument code (计量器具唯一识别码); the wording re-reads `got` to say why.
    case notAnInstrumentCode(got: String)
    case notAWholeNumber(from: Int, to: Int, got: String)
    case notANumber(from: Double, to: Double, got: String)
    case notOneOf([String], got: String)
    /// A number outside its range, the value not quoted (a limit, a year, a sub-item number).
    case outOfRange(from: Int, to: Int)
    /// A cursor this API did not hand out (or one for another order).
    case notACursor
    /// A cursor handed out for another order of the same list.
    case notACursorForThisOrder
    /// A date earlier than another field's (`ends_on` before `starts_on`); `other` names that field,
    /// `day` its value when the message quotes it.
    case before(other: String, day: String? = nil)
    case inThePast
    case inTheFuture
    /// Must lie after the given day (today, as a rule).
    case notAfter(day: String)
    /// A body or file the decoder could not read; `detail` is the decoder's own account.
    case unreadable(detail: String)
    /// A form field whose value the decoder could not take.
    case couldNotBeRead
}
