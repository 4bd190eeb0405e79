import Foundation
import JiliangStore
import JiliangCore
import JiliangPDF
import Testing

/// A report PDF is read back with poppler: the title and Chinese cells come out, and a long table
/// runs onto further pages with its header repeated.
@Suite struct ReportPDFTests {
    func document(rows: Int) -> ReportDocument {
        ReportDocument(
            title: "三表首次检定与到期轮换通报", lines: ["福州市 · 2026-01-01 – 2026-12-31"],
            tables: [
                .init(title: "供水公司 utilities", columns: ["单位 company", "应检 due", "执行率 rate"],
                      rows: (0..<rows).map { [.text("福州水务集团\($0)"), .number(Double($0)), .percent(Double($0 % 100))] }, note: "定义 definition")
            ])
    }

    func poppler(_ tool: String, _ pdf: [UInt8]) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).pdf")
        try Data(pdf).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await ChildProcess.run("/usr/bin/\(tool)", [file.path] + (tool == "pdftotext" ? ["-"] : [])).text
    }

    @Test func titleCellsAndNoteAreReadable() async throws {
        let text = try await poppler("pdftotext", try ReportPDF.pdf(document(rows: 3), footer: "Jiliang")).filter { !$0.isWhitespace }
        #expect(text.contains("三表首次检定与到期轮换通报"))
        #expect(text.contains("福州水务集团2"))
        #expect(text.contains("2.0%"))
        #expect(text.contains("定义definition"))
    }

    @Test(arguments: [(10, 1), (200, 5)])
    func longTablesRunOntoMorePagesWithTheirHeader(rows: Int, atLeastPages: Int) async throws {
        let pdf = try ReportPDF.pdf(document(rows: rows), footer: "Jiliang")
        let pages = try await poppler("pdfinfo", pdf).split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.split(separator: " ").last!) } ?? 0
        #expect(pages >= atLeastPages)
        let text = try await poppler("pdftotext", pdf).filter { !$0.isWhitespace }
        #expect(text.components(separatedBy: "应检due").count - 1 == pages)
    }
}
