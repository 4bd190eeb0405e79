import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// Small factories for tests: a valid owner, institution and instrument in a given county.
public enum Fixtures {
    public static let county = RegionCode("350102")!  // 鼓楼区, 福州市
    public static let otherCounty = RegionCode("350203")!  // 思明区, 厦门市

    /// A valid credit code made from a number, so that each test gets distinct owners.
    public static func creditCode(_ n: Int, region: RegionCode = county) -> CreditCode {
        let body = "91" + region.value + String(format: "%09d", n)
        return CreditCode.withCheckCharacter(body: body)
    }

    @discardableResult
    public static func owner(_ n: Int = 1, region: RegionCode = county, industry: Industry = .market, on db: any Database) async throws -> OwnerModel {
        let d = try OwnerDraft.parse(
            name: "测试市场\(n)", creditCode: creditCode(n, region: region).value, address: "测试路\(n)号", regionCode: region.value,
            industry: industry.rawValue, contactName: "王五", contactPhone: "13800000000", parentID: nil,
            context: try await Registry.context(on: db))
        return try await Registry.createOwner(d, scope: .everything, on: db)
    }

    /// An institution authorised for `subNos` in the whole province from 2015 to 2035.
    @discardableResult
    public static func institution(_ name: String = "测试计量所", subNos: [Int] = [2, 10, 14, 15, 901], on db: any Database) async throws -> InstitutionModel {
        let d = try InstitutionDraft.parse(
            name: name, kind: "legal", creditCode: nil, regionCode: "350100", address: "测试地址",
            scopes: subNos.map { .init(subNo: $0, regionCode: "350000", validFrom: "2015-01-01", validUntil: "2035-12-31") },
            context: try await Registry.context(on: db))
        return try await Registry.createInstitution(d, on: db)
    }

    public static func raw(subNo: Int = 2, serial: String = "S1", owner: CreditCode, region: RegionCode = county, inService: String = "2024-01-10") -> RawInstrument {
        var r = RawInstrument()
        r.subNo = String(subNo)
        r.name = "电子计价秤"
        r.serialNo = serial
        r.purpose = "trade_settlement"
        r.regionCode = region.value
        r.address = "测试市场1号摊"
        r.ownerCreditCode = owner.value
        r.inServiceDate = inService
        return r
    }

    public static func instrument(
        subNo: Int = 2, serial: String = "S1", owner: OwnerModel, region: RegionCode = county, inService: String = "2024-01-10",
        meter: (MeterType, Int?, GasMedium?)? = nil, on db: any Database
    ) async throws -> InstrumentModel {
        var r = raw(subNo: subNo, serial: serial, owner: try CreditCode(validating: owner.creditCode), region: region, inService: inService)
        if let meter {
            r.meterType = meter.0.rawValue
            r.dn = meter.1.map(String.init)
            r.medium = meter.2?.rawValue
            r.q3 = "2.5"
        }
        let d = try InstrumentDraft.parse(r, context: try await Registry.context(on: db))
        var rng = SystemRandomNumberGenerator()
        return try await Registry.createInstrument(d, scope: .everything, on: db, generator: &rng)
    }

    public static func record(
        _ instrument: InstrumentModel, institution: InstitutionModel, date: String, result: VerificationResult = .pass,
        kind: VerificationKind = .periodic, corrects: Int? = nil, today: String = "2026-11-26", on db: any Database
    ) async throws -> VerificationRecordModel {
        let d = try RecordDraft.parse(
            instrumentID: instrument.id, institutionID: institution.id, date: date, kind: kind.rawValue, result: result.rawValue,
            certificateNo: result == .pass && kind != .spotCheck ? "JD-\(date)" : nil,
            resultNoticeNo: result == .fail && kind != .spotCheck ? "TZ-\(date)" : nil, readings: nil, recordedBy: "tester",
            corrects: corrects, correctionReason: corrects == nil ? nil : "typo in date", today: CalendarDay(today)!)
        return try await Registry.addRecord(d, scope: .everything, on: db)
    }
}
