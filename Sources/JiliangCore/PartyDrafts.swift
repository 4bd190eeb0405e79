/// A validated owner (使用单位).
public struct OwnerDraft: Sendable, Equatable {
    public var name: String
    public var creditCode: CreditCode
    public var address: String
    public var region: RegionCode
    public var industry: Industry
    public var contactName: String?
    public var contactPhone: String?
    public var parentID: Int?

    public static func parse(
        name: String?, creditCode: String?, address: String?, regionCode: String?, industry: String?,
        contactName: String?, contactPhone: String?, parentID: Int?, context: RegistryContext
    ) throws(ValidationFailure) -> OwnerDraft {
        var c = FieldChecker()
        let n = c.text("name", name, max: 100)
        let cc = c.creditCode("credit_code", creditCode)
        let a = c.text("address", address, max: 200)
        let r = c.region("region_code", regionCode) { context.knownRegions.contains($0.value) }
        let i: Industry? = c.choice("industry", industry, labels: Industry.chineseLabels)
        let cn = c.text("contact_name", contactName, max: 50, required: false)
        let cp = c.text("contact_phone", contactPhone, max: 20, required: false)
        if let p = cp, !p.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == " " }) {
            c.fail("contact_phone", .draft(.phoneCharacters))
        }
        try c.finish()
        return OwnerDraft(
            name: n!, creditCode: cc!, address: a!, region: r!, industry: i!, contactName: cn, contactPhone: cp,
            parentID: parentID)
    }
}

/// A validated institution (计量技术机构) with its authorisation scope.
public struct InstitutionDraft: Sendable, Equatable {
    public struct Scope: Sendable, Equatable {
        public var subNo: Int
        public var region: RegionCode
        public var validFrom: CalendarDay
        public var validUntil: CalendarDay
        public init(subNo: Int, region: RegionCode, validFrom: CalendarDay, validUntil: CalendarDay) {
            self.subNo = subNo
            self.region = region
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }
    public var name: String
    public var kind: InstitutionKind
    public var creditCode: CreditCode?
    public var region: RegionCode
    public var address: String
    public var scopes: [Scope]

    public struct RawScope: Sendable {
        public var subNo: Int?
        public var regionCode: String?
        public var validFrom: String?
        public var validUntil: String?
        public init(subNo: Int?, regionCode: String?, validFrom: String?, validUntil: String?) {
            self.subNo = subNo
            self.regionCode = regionCode
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }

    public static func parse(
        name: String?, kind: String?, creditCode: String?, regionCode: String?, address: String?, scopes: [RawScope],
        context: RegistryContext
    ) throws(ValidationFailure) -> InstitutionDraft {
        var c = FieldChecker()
        let n = c.text("name", name, max: 100)
        let k: InstitutionKind? = c.choice("kind", kind, labels: ["法定": .legal, "授权": .authorised])
        let cc = c.creditCode("credit_code", creditCode, required: false)
        let r = c.region("region_code", regionCode) { context.knownRegions.contains($0.value) }
        let a = c.text("address", address, max: 200)
        var out: [Scope] = []
        for (i, s) in scopes.enumerated() {
            let f = "scopes[\(i)]"
            if s.subNo == nil || context.catalogue[s.subNo!] == nil {
                c.fail("\(f).sub_no", .draft(.noSuchSubItem(s.subNo)))
            }
            let sr = c.region("\(f).region_code", s.regionCode) { context.knownRegions.contains($0.value) }
            let from = c.day("\(f).valid_from", s.validFrom)
            let until = c.day("\(f).valid_until", s.validUntil)
            if let from, let until, until < from { c.fail("\(f).valid_until", .draft(.validUntilBeforeValidFrom)) }
            if let sub = s.subNo, let sr, let from, let until, context.catalogue[sub] != nil {
                out.append(Scope(subNo: sub, region: sr, validFrom: from, validUntil: until))
            }
        }
        try c.finish()
        return InstitutionDraft(name: n!, kind: k!, creditCode: cc, region: r!, address: a!, scopes: out)
    }

    /// Whether the scope authorises verifying sub-item `subNo` in `region` on `day`.
    public static func covers(_ scopes: [Scope], subNo: Int, region: RegionCode, on day: CalendarDay) -> Bool {
        scopes.contains { $0.subNo == subNo && $0.region.contains(region) && $0.validFrom <= day && day <= $0.validUntil }
    }
}

/// A validated verification record (检定记录).
public struct RecordDraft: Sendable, Equatable {
    public var instrumentID: Int
    public var institutionID: Int
    public var date: CalendarDay
    public var kind: VerificationKind
    public var result: VerificationResult
    public var certificateNo: String?
    public var resultNoticeNo: String?
    public var readings: String?
    public var recordedBy: String
    public var corrects: Int?
    public var correctionReason: String?

    public static func parse(
        instrumentID: Int?, institutionID: Int?, date: String?, kind: String?, result: String?, certificateNo: String?,
        resultNoticeNo: String?, readings: String?, recordedBy: String?, corrects: Int?, correctionReason: String?,
        today: CalendarDay
    ) throws(ValidationFailure) -> RecordDraft {
        var c = FieldChecker()
        if instrumentID == nil { c.fail("instrument_id", .required) }
        if institutionID == nil { c.fail("institution_id", .required) }
        let d = c.day("date", date)
        if let d, d > today { c.fail("date", .draft(.verifiedInTheFuture(day: d.description))) }
        if let d, d.year < 1980 { c.fail("date", .draft(.verifiedBefore1980(day: d.description))) }
        let k: VerificationKind? = c.choice(
            "kind", kind, labels: ["首次检定": .first, "周期检定": .periodic, "修理后检定": .afterRepair, "监督抽检": .spotCheck])
        let r: VerificationResult? = c.choice("result", result, labels: ["合格": .pass, "不合格": .fail])
        let cert = c.text("certificate_no", certificateNo, max: 64, required: r == .pass && k != .spotCheck)
        let notice = c.text("result_notice_no", resultNoticeNo, max: 64, required: r == .fail && k != .spotCheck)
        if r == .fail, cert != nil { c.fail("certificate_no", .draft(.failedVerificationGetsNotice)) }
        if r == .pass, notice != nil { c.fail("result_notice_no", .draft(.passedVerificationGetsCertificate)) }
        let by = c.text("recorded_by", recordedBy, max: 100)
        let reason = c.text("correction_reason", correctionReason, max: 500, required: corrects != nil)
        if corrects == nil, reason != nil { c.fail("correction_reason", .draft(.correctionReasonWithoutCorrects)) }
        let rd = c.text("readings", readings, max: 20_000, required: false)
        try c.finish()
        return RecordDraft(
            instrumentID: instrumentID!, institutionID: institutionID!, date: d!, kind: k!, result: r!, certificateNo: cert,
            resultNoticeNo: notice, readings: rd, recordedBy: by!, corrects: corrects, correctionReason: reason)
    }
}
