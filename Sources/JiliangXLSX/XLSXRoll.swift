import CXLSXWriter
import Foundation
import JiliangCore

/// Writes a roll — one sheet of rows under a header, the way a bureau keeps its instruments in
/// Excel — with Debian's libxlsxwriter: an optional merged title row above the header, text as
/// text, numbers as numbers and dates as Excel dates. It makes the import template and the test and
/// benchmark files that stand for a bureau's export.
public enum XLSXRoll {
    public enum Cell: Sendable, ExpressibleByStringLiteral {
        case text(String)
        case number(Double)
        case date(CalendarDay)
        case empty
        public init(stringLiteral value: String) { self = .text(value) }
    }

    public static func data(sheet: String = "Sheet1", title: String? = nil, header: [String], rows: [[Cell]]) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jiliang-roll-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let wb = workbook_new(path) else { throw XLSXReport.Failure.library("workbook_new") }
        let bold = workbook_add_format(wb)
        format_set_bold(bold)
        let dateFormat = workbook_add_format(wb)
        format_set_num_format(dateFormat, "yyyy/m/d")
        guard let ws = workbook_add_worksheet(wb, XLSXReport.sheetName(sheet, used: [])) else { throw XLSXReport.Failure.library("worksheet") }
        var row: lxw_row_t = 0
        if let title {
            worksheet_merge_range(ws, 0, 0, 0, lxw_col_t(max(0, header.count - 1)), title, bold)
            row = 2
        }
        for (c, h) in header.enumerated() { worksheet_write_string(ws, row, lxw_col_t(c), h, bold) }
        row += 1
        for r in rows {
            for (c, cell) in r.enumerated() {
                let col = lxw_col_t(c)
                switch cell {
                case .text(let s): worksheet_write_string(ws, row, col, s.spreadsheetSafe, nil)
                case .number(let n): worksheet_write_number(ws, row, col, n, nil)
                case .date(let d):
                    var dt = lxw_datetime(year: Int32(d.year), month: Int32(d.month), day: Int32(d.day), hour: 0, min: 0, sec: 0)
                    worksheet_write_datetime(ws, row, col, &dt, dateFormat)
                case .empty: break
                }
            }
            row += 1
        }
        let err = workbook_close(wb)
        guard err == LXW_NO_ERROR else { throw XLSXReport.Failure.library(String(cString: lxw_strerror(err))) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
