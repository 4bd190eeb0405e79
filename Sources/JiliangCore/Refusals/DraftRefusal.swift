/// What an instrument's, a party's or a standard's draft may be refused for (JiliangCore's drafts).
public enum DraftRefusal: Sendable, Hashable, Codable {
    /// A catalogue instrument name with its sub-item, offered as close to a name the catalogue lacks.
    public struct NamedSubItem: Sendable, Hashable, Codable {
        public var name: String
        public var subNo: Int
        public init(name: String, subNo: Int) {
            self.name = name
            self.subNo = subNo
        }
    }

    /// Neither a 6-digit region code (GB/T 2260) nor the name of a region in the registry.
    case unknownRegionName(String)
    /// A county's name that several counties bear (鼓楼区: 福州 and 莆田); `codes` sorted.
    case ambiguousRegionName(String, codes: [String])
    /// A catalogue sub-item the catalogue lacks; nil when none was given (an institution's scope).
    case noSuchSubItem(Int?)
    /// An instrument name that neither the name table nor a catalogue row knows, with the closest.
    case unknownInstrumentName(String, closest: [NamedSubItem])
    /// Neither a sub-item nor an instrument name the catalogue knows.
    case subItemRequired
    /// One of latitude and longitude without the other.
    case latitudeAndLongitudeTogether
    case mediumOnlyForGasMeters
    /// An attribute that no family declares (`FamilyFields.all`), with the keys that exist.
    case notAFamilyField(String, known: [String])
    /// A family field (`FamilyFields`) given for an instrument of another family.
    case notAFieldOfThisFamily(field: String, families: [String])
    /// 型号规格 or 测量范围 states more than sub-item 2 covers: the 2020 catalogue's 非自动衡器
    /// （最大秤量不大于60kg）.
    case capacityAboveSubItemTwo(kg: Double)
    /// A last verification (a roll's history columns) that names no institution.
    case lastVerificationWithoutInstitution
    /// No registered institution has this name or credit code.
    case unknownInstitution(String)
    /// No verification rule for the sub-item is in force on the day (a day as `YYYY-MM-DD`).
    case noRuleInForce(subNo: Int, day: String)
    /// A contact phone with characters other than digits, spaces, + and -.
    case phoneCharacters
    case validUntilBeforeValidFrom
    /// A verification dated after today (the day as `YYYY-MM-DD`).
    case verifiedInTheFuture(day: String)
    /// A verification dated before 1980 (the day as `YYYY-MM-DD`).
    case verifiedBefore1980(day: String)
    /// A failed verification gets a 检定结果通知书, not a certificate.
    case failedVerificationGetsNotice
    /// A passed verification gets a certificate, not a 检定结果通知书.
    case passedVerificationGetsCertificate
    /// A correction's reason without the record it corrects.
    case correctionReasonWithoutCorrects
    /// A measurement standard that names no catalogue sub-item it serves.
    case standardServesNoSubItem
    /// A measurement standard that names no region it serves.
    case standardServesNoRegion
}
