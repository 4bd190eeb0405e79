/// What the registry refuses: instruments, owners, institutions, records, regions, the catalogue, standards and statistics.
public enum RegistryRefusal: Sendable, Hashable, Codable {
    // MARK: Instruments

    /// The instrument's region or owner lies outside the caller's scope.
    case outsideWhatYouMayFile
    /// The owner already filed an instrument of this sub-item with this serial number (the natural key).
    case serialNumberFiled(subNo: Int, serialNo: String)
    /// Another instrument of the same owner already has this serial number.
    case serialNumberTaken
    case instrumentCodeInUse(code: String)
    /// The lifelong code (唯一识别码) never changes.
    case codeIsLifelong
    /// No owner with this credit code among the owners the caller may see.
    case noOwnerWithCreditCode(String)
    /// An owner account may only register drafts: the bureau files them by approving the filing (备案).
    case ownerMayNotFileDirectly
    /// A lifecycle move `LifecycleStatus.canMove` does not allow.
    case cannotMove(from: LifecycleStatus, to: LifecycleStatus)

    // MARK: Owners and institutions

    case ownerExists(creditCode: String)
    /// A bureau registering (or moving) an owner outside its region.
    case mayNotRegisterOwnersOutside(region: String)
    case mayNotRegisterOwners
    /// The parent (a market organiser) is not another owner the caller may see.
    case parentNotAnOwnerInYourArea
    case institutionExists(name: String)
    case noSuchInstitution(id: Int)

    // MARK: Verification records

    /// The institution's authorisation scope does not cover the sub-item in the region on that day.
    case institutionNotAuthorised(institution: Int, subNo: Int, region: String, day: String)
    /// A draft instrument gets no records: it is filed first.
    case instrumentNotFiled
    case notARecordOfInstrument(record: Int, instrument: Int)
    /// Only the latest correction of a record is corrected again.
    case recordAlreadyCorrected(record: Int)
    /// No rule dates the pass: the administrator adds one first (issue #18, item 2).
    case noRuleInForce(subNo: Int, day: String)

    // MARK: Reference data: names, regions, the catalogue, rules

    case mayNotChangeInstrumentNames
    /// Not a 6-digit GB/T 2260 code (the region form's own check).
    case notARegionCode
    case noParentRegion(String)
    case subItemInCatalogue(subNo: Int)
    /// A periodic rule needs a cycle of 1 to 240 months.
    case periodicRuleNeedsCycle
    /// A rotation rule needs a service life of 1 to 600 months.
    case rotationRuleNeedsServiceLife

    // MARK: Social public measurement standards (社会公用计量标准)

    case mayNotManageStandards
    case mayNotReadStandards
    case certificateRegistered(certificateNo: String, standard: Int)
    case noSuchSubItem(Int)

    // MARK: Statistics, warnings, the ledger

    case mayNotReadStatistics
    /// More instruments in the region than the plain computation reads (`plainPathLimit`).
    case tooManyForPlainComputation(count: Int, region: String, limit: Int)
    /// An inbox recipient is `owner:<id>`, `region:<code>` or `admin`.
    case notARecipient
    /// The record is not in the ledger yet (a certificate is asked for too early).
    case recordNotLedgered
    /// The record is in the ledger, but no published checkpoint covers it yet.
    case checkpointNotPublished
}
