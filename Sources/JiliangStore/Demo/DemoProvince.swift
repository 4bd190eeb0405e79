import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// A realistic, deterministic demo province (Fujian): owners with valid credit codes, institutions
/// with scopes, instruments across catalogue items in realistic proportions (三表 dominate), and
/// years of verification history with realistic pass rates, including overdue, failed and expired
/// cases. Written with batched SQLKit inserts (not Fluent model saves) so that millions of rows load
/// in minutes.
public struct DemoProvince: Sendable {
    public var instruments: Int
    public var seed: UInt64
    public var today: CalendarDay
    /// Years of periodic verification history kept (first verifications are always kept).
    /// Periodic instruments are installed over the last ten years, or over the history if longer.
    public var historyYears: Int

    public init(instruments: Int, seed: UInt64, today: CalendarDay, historyYears: Int = 3) {
        self.instruments = instruments
        self.seed = seed
        self.today = today
        self.historyYears = historyYears
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var owners = 0, institutions = 0, instruments = 0, records = 0, rotated = 0
        public var description: String {
            "\(owners) owners, \(institutions) institutions, \(instruments) instruments (\(rotated) meters rotated out), \(records) verification records"
        }
    }

    /// What kind of instrument, in what share, with what pass rate.
    struct Kind {
        var subNo: Int
        var name: String
        var share: Double
        var passRate: Double
        var industry: Industry
        var purpose: UsePurpose
        var meter: MeterType?
    }

    static let kinds: [Kind] = [
        Kind(subNo: 14, name: "冷水水表", share: 30, passRate: 0.99, industry: .waterUtility, purpose: .tradeSettlement, meter: .water),
        Kind(subNo: 901, name: "单相智能电能表", share: 28, passRate: 0.995, industry: .powerUtility, purpose: .tradeSettlement, meter: .electricityElectronic),
        Kind(subNo: 15, name: "膜式燃气表", share: 12, passRate: 0.99, industry: .gasUtility, purpose: .tradeSettlement, meter: .gas),
        Kind(subNo: 2, name: "电子计价秤", share: 15, passRate: 0.95, industry: .trader, purpose: .tradeSettlement),
        Kind(subNo: 10, name: "燃油加油机", share: 5, passRate: 0.96, industry: .fuelStation, purpose: .tradeSettlement),
        Kind(subNo: 18, name: "无创自动测量血压计", share: 2, passRate: 0.94, industry: .hospital, purpose: .medicalHealth),
        Kind(subNo: 921, name: "血压计", share: 1, passRate: 0.94, industry: .hospital, purpose: .medicalHealth),
        Kind(subNo: 911, name: "出租汽车计价器", share: 3, passRate: 0.97, industry: .taxiFirm, purpose: .tradeSettlement),
        Kind(subNo: 961, name: "焦度计", share: 1.2, passRate: 0.97, industry: .optician, purpose: .medicalHealth),
        Kind(subNo: 971, name: "电脑验光仪", share: 1.2, passRate: 0.97, industry: .optician, purpose: .medicalHealth),
        Kind(subNo: 3, name: "动态汽车衡", share: 0.6, passRate: 0.93, industry: .other, purpose: .tradeSettlement),
        Kind(subNo: 931, name: "呼出气体酒精含量检测仪", share: 0.5, passRate: 0.96, industry: .other, purpose: .lawEnforcement),
        Kind(subNo: 951, name: "声级计", share: 0.5, passRate: 0.97, industry: .other, purpose: .environmentalMonitoring),
        // Pressure gauges registered before anyone recorded their rule: "rule missing" (issue #18, item 2).
        Kind(subNo: 982, name: "压力表", share: 0.4, passRate: 0.97, industry: .other, purpose: .safetyProtection),
    ]

    struct OwnerRow {
        var id: Int
        var name: String
        var code: String
        var region: String
        var industry: Industry
        var phone: String?
        var parent: Int?
    }

    public func load(into store: Store) async throws -> Summary {
        let db = store.db
        let sql = store.sql
        var rng = SeededGenerator(seed: seed)
        var summary = Summary()
        let regions = try await RegionModel.query(on: db).sort(\.$id).all()
        let cities = regions.filter { $0.level == "city" }
        let counties = regions.filter { $0.level == "county" && $0.operational }
        let countiesByCity = Dictionary(grouping: counties, by: { $0.parentCode! })
        let countyName = Dictionary(uniqueKeysWithValues: counties.map { ($0.id!, $0.name) })
        let catalogue = try await Registry.context(on: db).catalogue
        let book = try await Registry.ruleBook(on: db)
        let baseOwner = (try await OwnerModel.query(on: db).max(\.$id) ?? 0)
        let baseInstitution = (try await InstitutionModel.query(on: db).max(\.$id) ?? 0)
        let baseInstrument = (try await InstrumentModel.query(on: db).max(\.$id) ?? 0)
        let baseRecord = (try await VerificationRecordModel.query(on: db).max(\.$id) ?? 0)
        let now = Date()

        // Institutions: the provincial institute, one legal institute per city, and the authorised
        // utility laboratories for their own meters.
        var institutions: [(id: Int, name: String, kind: InstitutionKind, region: String, scopes: [(Int, String)])] = []
        let allSubs = catalogue.keys.sorted()
        institutions.append((baseInstitution + 1, "福建省计量科学研究院", .legal, "350000", allSubs.map { ($0, "350000") }))
        for c in cities {
            institutions.append((baseInstitution + institutions.count + 1, "\(c.name)计量所", .legal, c.id!, allSubs.map { ($0, c.id!) }))
        }
        institutions.append((baseInstitution + institutions.count + 1, "国网福建省电力有限公司计量中心", .authorised, "350000", [(901, "350000"), (902, "350000")]))
        for c in cities.prefix(3) {
            institutions.append((baseInstitution + institutions.count + 1, "\(c.name)自来水公司水表检定站", .authorised, c.id!, [(14, c.id!)]))
        }
        var institutionRows: [[any SQLExpression]] = []
        var scopeRows: [[any SQLExpression]] = []
        for i in institutions {
            institutionRows.append([SQLBind(i.id), SQLBind(i.name), SQLBind(i.kind.rawValue), SQLBind(i.region), SQLBind("\(i.name)办公地址"), SQLBind(now), SQLBind(now)])
            for (sub, region) in i.scopes {
                scopeRows.append([SQLBind(i.id), SQLBind(sub), SQLBind(region), SQLBind("2018-01-01"), SQLBind("2030-12-31")])
            }
        }
        // Every write in a write transaction, as everywhere (`WriteGate`: the worker may be writing).
        try await store.db.writeTransaction { [institutionRows, scopeRows] tx in
            let sql = tx as! any SQLDatabase
            try await insertRows(sql, "institutions", ["id", "name", "kind", "region_code", "address", "created_at", "updated_at"], institutionRows)
            try await insertRows(sql, "institution_scopes", ["institution_id", "sub_no", "region_code", "valid_from", "valid_until"], scopeRows)
        }
        summary.institutions = institutions.count
        /// Which institution verifies sub-item `sub` in county `county`: an authorised lab if one covers it, else the city's.
        /// (The candidates depend on the sub-item and county only: found once per pair, not per record.)
        var verifiers: [String: [Int]] = [:]
        func verifier(_ sub: Int, _ county: String, _ rng: inout SeededGenerator) -> Int {
            let key = "\(sub)|\(county)"
            if let ids = verifiers[key] { return rng.pick(ids) }
            let city = String(county.prefix(4)) + "00"
            let candidates = institutions.filter { i in i.scopes.contains { $0.0 == sub && RegionCode($0.1)!.contains(RegionCode(county)!) } }
            let local = candidates.filter { $0.region == city || $0.kind == .authorised }
            let ids = (local.isEmpty ? candidates : local).map(\.id)
            verifiers[key] = ids
            return rng.pick(ids)
        }

        // Owners: utilities per city, businesses per county; traders belong to market organisers.
        var owners: [OwnerRow] = []
        func addOwner(_ name: String, _ region: String, _ industry: Industry, parent: Int? = nil, rng: inout SeededGenerator) -> Int {
            let id = baseOwner + owners.count + 1
            let org = (0..<9).map { _ in String(rng.pick(Array("0123456789ABCDEFGHJKLMNPQRTUWXY"))) }.joined()
            let prefix = industry == .trader ? "92" : "91"
            let code = CreditCode.withCheckCharacter(body: prefix + region + org).value
            let phone = rng.chance(0.8) ? "13\(Int.random(in: 100_000_000...999_999_999, using: &rng))" : nil
            owners.append(OwnerRow(id: id, name: name, code: code, region: region, industry: industry, phone: phone, parent: parent))
            return id
        }
        var utility: [Industry: [String: Int]] = [:]  // industry → city → owner
        for c in cities {
            let firstCounty = countiesByCity[c.id!]!.first!.id!
            utility[.waterUtility, default: [:]][c.id!] = addOwner("\(c.name)自来水有限公司", firstCounty, .waterUtility, rng: &rng)
            utility[.gasUtility, default: [:]][c.id!] = addOwner("\(c.name)华润燃气有限公司", firstCounty, .gasUtility, rng: &rng)
            utility[.powerUtility, default: [:]][c.id!] = addOwner("国网福建省电力有限公司\(c.name.dropLast())供电公司", firstCounty, .powerUtility, rng: &rng)
        }
        // Businesses: about one per 25 non-utility instruments, spread over counties.
        let businessCount = max(counties.count, instruments / 25)
        var byCountyIndustry: [String: [Int]] = [:]
        var markets: [String: [Int]] = [:]
        let industries: [(Industry, Double)] = [
            (.trader, 45), (.market, 4), (.supermarket, 8), (.fuelStation, 8), (.hospital, 6), (.optician, 8), (.taxiFirm, 3), (.other, 6),
        ]
        let words = ["鑫盛", "永安", "和兴", "东方", "海峡", "闽江", "榕城", "鹭岛", "清源", "武夷", "金山", "宏达", "顺发", "福满", "嘉禾", "瑞丰"]
        let surnames = ["陈", "林", "黄", "张", "吴", "王", "郑", "李", "刘", "蔡", "杨", "许"]
        for n in 0..<businessCount {
            let county = counties[n % counties.count]
            var industry = rng.weighted(industries)
            if industry == .trader, markets[county.id!, default: []].isEmpty { industry = .market }
            let w = rng.pick(words)
            let name: String
            switch industry {
            case .market: name = "\(county.name)\(w)农贸市场"
            case .trader: name = "\(rng.pick(surnames))\(rng.pick(["记", "氏", "家"]))\(rng.pick(["水产", "肉铺", "果蔬", "干货", "禽蛋"]))摊（\(county.name)\(w)市场）"
            case .supermarket: name = "\(county.name)\(w)超市\(n)店"
            case .fuelStation: name = "\(rng.pick(["中国石化", "中国石油", "中化"]))\(county.name)第\(n % 50 + 1)加油站"
            case .hospital: name = "\(county.name)\(rng.pick(["人民医院", "中医院", "妇幼保健院", "社区卫生服务中心"]))\(n)"
            case .optician: name = "\(county.name)\(w)眼镜店"
            case .taxiFirm: name = "\(county.name)\(w)出租汽车有限公司"
            default: name = "\(county.name)\(w)物流有限公司\(n)"
            }
            let parent = industry == .trader ? rng.pick(markets[county.id!]!) : nil
            let id = addOwner(name, county.id!, industry, parent: parent, rng: &rng)
            if industry == .market { markets[county.id!, default: []].append(id) }
            byCountyIndustry["\(county.id!)|\(industry.rawValue)", default: []].append(id)
        }
        let ownerRows: [[any SQLExpression]] = owners.map { o in
            [SQLBind(o.id), SQLBind(o.name), SQLBind(o.code), SQLBind("\(o.name)经营地址"), SQLBind(o.region), SQLBind(o.industry.rawValue),
             SQLBind(o.phone == nil ? nil : "联系人"), SQLBind(o.phone), SQLBind(o.parent), SQLBind(now), SQLBind(now)]
        }
        try await store.db.writeTransaction { tx in
            try await insertRows(
                tx as! any SQLDatabase, "owners",
                ["id", "name", "credit_code", "address", "region_code", "industry", "contact_name", "contact_phone", "parent_id", "created_at", "updated_at"],
                ownerRows)
        }
        summary.owners = owners.count

        // Instruments and their history, written in slices to bound memory.
        var instrumentID = baseInstrument, recordID = baseRecord
        let weights = DemoProvince.kinds.map { ($0, $0.share) }
        let slice = 20_000
        var made = 0
        // The database writes one slice while the next is generated (two cores, twice the speed).
        var writing: Task<Void, any Error>?
        while made < instruments {
            var instrumentRows: [[any SQLExpression]] = []
            var recordRows: [[any SQLExpression]] = []
            var statusRows: [[any SQLExpression]] = []
            for _ in 0..<min(slice, instruments - made) {
                made += 1
                instrumentID += 1
                let kind = rng.weighted(weights)
                let county = rng.pick(counties).id!
                let city = String(county.prefix(4)) + "00"
                var owner = utility[kind.industry]?[city]
                if owner == nil {
                    owner = byCountyIndustry["\(county)|\(kind.industry.rawValue)"].map { rng.pick($0) }
                        ?? byCountyIndustry["\(county)|other"].map { rng.pick($0) }
                        ?? owners[owners.count - 1 - Int.random(in: 0..<min(owners.count, 50), using: &rng)].id
                }
                var meter = MeterAttributes(meterType: kind.meter)
                if kind.meter == .water {
                    // Bulk meters (DN > 50, Q3 > 16) are verified every two years, not rotated (JJG 162-2019).
                    meter.dn = rng.weighted([(15, 60), (20, 30), (25, 4), (40, 4), (50, 2), (80, 1), (100, 1)])
                    meter.q3 = meter.dn! <= 25 ? 2.5 : meter.dn! <= 50 ? 10 : meter.dn! <= 80 ? 40 : 63
                }
                if kind.meter == .gas { meter.medium = rng.weighted([(GasMedium.naturalGas, 85), (.lpg, 10), (.manufacturedGas, 5)]); meter.q3 = 2.5 }
                let entry = catalogue[kind.subNo]
                // The rule decides the form, not the catalogue row (issue #18, item 1).
                let ruleForm = book.currentForm(subNo: kind.subNo, attributes: meter, catalogueForm: entry?.form)
                let form = ruleForm ?? .periodic
                // Rotation meters were installed over their whole life and beyond (some expired);
                // periodic instruments over the last ten years (or the whole history, if longer).
                let lifeDays = (book.rule(subNo: kind.subNo, attributes: meter, on: today)?.serviceLifeMonths ?? 96) * 31
                let ageDays = form == .firstOnlyRotation ? Int.random(in: 30...(lifeDays + 300), using: &rng) : Int.random(in: 20...(max(10, historyYears) * 365), using: &rng)
                let installed = today.adding(days: -ageDays)
                var lifecycle = LifecycleStatus.inService
                if rng.chance(0.01) { lifecycle = .draft }
                if rng.chance(0.005) { lifecycle = .suspended }
                var facts: [VerificationFact] = []
                // Without a rule no verification can be recorded (the registry refuses it).
                let neverVerified = rng.chance(0.01) || book.rule(subNo: kind.subNo, attributes: meter, on: today) == nil
                if lifecycle != .draft, !neverVerified {
                    var day = installed
                    var first = true
                    let historyStart = today.adding(days: -historyYears * 365)
                    while day <= today {
                        let pass = rng.chance(kind.passRate)
                        let rule = book.rule(subNo: kind.subNo, attributes: meter, on: day)
                        let firstPass = facts.first { $0.result == .pass }?.date
                        let vKind: VerificationKind = first ? .first : .periodic
                        let until = ComplianceEngine.validUntil(date: day, result: pass ? .pass : .fail, kind: vKind, rule: rule, firstPassDate: firstPass)
                        if first || day >= historyStart {
                            recordID += 1
                            facts.append(VerificationFact(id: Int64(recordID), date: day, kind: vKind, result: pass ? .pass : .fail, validUntil: until, form: rule?.form))
                            recordRows.append(recordValues(recordID, instrumentID, county, verifier(kind.subNo, county, &rng), day, vKind, pass, until, rule?.id, now))
                        }
                        first = false
                        if !pass {
                            // Most failures are repaired and re-verified within two weeks; the rest stay failed.
                            guard form == .periodic, rng.chance(0.7) else { break }
                            day = day.adding(days: Int.random(in: 3...14, using: &rng))
                            if day > today { break }
                            let r2 = book.rule(subNo: kind.subNo, attributes: meter, on: day)
                            let u2 = ComplianceEngine.validUntil(date: day, result: .pass, kind: .afterRepair, rule: r2, firstPassDate: nil)
                            let lab = verifier(kind.subNo, county, &rng)
                            if day >= historyStart {  // like the failure it repairs, kept within the history only
                                recordID += 1
                                facts.append(VerificationFact(id: Int64(recordID), date: day, kind: .afterRepair, result: .pass, validUntil: u2, form: r2?.form))
                                recordRows.append(recordValues(recordID, instrumentID, county, lab, day, .afterRepair, true, u2, r2?.id, now))
                            }
                            guard let next = u2 else { break }
                            day = next.adding(days: -Int.random(in: 0...25, using: &rng))
                        } else {
                            guard form == .periodic, let next = until else { break }
                            // 7% of owners miss the next verification (→ overdue).
                            if rng.chance(0.07) { break }
                            day = next.adding(days: -Int.random(in: 0...25, using: &rng))
                        }
                    }
                }
                // Most meters whose service life has ended were rotated out, nearly all on time; the
                // rest are still in use past their life (the "life expired" warnings).
                if form == .firstOnlyRotation, lifecycle == .inService, let end = ComplianceEngine.lifeEnd(passes: facts.filter { $0.result == .pass }), end < today,
                   rng.chance(0.85) {
                    let day = rng.chance(0.9) ? end.adding(days: -Int.random(in: 0...60, using: &rng)) : end.adding(days: Int.random(in: 1...120, using: &rng))
                    if day <= today {
                        lifecycle = .rotatedOut
                        statusRows.append([
                            SQLBind(instrumentID), SQLBind(county), SQLBind(LifecycleStatus.inService.rawValue), SQLBind(LifecycleStatus.rotatedOut.rawValue),
                            SQLBind(day.description), SQLBind("demo"), SQLBind("到期轮换"),
                        ])
                    }
                }
                if lifecycle == .suspended {
                    // Taken out of use some months ago (its due dates then wait for its return, issue #18 item 4).
                    let day = today.adding(days: -Int.random(in: 30...400, using: &rng))
                    statusRows.append([
                        SQLBind(instrumentID), SQLBind(county), SQLBind(LifecycleStatus.inService.rawValue), SQLBind(LifecycleStatus.suspended.rawValue),
                        SQLBind(max(day, installed).description), SQLBind("demo"), SQLBind("停用"),
                    ])
                }
                let eval = ComplianceEngine.evaluate(
                    .init(lifecycle: lifecycle, form: ruleForm, mode: entry?.mode, inServiceDate: installed, records: facts))
                let code = InstrumentCode.issue(region: RegionCode(county)!, using: &rng)
                // In the order the random values were always drawn (a seed gives the same province).
                let stored = StoredInstrument(
                    code: code.value, subNo: kind.subNo, name: kind.name,
                    model: rng.pick(["ACS-15", "LXS-20E", "G2.5", "DDZY71", "TCS-30", "JYB-H", "HEM-7124"]),
                    serialNo: String(format: "%@%08d", rng.pick(["A", "B", "C", "FJ", "X"]), instrumentID),
                    manufacturer: rng.pick(["宁波水表", "威胜集团", "成都秦川", "上海大华", "正星科技", "欧姆龙"]),
                    typeApprovalNo: "CPA\(2015 + instrumentID % 9)-F\(instrumentID % 997)", accuracyClass: rng.pick(["2级", "Ⅲ", "1级", "0.5"]),
                    measuringRange: nil, purpose: kind.purpose.rawValue, regionCode: county,
                    address: "\(countyName[county]!)\(rng.pick(words))路\(instrumentID % 300 + 1)号", latitude: nil, longitude: nil,
                    ownerID: owner!, inServiceDate: installed.description, lifecycle: lifecycle.rawValue, meterType: meter.meterType?.rawValue,
                    dn: meter.dn, q3: meter.q3, medium: meter.medium?.rawValue, batch: kind.meter != nil ? "B\(installed.year)\(instrumentID % 40)" : nil,
                    attributes: FamilyAttributes.stored(Self.familyFields(subName: entry?.subName, instrumentID: instrumentID)),
                    complianceBase: eval.base.rawValue, nextDue: eval.nextDue?.dueDate.description, dueKind: eval.nextDue?.kind.rawValue, now: now)
                instrumentRows.append([SQLBind(instrumentID)] + stored.binds)
            }
            try await writing?.value
            let (slice, history, changes) = (instrumentRows, recordRows, statusRows)
            writing = Task {
                // One transaction per slice (one commit, not one per statement), with a page cache
                // big enough for the random inserts into the code index of a large registry.
                try await store.db.writeTransaction { tx in
                    let sql = tx as! any SQLDatabase
                    if !store.isPostgres { _ = try await sql.raw("PRAGMA cache_size = -262144").all() }
                    try await insertRows(sql, "instruments", ["id"] + InstrumentImport.columns, slice)
                    try await insertRows(sql, "verification_records", DemoProvince.recordColumns, history)
                    try await insertRows(sql, "status_changes", ["instrument_id", "region_code", "from_status", "to_status", "changed_on", "changed_by", "reason"], changes)
                }
            }
            summary.instruments += instrumentRows.count
            summary.records += recordRows.count
            summary.rotated += statusRows.count
        }
        try await writing?.value
        if store.isPostgres {
            // Rows were written with explicit ids: move the identity sequences past them.
            for t in ["owners", "institutions", "institution_scopes", "instruments", "verification_records"] {
                _ = try await sql.raw("SELECT setval(pg_get_serial_sequence('\(unsafeRaw: t)', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \(unsafeRaw: t)))").all()
            }
        }
        // The rows went in without the models: count the statistics' events from scratch, in one
        // write transaction (its deletes and rows together, SQLite's lock taken in turn).
        try await store.db.writeTransaction { tx in _ = try await MetricCounts.rebuild(on: tx) }
        return summary
    }

    static let recordColumns = [
        "id", "instrument_id", "region_code", "institution_id", "verified_on", "kind", "result", "certificate_no", "result_notice_no", "valid_until",
        "rule_id", "recorded_by", "recorded_at",
    ]

    func recordValues(
        _ id: Int, _ instrument: Int, _ region: String, _ institution: Int, _ day: CalendarDay, _ kind: VerificationKind, _ pass: Bool, _ until: CalendarDay?,
        _ rule: Int?, _ now: Date
    ) -> [any SQLExpression] {
        [
            SQLBind(id), SQLBind(instrument), SQLBind(region), SQLBind(institution), SQLBind(day.description), SQLBind(kind.rawValue),
            SQLBind(pass ? "pass" : "fail"), SQLBind(pass ? "JD\(day.year)-\(id)" : nil), SQLBind(pass ? nil : "TZ\(day.year)-\(id)"),
            SQLBind(until?.description), SQLBind(rule), SQLBind("demo"), SQLBind(now),
        ]
    }

    /// Batched multi-row INSERT, kept under both databases' bind-parameter limits.
    func insertRows(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any SQLExpression]]) async throws {
        let per = max(1, 30_000 / columns.count)
        for start in stride(from: 0, to: rows.count, by: per) {
            let insert = sql.insert(into: table).columns(columns)
            for r in rows[start..<min(start + per, rows.count)] { insert.values(r) }
            try await insert.run()
        }
    }
}

extension DemoProvince {
    /// A demo instrument's family fields (`FamilyFields`), from its number — no random draw, so a
    /// seed still gives the same province: a dispenser's nozzles and grade, a taximeter's plate.
    static func familyFields(subName: String?, instrumentID: Int) -> [String: String] {
        var out: [String: String] = [:]
        for f in FamilyFields.of(subName: subName ?? "") {
            switch f.key {
            case "nozzle_count": out[f.key] = String(2 + instrumentID % 5)
            case "fuel_grade": out[f.key] = ["92#", "95#", "0#"][instrumentID % 3]
            case "plate_no": out[f.key] = "闽A·T" + String(format: "%04d", instrumentID % 10_000)
            default: break
            }
        }
        return out
    }
}
