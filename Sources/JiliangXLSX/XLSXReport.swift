import CXLSXWriter
import Foundation
import JiliangCore

/// Writes a `ReportDocument` as an Excel workbook with Debian's libxlsxwriter: the title and lines
/// on a cover sheet, then one worksheet per table with a bold frozen header row, numbers as numbers
/// and percentages as Excel percentages (so that a bureau can sum and sort them).
public enum XLSXReport {
    public enum Failure: Error, CustomStringConvertible {
        case library(String)
        public var description: String {
            switch self {
            case .library(let s): "the XLSX file could not be written: \(s)"
            }
        }
    }

    /// Excel's row limit; longer tables are cut with a note (the CSV carries every row).
    public static let maxRows = 1_048_575

    public static func data(_ doc: ReportDocument) throws -> [UInt8] {
        // libxlsxwriter 1.1.4 writes to a file; a private temporary one is read back and removed.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jiliang-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let wb = workbook_new(path) else { throw Failure.library("workbook_new") }
        let bold = workbook_add_format(wb)
        format_set_bold(bold)
        let title = workbook_add_format(wb)
        format_set_bold(title)
        format_set_font_size(title, 14)
        let percent = workbook_add_format(wb)
        format_set_num_format(percent, "0.0%")

        let cover = workbook_add_worksheet(wb, sheetName(doc.title, used: []))
        worksheet_write_string(cover, 0, 0, doc.title, title)
        for (n, l) in doc.lines.enumerated() { worksheet_write_string(cover, lxw_row_t(n + 2), 0, l, nil) }
        worksheet_set_column(cover, 0, 0, 80, nil)
        var used: Set<String> = [sheetName(doc.title, used: [])]

        for t in doc.tables {
            let name = sheetName(t.title, used: used)
            used.insert(name)
            guard let ws = workbook_add_worksheet(wb, name) else { throw Failure.library("worksheet '\(name)'") }
            worksheet_write_string(ws, 0, 0, t.title, title)
            for (c, h) in t.columns.enumerated() {
                worksheet_write_string(ws, 2, lxw_col_t(c), h, bold)
                worksheet_set_column(ws, lxw_col_t(c), lxw_col_t(c), Double(max(10, min(40, h.count * 2 + 4))), nil)
            }
            worksheet_freeze_panes(ws, 3, 0)
            var row: lxw_row_t = 3
            for r in t.rows.prefix(maxRows - 4) {
                for (c, cell) in r.enumerated() {
                    switch cell {
                    // String cells are not formulas, but one edited in Excel is parsed again: defused
                    // like the CSV (libxlsxwriter 1.1 has no quote-prefix format).
                    case .text(let s): worksheet_write_string(ws, row, lxw_col_t(c), s.spreadsheetSafe, nil)
                    case .number(let n): worksheet_write_number(ws, row, lxw_col_t(c), n, nil)
                    case .percent(let p?): worksheet_write_number(ws, row, lxw_col_t(c), p / 100, percent)
                    case .percent(nil): worksheet_write_string(ws, row, lxw_col_t(c), "—", nil)
                    }
                }
                row += 1
            }
            if t.rows.count > maxRows - 4 {
                worksheet_write_string(ws, row, 0, "… \(t.rows.count - (maxRows - 4)) more rows in the CSV", nil)
                row += 1
            }
            if let note = t.note { worksheet_write_string(ws, row + 1, 0, note, nil) }
        }
        let err = workbook_close(wb)
        guard err == LXW_NO_ERROR else { throw Failure.library(String(cString: lxw_strerror(err))) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Worksheet names: at most 31 characters, none of []:*?/\, unique in the workbook.
    static func sheetName(_ s: String, used: Set<String>) -> String {
        let clean = String(s.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(28))
        var name = clean.isEmpty ? "Sheet" : clean
        var n = 2
        while used.contains(name) {
            name = "\(clean.prefix(26))-\(n)"
            n += 1
        }
        return name
    }
}
