/// What honest metrology refuses: penalties, listings, demonstration rounds, commitments and credit records.
public enum CreditRefusal: Sendable, Hashable, Codable {
    /// The caller's role may not take this credit step (403).
    case roleMayNot(Action)

    // MARK: Owners

    /// No owner with this id that the caller may act for (unknown and out of scope alike).
    case noOwnerToActFor(id: Int)

    // MARK: Commitments (诚信计量承诺)

    /// The province has set up no commitment letter for the owner's sector.
    case noCommitmentLetter(sector: CommitmentSector)
    /// The owner (by name) already has an active commitment; it withdraws that one first.
    case commitmentAlreadySigned(owner: String)
    /// Ending a commitment: the outcome is `withdrawn` or `breached`.
    case outcomeWithdrawnOrBreached
    /// The commitment has already ended; `state` is its state code.
    case commitmentEnded(id: Int, state: String)

    // MARK: Penalties (行政处罚)

    /// The summary procedure (简易程序) allows only a warning or a fine (行政处罚法 art. 51).
    case summaryProcedureKind(PenaltyKind)
    /// A fine above the summary procedure's limit for this kind of party (行政处罚法 art. 51).
    case summaryFineOverLimit(limit: Int, party: PartyKind)
    /// More evidence files than a penalty takes.
    case tooManyFiles(max: Int)
    case fileTooLarge(filename: String, kilobytes: Int, maxMegabytes: Int)
    /// An evidence file that is not a PDF, JPEG or PNG (told by its first bytes).
    case notPdfJpegOrPng(filename: String)
    /// A penalty with this decision number (决定书文号) is already recorded.
    case decisionNumberTaken(String)
    /// A warning alone is not published (SAMR Order 45 art. 2).
    case warningNotPublished
    /// A decision under the summary procedure is not published (SAMR Order 45 art. 2).
    case summaryDecisionNotPublished
    case penaltyNotAwaitingPublication(id: Int, state: String)
    /// The penalty is already withdrawn, expired or repaired (`state`).
    case penaltyAlreadyEnded(id: Int, state: String)
    case penaltyNotOnDisplay(id: Int, state: String)
    /// The party has to attest that the penalty's obligations are fulfilled (repair, early end).
    case confirmObligationsFulfilled
    /// The party has to attest that the harmful consequences are removed (repair, early end).
    case confirmConsequencesRemoved
    /// An application to end a penalty's publication early already waits for a decision.
    case earlyEndAlreadyApplied
    /// The publication may be ended early from `from`, after `months` on display (SAMR Order 45 art. 14).
    case earlyEndNotYet(from: String, months: Int)
    /// A decision on an application: approve or refuse.
    case approveOrRefuse
    case noEarlyEndApplication(penalty: Int)
    /// A second person decides: `recordedBy` recorded the penalty.
    case recorderMayNotDecide(recordedBy: String)

    // MARK: The serious-dishonesty list (严重违法失信名单, SAMR Order 44)

    /// A listing rests on a penalty decision: `penalty_id` is required.
    case listingNeedsPenalty
    /// No penalty with this id in the caller's region.
    case noPenaltyInRegion(id: Int)
    /// Order 44 lists only on a heavy penalty (较重行政处罚).
    case penaltyNotHeavy(decisionNo: String)
    case penaltyWithdrawn(decisionNo: String)
    /// A listing on this penalty is already in progress.
    case listingInProgress(decisionNo: String)
    case objectionOnFile
    case objectionWindowClosed(on: String?)
    /// A listing decision: list or not_list.
    case listOrNotList
    /// The decision is a second person's: `proposedBy` proposed the listing.
    case proposerMayNotDecide(proposedBy: String)
    /// The party may still object until that day; the decision comes after.
    case objectionWindowOpen(until: String)
    /// A consent: agree or refuse.
    case agreeOrRefuse
    case listingNeedsNoConsent(id: Int, state: String)
    /// Only the bureau above the deciding one consents, not `label`.
    case consentByBureauAbove(decidedRegion: String?, label: String)
    /// Decided by the bureau of `decidedRegion`: the bureau above consents before publication (#18 item 10).
    case listingAwaitsConsent(id: Int, decidedRegion: String)
    case repairAlreadyApplied
    /// Credit repair may be applied for from that day (at least a year on the list).
    case repairNotYet(from: String?)
    /// A further heavy penalty since listing rules out repair.
    case laterHeavyPenalty(decisionNo: String, decidedOn: String)
    case noRepairApplication
    /// The listing is in `state`, the step needs `expected` (state codes).
    case listingNotInState(id: Int, state: String, expected: String)

    // MARK: Demonstration units (诚信计量示范单位)

    /// A checklist line (numbered from 1) that does not read `criterion | weight` with a weight of 1 … 100.
    case criterionLineUnreadable(line: Int, got: String)
    case noCriteria
    /// The checklist's weights add up to `total`, not 100.
    case weightsDoNotAddUp(total: Int)
    /// A region code that is not 6 digits.
    case notASixDigitRegionCode
    /// Staff open rounds only in their own region.
    case roundOutsideOwnRegion
    /// No default checklist for the sector, and none given.
    case noDefaultChecklist(sector: CommitmentSector)
    case roundNotTakingApplications(id: Int, opensOn: String, closesOn: String)
    /// The owner (by name) is not of the round's sector and region.
    case ownerNotEligibleForRound(owner: String)
    /// A party on the serious-dishonesty list cannot apply.
    case listedPartyCannotApply
    case alreadyAppliedInRound(owner: String)
    /// The round (this one, or the one in hand when `id` is nil) is already published.
    case roundPublished(id: Int?)
    case applicationNotScored(id: Int)
    case applicationHoldsNoTitle(id: Int)

    /// A credit step a role may not take (the object of "your role does not allow …").
    public enum Action: Sendable, Hashable, Codable {
        case readCreditClasses, readCreditRecord, readPenalties, readListings
        case recordPenalties, publishPenalties, withdrawPenalties, decideEarlyEnd
        case proposeListing, notifyParty, decideListing, consentToListing, publishListing, decideRepair
        case editCommitmentLetters, recordBreach
        case editChecklists, openRound, scoreApplications, publishResults, revokeTitle
        /// Scoring, publishing or revoking in a round run by the bureau of another region.
        case runRound(region: String)
        // The party's own steps: only its own account takes them.
        case signCommitment, withdrawCommitment, applyForEarlyEnd, object, applyForRepair, applyForTitle
    }
}
