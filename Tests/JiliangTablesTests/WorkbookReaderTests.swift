import CXLSXWriter
import Foundation
import JiliangCore
@testable import JiliangTables
import JiliangXLSX
import Testing
import ZIPFoundation

/// Workbooks written by a real XLSX writer (Debian's libxlsxwriter), read back as a bureau's clerk
/// sees them in Excel (issue #19, item 4).
@Suite struct WorkbookReaderTests {
    /// A workbook built with libxlsxwriter's own calls, for what `XLSXRoll` does not write
    /// (formulas, odd formats, several sheets).
    func workbook(_ build: (OpaquePointer) -> Void) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wb = try #require(workbook_new(path))
        build(OpaquePointer(wb))
        #expect(workbook_close(wb) == LXW_NO_ERROR)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func aBureauRollWithATitleRowDatesNumbersAndText() throws {
        let bytes = try XLSXRoll.data(
            sheet: "台账", title: "鼓楼区强检计量器具台账（2025年）", header: ["序号", "器具名称", "出厂编号", "口径", "启用日期", "最近检定日期"],
            rows: [
                [.number(1), "电子秤", .number(123_456_789_012), .number(20), .date(CalendarDay("2024-03-01")!), .date(CalendarDay("2025-01-01")!)],
                [.number(2), "燃油加油机", "000123", .number(2.3), .empty, "2025/6/1"],
            ])
        let file = try TableFile.open(bytes)
        #expect(file.format == .xlsx)
        #expect(file.sheet == "台账")
        var rows = file.rows
        var all: [CSVReader.Row] = []
        while let r = rows.next() { all.append(r) }
        // The merged title is row 1 (its first cell only); row 2 is blank and absent; the header is row 3.
        #expect(all.map(\.line) == [1, 3, 4, 5])
        #expect(all[0].fields == ["鼓楼区强检计量器具台账（2025年）"])
        #expect(all[1].fields == ["序号", "器具名称", "出厂编号", "口径", "启用日期", "最近检定日期"])
        // Numbers without ".0" or an exponent; text that looks like a number keeps its zeros;
        // date-formatted cells as days; a missing cell in the middle as an empty field.
        #expect(all[2].fields == ["1", "电子秤", "123456789012", "20", "2024-03-01", "2025-01-01"])
        #expect(all[3].fields == ["2", "燃油加油机", "000123", "2.3", "", "2025/6/1"])
    }

    @Test func formulasAreReadAsTheirCachedValuesAndANamedSheetIsChosen() throws {
        let bytes = try workbook { wbp in
            let wb = UnsafeMutablePointer<lxw_workbook>(wbp)
            let first = workbook_add_worksheet(wb, "说明")
            worksheet_write_string(first, 0, 0, "本表说明", nil)
            let sheet = workbook_add_worksheet(wb, "器具")
            let cn = workbook_add_format(wb)
            format_set_num_format(cn, "yyyy\"年\"m\"月\"d\"日\"")
            worksheet_write_string(sheet, 0, 0, "数量", nil)
            worksheet_write_string(sheet, 0, 1, "日期", nil)
            worksheet_write_string(sheet, 0, 2, "公式文本", nil)
            worksheet_write_formula_num(sheet, 1, 0, "=1+2", nil, 3)
            worksheet_write_number(sheet, 1, 1, 45_658, cn)  // 2025-01-01 in the 1900 date system
            worksheet_write_formula_str(sheet, 1, 2, "=\"合\"&\"格\"", nil, "合格")
            worksheet_write_boolean(sheet, 1, 3, 1, nil)
        }
        let first = try WorkbookReader.read(bytes)
        #expect(first.name == "说明" && first.sheetNames == ["说明", "器具"])
        let s = try WorkbookReader.read(bytes, sheet: "器具")
        #expect(s.rows.map(\.fields) == [["数量", "日期", "公式文本"], ["3", "2025-01-01", "合格", "TRUE"]])
        let missing = #expect(throws: WorkbookReader.Failure.self) { try WorkbookReader.read(bytes, sheet: "Sheet9") }
        #expect(missing?.reason == .noSheetNamed("Sheet9", sheets: ["说明", "器具"]))
    }

    /// Excel's serial days, with its 1900 leap-year bug and the 1904 system (ECMA-376 Part 1 §18.17.4.1).
    @Test(arguments: [
        (1.0, false, "1900-01-01"), (59.0, false, "1900-02-28"), (61.0, false, "1900-03-01"), (45_658.0, false, "2025-01-01"),
        (45_658.75, false, "2025-01-01"), (0.0, true, "1904-01-01"), (44_196.0, true, "2025-01-01"),
    ])
    func serialDays(serial: Double, date1904: Bool, day: String) {
        #expect(NumberFormat.day(serial: serial, date1904: date1904)?.description == day)
    }

    @Test func theDayThatNeverWasAndNonsenseAreNoDays() {
        #expect(NumberFormat.day(serial: 60, date1904: false) == nil)
        #expect(NumberFormat.day(serial: -3, date1904: false) == nil)
        #expect(NumberFormat.day(serial: .nan, date1904: false) == nil)
    }

    @Test(arguments: [
        (14, nil as String?, true), (22, nil, true), (31, nil, true), (57, nil, true), (0, nil, false), (49, nil, false), (10, nil, false),
        (164, "yyyy/m/d", true), (165, "[$-804]yyyy\"年\"m\"月\"d\"日\";@", true), (166, "0.00_ ;[Red]\\-0.00\\ ", false),
        (167, "\"day\"0", false), (168, "h:mm", false), (169, "General", false),
    ])
    func dateFormats(id: Int, code: String?, isDate: Bool) {
        #expect(NumberFormat.isDate(id: id, code: code) == isDate)
    }

    @Test func aZipBombIsRefusedBeforeItFillsMemory() throws {
        // 64 MB of one byte deflates to about 64 KB: a ratio of about 1,000, where real sheets are 5–30.
        let archive = try Archive(accessMode: .create)
        try archive.addEntry(with: "[Content_Types].xml", type: .file, uncompressedSize: Int64(3), provider: { _, _ in Data("<a/>".utf8.prefix(3)) })
        let size = 64 << 20
        try archive.addEntry(with: "xl/workbook.xml", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate, provider: { pos, len in
            Data(repeating: 0x20, count: min(len, size - Int(pos)))
        })
        let bytes = Array(try #require(archive.data))
        let e = #expect(throws: TableFile.Failure.self) { try TableFile.open(bytes) }
        #expect(e?.reason == .possibleZipBomb(path: "xl/workbook.xml", maxMB: WorkbookReader.Limits().maxPartBytes >> 20, maxRatio: 200))
        // Under a lower size limit the refusal names the limit.
        let small = #expect(throws: TableFile.Failure.self) { try TableFile.open(bytes, limits: .init(maxPartBytes: 1 << 20, maxRatio: 10_000)) }
        #expect(small?.reason == .possibleZipBomb(path: "xl/workbook.xml", maxMB: 1, maxRatio: 10_000))
    }

    @Test(arguments: [
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0] as [UInt8], ImportRefusal.legacyExcelWorkbook),
        (Array("<html><body><table><tr><td>器具名称</td></tr></table>".utf8), .webPage),
        (Array("%PDF-1.7\n".utf8), .pdf),
        ([0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4] + Array("readme.txt".utf8), .zipNotWorkbook),
    ])
    func filesThatAreNotTablesSayWhatToDo(bytes: [UInt8], says: ImportRefusal) {
        let e = #expect(throws: TableFile.Failure.self) { try TableFile.open(bytes) }
        #expect(e?.reason == says, "\(e?.description ?? "")")
    }

    @Test func aWorkbookUnderACSVNameIsReadAsAWorkbookAndDamageIsNamed() throws {
        let bytes = try XLSXRoll.data(header: ["器具名称"], rows: [["电子秤"]])
        #expect(try TableFile.open(bytes).format == .xlsx)  // the bytes decide, not the name
        var cut = bytes
        cut.removeLast(bytes.count / 2)
        let e = #expect(throws: TableFile.Failure.self) { try TableFile.open(cut) }
        switch e?.reason {
        case .damagedZip?, .unreadableWorkbook?, .workbookPartMissing?: break
        default: Issue.record("\(e?.description ?? "no failure")")
        }
    }

    @Test func csvStillReadsInBothEncodings() throws {
        var rows = try TableFile.open(Array("器具名称,出厂编号\n电子秤,1\n".utf8)).rows
        #expect(rows.next()?.fields == ["器具名称", "出厂编号"])
        #expect(rows.next()?.line == 2)
    }
}

/// Hostile workbooks (review of issue #19's reader): a cell reference past Excel's last column, a
/// cell far to the right, a document type declaration. Each is refused or read, never a crash.
@Suite struct HostileWorkbookTests {
    /// A minimal package around a sheet part written by hand.
    static func workbook(sheet: String) throws -> [UInt8] {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, len in
                data.subdata(in: Int(pos)..<Int(pos) + len)
            }
        }
        try add("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        try add("_rels/.rels", #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)
        try add("xl/workbook.xml", #"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
        try add("xl/_rels/workbook.xml.rels", #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)
        try add("xl/worksheets/sheet1.xml", sheet)
        return Array(try #require(archive.data))
    }

    static func sheet(_ rows: String) -> String {
        #"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"# + rows + "</sheetData></worksheet>"
    }

    @Test func aReferencePastTheLastColumnIsNoCrash() throws {
        let bytes = try Self.workbook(sheet: Self.sheet(#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="ZZZZZZZZZZZZZZZZ1"><v>1</v></c></row>"#))
        let s = try WorkbookReader.read(bytes)
        #expect(s.rows.first?.fields == ["a", "1"])  // the bad reference reads as the next column
    }

    @Test func aCellFarToTheRightIsRefusedWithItsRow() throws {
        let bytes = try Self.workbook(sheet: Self.sheet(#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="XFD2"><v>1</v></c></row>"#))
        let e = #expect(throws: WorkbookReader.Failure.self) { try WorkbookReader.read(bytes) }
        #expect(e?.reason == .tooManyColumns(row: 2, column: 16_384, max: 1000))
    }

    /// A streamed sheet (the import's way, issue #19's speed) reads the rows a whole read does, stops
    /// at `maxRows`, and a sheet broken part-way hands out rows until the reader meets the break, then
    /// stops and names it, as a broken CSV does (the import then stores nothing).
    @Test func aStreamedSheetReadsAsAWholeOneAndNamesABreakPartWay() throws {
        let rows = (1...5).map { #"<row r="\#($0)"><c r="A\#($0)" t="inlineStr"><is><t>r\#($0)</t></is></c><c r="C\#($0)"><v>\#($0)</v></c></row>"# }.joined()
        let good = try Self.workbook(sheet: Self.sheet(rows))
        func all(_ file: TableFile) -> [CSVReader.Row] {
            var r = file.rows
            return Array(sequence(state: ()) { _ in r.next() })
        }
        let whole = all(try TableFile.open(good))
        var streamed = try TableFile.open(good, streaming: true).rows
        var read: [CSVReader.Row] = []
        while let row = streamed.next() {
            read.append(row)
            #expect(streamed.offset > 0 && streamed.offset <= streamed.total)
        }
        #expect(whole.count == 5 && read.map(\.fields) == whole.map(\.fields) && read.map(\.line) == whole.map(\.line) && streamed.problem == nil)
        #expect(all(try TableFile.open(good, maxRows: 2, streaming: true)).count == 2)

        let broken = try Self.workbook(sheet: Self.sheet(rows + #"<row r="6"><c r="A6"><v>6</v></row>"#))
        #expect(throws: WorkbookReader.Failure.self) { try WorkbookReader.read(broken) }
        var partWay = try TableFile.open(broken, streaming: true).rows
        var before = 0
        while partWay.next() != nil { before += 1 }
        // libxml2 parses ahead of the rows it hands out, so the break may end them a row or two early.
        #expect((1...5).contains(before))
        guard case .xmlMalformed = partWay.problem else {
            Issue.record("expected the break to be named, got \(String(describing: partWay.problem))")
            return
        }
        let wide = try Self.workbook(sheet: Self.sheet(rows + #"<row r="6"><c r="XFD6"><v>1</v></c></row>"#))
        var tooWide = try TableFile.open(wide, streaming: true).rows
        while tooWide.next() != nil {}
        #expect(tooWide.problem == .tooManyColumns(row: 6, column: 16_384, max: 1000))
    }

    @Test func aDocumentTypeIsRefused() throws {
        let bytes = try Self.workbook(sheet: #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>"#)
        let e = #expect(throws: WorkbookReader.Failure.self) { try WorkbookReader.read(bytes) }
        #expect(e?.reason == .xmlDocumentType)
    }
}
