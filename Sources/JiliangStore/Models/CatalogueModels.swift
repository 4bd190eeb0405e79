import FluentKit
import Foundation
import JiliangCore

/// One second-level catalogue entry (种别); its id is the catalogue's sub-item number.
public final class CatalogueEntryModel: Model, @unchecked Sendable {
    public static let schema = "catalogue_entries"
    @ID(custom: "sub_no", generatedBy: .user) public var id: Int?
    @Field(key: "item_no") public var itemNo: Int
    @Field(key: "item_name") public var itemName: String
    @Field(key: "sub_name") public var subName: String
    @OptionalField(key: "mode") public var mode: String?
    @OptionalField(key: "form") public var form: String?
    @Field(key: "scope_note") public var scopeNote: String
    @Field(key: "regulation") public var regulation: String
    @Field(key: "source") public var source: String
    @Field(key: "confidence") public var confidence: String

    public init() {}

    public var entry: CatalogueEntry {
        CatalogueEntry(
            itemNo: itemNo, itemName: itemName, subNo: id!, subName: subName, mode: mode.flatMap(SupervisionMode.init),
            form: form.flatMap(VerificationForm.init), scopeNote: scopeNote, regulation: regulation, source: source,
            confidence: Confidence(rawValue: confidence) ?? .unconfirmed)
    }

    public func apply(_ e: CatalogueEntry) {
        id = e.subNo
        itemNo = e.itemNo
        itemName = e.itemName
        subName = e.subName
        mode = e.mode?.rawValue
        form = e.form?.rawValue
        scopeNote = e.scopeNote
        regulation = e.regulation
        source = e.source
        confidence = e.confidence.rawValue
    }
}

/// A version of a verification rule. Rows are never updated: a change inserts a new version.
public final class RuleModel: Model, @unchecked Sendable {
    public static let schema = "verification_rules"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "sub_no") public var subNo: Int
    @Field(key: "version") public var version: Int
    @Field(key: "effective_from") public var effectiveFrom: String
    @OptionalField(key: "effective_until") public var effectiveUntil: String?
    @OptionalField(key: "meter_type") public var meterType: String?
    @OptionalField(key: "dn_above") public var dnAbove: Int?
    @OptionalField(key: "dn_max") public var dnMax: Int?
    @OptionalField(key: "q3_max") public var q3Max: Double?
    @OptionalField(key: "medium") public var medium: String?
    @Field(key: "form") public var form: String
    @OptionalField(key: "cycle_months") public var cycleMonths: Int?
    @OptionalField(key: "service_life_months") public var serviceLifeMonths: Int?
    @Field(key: "source") public var source: String
    @Field(key: "confidence") public var confidence: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public var rule: VerificationRule {
        VerificationRule(
            id: id!, subNo: subNo, version: version, effectiveFrom: CalendarDay(effectiveFrom)!, effectiveUntil: effectiveUntil.flatMap { CalendarDay($0) },
            condition: MeterCondition(
                meterType: meterType.flatMap(MeterType.init), dnAbove: dnAbove, dnMax: dnMax, q3Max: q3Max,
                medium: medium.flatMap(GasMedium.init)),
            form: VerificationForm(rawValue: form)!, cycleMonths: cycleMonths, serviceLifeMonths: serviceLifeMonths,
            source: source, confidence: Confidence(rawValue: confidence) ?? .unconfirmed)
    }

    public func apply(_ r: VerificationRule) {
        subNo = r.subNo
        version = r.version
        effectiveFrom = r.effectiveFrom.description
        effectiveUntil = r.effectiveUntil?.description
        meterType = r.condition.meterType?.rawValue
        dnAbove = r.condition.dnMin
        dnMax = r.condition.dnMax
        q3Max = r.condition.q3Max
        medium = r.condition.medium?.rawValue
        form = r.form.rawValue
        cycleMonths = r.cycleMonths
        serviceLifeMonths = r.serviceLifeMonths
        source = r.source
        confidence = r.confidence.rawValue
    }
}
