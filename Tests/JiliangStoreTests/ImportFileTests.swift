import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import JiliangXLSX
import SQLKit
import Testing
import ZIPFoundation

/// Files as bureaus send them (issue #19, items 2 and 4, and "Bad input"): a workbook and the same
/// roll as a GB18030 CSV import alike; a preview stores nothing and shows what would be stored; a
/// mapping corrects a column; every broken file is refused with a message and stores nothing.
@Suite struct ImportFileTests {
    static let today = CalendarDay("2026-11-26")!
    static let header = ["序号", "器具名称", "型号规格", "出厂编号", "制造单位", "使用单位", "统一社会信用代码", "安装地点", "所属区县", "用途", "启用日期", "最近检定日期", "检定结论", "证书编号"]

    /// The roll's rows: (serial, in service, last verified, result, certificate).
    static let roll: [(String, String, String, String, String)] = [
        ("X-1", "2024-03-01", "2026-05-20", "合格", "JD-X-1"),  // valid until 2027-05-19
        ("X-2", "2024-03-01", "2026-02-10", "不合格", "JD-X-2"),  // failed
        ("X-3", "2024-03-01", "", "", ""),  // never verified here: first verification due
    ]

    static func csv(owner: String) -> String {
        ([header.joined(separator: ",")] + roll.enumerated().map { i, r in
            "\(i + 1),电子秤,ACS-15,\(r.0),上海大华,测试市场,\(owner),鼓楼区某市场\(i + 1)号,鼓楼区,贸易结算,\(r.1),\(r.2),\(r.3),\(r.4)"
        }).joined(separator: "\r\n") + "\r\n"
    }

    /// The same roll as Excel keeps it: a merged title above the header, dates as dates, 序号 as numbers.
    static func xlsx(owner: String) throws -> [UInt8] {
        try XLSXRoll.data(
            sheet: "强检台账", title: "鼓楼区强制检定计量器具台账", header: header,
            rows: roll.enumerated().map { i, r in
                [.number(Double(i + 1)), "电子秤", "ACS-15", .text(r.0), "上海大华", "测试市场", .text(owner), .text("鼓楼区某市场\(i + 1)号"), "鼓楼区", "贸易结算",
                 .date(CalendarDay(r.1)!), r.2.isEmpty ? .empty : .date(CalendarDay(r.2)!), r.3.isEmpty ? .empty : .text(r.3), r.4.isEmpty ? .empty : .text(r.4)]
            })
    }

    /// `workbook` with its sheet's XML broken just after the first `cut`: an element left open.
    static func breaking(_ workbook: [UInt8], at cut: String) throws -> [UInt8] {
        let source = try Archive(data: Data(workbook), accessMode: .read)
        let copy = try Archive(accessMode: .create)
        for entry in source {
            var data = Data()
            _ = try source.extract(entry, skipCRC32: true) { data.append($0) }
            if entry.path.hasPrefix("xl/worksheets/") {
                let xml = String(decoding: data, as: UTF8.self)
                let at = try #require(xml.range(of: cut))
                data = Data((xml[..<at.upperBound] + "><c><v>1</x></row>" + xml[at.upperBound...]).utf8)
            }
            try copy.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, len in
                data.subdata(in: Int(pos)..<Int(pos) + len)
            }
        }
        return Array(try #require(copy.data))
    }

    /// The roll has no 检定机构 column (as in issue #19): the importer names the county's institute.
    func run(_ bytes: [UInt8], mode: InstrumentImport.Mode = .allOrNothing, options: InstrumentImport.Options = .init(), on db: any Database) async throws -> InstrumentImport.Report {
        var rng = SystemRandomNumberGenerator()
        var options = options
        if options.verifiedBy == nil { options.verifiedBy = "测试计量所" }
        if try await InstitutionModel.query(on: db).count() == 0 { _ = try await Fixtures.institution(on: db) }
        return try await InstrumentImport(mode: mode, options: options).run(bytes: bytes, on: db, today: Self.today, generator: &rng)
    }

    func statuses(on db: any Database) async throws -> [String] {
        try await InstrumentModel.query(on: db).sort(\.$serialNo).all().map { "\($0.serialNo) \($0.complianceBase) \($0.nextDue ?? "-")" }
    }

    @Test func aWorkbookAndTheSameRollAsGB18030CSVImportAlike() async throws {
        var results: [[String]] = []
        for format in ["xlsx", "csv"] {
            try await TestDatabase.withStore { store in
                let owner = try await Fixtures.owner(on: store.db)
                let bytes = format == "xlsx" ? try Self.xlsx(owner: owner.creditCode) : try await TextFixtures.gb18030(Self.csv(owner: owner.creditCode))
                let report = try await run(bytes, on: store.db)
                #expect(report.errors.isEmpty && report.inserted == 3, "\(format): \(report.errors)")
                #expect(report.encoding == (format == "xlsx" ? "xlsx" : "gb18030"))
                #expect(report.headerRow == (format == "xlsx" ? 3 : 1))
                if format == "xlsx" { #expect(report.sheet == "强检台账" && report.sheets == ["强检台账"]) }
                let records = try await VerificationRecordModel.query(on: store.db).count()
                #expect(records == 2)
                results.append(try await statuses(on: store.db))
            }
        }
        #expect(results[0] == results[1])
        #expect(results[0].first?.hasPrefix("X-1 active 2027-05-19") == true, "\(results[0])")
    }

    @Test func aPreviewStoresNothingAndShowsTheMappingAndRowsAsTheyWillBeStored() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let bytes = try Self.xlsx(owner: owner.creditCode)
            let preview = try await run(bytes, options: .init(dryRun: true), on: store.db)
            #expect(preview.dryRun == true && !preview.stored && preview.inserted == 0 && preview.wouldInsert == 3)
            let stored = try await InstrumentModel.query(on: store.db).count()
            let owners = try await OwnerModel.query(on: store.db).count()
            #expect(stored == 0 && owners == 1)
            let mapping = try #require(preview.mapping)
            #expect(mapping.first { $0.header == "所属区县" }?.field == "region_code")
            #expect(mapping.first { $0.header == "序号" }?.field == nil)
            let sample = try #require(preview.sample)
            #expect(sample.count == 3)
            #expect(sample[0].row == 4 && sample[0].subNo == 2 && sample[0].status == "valid" && sample[0].nextDue == "2027-05-19", "\(sample[0])")
            #expect(sample[0].lastVerification == "2026-05-20 pass JD-X-1")
            #expect(sample[1].status == "failed")
            // The real import then stores what the preview showed.
            let real = try await run(bytes, on: store.db)
            #expect(real.inserted == 3 && real.dryRun == nil)
        }
    }

    @Test func aMappingCorrectsAColumnAndBadMappingsAreNamed() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let csv = Self.csv(owner: owner.creditCode).replacingOccurrences(of: "所属区县", with: "辖区").replacingOccurrences(of: "型号规格", with: "备注")
            let refused = await #expect(throws: InstrumentImport.FileError.self) { try await run(Array(csv.utf8), on: store.db) }
            let lacksRegion = ImportRefusal.headerRowIncomplete(row: 1, .noColumnFor(field: "region_code", accepted: RawInstrument.acceptedHeaders(of: "region_code")))
            #expect(refused?.reason == lacksRegion)
            // A preview of the same file is no refusal: it shows the columns so that 辖区 can be mapped.
            let shown = try await run(Array(csv.utf8), options: .init(dryRun: true), on: store.db)
            #expect(shown.dryRun == true && shown.headerRow == 1 && shown.errors.first?.reason == .importing(lacksRegion))
            #expect(shown.mapping?.first { $0.header == "辖区" }?.field == nil && shown.mapping?.first { $0.header == "出厂编号" }?.field == "serial_no")
            let r = try await run(Array(csv.utf8), options: .init(mapping: ["辖区": "region_code", "证书编号": ""]), on: store.db)
            #expect(r.inserted == 3 && r.errors.isEmpty)
            #expect(r.mapping?.first { $0.header == "辖区" } == .init(header: "辖区", field: "region_code", mapped: true))
            #expect(r.ignoredColumns.contains("证书编号") && r.ignoredColumns.contains("备注"))
            let unknown = await #expect(throws: InstrumentImport.FileError.self) {
                try await run(Array(csv.utf8), options: .init(mapping: ["辖区": "county"]), on: store.db)
            }
            #expect(unknown?.reason == .headerRowIncomplete(row: 1, .mappedToUnknownField(header: "辖区", field: "county")))
            let twice = await #expect(throws: InstrumentImport.FileError.self) {
                try await run(Array(csv.utf8), options: .init(mapping: ["辖区": "region_code", "备注": "region_code"]), on: store.db)
            }
            #expect(twice?.reason == .headerRowIncomplete(row: 1, .columnsGiveOneField(first: "备注", second: "辖区", field: "region_code", mappable: true)))
        }
    }

    /// Every file problem named, nothing stored (issue #19, "Bad input").
    @Test func brokenFilesAreRefusedOrTheirRowsNamedAndNothingIsHalfWritten() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let good = Self.csv(owner: owner.creditCode)
            let lines = good.components(separatedBy: "\r\n")

            // Title rows and blank lines above the header, a blank row and a row of empty cells below.
            let titled = "鼓楼区强检器具台账,,,\r\n\r\n" + lines[0] + "\r\n" + lines[1] + "\r\n\r\n" + String(repeating: ",", count: 13) + "\r\n" + lines[2] + "\r\n"
            let t = try await run(Array(titled.utf8), mode: .validRowsOnly, options: .init(dryRun: true), on: store.db)
            #expect(t.headerRow == 3 && t.rows == 2 && t.errors.isEmpty && t.wouldInsert == 2)

            // A second header row (two exports joined) and a 10 MB cell: row errors naming row and column.
            let huge = String(repeating: "某", count: 10 << 20 / 3)
            let bad = [lines[0], lines[1], lines[0], lines[2].replacingOccurrences(of: "测试市场", with: huge), lines[3], ""].joined(separator: "\r\n")
            let b = try await run(Array(bad.utf8), mode: .allOrNothing, on: store.db)
            #expect(!b.stored && b.errors.count == 2)
            #expect(b.errors[0].row == 3 && b.errors[0].reason == .importing(.repeatsHeader))
            #expect(b.errors[1].row == 4 && b.errors[1].column == "使用单位" && b.errors[1].reason == .importing(.cellTooLong(characters: huge.count, max: 32767)))

            // More rows than the limit: refused whole, the limit stated.
            let many = await #expect(throws: InstrumentImport.FileError.self) {
                try await run(Array(good.utf8), mode: .validRowsOnly, options: .init(maxRows: 2), on: store.db)
            }
            #expect(many?.reason == .tooManyRows(max: 2))

            // A column twice, no header at all, a legacy workbook, a zip that is no workbook.
            let doubled = good.replacingOccurrences(of: "型号规格", with: "出厂编号")
            let d = await #expect(throws: InstrumentImport.FileError.self) { try await run(Array(doubled.utf8), on: store.db) }
            #expect(d?.reason == .headerRowIncomplete(row: 1, .columnsGiveOneField(first: "出厂编号", second: "出厂编号", field: "serial_no", mappable: true)))
            let noHeader = await #expect(throws: InstrumentImport.FileError.self) { try await run(Array("a,b\n1,2\n".utf8), on: store.db) }
            #expect(noHeader?.reason == .noHeaderRow(searched: 20))
            let xls = await #expect(throws: InstrumentImport.FileError.self) {
                try await run([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 512), on: store.db)
            }
            #expect(xls?.reason == .legacyExcelWorkbook)
            // A workbook whose sheet breaks part-way (read as a stream while the first rows are
            // written), and one broken among its title rows: refused with the break, nothing stored.
            for cut in ["</row><row r=\"5\"", "<row r=\"3\""] {
                let broken = try Self.breaking(try Self.xlsx(owner: owner.creditCode), at: cut)
                let e = await #expect(throws: InstrumentImport.FileError.self) { try await run(broken, mode: .validRowsOnly, on: store.db) }
                guard case .xmlMalformed = e?.reason else {
                    Issue.record("a sheet broken at \(cut) is refused with its break, not \(String(describing: e?.reason))")
                    continue
                }
            }
            let after = try await InstrumentModel.query(on: store.db).count()
            #expect(after == 0)
            // The header check before queueing sees the same.
            #expect(throws: InstrumentImport.FileError.self) { try InstrumentImport.checkHeader(of: Array(doubled.utf8)) }
            try InstrumentImport.checkHeader(of: try Self.xlsx(owner: owner.creditCode))
        }
    }

}
