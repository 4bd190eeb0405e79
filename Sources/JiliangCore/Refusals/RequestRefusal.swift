/// What the HTTP layer refuses before any area's rules run: a body of the wrong kind, a file too
/// large or empty, a form without its CSRF token, a report asked for too early.
public enum RequestRefusal: Sendable, Hashable, Codable {
    case mustBeJSON
    case mustBeJSONObject
    /// An upload over the cap; `setting` names the server option that raises it, when the caller
    /// is an API client that may ask an operator.
    case fileTooLarge(megabytes: Int, setting: String? = nil)
    /// The public survey upload's cap: too large for a citizen's upload, the bureau takes it.
    case surveyFileTooLarge(megabytes: Int)
    case fileEmpty
    case chooseAFile
    case sendAsMultipart
    case multipartWithoutBoundary
    case malformedMultipart
    case photoTooLarge(megabytes: Int)
    case notBase64
    case formWithoutCSRFToken
    case cookieWithoutCSRFHeader
    case importNotFinished
    case noReportYet(job: Int, state: String)
    case tokenHasNoSession
    case templatesMissing
    /// A statistics period asked for before it begins.
    case periodNotBegun(start: String, end: String)
    case yearNotBegun(Int)
    case notASubItemNumber(got: String)
    /// A value that must be one of a few words, said as "must be a, b or c".
    case mustBe([String])
    /// An empty sheet name: leave it out for the first sheet.
    case emptySheetName
    /// An empty `verified_by`: leave it out for none.
    case emptyVerifiedBy
    case recordingForAnotherInstitution
    case ownersOnlyRegisterHere
    case regionalStatisticsStaffOnly
    /// The bounds the API document declares for a parameter (`APIRoutes`), and the search box's.
    case notAnInteger
    case atLeast(Int64)
    case atMost(Int64)
    case atMostCharacters(Int)
    case notAYear(got: String)
    /// More labels asked for than one print run makes.
    case tooManyLabels(max: Int, sheets: Int)
}
