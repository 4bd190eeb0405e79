import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The statistics page: rates with their definitions, bad input named, scope enforced.
@Suite struct StatisticsPageTests {
    typealias Browser = PageTests.Browser

    @Test func ratesWithDefinitionsForTheCallersRegion() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let owner = try #require(try await OwnerModel.find(ids.owner, on: store.db))
            _ = try await Fixtures.instrument(serial: "ST-1", owner: owner, on: store.db)
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            let page = try await b.get("/app/statistics?period=quarter&day=2026-11-26")
            #expect(page.status == .ok)
            // the running quarter is counted to date
            #expect(page.text.contains("id=\"rate-onTime\"") && page.text.contains("受检率") && page.text.contains("2026-10-01 – 2026-11-26"))
            #expect(page.text.contains("id=\"rate-filing\"") && page.text.contains("met=1\">1</a> / <a class=\"due\""))
            let bad = try await b.get("/app/statistics?region=35&period=week")
            #expect(bad.status == .badRequest && bad.text.contains("region") && bad.text.contains("period"))
            _ = try await b.signIn("xiamen")
            #expect(try await b.get("/app/statistics?region=350102").status == .notFound)
            _ = try await b.signIn("owner")
            #expect(try await b.get("/app/statistics").status == .forbidden)
        }
    }

    static func admin(_ store: Store) async throws {
        _ = try await Accounts.createUser(
            .init(login: "admin", displayName: "admin", password: DemoAccounts.password, role: Role.provinceAdmin.rawValue, regionCode: nil, institutionID: nil, ownerID: nil),
            by: .system("tests"), on: store.db)
    }

    /// The 三表 通报 and the annual report as page, CSV, XLSX and PDF; the records behind a figure;
    /// drill-down and charts; the standards registry through its forms.
    @Test func reportsInEveryFormatAndTheRecordsBehindAFigure() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            try await Self.admin(store)
            let water = try await Fixtures.owner(7, industry: .waterUtility, on: store.db)
            let meter = try await Fixtures.instrument(subNo: 14, serial: "W-UNVERIFIED", owner: water, inService: "2026-04-01", meter: (.water, 15, nil), on: store.db)
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            // the county's 通报 lists the meter put into use without a first verification
            let page = try await b.get("/app/statistics/utilities?region=350102&period=year&day=2026-06-01")
            #expect(page.status == .ok && page.text.contains("三表首次检定与到期轮换通报") && page.text.contains(meter.code) && page.text.contains("投用前未经首次检定合格"))
            #expect(page.text.contains("format=xlsx") && page.text.contains("format=pdf") && page.text.contains("format=csv"))
            let csv = try await b.get("/app/statistics/utilities?region=350102&period=year&day=2026-06-01&format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8" && csv.text.contains("\(meter.code),\(water.name),水表,350102,投用前未经首次检定合格,2026-04-01"))
            #expect(csv.text.contains("\(water.name),\(water.creditCode),350102,0,0,1,0.0%"))  // filed, not yet in service
            let xlsx = try await b.get("/app/statistics/utilities?region=350102&period=year&day=2026-06-01&format=xlsx")
            #expect(xlsx.status == .ok && xlsx.headers[.contentDisposition]?.hasPrefix("attachment;") == true && Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            let pdf = try await b.get("/app/statistics/utilities?region=350102&period=year&day=2026-06-01&format=pdf")
            #expect(pdf.headers[.contentType] == "application/pdf" && Array(pdf.body.readableBytesView.prefix(5)) == Array("%PDF-".utf8))
            // the records behind the first-verification figure: the meter, not met
            let behind = try await b.get("/app/statistics/behind?metric=firstVerification&region=350102&period=year&day=2026-06-01&met=0")
            #expect(behind.status == .ok && behind.text.contains("/app/instruments/\(meter.id!)") && behind.text.contains("id=\"behind-total\">1<"))
            #expect(try await b.get("/app/statistics/behind?metric=firstVerification&region=350102&period=year&day=2026-06-01&met=1").text.contains("id=\"behind-total\">0<"))
            let badMetric = try await b.get("/app/statistics/behind?metric=happiness&region=350102&met=2")
            #expect(badMetric.status == .badRequest && badMetric.text.contains("metric") && badMetric.text.contains("met"))
            #expect(try await b.get("/app/statistics/utilities?region=350102&format=docx").status == .badRequest)
            #expect(try await b.get("/app/statistics/annual?region=350102&year=2099").status == .badRequest)  // not begun
            // the annual report and the city page with its drill-down and charts
            let annual = try await b.get("/app/statistics/annual?region=350102&year=2026&format=csv")
            #expect(annual.status == .ok && annual.text.contains("2026 年度计量监管统计报告") && annual.text.contains("月度趋势"))
            _ = try await b.signIn("admin")
            let city = try await b.get("/app/statistics?region=350100&period=year&day=2026-11-26")
            #expect(city.text.contains("id=\"chart-regions\"") && city.text.contains("id=\"chart-trend\"") && city.text.contains("href=\"/app/statistics?region=350102&amp;period=year"))
            // another city's bureau sees none of it
            _ = try await b.signIn("xiamen")
            #expect(try await b.get("/app/statistics/utilities?region=350102").status == .notFound)
            #expect(try await b.get("/app/statistics/behind?metric=onTime&region=350102").status == .notFound)
        }
    }

    /// A region with more instruments than a page lists: the figure split by sub-region, each
    /// number opening the sub-region's own records; a county (no sub-regions) lists its records.
    @Test func aRegionTooLargeToListSplitsItsFigureBySubRegion() async throws {
        try await withApp(configure: { $0.plainPathLimit = 1; $0.offenderPageLimit = 1 }) { store, client in
            _ = try await PageTests.demoAccounts(store)
            try await Self.admin(store)
            let water = try await Fixtures.owner(7, industry: .waterUtility, on: store.db)
            var meters: [InstrumentModel] = []
            for n in 0..<2 {
                meters.append(try await Fixtures.instrument(subNo: 14, serial: "W-SPLIT-\(n)", owner: water, inService: "2026-04-01", meter: (.water, 15, nil), on: store.db))
            }
            let b = Browser(client)
            _ = try await b.signIn("admin")
            let city = try await b.get("/app/statistics/behind?metric=firstVerification&region=350100&period=year&day=2026-06-01&met=0")
            #expect(city.status == .ok && city.text.contains("id=\"behind-split\"") && !city.text.contains("/app/instruments/\(meters[0].id!)"))
            #expect(city.text.contains("id=\"behind-total\">0 / 2<"))
            #expect(city.text.contains("href=\"/app/statistics/behind?metric=firstVerification&amp;region=350102&amp;period=year&amp;day=2026-06-01&amp;met=0\""))
            let county = try await b.get("/app/statistics/behind?metric=firstVerification&region=350102&period=year&day=2026-06-01&met=0")
            #expect(county.status == .ok && !county.text.contains("id=\"behind-split\""))
            #expect(county.text.contains("/app/instruments/\(meters[0].id!)") && county.text.contains("/app/instruments/\(meters[1].id!)"))
            // the 三表 通报 of the whole province (from the kept counts) lists the company and both meters
            let province = try await b.get("/app/statistics/utilities?region=350000&period=year&day=2026-06-01")
            #expect(province.status == .ok && province.text.contains(water.name) && province.text.contains("(2)"))
            // the page lists the first offending meter only (the limit is 1 here) and says so; the CSV lists both
            #expect(province.text.contains(meters[0].code) != province.text.contains(meters[1].code))
            #expect(province.text.contains("列出前 1 个，共 2 个"))
            let csv = try await b.get("/app/statistics/utilities?region=350000&period=year&day=2026-06-01&format=csv")
            #expect(csv.status == .ok && csv.text.contains(meters[0].code) && csv.text.contains(meters[1].code))
            // the split is scoped like every statistics read
            _ = try await b.signIn("xiamen")
            #expect(try await b.get("/app/statistics/behind?metric=firstVerification&region=350100").status == .notFound)
            // bad input on the records page is named
            let badPage = try await b.get("/app/statistics/behind?metric=onTime&region=350200&page=0")
            #expect(badPage.status == .badRequest && badPage.text.contains("page"))
        }
    }

    @Test func theAdministratorRegistersStandardsAndTargets() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            try await Self.admin(store)
            let b = Browser(client)
            _ = try await b.signIn("admin")
            let list = try await b.get("/app/standards")
            #expect(list.status == .ok && list.text.contains("社会公用计量标准") && list.text.contains("未确认"))
            let form: [String: String] = [
                "csrf": b.csrf(from: list), "institution_id": "\(ids.institution)", "name": "砝码标准装置", "certificate_no": "[2025]闽社标证字第0009号",
                "valid_from": "2025-01-01", "valid_until": "2029-12-31", "measuring_range": "1mg~60kg", "uncertainty": "F2等级", "sub_nos": "2，18", "region_codes": "350100",
            ]
            let made = try await b.post("/app/standards", form)
            #expect(made.status == .seeOther)
            let detail = try await b.get(made.headers[.location] ?? "")
            #expect(detail.text.contains("[2025]闽社标证字第0009号") && detail.text.contains("2 非自动衡器"))
            // bad input names the field and keeps what was typed
            var bad = form
            bad["certificate_no"] = "[2025]闽社标证字第0010号"
            bad["valid_until"] = "2024-01-01"
            bad["sub_nos"] = "2 x"
            let refused = try await b.post("/app/standards", bad)
            #expect(refused.status == .badRequest && refused.text.contains("sub_nos[1]") && refused.text.contains("[2025]闽社标证字第0010号"))
            bad["sub_nos"] = "2"
            let refused2 = try await b.post("/app/standards", bad)
            #expect(refused2.status == .badRequest && refused2.text.contains("valid_until"))
            let duplicate = try await b.post("/app/standards", form)
            #expect(duplicate.status == .badRequest && duplicate.text.contains("certificate_no"))
            #expect(try await Standards.list(by: .system("tests"), on: store.db).count == 1)
            // targets per level
            let saved = try await b.post("/app/standards/targets", ["csrf": b.csrf(from: list), "level": "city", "sub_nos": "2 18"])
            let targets = try await Standards.targets(on: store.db)
            #expect(saved.status == .seeOther && targets[.city] == [2, 18])
            // bureau staff read but do not write
            _ = try await b.signIn("gulou")
            let staff = try await b.get("/app/standards")
            #expect(staff.status == .ok && !staff.text.contains("id=\"create-standard\""))
            #expect(try await b.post("/app/standards", form.merging(["csrf": b.csrf(from: staff)]) { $1 }).status == .forbidden)
            _ = try await b.signIn("owner")
            #expect(try await b.get("/app/standards").status == .forbidden)
        }
    }
}
