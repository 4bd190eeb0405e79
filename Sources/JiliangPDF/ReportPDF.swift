import Foundation
import JiliangCore

/// A `ReportDocument` as an A4 PDF for printing and filing: title, lines, then each table with its
/// header repeated on every page and page numbers at the foot. Column widths follow the longest
/// cell of each column (within limits); long cells are cut with an ellipsis.
public enum ReportPDF {
    /// Rows printed per table; a longer table is cut with a note (CSV and XLSX carry every row).
    public static let maxRowsPerTable = 3_000

    static let margin = 15.0, rowHeight = 5.0, fontSize = 7.5
    static var bottom: Double { PDFCanvas.a4.height - margin - 6 }

    public static func pdf(_ doc: ReportDocument, footer: String) throws -> [UInt8] {
        let canvas = try PDFCanvas(title: doc.title)
        let width = PDFCanvas.a4.width - 2 * margin
        var page = 1
        var y = margin
        func foot() {
            canvas.text("\(footer) · \(page)", x: margin, y: PDFCanvas.a4.height - margin, width: width, size: 6.5)
        }
        func breakPage() {
            foot()
            canvas.newPage()
            page += 1
            y = margin
        }
        y += canvas.text(doc.title, x: margin, y: y, width: width, size: 15, bold: true, lines: 2) + 2
        for l in doc.lines { y += canvas.text(l, x: margin, y: y, width: width, size: 8.5, lines: 3) + 0.8 }
        y += 3
        for t in doc.tables {
            if y + 4 * rowHeight > bottom { breakPage() }
            y += canvas.text(t.title, x: margin, y: y, width: width, size: 10.5, bold: true, lines: 2) + 1.5
            let widths = columnWidths(t, total: width)
            func header() {
                var x = margin
                for (c, h) in t.columns.enumerated() {
                    canvas.text(h, x: x, y: y, width: widths[c] - 1, size: fontSize, bold: true)
                    x += widths[c]
                }
                y += rowHeight
                canvas.line(x1: margin, y1: y - 0.8, x2: margin + width, y2: y - 0.8)
            }
            header()
            for r in t.rows.prefix(maxRowsPerTable) {
                if y + rowHeight > bottom {
                    breakPage()
                    header()
                }
                var x = margin
                for (c, cell) in r.enumerated() where c < widths.count {
                    canvas.text(cell.display, x: x, y: y, width: widths[c] - 1, size: fontSize)
                    x += widths[c]
                }
                y += rowHeight
            }
            var notes: [String] = []
            if t.rows.count > maxRowsPerTable { notes.append("… \(t.rows.count - maxRowsPerTable) more rows in the CSV and XLSX files") }
            if let n = t.note { notes.append(n) }
            for n in notes {
                if y + rowHeight > bottom { breakPage() }
                y += canvas.text(n, x: margin, y: y + 0.5, width: width, size: 7, lines: 4) + 1
            }
            y += 4
        }
        foot()
        try canvas.check()
        return try canvas.finish()
    }

    /// Widths in proportion to each column's longest text (CJK characters count double), each
    /// between 12 mm and half the page.
    static func columnWidths(_ t: ReportDocument.Table, total: Double) -> [Double] {
        func weight(_ s: String) -> Double { s.unicodeScalars.reduce(0) { $0 + ($1.value > 0x2E80 ? 2 : 1) } }
        var longest = t.columns.map { weight($0) }
        for r in t.rows.prefix(200) {
            for (c, cell) in r.enumerated() where c < longest.count { longest[c] = max(longest[c], weight(cell.display)) }
        }
        let raw = longest.map { max(12, min(total / 2, $0 * 1.6 + 2)) }
        let scale = total / raw.reduce(0, +)
        return raw.map { $0 * scale }
    }
}
