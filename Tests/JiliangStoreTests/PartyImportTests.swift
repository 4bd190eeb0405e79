import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import JiliangXLSX
import Testing

/// The rolls of owners and institutions (issue #19, item 5), and an owner filing its own
/// instruments in bulk.
@Suite struct PartyImportTests {
    static let today = CalendarDay("2026-11-26")!
    static let admin = Principal.system("tests")
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    @Test func aBureausOwnerRollImportsWithItsCountiesByNameAndBadRowsNamed() async throws {
        try await TestDatabase.withStore { store in
            let c = (1...4).map { Fixtures.creditCode(100 + $0).value }
            let csv = """
                鼓楼区使用单位名录
                序号,使用单位名称,统一社会信用代码,单位地址,所属区县,行业,联系人,联系电话
                1,鼓楼区东街农贸市场,\(c[0]),东街1号,鼓楼区,农贸市场,王五,0591-1234567
                2,鼓楼区中石化五四路加油站,\(c[1]),五四路2号,350102,加油站,赵六,13800000000
                3,思明区某超市,\(c[2]),思明路3号,思明区,超市,,
                4,无代码商户,91350102ABC,某路4号,鼓楼区,商户,,
                5,鼓楼区东街农贸市场,\(c[0]),东街1号,鼓楼区,农贸市场,王五,

                """
            let r = try await PartyImport(kind: .owners, mode: .validRowsOnly).run(bytes: Array(csv.utf8), by: Self.gulou, today: Self.today, on: store.db)
            #expect(r.headerRow == 2 && r.rows == 5 && r.inserted == 2 && r.stored, "\(r.errors)")
            #expect(r.errors.map(\.row) == [5, 6, 7])
            #expect(r.errors[0].column == "所属区县")  // 思明区 is Xiamen's
            if case .importing(.ownerRegionOutsideScope(let region)) = r.errors[0].reason { #expect(region.hasPrefix("3502")) } else { Issue.record("\(r.errors[0])") }
            #expect(r.errors[1].column == "统一社会信用代码")
            #expect(r.errors[2].reason == .importing(.creditCodeOnEarlierRow(c[0])))
            let market = try await OwnerModel.query(on: store.db).filter(\.$creditCode == c[0]).first()
            #expect(market?.industry == "market" && market?.regionCode == "350102" && market?.contactPhone == "0591-1234567")
            // A re-import adds nothing; a preview stores nothing.
            let again = try await PartyImport(kind: .owners, mode: .validRowsOnly).run(bytes: Array(csv.utf8), by: Self.gulou, today: Self.today, on: store.db)
            #expect(again.inserted == 0 && again.alreadyPresent == 2)
            let fresh = csv.replacingOccurrences(of: c[0], with: c[3]).replacingOccurrences(of: c[1], with: Fixtures.creditCode(200).value)
            let preview = try await PartyImport(kind: .owners, mode: .validRowsOnly, dryRun: true).run(bytes: Array(fresh.utf8), by: Self.gulou, today: Self.today, on: store.db)
            #expect(preview.dryRun && preview.inserted == 2 && !preview.stored)
            #expect(try await OwnerModel.query(on: store.db).count() == 2)
            // An owner may not import owners.
            let owner = Principal(kind: .user, id: 9, label: "o", role: .owner, ownerIDs: [market!.id!])
            await #expect(throws: RegistryError.forbidden(.importing(.mayNotImportOwners))) {
                try await PartyImport(kind: .owners).run(bytes: Array(csv.utf8), by: owner, today: Self.today, on: store.db)
            }
        }
    }

    @Test func theProvincesInstitutionRollBringsTheirAuthorisations() async throws {
        try await TestDatabase.withStore { store in
            let bytes = try XLSXRoll.data(
                title: "福建省计量技术机构名录",
                header: ["机构名称", "机构类别", "所在地区", "地址", "授权项目", "授权区域", "授权有效期至"],
                rows: [
                    ["福州市计量所", "法定计量检定机构", "福州市", "福州市某路1号", "电子秤、燃油加油机、14", "福州市", .date(CalendarDay("2030-12-31")!)],
                    ["某授权站", "授权", "350102", "鼓楼区某路", "不存在的器具", "", .date(CalendarDay("2030-12-31")!)],
                    ["某检测公司", "民营", "350102", "鼓楼区某路", "", "", .empty],
                ])
            let r = try await PartyImport(kind: .institutions, mode: .validRowsOnly).run(bytes: bytes, by: Self.admin, today: Self.today, on: store.db)
            #expect(r.headerRow == 3 && r.inserted == 1 && r.errors.count == 2, "\(r.errors)")
            #expect(r.errors[0].row == 5 && r.errors[0].column == "授权项目" && r.errors[0].reason == .importing(.notASubItem("不存在的器具")))
            #expect(r.errors[1].row == 6 && r.errors[1].column == "机构类别")
            let lab = try #require(try await InstitutionModel.query(on: store.db).filter(\.$name == "福州市计量所").first())
            let scopes = try await InstitutionScopeModel.query(on: store.db).filter(\.$institutionID == lab.id!).all()
            #expect(Set(scopes.map(\.subNo)) == [2, 10, 14] && scopes.allSatisfy { $0.regionCode == "350100" && $0.validUntil == "2030-12-31" })
            // Only the province administrator imports institutions.
            await #expect(throws: RegistryError.forbidden(.importing(.mayNotImportInstitutions))) {
                try await PartyImport(kind: .institutions).run(bytes: bytes, by: Self.gulou, today: Self.today, on: store.db)
            }
        }
    }

    /// An owner files its own instruments in bulk (issue #19, item 5): its rows become drafts with
    /// filings submitted for the bureau; rows of another owner are refused; it records no verifications.
    @Test func anOwnerFilesItsOwnInstrumentsInBulk() async throws {
        try await TestDatabase.withStore { store in
            let mine = try await Fixtures.owner(on: store.db)
            let other = try await Fixtures.owner(2, on: store.db)
            _ = try await Fixtures.institution(on: store.db)
            let owner = Principal(kind: .user, id: 9, label: "owner", role: .owner, ownerIDs: [mine.id!])
            #expect(owner.may(.importInstruments))
            let csv = """
                器具名称,出厂编号,统一社会信用代码,安装地点,所属区县,用途,启用日期,最近检定日期,检定结论,证书编号,检定机构
                电子秤,OWN-1,\(mine.creditCode),摊位1,鼓楼区,贸易结算,2026-01-05,2026-01-04,合格,JD-OWN-1,测试计量所
                电子秤,OWN-2,\(mine.creditCode),摊位2,鼓楼区,贸易结算,2026-01-05,,,,
                电子秤,OWN-3,\(other.creditCode),摊位3,鼓楼区,贸易结算,2026-01-05,,,,

                """
            var rng = SystemRandomNumberGenerator()
            let r = try await InstrumentImport(mode: .validRowsOnly, scope: owner.scope).run(bytes: Array(csv.utf8), on: store.db, today: Self.today, generator: &rng)
            #expect(r.inserted == 2 && r.errors.count == 1 && r.errors[0].row == 4, "\(r.errors)")
            #expect(r.ignoredColumns.contains("最近检定日期") && r.ignoredColumns.contains("检定机构"))
            let stored = try await InstrumentModel.query(on: store.db).sort(\.$serialNo).all()
            #expect(stored.map(\.lifecycle) == ["draft", "draft"])
            let filings = try await FilingModel.query(on: store.db).all()
            #expect(filings.count == 2 && filings.allSatisfy { $0.state == "submitted" && $0.ownerID == mine.id! })
            #expect(try await VerificationRecordModel.query(on: store.db).count() == 0)
            // The bureau approves one: it is filed.
            let f = try await Filings.decide(filings[0].id!, approve: true, reason: nil, by: Self.gulou, on: store.db)
            #expect(f.state == "approved")
            // Importing the same file again adds neither instruments nor filings.
            let again = try await InstrumentImport(mode: .validRowsOnly, scope: owner.scope).run(bytes: Array(csv.utf8), on: store.db, today: Self.today, generator: &rng)
            #expect(again.inserted == 0 && again.alreadyPresent == 2)
            #expect(try await FilingModel.query(on: store.db).count() == 2)
        }
    }

    /// An owner's roll naming another unit, with no county column (review of issue #19): a row
    /// error on the credit code, not a crash on the missing column.
    @Test func anOwnersRollNamingAnotherUnitIsARowError() async throws {
        try await TestDatabase.withStore { store in
            let mine = try await Fixtures.owner(on: store.db)
            let other = try await Fixtures.owner(2, on: store.db)
            let owner = Principal(kind: .user, id: 9, label: "owner", role: .owner, ownerIDs: [mine.id!])
            var options = InstrumentImport.Options()
            options.ownerDefaults = try await ImportJobs.ownerDefaults(for: owner, on: store.db)
            let csv = "器具名称,出厂编号,统一社会信用代码,安装地点,用途,启用日期\n电子秤,N-1,\(other.creditCode),摊位1,贸易结算,2026-01-05\n电子秤,N-2,,摊位2,贸易结算,2026-01-05\n"
            var rng = SystemRandomNumberGenerator()
            let r = try await InstrumentImport(mode: .validRowsOnly, scope: owner.scope, options: options).run(
                bytes: Array(csv.utf8), on: store.db, today: Self.today, generator: &rng)
            #expect(r.inserted == 1 && r.errors.map(\.row) == [2] && r.errors[0].column == "region_code", "\(r.errors)")
        }
    }
}
