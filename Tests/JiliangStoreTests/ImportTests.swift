import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import SQLKit
import JiliangTestSupport
import Testing

@Suite struct ImportTests {
    static let today = CalendarDay("2026-11-26")!

    /// A file as a Chinese bureau's Excel template writes it.
    static func chineseCSV(owner: CreditCode, rows: [String]) -> String {
        "种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,启用日期,口径(DN),备注\n"
            + rows.map { $0.replacingOccurrences(of: "OWNER", with: owner.value) }.joined(separator: "\n") + "\n"
    }

    func run(_ text: String, mode: InstrumentImport.Mode, encoding: String.Encoding = .utf8, on db: any Database) async throws -> InstrumentImport.Report {
        var rng = SystemRandomNumberGenerator()
        let bytes: [UInt8] = encoding == .utf8 ? Array(text.utf8) : try await TextFixtures.gb18030(text)
        return try await InstrumentImport(mode: mode).run(bytes: bytes, on: db, today: Self.today, generator: &rng)
    }


    @Test(arguments: [String.Encoding.utf8, .init(rawValue: 0x8000_0632)])
    func importsChineseHeadersInUTF8AndGB18030(encoding: String.Encoding) async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let code = try CreditCode(validating: owner.creditCode)
            let csv = Self.chineseCSV(owner: code, rows: [
                "2,电子计价秤,SN-001,贸易结算,350102,鼓楼区农贸市场A1,OWNER,2024-03-01,,左侧第一摊",
                "14,冷水水表,WM-001,贸易结算,350102,\"鼓楼区某小区1栋,101\",OWNER,2024/3/1,15,",
            ])
            let report = try await run(csv, mode: .allOrNothing, encoding: encoding, on: store.db)
            #expect(report.errors.isEmpty)
            #expect(report.encoding == (encoding == .utf8 ? "utf8" : "gb18030"))
            #expect(report.inserted == 2 && report.stored)
            #expect(report.ignoredColumns == ["备注"])
            let meter = try await InstrumentModel.query(on: store.db).filter(\.$serialNo == "WM-001").first()
            #expect(meter?.dn == 15 && meter?.address == "鼓楼区某小区1栋,101" && meter?.inServiceDate == "2024-03-01")
        }
    }

    /// A spreadsheet's padding is no part of a cell: a region code or a date with spaces around it
    /// is read as the value, not refused as longer than a code or a date can be.
    @Test func paddedCellsImportAsTheirValues() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let csv = Self.chineseCSV(owner: try CreditCode(validating: owner.creditCode), rows: [
                " 2 ,电子计价秤, SN-PAD ,贸易结算, 350102 ,鼓楼区农贸市场A1, OWNER ,\t2024-03-01  ,,",
            ])
            let report = try await run(csv, mode: .allOrNothing, on: store.db)
            #expect(report.errors.isEmpty, "\(report.errors)")
            let m = try #require(try await InstrumentModel.query(on: store.db).filter(\.$serialNo == "SN-PAD").first())
            #expect(m.regionCode == "350102" && m.inServiceDate == "2024-03-01" && m.subNo == 2)
        }
    }

    /// A county bureau's roll as it is (issue #19, items 1 and 2): no sub-item column — the names
    /// resolve through the shipped name table — and the county by name. An unknown name is a row
    /// error naming the closest names; the other rows are stored.
    @Test func importsABureauRollWithoutSubItemsOrCodes() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let csv = """
                序号,器具名称,型号规格,出厂编号,制造单位,使用单位,统一社会信用代码,安装地点,所属区县,用途,启用日期
                1,电子秤,ACS-15,R-001,上海大华,测试市场,\(owner.creditCode),鼓楼区某市场1号,鼓楼区,贸易结算,2024-03-01
                2,燃油加油机,CS46,R-002,正星科技,测试市场,\(owner.creditCode),福州市鼓楼区某路,福州市鼓楼区,贸易结算,2024-03-01
                3,电子称,ACS-30,R-003,上海大华,测试市场,\(owner.creditCode),鼓楼区某市场2号,鼓楼区,贸易结算,2024-03-01
                4,智能水表,LXS-20,R-004,宁波水表,测试市场,\(owner.creditCode),鼓楼区某小区,350102,贸易结算,2024-03-01

                """
            let report = try await run(csv, mode: .validRowsOnly, encoding: .init(rawValue: 0x8000_0632), on: store.db)
            #expect(report.inserted == 3 && report.errors.count == 1, "\(report.errors)")
            #expect(report.errors.first?.row == 4 && report.errors.first?.column == "器具名称")
            let closest: [DraftRefusal.NamedSubItem] =
                if case .draft(.unknownInstrumentName("电子称", let near))? = report.errors.first?.reason { near } else { [] }
            #expect(closest.contains { $0.name == "电子秤" }, "\(report.errors)")
            let subs = try await InstrumentModel.query(on: store.db).sort(\.$serialNo).all().map { "\($0.serialNo) \($0.subNo) \($0.regionCode)" }
            #expect(subs == ["R-001 2 350102", "R-002 10 350102", "R-004 14 350102"])
        }
    }

    /// The same unknown name on many rows is one summary line with its row count (issue #19, item 1).
    @Test func theSameProblemOnManyRowsIsOneSummaryLine() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            var csv = "器具名称,出厂编号,统一社会信用代码,安装地点,所属区县,用途,启用日期\n"
            for i in 0..<300 { csv += "电子称,T-\(i),\(owner.creditCode),某市场,鼓楼区,贸易结算,2024-03-01\n" }
            csv += "电子秤,T-OK,\(owner.creditCode),某市场,鼓楼区,贸易结算,2024-03-01\n"
            csv += "燃油加油机,T-BAD,\(owner.creditCode),某加油站,鼓楼区,贸易结算,2024-13-01\n"
            let report = try await run(csv, mode: .validRowsOnly, on: store.db)
            #expect(report.errors.count == 301 && report.inserted == 1)
            let summary = try #require(report.summary)
            #expect(summary.count == 2 && summary[0].rows == 300 && summary[0].column == "器具名称" && summary[0].firstRows == [2, 3, 4, 5, 6])
            #expect(summary[1].rows == 1 && summary[1].column == "启用日期")
        }
    }

    /// The roll's last verification comes along (issue #19, item 3): it becomes the instrument's
    /// record, with the file's SHA-256 and row as provenance, and the status follows from it. Bad
    /// dates, unknown results, unknown institutions and reused certificates are row errors; importing
    /// the same file twice adds neither instruments nor records.
    @Test func theLastVerificationComesAlong() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            _ = try await Fixtures.institution(on: db)  // 测试计量所
            let head = "器具名称,出厂编号,使用单位,统一社会信用代码,安装地点,所属区县,用途,启用日期,最近检定日期,检定结论,证书编号,检定机构"
            func row(_ serial: String, _ date: String, _ result: String, _ cert: String, _ lab: String = "测试计量所") -> String {
                "电子秤,\(serial),测试市场,\(owner.creditCode),鼓楼区某市场,鼓楼区,贸易结算,2024-03-01,\(date),\(result),\(cert),\(lab)"
            }
            let csv = [
                head,
                row("H-1", "2026-05-20", "合格", "JD-2026-001"),  // line 2: valid until 2027-05-19
                row("H-2", "2026-02-10", "不合格", "JD-2026-002"),  // line 3: failed
                row("H-3", "2025/13/01", "合格", "JD-2026-003"),  // line 4: no such date
                row("H-4", "2026-05-20", "待定", "JD-2026-004"),  // line 5: neither pass nor fail
                row("H-5", "2026-05-20", "合格", "JD-2026-001"),  // line 6: a certificate already on row 2
                row("H-6", "2026-05-20", "合格", "JD-2026-006", "不存在所"),  // line 7: an unknown institution
                row("H-7", "", "", "", ""),  // line 8: no history: filed, first verification due
                "",
            ].joined(separator: "\n")
            let first = try await run(csv, mode: .validRowsOnly, on: db)
            #expect(first.inserted == 3, "\(first.errors)")
            #expect(first.errors.map { "\($0.row) \($0.column)" } == ["4 最近检定日期", "5 检定结论", "6 证书编号", "7 检定机构"])
            let byCode = Dictionary(uniqueKeysWithValues: try await InstrumentModel.query(on: db).all().map { ($0.serialNo, $0) })
            #expect(byCode["H-1"]?.complianceBase == "active" && byCode["H-1"]?.nextDue == "2027-05-19" && byCode["H-1"]?.dueKind == "verification")
            #expect(byCode["H-2"]?.complianceBase == "failed")
            #expect(byCode["H-7"]?.dueKind == "first_verification")
            let records = try await VerificationRecordModel.query(on: db).all()
            #expect(records.count == 2 && records.allSatisfy { $0.recordedBy == "import" })
            let source = try await (db as! any SQLDatabase).raw("SELECT import_source FROM verification_records WHERE certificate_no = 'JD-2026-001'").first()?
                .decode(column: "import_source", as: String.self)
            #expect(source?.hasPrefix("sha256:") == true && source?.hasSuffix(" row 2") == true)
            // The same file again: nothing new.
            let again = try await run(csv, mode: .validRowsOnly, on: db)
            #expect(again.inserted == 0 && again.alreadyPresent == 3)
            #expect(try await VerificationRecordModel.query(on: db).count() == 2)
        }
    }

    @Test func allOrNothingStoresNothingAndNamesRowAndColumn() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let csv = Self.chineseCSV(owner: try CreditCode(validating: owner.creditCode), rows: [
                "2,电子计价秤,SN-001,贸易结算,350102,A1,OWNER,2024-03-01,,",
                "2,电子计价秤,SN-002,贸易结算,359999,A2,OWNER,2024-02-30,,",
                "77,电子计价秤,SN-003,赠送,350102,A3,91350100M000100Y4X,2024-03-01,,",
                "2,电子计价秤,SN-001,贸易结算,350102,A1,OWNER,2024-03-01,,",
            ])
            let report = try await run(csv, mode: .allOrNothing, on: store.db)
            #expect(!report.stored && report.inserted == 0)
            #expect(try await InstrumentModel.query(on: store.db).count() == 0)
            let found = Set(report.errors.map { "\($0.row):\($0.column)" })
            #expect(found == ["3:行政区划代码", "3:启用日期", "4:种别序号", "4:用途", "4:统一社会信用代码", "5:出厂编号"])
            #expect(report.errors.first { $0.row == 4 && $0.column == "种别序号" }?.reason == .draft(.noSuchSubItem(77)))
        }
    }

    /// A report keeps its reasons as facts; one stored by an earlier version, with words under
    /// `message`, reads back with those words as `.recorded` (issue #20).
    @Test func reportsKeepReasonsAndOldReportsStillRead() throws {
        let line = InstrumentImport.Report.SummaryLine(column: "器具名称", reason: .importing(.repeatsHeader), rows: 2, firstRows: [3, 9])
        let error = InstrumentImport.RowError(row: 3, column: "", .repeatsHeader)
        let again = try JSONDecoder().decode(InstrumentImport.RowError.self, from: try JSONEncoder().encode(error))
        #expect(again == error)
        #expect(try JSONDecoder().decode(InstrumentImport.Report.SummaryLine.self, from: try JSONEncoder().encode(line)) == line)
        let old = #"""
            {"encoding":"utf8","rows":2,"valid":1,"inserted":1,"alreadyPresent":0,"ownersCreated":0,"ignoredColumns":[],"stored":true,
             "errors":[{"row":3,"column":"启用日期","message":"must be a date written YYYY-MM-DD, got '2024-13-01'"}],
             "summary":[{"column":"启用日期","message":"must be a date written YYYY-MM-DD, got '2024-13-01'","rows":1,"firstRows":[3]}]}
            """#
        let report = try JSONDecoder().decode(InstrumentImport.Report.self, from: Data(old.utf8))
        #expect(report.errors == [.init(row: 3, column: "启用日期", reason: .recorded("must be a date written YYYY-MM-DD, got '2024-13-01'"))])
        #expect(report.summary?.first?.reason == .recorded("must be a date written YYYY-MM-DD, got '2024-13-01'") && report.summary?.first?.firstRows == [3])
    }

    @Test func validRowsOnlyStoresTheGoodRowsAndReimportIsANoOp() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let csv = Self.chineseCSV(owner: try CreditCode(validating: owner.creditCode), rows: [
                "2,电子计价秤,SN-001,贸易结算,350102,A1,OWNER,2024-03-01,,",
                "2,电子计价秤,SN-002,贸易结算,350102,A2,OWNER,not a date,,",
                "10,燃油加油机,FD-001,贸易结算,350102,一号岛,OWNER,2023-05-01,,",
            ])
            let first = try await run(csv, mode: .validRowsOnly, on: store.db)
            #expect(first.stored && first.inserted == 2 && first.errors.count == 1 && first.errors[0].row == 3)
            let second = try await run(csv, mode: .validRowsOnly, on: store.db)
            #expect(second.inserted == 0 && second.alreadyPresent == 2)
            #expect(try await InstrumentModel.query(on: store.db).count() == 2)
        }
    }

    @Test func refusesCodesThatAreRepeatedOrTaken() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let taken = try await Fixtures.instrument(serial: "OLD", owner: owner, on: store.db)
            var rng = SystemRandomNumberGenerator()
            let fresh = InstrumentCode.issue(region: Fixtures.county, using: &rng)
            let csv = "code,sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,in_service_date\n"
                + "\(fresh.grouped),2,秤,N1,trade_settlement,350102,A,\(owner.creditCode),2025-01-01\n"
                + "\(fresh.value),2,秤,N2,trade_settlement,350102,A,\(owner.creditCode),2025-01-01\n"
                + "\(taken.code),2,秤,N3,trade_settlement,350102,A,\(owner.creditCode),2025-01-01\n"
                + ",2,秤,OLD,trade_settlement,350102,A,\(owner.creditCode),2024-01-10\n"
            let report = try await run(csv, mode: .validRowsOnly, on: store.db)
            #expect(report.errors.map { "\($0.row):\($0.column)" } == ["3:code", "4:code"])
            #expect(report.inserted == 1 && report.alreadyPresent == 1)
            #expect(try await InstrumentModel.query(on: store.db).count() == 2)
        }
    }

    @Test func createsMissingOwnersWhenNamedAndRefusesUnusableFiles() async throws {
        try await TestDatabase.withStore { store in
            let code = Fixtures.creditCode(555)
            let csv = "sub_no,name,serial_no,purpose,region_code,address,owner_credit_code,owner_name,in_service_date\n"
                + "2,Price scale,X1,trade_settlement,350102,Stall 9,\(code),新开超市,2025-01-01\n"
            let report = try await run(csv, mode: .allOrNothing, on: store.db)
            #expect(report.ownersCreated == 1 && report.inserted == 1)
            #expect(try await OwnerModel.query(on: store.db).filter(\.$creditCode == code.value).first()?.name == "新开超市")
            await #expect(throws: InstrumentImport.FileError.self) { try await run("", mode: .allOrNothing, on: store.db) }
            await #expect(throws: InstrumentImport.FileError.self) { try await run("name,serial_no\nA,1\n", mode: .allOrNothing, on: store.db) }
            await #expect(throws: InstrumentImport.FileError.self) {
                try await run("sub_no,name,serial_no,purpose,region_code,address,owner_credit_code\n2,\"oops,1,2,3,4,5\n", mode: .allOrNothing, on: store.db)
            }
        }
    }

    /// A code the import issues that is already taken — by another instrument, or by another row of
    /// the same file (codes are 60 random bits, so only a generator that repeats itself makes this
    /// happen): the import fails whole, naming the code, instead of losing the row, counting it as
    /// inserted, or filing its record under the other instrument. `files`: the serial numbers of
    /// each file imported in turn; all but the last go in.
    @Test(arguments: [[["SN-1"], ["SN-2"]], [["SN-1", "SN-2"]]])
    func anIssuedCodeThatIsTakenFailsTheImportWhole(files: [[String]]) async throws {
        struct Repeating: RandomNumberGenerator { mutating func next() -> UInt64 { 0x1234_5678_9ABC_DEF0 } }
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let code = try CreditCode(validating: owner.creditCode)
            var rng = Repeating()
            func importing(_ serials: [String]) async throws -> InstrumentImport.Report {
                try await Audit.$actor.withValue(.system("tests")) {
                    try await InstrumentImport(mode: .allOrNothing).run(
                        bytes: Array(Self.chineseCSV(owner: code, rows: serials.map { "2,电子计价秤,\($0),贸易结算,350102,鼓楼区农贸市场A1,OWNER,2024-03-01,," }).utf8),
                        on: store.db, today: Self.today, generator: &rng)
                }
            }
            for file in files.dropLast() { #expect(try await importing(file).inserted == file.count) }
            let stored = try await InstrumentModel.query(on: store.db).all()
            let e = await #expect(throws: (any Error).self) { try await importing(files.last!) }
            // On both databases: the insert passes over the row and the import names its code.
            guard case .conflict(_, .importing(.instrumentCodeTaken(let named)))? = e as? RegistryError else {
                Issue.record("expected a conflict naming the code, got \(String(describing: e))")
                return
            }
            if let first = stored.first { #expect(named == first.code) }
            #expect(try await InstrumentModel.query(on: store.db).count() == stored.count)
        }
    }
}
