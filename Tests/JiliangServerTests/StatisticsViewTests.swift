import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The statistics area's view models, built from the store without HTTP (issue #20, item 5).
@Suite struct StatisticsViewTests {
    static let today = CalendarDay("2026-11-26")!
    static let admin = Principal(kind: .user, id: 1, label: "admin", role: .provinceAdmin)
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    static func query(_ region: String?, _ period: String, caller: Principal) throws -> StatisticsQuery {
        try StatisticsQuery(region: region, period: period, day: "2026-11-26", year: nil, format: nil, caller: caller, today: today)
    }

    @Test func theProvinceWithItsCitiesAndACountyWithoutSubRegions() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let fuzhou = try await Fixtures.owner(1, on: db)
            let xiamen = try await Fixtures.owner(2, region: Fixtures.otherCounty, on: db)
            _ = try await Fixtures.instrument(serial: "SV-1", owner: fuzhou, on: db)
            _ = try await Fixtures.instrument(serial: "SV-2", owner: fuzhou, on: db)
            _ = try await Fixtures.instrument(serial: "SV-3", owner: xiamen, region: Fixtures.otherCounty, on: db)

            // The province's year to date: every instrument filed, the figure opening its records.
            let year = try Self.query("350000", "year", caller: Self.admin)
            let view = try await StatisticsView.build(year, by: Self.admin, lang: .zh, today: Self.today, on: db)
            #expect(view.instruments == 3 && view.period == "2026-01-01 – 2026-11-26" && view.regionName == "福建省" && view.year == 2026)
            let filing = try #require(view.rows.first { $0.id == "rate-filing" })
            #expect(filing.name == PageKey.st_filing.zh && filing.definition == PageKey.st_filing_def.zh)
            #expect(filing.met == 3 && filing.due == 3 && filing.percent == "100.0%")
            #expect(filing.metLink == Site.statisticsBehind() + "?metric=filing&region=350000&period=year&day=2026-11-26&met=1")
            #expect(view.rows.first { $0.id == "rate-coverageItems" }?.metLink == nil)  // coverage has no records behind it
            #expect(view.periods.filter(\.selected).map(\.value) == ["year"] && view.parentLink == nil)
            // Its cities holding instruments, each row opening the city's own page.
            #expect(view.hasChildren && view.children.map(\.code) == ["350100", "350200"] && view.children.map(\.name) == ["福州市", "厦门市"])
            #expect(view.children.map(\.instruments) == [2, 1] && view.children.map(\.filing) == ["100.0%", "100.0%"])
            #expect(view.children[0].link == Site.statistics() + "?region=350100&period=year&day=2026-11-26")
            #expect(view.barChart.contains("id=\"chart-regions\"") && view.lineChart.contains("id=\"chart-trend\""))

            // A county (the caller's own by default): no sub-regions, a link up to its city.
            let county = try await StatisticsView.build(try Self.query(nil, "quarter", caller: Self.gulou), by: Self.gulou, lang: .en, today: Self.today, on: db)
            #expect(county.region == "350102" && county.regionName == "鼓楼区" && county.instruments == 2 && county.period == "2026-10-01 – 2026-11-26")
            #expect(!county.hasChildren && county.children.isEmpty && county.barChart.isEmpty)
            #expect(county.parentLink == Site.statistics() + "?region=350100&period=quarter&day=2026-11-26")
            #expect(county.rows.first { $0.id == "rate-filing" }?.name == PageKey.st_filing.en)

            // The records behind the filing figure; a region too large to list splits it by city.
            let behind = try await StatisticsBehindView.build(
                year, metric: "filing", met: "1", page: nil, by: Self.admin, lang: .zh, plainPathLimit: 200_000, on: db)
            #expect(!behind.isSplit && behind.total == "3" && behind.rows.count == 3 && behind.rows.allSatisfy { $0.met == PageKey.st_met.zh })
            #expect(behind.filters.filter(\.current).map(\.label) == [PageKey.st_met.zh] && behind.prev == nil && behind.next == nil)
            let split = try await StatisticsBehindView.build(
                year, metric: "filing", met: "0", page: nil, by: Self.admin, lang: .zh, plainPathLimit: 1, on: db)
            #expect(split.isSplit && split.total == "3 / 3" && split.split.map(\.code) == ["350100", "350200"] && split.split.map(\.missed) == [0, 0])
            await #expect(throws: ValidationFailure.self) {
                try await StatisticsBehindView.build(year, metric: "happiness", met: "2", page: nil, by: Self.admin, lang: .zh, plainPathLimit: 1, on: db)
            }
        }
    }

    @Test func badQueriesAndCallersWithoutStatistics() async throws {
        #expect(throws: ValidationFailure.self) { try Self.query("35", "week", caller: Self.gulou) }
        #expect(throws: RegistryError.self) {  // a period not yet begun
            try StatisticsQuery(region: nil, period: "year", day: nil, year: "2099", format: nil, caller: Self.gulou, today: Self.today)
        }
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let p = Principal(kind: .user, id: 9, label: "owner", role: .owner, ownerIDs: [owner.id!])
            await #expect(throws: RegistryError.self) {
                try await StatisticsView.build(try Self.query(nil, "year", caller: p), by: p, lang: .zh, today: Self.today, on: store.db)
            }
            // Another city's bureau sees no Fuzhou county.
            let xiamen = Principal(kind: .user, id: 8, label: "xiamen", role: .bureauStaff, region: RegionCode("350200")!)
            await #expect(throws: RegistryError.self) {
                try await StatisticsView.build(try Self.query("350102", "year", caller: xiamen), by: xiamen, lang: .zh, today: Self.today, on: store.db)
            }
        }
    }

    @Test func aReportPageListsItsTablesAndDownloads() {
        let doc = ReportDocument(
            title: "通报", lines: ["统计期"], tables: [.init(title: "按单位", columns: ["单位", "%"], rows: [["甲", .number(3)], ["乙", .percent(nil)]], note: "注")])
        let view = StatisticsReportView(doc, PageStrings.strings(.zh), base: "/app/statistics/utilities?region=350102", back: "/app/statistics", id: "utility-report")
        #expect(view.title == "通报" && view.lines == ["统计期"] && view.back == "/app/statistics")
        #expect(view.downloads.map(\.link) == ["pdf", "xlsx", "csv"].map { "/app/statistics/utilities?region=350102&format=\($0)" })
        #expect(view.downloads.map(\.id) == ["download-pdf", "download-xlsx", "download-csv"])
        #expect(view.tables == [.init(
            title: "按单位", columns: ["单位", "%"], id: "utility-report-table-0", rows: [.init(cells: ["甲", "3"]), .init(cells: ["乙", "—"])],
            more: nil, note: "注")])
    }

    @Test func theStandardsRegistryAsTheAdministratorAndAsStaffSeeIt() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let admin = try await StandardsView.build(region: nil, subNo: nil, by: Self.admin, lang: .zh, today: Self.today, error: nil, form: [:], on: db)
            #expect(admin.canManage && admin.noRows && admin.targets.map(\.level) == ["province", "city", "county"] && admin.error == nil)
            let staff = try await StandardsView.build(
                region: "350102", subNo: "2", by: Self.gulou, lang: .zh, today: Self.today, error: "name: is required", form: ["name": "砝码"], on: db)
            #expect(!staff.canManage && staff.region == "350102" && staff.subNo == "2" && staff.form["name"] == "砝码" && staff.error == "name: is required")
            await #expect(throws: ValidationFailure.self) {
                try await StandardsView.build(region: "35", subNo: nil, by: Self.admin, lang: .zh, today: Self.today, error: nil, form: [:], on: db)
            }
        }
    }
}
