import Foundation
import JiliangPDF
import Testing

/// The label sheet is a real PDF: poppler (Debian's poppler-utils) counts its pages and reads the
/// Chinese back out of it, which only works when Pango set it in an embedded CJK font.
@Suite struct LabelSheetTests {
    func labels(_ n: Int) -> [LabelSheet.Label] {
        (0..<n).map { i in
            LabelSheet.Label(qrText: "http://127.0.0.1:8080/p/i/350102ABCDEFGHJK\(String(format: "%03d", i))",
                             code: "350102-ABCD-EFGH-JKMN-\(i % 10)", lines: ["鼓楼区东街农贸市场", "电子计价秤", "下次检定 2027-05-20"])
        }
    }

    func tool(_ name: String, _ args: [String], input: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).pdf")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/\(name)")
        p.arguments = args + [file.path] + (name == "pdftotext" ? ["-"] : [])
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: [(1, 1), (24, 1), (25, 2), (48, 2), (49, 3)])
    func pagesHoldTwentyFourLabels(count: Int, pages: Int) throws {
        let pdf = try LabelSheet.pdf(labels(count), title: "标签 labels")
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        let info = try tool("pdfinfo", [], input: pdf)
        #expect(info.contains("Pages:") && info.split(separator: "\n").contains { $0.hasPrefix("Pages:") && $0.hasSuffix(" \(pages)") })
        #expect(info.contains("A4"))
    }

    @Test func chineseTextIsReadableFromThePDF() throws {
        // pdftotext spaces out monospaced glyphs; compare without whitespace.
        let text = try tool("pdftotext", [], input: try LabelSheet.pdf(labels(3), title: "labels")).filter { !$0.isWhitespace }
        #expect(text.contains("鼓楼区东街农贸市场"))
        #expect(text.contains("350102-ABCD-EFGH-JKMN-2"))
        #expect(text.contains("下次检定2027-05-20"))
    }
}
