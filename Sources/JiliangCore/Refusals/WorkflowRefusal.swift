/// What filings (备案), verification applications and surveys (摸排) refuse.
public enum WorkflowRefusal: Sendable, Hashable, Codable {
    // MARK: Filings (强检备案)

    case mayNotSubmitFilings
    case mayNotDecideFilings
    /// Only a draft is filed; `status` is the instrument's lifecycle (`LifecycleStatus` raw value).
    case instrumentNeedsNoFiling(instrumentID: Int, status: String)
    /// A filing of the instrument is already submitted and undecided.
    case filingAwaitsDecision(instrumentID: Int)
    /// A filing returned without saying what the owner must fix.
    case returnReasonRequired
    /// `state` is the filing's state (`Filings.State` raw value: approved, returned).
    case filingAlreadyDecided(id: Int, state: String)

    // MARK: Verification applications (检定申请)

    case mayNotApplyForVerification
    case mayNotHandleApplications
    case mayNotMaintainCalendar
    /// A draft instrument cannot be verified: it must be filed first.
    case instrumentNotFiled
    /// The institution's authorisation covers neither the instrument's catalogue sub-item nor its region.
    case institutionNotAuthorised(id: Int)
    /// An applied or accepted application of the instrument exists.
    case openApplicationExists
    /// The application is past the step asked for; `state` is its state (`VerificationRequests.State`
    /// raw value).
    case applicationAlready(id: Int, state: String)
    /// A result recorded for an application not accepted; `state` is its state.
    case applicationNotAccepted(id: Int, state: String)
    /// Declining without a reason, or with one over 500 characters.
    case declineReasonRequired

    // MARK: Surveys (使用单位摸排)

    case mayNotOpenSurveys
    case mayNotChaseSurveys
    case mayNotCloseSurveys
    case mayNotCloseWiderSurvey
    case mayNotDecideSurveyRequests
    /// A region outside the caller's (or unknown).
    case notYourRegion(code: String)
    case surveyClosed(id: Int)
    /// The phone form was sent without any instrument.
    case noInstrumentDeclared
    /// A request to join gives no phone: the link comes by SMS once the bureau has checked it.
    case phoneRequiredForLink
    /// A unit outside the survey's region asks to join it.
    case surveyCoversOnly(region: String)
    /// A request accepted after the survey closed: its links no longer work, it can only be rejected.
    case surveyClosedRejectOnly
    case requestAlreadyDecided(id: Int)
    /// The unit is registered outside the survey's region: that region's bureau invites it.
    case unitOutsideSurveyRegion
}
