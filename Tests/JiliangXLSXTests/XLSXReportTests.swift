import Foundation
import JiliangStore
import JiliangCore
@testable import JiliangXLSX
import Testing

/// The workbook is a real XLSX: Python's zipfile opens it and its parts hold the sheets, the
/// Chinese strings and the numbers as numbers.
@Suite struct XLSXReportTests {
    func part(_ name: String, of xlsx: [UInt8]) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).xlsx")
        try Data(xlsx).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await ChildProcess.run(
            "/usr/bin/python3", ["-c", "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())", file.path, name])
        #expect(r.status == 0, "no part \(name)")
        return r.text
    }

    let doc = ReportDocument(
        title: "三表通报", lines: ["福州市"],
        tables: [
            .init(title: "单位 companies", columns: ["单位", "应检", "执行率"], rows: [["福州水务集团", .number(12), .percent(87.5)], ["=cmd", .number(0), .percent(nil)]]),
            .init(title: "单位 companies", columns: ["编码"], rows: [["350102-A"]]),
        ])

    @Test func sheetsStringsAndNumbers() async throws {
        let xlsx = try XLSXReport.data(doc)
        #expect(xlsx.starts(with: [0x50, 0x4B]))
        let workbook = try await part("xl/workbook.xml", of: xlsx)
        #expect(workbook.contains("name=\"三表通报\""))
        #expect(workbook.contains("name=\"单位 companies\"") && workbook.contains("name=\"单位 companies-2\""))
        #expect(try await part("xl/sharedStrings.xml", of: xlsx).contains("福州水务集团"))
        let sheet = try await part("xl/worksheets/sheet2.xml", of: xlsx)
        #expect(sheet.contains("<v>12</v>"))
        #expect(sheet.contains("<v>0.875</v>"))
        // A text cell that would be a formula once edited in Excel is defused like the CSV (#17 item 6).
        #expect(try await part("xl/sharedStrings.xml", of: xlsx).contains("<t>'=cmd</t>"))
    }

    /// One function defuses every spreadsheet cell the project writes (OWASP "CSV Injection":
    /// = + - @ tab CR start a formula; full-width forms too; numbers stay numbers).
    @Test(arguments: [
        ("=cmd|'/c calc'!A1", "'=cmd|'/c calc'!A1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("＝HYPERLINK()", "'＝HYPERLINK()"), ("-12.5", "-12.5"), ("+3", "+3"),
        ("电子秤", "电子秤"), ("a=b", "a=b"), ("", ""),
    ])
    func spreadsheetCellsAreDefused(value: String, written: String) {
        #expect(value.spreadsheetSafe == written)
        #expect(value.csvEscaped == (written.contains(where: { $0 == "\r" }) ? "\"" + written + "\"" : written))
    }

    @Test(arguments: [("a/b:c", "a_b_c"), ("", "Sheet"), (String(repeating: "长", count: 40), String(repeating: "长", count: 28))])
    func sheetNamesAreValid(input: String, expected: String) {
        #expect(XLSXReport.sheetName(input, used: []) == expected)
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let csv = doc.csv()
        #expect(csv.hasPrefix("\u{FEFF}三表通报\r\n"))
        #expect(csv.contains("福州水务集团,12,87.5%\r\n"))
        #expect(csv.contains("'=cmd,0,—\r\n"))
        #expect(ReportDocument(title: "a,\"b\"").csv().contains("\"a,\"\"b\"\"\""))
    }
}
