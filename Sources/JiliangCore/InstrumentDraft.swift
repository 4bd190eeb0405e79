import Foundation

/// The fields of an instrument as they arrive (API body, CSV row, form), all as text.
public struct RawInstrument: Sendable, Equatable {
    public var code: String?
    public var subNo: String?
    public var name: String?
    public var model: String?
    public var serialNo: String?
    public var manufacturer: String?
    public var typeApprovalNo: String?
    public var accuracyClass: String?
    public var measuringRange: String?
    public var purpose: String?
    public var regionCode: String?
    public var address: String?
    public var latitude: String?
    public var longitude: String?
    public var ownerCreditCode: String?
    public var ownerName: String?
    public var inServiceDate: String?
    public var status: String?
    public var meterType: String?
    public var dn: String?
    public var q3: String?
    public var medium: String?
    public var batch: String?
    /// The last verification as a bureau's roll records it (issue #19, item 3).
    public var lastVerifiedOn: String?
    public var lastResult: String?
    public var certificateNo: String?
    public var verifiedBy: String?
    /// The family's own fields by key (`FamilyFields`): a dispenser's nozzles, a taximeter's plate.
    public var attributes: [String: String] = [:]

    public init() {}

    /// A family field as a column (`\RawInstrument.[attribute: "plate_no"]`), so the import, the
    /// API and the forms read it as they read every other field.
    public subscript(attribute key: String) -> String? {
        get { attributes[key] }
        set { attributes[key] = newValue }
    }

    /// The fields by their canonical names (`columns`), as the API's body and the pages' forms name
    /// them: one description of the instrument's fields for every way in (issue #20, item 8).
    /// Names that are not columns are ignored.
    public init(fields: [String: String]) {
        for c in Self.columns {
            if let v = fields[c.name] { self[keyPath: c.path] = v }
        }
    }

    /// The columns of an import file: the canonical (English) name first, then the aliases accepted
    /// (what Chinese Excel templates in use say).
    nonisolated(unsafe) public static let columns: [(name: String, path: WritableKeyPath<RawInstrument, String?>, aliases: [String])] = [
        ("code", \.code, ["instrument_code", "器具编码", "唯一识别码", "识别码"]),
        ("sub_no", \.subNo, ["catalogue_sub_no", "种别序号", "目录序号", "二级序号"]),
        ("name", \.name, ["器具名称", "名称", "计量器具名称", "强检器具名称"]),
        ("model", \.model, ["型号规格", "型号", "规格型号"]),
        ("serial_no", \.serialNo, ["serial", "出厂编号"]),
        ("manufacturer", \.manufacturer, ["制造单位", "生产厂家", "制造厂"]),
        ("type_approval_no", \.typeApprovalNo, ["型式批准证书编号", "型式批准编号"]),
        ("accuracy_class", \.accuracyClass, ["准确度等级"]),
        ("measuring_range", \.measuringRange, ["测量范围"]),
        ("purpose", \.purpose, ["用途"]),
        // The county as a code or a name (a name unique in the province, or city + county).
        ("region_code", \.regionCode, ["行政区划代码", "区划代码", "所属区县", "区县", "所在区县", "县区", "所属区域", "行政区划"]),
        ("address", \.address, ["安装地点", "使用地点", "地址", "安装地址", "使用单位地址"]),
        ("latitude", \.latitude, ["纬度"]),
        ("longitude", \.longitude, ["经度"]),
        ("owner_credit_code", \.ownerCreditCode, ["credit_code", "统一社会信用代码", "使用单位信用代码"]),
        ("owner_name", \.ownerName, ["使用单位", "使用单位名称"]),
        ("in_service_date", \.inServiceDate, ["启用日期", "投入使用日期"]),
        ("status", \.status, ["状态"]),
        ("meter_type", \.meterType, ["表类型"]),
        ("dn", \.dn, ["口径", "公称口径"]),
        // Q3 is the permanent flow (常用流量), not the maximum: a water meter's overload flow Q4 is
        // 1.25·Q3 (JJG 162-2019 §3, GB/T 778.1-2018) and gas meters are rated by Qmax (JJG 577-2012).
        // The DN/Q3 rotation thresholds read Q3 only, so a Qmax column is never taken for it (it is
        // reported as an ignored column; issue #18, item 13).
        ("q3", \.q3, ["常用流量", "常用流量q3"]),
        ("medium", \.medium, ["介质"]),
        ("batch", \.batch, ["批次号", "批次"]),
        // The last verification: becomes the instrument's record, with the file as its provenance.
        ("last_verified_on", \.lastVerifiedOn, ["最近检定日期", "检定日期", "上次检定日期", "最近一次检定日期"]),
        ("last_result", \.lastResult, ["检定结论", "检定结果"]),
        ("certificate_no", \.certificateNo, ["证书编号", "检定证书编号", "证书号"]),
        ("verified_by", \.verifiedBy, ["检定机构", "检定单位"]),
    ] + FamilyFields.all.map { ($0.key, \RawInstrument.[attribute: $0.key], $0.aliases) }

    nonisolated(unsafe) static let columnAliases: [String: WritableKeyPath<RawInstrument, String?>] = {
        var m: [String: WritableKeyPath<RawInstrument, String?>] = [:]
        for c in columns { for n in [c.name] + c.aliases { m[n] = c.path } }
        return m
    }()

    /// The canonical column name of a field, e.g. for error reports.
    public static func canonicalName(of path: WritableKeyPath<RawInstrument, String?>) -> String? {
        columns.first { $0.path == path }?.name
    }

    /// Every accepted header for a canonical column name, the canonical one first (for refusals
    /// that name them).
    public static func acceptedHeaders(of canonical: String) -> [String] {
        guard let c = columns.first(where: { $0.name == canonical }) else { return [canonical] }
        return [c.name] + c.aliases
    }

    /// Finds the key path for a header cell (case-, space- and unit-suffix-insensitive: "口径(DN)").
    public static func column(forHeader header: String) -> WritableKeyPath<RawInstrument, String?>? {
        var h = header.trimmingCharactersInWhitespace().lowercased()
        for (open, close) in [("(", ")"), ("（", "）")] {
            if let r = h.range(of: open), h.hasSuffix(close) { h = String(h[..<r.lowerBound]) }
        }
        h = h.trimmingCharactersInWhitespace().replacingOccurrences(of: " ", with: "_")
        return columnAliases[h]
    }
}

/// What validation needs to know about the rest of the registry.
public struct RegistryContext: Sendable {
    public var knownRegions: Set<String>
    public var catalogue: [Int: CatalogueEntry]
    /// The verification rules: they, not the catalogue row, decide an instrument's form.
    public var rules: RuleBook
    /// Instrument names (normalized, `InstrumentNames.normalize`) → catalogue sub-item, for rolls
    /// that name the instrument instead of giving its sub-item (issue #19).
    public var instrumentNames: [String: Int]
    /// Region names → codes, for rolls that give the county by name (所属区县): a county's own name
    /// and its city's name followed by it ("鼓楼区", "福州市鼓楼区").
    public var regionsByName: [String: [String]]
    /// Institutions by normalized name and by credit code, for a roll's 检定机构 column.
    public var institutions: [String: Int] = [:]
    /// What a family field (`FamilyFields`) given for an instrument of another family is: refused
    /// by name (the API, a form), or passed over (an import of a mixed roll, whose column serves
    /// some of its rows).
    public var otherFamilysFields: FamilyFields.OtherFamily = .refuse

    public init(
        knownRegions: Set<String>, catalogue: [Int: CatalogueEntry], rules: RuleBook = RuleBook([]), instrumentNames: [String: Int] = [:],
        regionsByName: [String: [String]] = [:]
    ) {
        self.knownRegions = knownRegions
        self.catalogue = catalogue
        self.rules = rules
        self.instrumentNames = instrumentNames
        self.regionsByName = regionsByName
    }

    /// A region given as a code (returned as is, checked later) or as a name: a county's name unique
    /// in the province, or a city's or county's full name ("福州市", "福州市鼓楼区"). "鼓楼区" alone is
    /// not unique (福州 and 莆田 both have one): then the problem names the codes. Nil on a problem.
    public func resolveRegion(_ value: String?, field: String, checker c: inout FieldChecker) -> String? {
        guard let t = value?.trimmingCharactersInWhitespace(), !t.isEmpty, !t.allSatisfy(\.isNumber) else { return value }
        let codes = regionsByName[InstrumentNames.normalize(t)] ?? []
        if codes.count == 1 { return codes[0] }
        if codes.isEmpty {
            c.fail(field, .draft(.unknownRegionName(t)))
        } else {
            c.fail(field, .draft(.ambiguousRegionName(t, codes: codes.sorted())))
        }
        return nil
    }

    /// The catalogue sub-item an instrument name resolves to: the name table, then a catalogue
    /// row's own name.
    public func subNo(forName name: String) -> Int? {
        let n = InstrumentNames.normalize(name)
        if let s = instrumentNames[n] { return s }
        return catalogue.values.first { InstrumentNames.normalize($0.subName) == n }?.subNo
    }
}

/// A validated instrument, ready to store.
public struct InstrumentDraft: Sendable, Equatable {
    public var code: InstrumentCode?
    public var subNo: Int
    public var name: String
    public var model: String?
    public var serialNo: String
    public var manufacturer: String?
    public var typeApprovalNo: String?
    public var accuracyClass: String?
    public var measuringRange: String?
    public var purpose: UsePurpose
    public var region: RegionCode
    public var address: String
    public var latitude: Double?
    public var longitude: Double?
    public var ownerCreditCode: CreditCode
    public var ownerName: String?
    public var inServiceDate: CalendarDay?
    public var status: LifecycleStatus
    public var meter: MeterAttributes
    public var batch: String?
    /// The family's own fields, checked (`FamilyFields`), by key.
    public var attributes: [String: String] = [:]
    /// The last verification the file records, if it records one.
    public var lastVerification: LastVerification?

    public struct LastVerification: Sendable, Equatable {
        public var date: CalendarDay
        public var result: VerificationResult
        public var certificateNo: String?
        public var institutionID: Int
    }

    /// The region as a code: given as a code, or as a county's name unique in the province ("鼓楼区"
    /// is not: 福州 and 莆田 both have one — then "福州市鼓楼区" or the code). Nil when the value is
    /// a name that cannot be resolved (the problem is reported here).
    static func regionCode(_ value: String?, context: RegistryContext, checker c: inout FieldChecker) -> String? {
        context.resolveRegion(value, field: "region_code", checker: &c)
    }

    /// Validates every field and reports all problems at once, by field name.
    public static func parse(_ raw: RawInstrument, context: RegistryContext) throws(ValidationFailure) -> InstrumentDraft {
        var c = FieldChecker()
        var code: InstrumentCode?
        if let t = c.text("code", raw.code, max: 40, required: false) {
            do { code = try InstrumentCode(validating: t) } catch { c.fail("code", .notAnInstrumentCode(got: t)) }
        }
        let name = c.text("name", raw.name, max: 100)
        var subNo = c.int("sub_no", raw.subNo, range: 1...999, required: false)
        if let s = subNo, context.catalogue[s] == nil { c.fail("sub_no", .draft(.noSuchSubItem(s))) }
        // No sub-item given: the name decides (a bureau's roll names the instrument).
        if subNo == nil, (raw.subNo ?? "").trimmingCharactersInWhitespace().isEmpty, let name {
            subNo = context.subNo(forName: name)
            if subNo == nil {
                let known = context.instrumentNames.merging(
                    context.catalogue.values.map { (InstrumentNames.normalize($0.subName), $0.subNo) }, uniquingKeysWith: { a, _ in a })
                let near = InstrumentNames.closest(to: name, in: known).map { DraftRefusal.NamedSubItem(name: $0.name, subNo: $0.subNo) }
                c.fail("name", .draft(.unknownInstrumentName(name, closest: near)))
            }
        }
        if subNo == nil, !c.errors.contains(where: { $0.field == "sub_no" || $0.field == "name" }) { c.fail("sub_no", .draft(.subItemRequired)) }
        let serial = c.text("serial_no", raw.serialNo, max: 64)
        let purpose: UsePurpose? = c.choice("purpose", raw.purpose, labels: UsePurpose.chineseLabels)
        let regionValue = Self.regionCode(raw.regionCode, context: context, checker: &c)
        let region = c.errors.contains { $0.field == "region_code" } ? nil : c.region("region_code", regionValue) { context.knownRegions.contains($0.value) }
        let address = c.text("address", raw.address, max: 200)
        let lat = c.double("latitude", raw.latitude, range: -90...90)
        let lon = c.double("longitude", raw.longitude, range: -180...180)
        if (lat == nil) != (lon == nil), c.errors.allSatisfy({ $0.field != "latitude" && $0.field != "longitude" }) {
            c.fail(lat == nil ? "latitude" : "longitude", .draft(.latitudeAndLongitudeTogether))
        }
        let owner = c.creditCode("owner_credit_code", raw.ownerCreditCode)
        let ownerName = c.text("owner_name", raw.ownerName, max: 100, required: false)
        let status: LifecycleStatus =
            c.choice("status", raw.status, labels: LifecycleStatus.chineseLabels, required: false) ?? .filed
        let inService = c.day("in_service_date", raw.inServiceDate, required: status == .filed || status == .inService)
        let meterType: MeterType? = c.choice("meter_type", raw.meterType, labels: MeterType.chineseLabels, required: false)
        // A roll without a DN column often writes it in 型号规格 ("LXS-20C DN20"): the rules of water
        // and heat meters depend on it (JJG 162-2019: DN ≤ 25 six years, ≤ 50 four, above periodic).
        let dn = c.int("dn", raw.dn, range: 1...5000)
            ?? ((raw.dn ?? "").trimmingCharactersInWhitespace().isEmpty ? SpecificationText.nominalDiameter(raw.model) : nil)
        let q3 = c.double("q3", raw.q3, range: 0.001...100_000)
        let medium: GasMedium? = c.choice("medium", raw.medium, labels: GasMedium.chineseLabels, required: false)
        if medium != nil, meterType != nil, meterType != .gas { c.fail("medium", .draft(.mediumOnlyForGasMeters)) }
        let model = c.text("model", raw.model, max: 100, required: false)
        let manufacturer = c.text("manufacturer", raw.manufacturer, max: 100, required: false)
        let tap = c.text("type_approval_no", raw.typeApprovalNo, max: 64, required: false)
        let acc = c.text("accuracy_class", raw.accuracyClass, max: 32, required: false)
        let range = c.text("measuring_range", raw.measuringRange, max: 100, required: false)
        let batch = c.text("batch", raw.batch, max: 64, required: false)
        // Sub-item 2 of the 2020 catalogue covers non-automatic scales of at most 60 kg (非自动衡器
        // （最大秤量不大于60kg）); a 型号规格 or 测量范围 that states more is not that sub-item, whatever
        // the name says (台秤 and 电子秤 are also sold as 150 kg and 3 t platform scales).
        if subNo == 2, let capacity = [model, range].compactMap({ SpecificationText.maxCapacityKg($0) }).max(), capacity > 60 {
            let field = SpecificationText.maxCapacityKg(model) == capacity ? "model" : "measuring_range"
            c.fail(field, .draft(.capacityAboveSubItemTwo(kg: capacity)))
        }
        let attributes = FamilyFields.check(
            raw.attributes, subName: subNo.flatMap { context.catalogue[$0]?.subName }, otherFamily: context.otherFamilysFields, checker: &c)
        // The last verification: all of date, result and institution, or none of them.
        var last: LastVerification?
        let given = [raw.lastVerifiedOn, raw.lastResult, raw.certificateNo, raw.verifiedBy].contains { !($0 ?? "").trimmingCharactersInWhitespace().isEmpty }
        if given {
            let date = c.day("last_verified_on", raw.lastVerifiedOn)
            let result: VerificationResult? = c.choice("last_result", raw.lastResult, labels: VerificationResult.chineseLabels)
            let cert = c.text("certificate_no", raw.certificateNo, max: 64, required: false)
            var institution: Int?
            if (raw.verifiedBy ?? "").trimmingCharactersInWhitespace().isEmpty {
                c.fail("verified_by", .draft(.lastVerificationWithoutInstitution))
            } else if let by = c.text("verified_by", raw.verifiedBy, max: 100) {
                institution = context.institutions[InstrumentNames.normalize(by)]
                if institution == nil { c.fail("verified_by", .draft(.unknownInstitution(by))) }
            }
            if let date, let s = subNo, let entry = context.catalogue[s], result == .pass, entry.mode?.requiresVerification ?? true,
                context.rules.rule(subNo: s, attributes: MeterAttributes(meterType: meterType, dn: dn, q3: q3, medium: medium), on: date) == nil,
                context.rules.currentForm(subNo: s, attributes: MeterAttributes(meterType: meterType, dn: dn, q3: q3, medium: medium), catalogueForm: entry.form) != .firstOnlyScrap
            {
                c.fail("last_verified_on", .draft(.noRuleInForce(subNo: s, day: date.description)))
            }
            if let date, let result, let institution { last = LastVerification(date: date, result: result, certificateNo: cert, institutionID: institution) }
        }
        try c.finish()
        return InstrumentDraft(
            code: code, subNo: subNo!, name: name!, model: model, serialNo: serial!, manufacturer: manufacturer,
            typeApprovalNo: tap, accuracyClass: acc, measuringRange: range, purpose: purpose!, region: region!,
            address: address!, latitude: lat, longitude: lon, ownerCreditCode: owner!, ownerName: ownerName,
            inServiceDate: inService, status: status, meter: MeterAttributes(meterType: meterType, dn: dn, q3: q3, medium: medium),
            batch: batch, attributes: attributes, lastVerification: last)
    }
}
