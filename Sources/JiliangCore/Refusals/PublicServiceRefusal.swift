/// What the public services refuse: complaints (投诉举报), free checks (免费检定) and campaigns.
public enum PublicServiceRefusal: Sendable, Hashable, Codable {
    // MARK: Complaints (投诉举报)

    /// Neither the instrument's code nor the business's unified social credit code was given.
    case subjectRequired
    /// `code` as grouped on the label (`350102-7K3M-9QXT-R2AB-4`).
    case noInstrumentWithCode(code: String)
    case noBusinessWithCode(code: String)
    case businessNotRegistered
    /// The photo's size in KB, and the limit in MB.
    case photoTooLarge(kb: Int, maxMB: Int)
    /// The photo's first bytes are neither a JPEG's nor a PNG's.
    case photoNotAPicture
    /// An assignment that names no login.
    case assigneeRequired
    /// The login is not an active staff member who may handle complaints in the complaint's region.
    case notAComplaintHandler(login: String, region: String)
    case complaintClosed(id: Int)
    case complaintAlreadyClosed(id: Int)
    /// A complaint is closed only after the citizen was replied to.
    case complaintNotReplied(id: Int)

    // MARK: Free checks (免费检定)

    case mayNotOpenSessions
    case mayNotHandleFreeChecks
    case mayNotRecordFreeChecks
    case chooseASession
    case chooseAnInstitution
    /// The session does not exist or its day has passed.
    case sessionNotOpen(id: Int)
    case sessionFullyBooked
    /// `meter` is the meter's kind (`FreeChecks.Meter` raw value: water, electricity, gas).
    case noUtilityWithCode(meter: String, code: String)
    /// `state` is the check's state (`FreeChecks.State` raw value: done, cancelled).
    case freeCheckAlready(id: Int, state: String)

    // MARK: Campaigns

    case campaignHasNoQuiz
    /// An answer to a question of another campaign (or none).
    case notAQuestionOfThisQuiz
    /// The slug becomes the page's address: lower-case letters, digits and hyphens, a letter first.
    case slugNotAnAddress
    case campaignEndsBeforeItStarts
    case campaignAddressTaken(slug: String)
}
