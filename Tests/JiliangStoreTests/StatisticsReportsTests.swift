import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The 三表 通报, the capability gap analysis with social public measurement standards, the
/// construction targets and the monthly run, on hand-built data with known answers, on SQLite
/// and PostgreSQL.
@Suite struct StatisticsReportsTests {
    let admin = Principal.system("tests")
    let fuzhou = Principal(kind: .user, id: 2, label: "fuzhou", role: .bureauStaff, region: RegionCode("350100")!)
    let xiamenStaff = Principal(kind: .user, id: 3, label: "xiamen", role: .bureauStaff, region: RegionCode("350200")!)

    func setLifecycle(_ i: InstrumentModel, _ status: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("UPDATE instruments SET lifecycle = \(bind: status) WHERE id = \(bind: i.id!)").run()
    }

    /// A water company in 鼓楼区 with four meters: one first-verified before use, one put into use
    /// unverified, two whose service life ended in 2026 — one rotated out on its last day, one still in use.
    func waterCompany(on db: any Database) async throws -> (owner: OwnerModel, missedFirst: InstrumentModel, notRotated: InstrumentModel, lifeEnd: CalendarDay) {
        let water = try await Fixtures.owner(7, industry: .waterUtility, on: db)
        let lab = try await Fixtures.institution(on: db)
        func meter(_ serial: String, inService: String) async throws -> InstrumentModel {
            let m = try await Fixtures.instrument(subNo: 14, serial: serial, owner: water, inService: inService, meter: (.water, 15, nil), on: db)
            try await setLifecycle(m, "in_service", on: db)
            return m
        }
        let ok = try await meter("W1", inService: "2026-03-01")
        _ = try await Fixtures.record(ok, institution: lab, date: "2026-02-20", kind: .first, on: db)
        let missed = try await meter("W2", inService: "2026-04-01")
        let rotated = try await meter("W3", inService: "2020-01-10")
        let first = try await Fixtures.record(rotated, institution: lab, date: "2020-01-05", kind: .first, on: db)
        let old = try await meter("W4", inService: "2020-01-10")
        _ = try await Fixtures.record(old, institution: lab, date: "2020-01-05", kind: .first, on: db)
        let lifeEnd = CalendarDay(first.validUntil!)!
        try await setLifecycle(rotated, "rotated_out", on: db)
        try await (db as! any SQLDatabase).raw("""
            INSERT INTO status_changes (instrument_id, region_code, from_status, to_status, changed_on, changed_by) VALUES
            (\(bind: rotated.id!), \(bind: rotated.regionCode), 'in_service', 'rotated_out', \(bind: lifeEnd.description), 'tests')
            """).run()
        return (water, missed, old, lifeEnd)
    }

    @Test func utilityReportCountsAndListsTheOffenders() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (water, missed, old, lifeEnd) = try await waterCompany(on: db)
            #expect(lifeEnd.year == 2026)  // a DN15 water meter's life from a 2020 first verification
            let year = MetricPeriod.year(of: CalendarDay("2026-06-01")!)
            // MUT
            let r = try await UtilityReport.build(region: RegionCode("350100")!, period: year, by: fuzhou, on: db)
            // validate
            #expect(r.firstVerification == Rate(1, 2))
            #expect(r.rotation == Rate(1, 2))
            #expect(r.companies.count == 1 && r.companies[0].ownerID == water.id && r.companies[0].metersInUse == 3)
            #expect(r.companies[0].firstVerification == Rate(1, 2) && r.companies[0].rotation == Rate(1, 2))
            #expect(r.areas.map(\.region) == [Fixtures.county] && r.areas[0].rotation == Rate(1, 2))
            #expect(r.offenders.map(\.instrumentID).sorted() == [missed.id!, old.id!].sorted())
            #expect(r.offenders.first { $0.instrumentID == missed.id }?.problem == .noFirstVerification)
            #expect(r.offenders.first { $0.instrumentID == old.id }.map { ($0.problem, $0.day) } ?? (.noFirstVerification, lifeEnd) == (.notRotated, lifeEnd))
            #expect(r.offenders.allSatisfy { $0.code.hasPrefix("350102") && $0.ownerName == water.name })
            // the report from the kept counts (recounted: the fixture set statuses in raw SQL) is the same,
            // for the city and for the whole province, which the plain path may be too small to read
            try await MetricCounts.rebuild(on: db)
            let counted = try await UtilityReport.counted(region: RegionCode("350100")!, period: year, by: fuzhou, on: db)
            #expect(counted.companies == r.companies && counted.areas == r.areas && counted.offenders == r.offenders)
            #expect(counted.firstVerification == Rate(1, 2) && counted.rotation == Rate(1, 2))
            let province = try await UtilityReport.counted(region: RegionCode("350000")!, period: year, by: admin, on: db)
            #expect(province.areas.map(\.region) == [RegionCode("350100")!] && province.areas[0].rotation == Rate(1, 2))
            #expect(province.offenders == r.offenders && province.companies == r.companies)
            // a limited list keeps the first offender in the report's order and still counts both
            let first = try await UtilityReport.counted(region: RegionCode("350000")!, period: year, offenderLimit: 1, by: admin, on: db)
            #expect(first.offenders == Array(r.offenders.prefix(1)) && first.misses == 2 && r.misses == 2)
            await #expect(throws: RegistryError.self) { try await UtilityReport.counted(region: RegionCode("350100")!, period: year, by: xiamenStaff, on: db) }
            // a period before the meters were used has nothing due
            let empty = try await UtilityReport.build(region: RegionCode("350100")!, period: MetricPeriod.year(of: CalendarDay("2019-06-01")!), by: fuzhou, on: db)
            #expect(empty.firstVerification == Rate(0, 0) && empty.offenders.isEmpty)
            // another city's bureau does not see 福州
            let xiamen = Principal(kind: .user, id: 3, label: "xiamen", role: .bureauStaff, region: RegionCode("350200")!)
            await #expect(throws: RegistryError.self) { try await UtilityReport.build(region: RegionCode("350100")!, period: year, by: xiamen, on: db) }
        }
    }

    /// Two utility companies may share a name (branches registered separately): the report lists
    /// their offenders as one company's, in the report's order, and a limited list takes the first
    /// of them across both — not all of one company's before the other's.
    @Test func sameNamedCompaniesInterleaveInALimitedList() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let a = try await Fixtures.owner(7, industry: .waterUtility, on: db)
            let b = try await Fixtures.owner(8, industry: .waterUtility, on: db)
            try await (db as! any SQLDatabase).raw("UPDATE owners SET name = \(bind: a.name) WHERE id = \(bind: b.id!)").run()
            // put into use unverified: each is a missed first verification on its in-service day
            var ids: [String: Int] = [:]
            for (serial, owner, day) in [("A1", a, "2026-04-01"), ("B1", b, "2026-05-01"), ("A2", a, "2026-06-01"), ("B2", b, "2026-07-01")] {
                let m = try await Fixtures.instrument(subNo: 14, serial: serial, owner: owner, inService: day, meter: (.water, 15, nil), on: db)
                try await setLifecycle(m, "in_service", on: db)
                ids[serial] = m.id!
            }
            try await MetricCounts.rebuild(on: db)
            let year = MetricPeriod.year(of: CalendarDay("2026-06-01")!)
            let plain = try await UtilityReport.build(region: RegionCode("350100")!, period: year, by: fuzhou, on: db)
            #expect(plain.offenders.map(\.instrumentID) == ["A1", "B1", "A2", "B2"].map { ids[$0]! })  // by day across both
            for limit in 0...5 {
                // MUT
                let r = try await UtilityReport.counted(region: RegionCode("350000")!, period: year, offenderLimit: limit, by: admin, on: db)
                // validate
                #expect(r.offenders == Array(plain.offenders.prefix(limit)), "limit \(limit)")
                #expect(r.misses == 4 && r.companies.count == 2)
            }
        }
    }

    @Test func standardsCloseCapabilityGapsAndMeetTargets() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let fuzhouLab = try await Fixtures.institution(on: db)  // located in 福州市, authorised for 2, 10, 14, 15, 901 province-wide
            let clinic = try await Fixtures.owner(3, industry: .hospital, on: db)
            let bp = try await Fixtures.instrument(subNo: 18, serial: "BP1", owner: clinic, on: db)
            try await setLifecycle(bp, "in_service", on: db)
            let scale = try await Fixtures.instrument(subNo: 2, serial: "S1", owner: clinic, on: db)
            try await setLifecycle(scale, "in_service", on: db)
            let day = CalendarDay("2026-11-26")!
            // nobody serves blood-pressure meters anywhere: a gap with no nearest institution
            var gaps = try await Statistics.gaps(region: RegionCode("350100")!, on: day, by: fuzhou, on: db)
            #expect(gaps.count == 1 && gaps[0].county == Fixtures.county && gaps[0].subNo == 18 && gaps[0].instruments == 1 && gaps[0].nearest == nil)
            var report = try await Statistics.report(region: RegionCode("350100")!, period: MetricPeriod.year(of: day), by: fuzhou, on: db)
            #expect(report.coverage.items == Rate(1, 2) && report.coverage.instruments == Rate(1, 2) && report.coverage.gaps == [18: 1])
            // a 厦门 institution authorised for 18 in 厦门 only: still a gap, but now the nearest has it
            let xmDraft = try InstitutionDraft.parse(
                name: "厦门计量所", kind: "legal", creditCode: nil, regionCode: "350200", address: "厦门",
                scopes: [.init(subNo: 18, regionCode: "350200", validFrom: "2020-01-01", validUntil: "2030-12-31")], context: try await Registry.context(on: db))
            let xiamenLab = try await Registry.createInstitution(xmDraft, on: db)
            gaps = try await Statistics.gaps(region: RegionCode("350100")!, on: day, by: fuzhou, on: db)
            #expect(gaps.count == 1 && gaps[0].nearest?.id == xiamenLab.id && gaps[0].nearest?.distance == 2)

            // the 福州 lab registers a social public standard for 18 serving 福州市: the gap closes
            let context = try await Registry.context(on: db)
            func draft(_ cert: String, from: String = "2024-01-01", until: String = "2028-12-31", subs: [Int] = [18], regions: [String] = ["350100"]) throws -> StandardDraft {
                try StandardDraft.parse(
                    institutionID: fuzhouLab.id, name: "血压计检定装置", certificateNo: cert, validFrom: from, validUntil: until, measuringRange: "(0~40)kPa",
                    uncertainty: "0.05级", subNos: subs, regionCodes: regions, context: context)
            }
            let s = try await Standards.create(try draft("[2024]闽社标证字第0001号"), by: admin, on: db)
            #expect(s.subNos == [18] && s.regions == ["350100"] && s.institutionName == fuzhouLab.name)
            #expect(try await Statistics.gaps(region: RegionCode("350100")!, on: day, by: fuzhou, on: db).isEmpty)
            report = try await Statistics.report(region: RegionCode("350100")!, period: MetricPeriod.year(of: day), by: fuzhou, on: db)
            #expect(report.coverage.items == Rate(2, 2) && report.coverage.instruments == Rate(2, 2))
            // valid through its last day, not the day after
            #expect(try await Statistics.gaps(region: RegionCode("350100")!, on: CalendarDay("2028-12-31")!, by: fuzhou, on: db).isEmpty)
            #expect(try await Statistics.gaps(region: RegionCode("350100")!, on: CalendarDay("2029-01-01")!, by: fuzhou, on: db).count == 1)

            // bad input and conflicts name the field; nothing is stored
            await #expect { try await Standards.create(try draft("[2024]闽社标证字第0001号"), by: admin, on: db) } throws: {
                if case RegistryError.conflict(let field, _) = $0 { return field == "certificate_no" } else { return false }
            }
            #expect { try draft("X", from: "2024-01-01", until: "2023-01-01") } throws: { ($0 as? ValidationFailure)?.errors.map(\.field) == ["valid_until"] }
            #expect { try draft("X", subs: [99999]) } throws: { ($0 as? ValidationFailure)?.errors.map(\.field) == ["sub_nos[0]"] }
            #expect { try draft("X", subs: [], regions: []) } throws: { ($0 as? ValidationFailure)?.errors.map(\.field) == ["sub_nos", "region_codes"] }
            #expect { try draft("X", regions: ["990000"]) } throws: { ($0 as? ValidationFailure)?.errors.map(\.field) == ["region_codes[0]"] }
            #expect(try await Standards.list(by: admin, on: db).count == 1)
            // only the administrator writes; owners do not read
            await #expect(throws: RegistryError.self) { try await Standards.create(try draft("Y"), by: fuzhou, on: db) }
            await #expect(throws: RegistryError.self) {
                try await Standards.list(by: Principal(kind: .user, id: 9, label: "o", role: .owner, ownerIDs: [clinic.id!]), on: db)
            }
            // an update replaces what it serves
            let updated = try await Standards.update(s.id, try draft("[2024]闽社标证字第0001号", subs: [2, 18], regions: ["350100", "350200"]), by: admin, on: db)
            #expect(updated.subNos == [2, 18] && updated.regions == ["350100", "350200"])

            // targets: a city target is met by the city's own institute; a county target is not met by it
            try await Standards.setTargets(level: .city, subNos: [18], by: admin, on: db)
            try await Standards.setTargets(level: .county, subNos: [2, 18], by: admin, on: db)
            await #expect(throws: RegistryError.self) { try await Standards.setTargets(level: .county, subNos: [424242], by: admin, on: db) }
            let progress = Capability.targetProgress(
                regions: [RegionCode("350100")!, Fixtures.county], targets: try await Standards.targets(on: db), standards: try await Standards.providers(on: db), on: day)
            #expect(progress[0].met == [18] && progress[0].missing.isEmpty)
            #expect(progress[1].met.isEmpty && progress[1].missing == [2, 18])
        }
    }

    @Test func monthlyRunReportsOnceToEachBureau() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await waterCompany(on: db)
            // MUT: the first pass in December reports November
            let o = try await MonthlyReports.runIfDue(today: CalendarDay("2026-12-01")!, on: db)
            let messages = try await InboxMessageModel.query(on: db).all().filter { if case .utilityReport? = $0.decodedNotice { true } else { false } }
            // validate
            let bureaus = try await RegionModel.query(on: db).all().filter { RegionCode($0.id!)?.level != .county }.count
            #expect(o?.reports == bureaus && o?.messages ?? 0 > bureaus)  // every province and city bureau; counties get lines too
            #expect(messages.contains { $0.recipient == "region:350000" && $0.decodedNotice?.link == .utilityReport(region: "350000", month: "2026-11") })
            #expect(messages.contains { $0.recipient == "region:350100" && $0.decodedNotice?.link == .utilityReport(region: "350100", month: "2026-11") })
            #expect(messages.contains { $0.recipient == "region:350102" })  // the county bureau gets its own line
            #expect(try await MonthlyReports.runIfDue(today: CalendarDay("2026-12-15")!, on: db) == nil)  // once a month
            // January also brings the annual report of the year before
            _ = try await MonthlyReports.runIfDue(today: CalendarDay("2027-01-02")!, on: db)
            let annual = try await InboxMessageModel.query(on: db).filter(\.$recipient == "region:350100").all()
                .filter { if case .annualReport? = $0.decodedNotice { true } else { false } }
            #expect(annual.count == 1 && annual[0].decodedNotice?.link == .annualReport(region: "350100", year: 2026), "\(annual.map(\.notice))")
        }
    }
}
