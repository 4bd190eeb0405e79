/// Why an input or a request was refused: the fact and its figures, never words (issue #20). The
/// Server words it in the reader's language (`RefusalText`): the same fact is a field message on a
/// Chinese page, an English `errors[].message` in the API, a line of an import report and a line on
/// the CLI.
///
/// One case per area, each area's reasons in its own enum beside this file, so a new reason is one
/// case there and one line of wording in the Server's `RefusalText+<Area>.swift`; a reason without
/// words does not compile. Codable, because import reports and job errors keep them.
public enum Refusal: Sendable, Hashable, Codable {
    case field(FieldRefusal)
    /// The caller's role lacks the permission the action needs.
    case notAllowed(Permission)
    case request(RequestRefusal)
    case draft(DraftRefusal)
    case importing(ImportRefusal)
    case registry(RegistryRefusal)
    case account(AccountRefusal)
    case workflow(WorkflowRefusal)
    case publicService(PublicServiceRefusal)
    case credit(CreditRefusal)
    case telemetry(TelemetryRefusal)
    /// Words stored before refusals were facts (an import report or a job error kept from an
    /// earlier version): shown as they were stored.
    case recorded(String)
}

/// What a lookup did not find (a 404 says which kind of thing, and its key).
public enum Entity: String, Sendable, Hashable, Codable, CaseIterable {
    case apiToken, application, attachment, business, calendarDay, campaign, catalogueEntry, certificate, commitment
    case complaint, demonstrationRound, filing, freeCheck, inbox, institution, instrument, job, owner, page, penalty
    case photo, region, standard, step, surveyInvitation, surveyRequest, survey, user, verificationApplication
    case verificationRecord, warningRun, importProfile, listing, telemetryAlert, telemetryDevice
}
