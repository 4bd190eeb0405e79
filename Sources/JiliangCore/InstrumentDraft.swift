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

    public init() {}

    /// The columns of an import file: the canonical (English) name first, then the aliases accepted
    /// (what Chinese Excel templates in use say).
    nonisolated(unsafe) public static let columns: [(name: String, path: WritableKeyPath<RawInstrument, String?>, aliases: [String])] = [
        ("code", \.code, ["instrument_code", "器具编码", "唯一识别码", "识别码"]),
        ("sub_no", \.subNo, ["catalogue_sub_no", "种别序号", "目录序号", "二级序号"]),
        ("name", \.name, ["器具名称", "名称", "计量器具名称"]),
        ("model", \.model, ["型号规格", "型号", "规格型号"]),
        ("serial_no", \.serialNo, ["serial", "出厂编号"]),
        ("manufacturer", \.manufacturer, ["制造单位", "生产厂家", "制造厂"]),
        ("type_approval_no", \.typeApprovalNo, ["型式批准证书编号", "型式批准编号"]),
        ("accuracy_class", \.accuracyClass, ["准确度等级"]),
        ("measuring_range", \.measuringRange, ["测量范围"]),
        ("purpose", \.purpose, ["用途"]),
        ("region_code", \.regionCode, ["行政区划代码", "区划代码"]),
        ("address", \.address, ["安装地点", "使用地点", "地址"]),
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
    ]

    nonisolated(unsafe) static let columnAliases: [String: WritableKeyPath<RawInstrument, String?>] = {
        var m: [String: WritableKeyPath<RawInstrument, String?>] = [:]
        for c in columns { for n in [c.name] + c.aliases { m[n] = c.path } }
        return m
    }()

    /// The canonical column name of a field, e.g. for error reports.
    public static func canonicalName(of path: WritableKeyPath<RawInstrument, String?>) -> String? {
        columns.first { $0.path == path }?.name
    }

    /// Every accepted header for a canonical column name, for messages.
    public static func aliases(of canonical: String) -> String {
        guard let c = columns.first(where: { $0.name == canonical }) else { return canonical }
        return ([c.name] + c.aliases).joined(separator: " / ")
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
    public init(knownRegions: Set<String>, catalogue: [Int: CatalogueEntry], rules: RuleBook = RuleBook([])) {
        self.knownRegions = knownRegions
        self.catalogue = catalogue
        self.rules = rules
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

    /// Validates every field and reports all problems at once, by field name.
    public static func parse(_ raw: RawInstrument, context: RegistryContext) throws(ValidationFailure) -> InstrumentDraft {
        var c = FieldChecker()
        var code: InstrumentCode?
        if let t = c.text("code", raw.code, max: 40, required: false) {
            do { code = try InstrumentCode(validating: t) } catch { c.fail("code", "\(error)") }
        }
        let subNo = c.int("sub_no", raw.subNo, range: 1...999, required: true)
        if let s = subNo, context.catalogue[s] == nil { c.fail("sub_no", "catalogue sub-item \(s) does not exist") }
        let name = c.text("name", raw.name, max: 100)
        let serial = c.text("serial_no", raw.serialNo, max: 64)
        let purpose: UsePurpose? = c.choice("purpose", raw.purpose, labels: UsePurpose.chineseLabels)
        let region = c.region("region_code", raw.regionCode) { context.knownRegions.contains($0.value) }
        let address = c.text("address", raw.address, max: 200)
        let lat = c.double("latitude", raw.latitude, range: -90...90)
        let lon = c.double("longitude", raw.longitude, range: -180...180)
        if (lat == nil) != (lon == nil), c.errors.allSatisfy({ $0.field != "latitude" && $0.field != "longitude" }) {
            c.fail(lat == nil ? "latitude" : "longitude", "give both latitude and longitude, or neither")
        }
        let owner = c.creditCode("owner_credit_code", raw.ownerCreditCode)
        let ownerName = c.text("owner_name", raw.ownerName, max: 100, required: false)
        let status: LifecycleStatus =
            c.choice("status", raw.status, labels: LifecycleStatus.chineseLabels, required: false) ?? .filed
        let inService = c.day("in_service_date", raw.inServiceDate, required: status == .filed || status == .inService)
        let meterType: MeterType? = c.choice("meter_type", raw.meterType, labels: MeterType.chineseLabels, required: false)
        let dn = c.int("dn", raw.dn, range: 1...5000)
        let q3 = c.double("q3", raw.q3, range: 0.001...100_000)
        let medium: GasMedium? = c.choice("medium", raw.medium, labels: GasMedium.chineseLabels, required: false)
        if medium != nil, meterType != nil, meterType != .gas { c.fail("medium", "only gas meters have a medium") }
        let model = c.text("model", raw.model, max: 100, required: false)
        let manufacturer = c.text("manufacturer", raw.manufacturer, max: 100, required: false)
        let tap = c.text("type_approval_no", raw.typeApprovalNo, max: 64, required: false)
        let acc = c.text("accuracy_class", raw.accuracyClass, max: 32, required: false)
        let range = c.text("measuring_range", raw.measuringRange, max: 100, required: false)
        let batch = c.text("batch", raw.batch, max: 64, required: false)
        try c.finish()
        return InstrumentDraft(
            code: code, subNo: subNo!, name: name!, model: model, serialNo: serial!, manufacturer: manufacturer,
            typeApprovalNo: tap, accuracyClass: acc, measuringRange: range, purpose: purpose!, region: region!,
            address: address!, latitude: lat, longitude: lon, ownerCreditCode: owner!, ownerName: ownerName,
            inServiceDate: inService, status: status, meter: MeterAttributes(meterType: meterType, dn: dn, q3: q3, medium: medium),
            batch: batch)
    }
}
