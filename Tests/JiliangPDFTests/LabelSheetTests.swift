import Foundation
import JiliangStore
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

    func tool(_ name: String, _ args: [String], input: [UInt8]) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).pdf")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await ChildProcess.run("/usr/bin/\(name)", args + [file.path] + (name == "pdftotext" ? ["-"] : [])).text
    }

    @Test(arguments: [(1, 1), (24, 1), (25, 2), (48, 2), (49, 3)])
    func pagesHoldTwentyFourLabels(count: Int, pages: Int) async throws {
        let pdf = try LabelSheet.pdf(labels(count), title: "标签 labels")
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        let info = try await tool("pdfinfo", [], input: pdf)
        #expect(info.contains("Pages:") && info.split(separator: "\n").contains { $0.hasPrefix("Pages:") && $0.hasSuffix(" \(pages)") })
        #expect(info.contains("A4"))
    }

    @Test func chineseTextIsReadableFromThePDF() async throws {
        // pdftotext spaces out monospaced glyphs; compare without whitespace.
        let text = try await tool("pdftotext", [], input: try LabelSheet.pdf(labels(3), title: "labels")).filter { !$0.isWhitespace }
        #expect(text.contains("鼓楼区东街农贸市场"))
        #expect(text.contains("350102-ABCD-EFGH-JKMN-2"))
        #expect(text.contains("下次检定2027-05-20"))
    }
}
