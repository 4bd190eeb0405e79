import Foundation

/// A report as data — a title, a few lines about it and tables — so that one builder serves every
/// format: the printable page, CSV, XLSX (JiliangXLSX) and PDF (JiliangPDF). Issue #4's 三表 通报
/// and the annual statistics report are built as `ReportDocument`s.
public struct ReportDocument: Sendable, Equatable {
    public var title: String
    /// Lines under the title: the issuing bureau, the region, the period, the definitions used.
    public var lines: [String]
    public var tables: [Table]

    public init(title: String, lines: [String] = [], tables: [Table] = []) {
        self.title = title
        self.lines = lines
        self.tables = tables
    }

    public struct Table: Sendable, Equatable {
        public var title: String
        public var columns: [String]
        public var rows: [[Cell]]
        /// Shown under the table (a definition, "nothing to report", a truncation note).
        public var note: String?

        public init(title: String, columns: [String], rows: [[Cell]] = [], note: String? = nil) {
            self.title = title
            self.columns = columns
            self.rows = rows
            self.note = note
        }
    }

    /// A cell keeps numbers as numbers so that a spreadsheet can sum them.
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case number(Double)
        /// A percentage already multiplied by 100 (nil when nothing was due: shown as "—").
        case percent(Double?)

        public init(stringLiteral value: String) { self = .text(value) }

        public var display: String {
            switch self {
            case .text(let s): s
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case .percent(let p): p.map { String(format: "%.1f%%", $0) } ?? "—"
            }
        }
    }

    /// RFC 4180 CSV: every table under its title, a blank line between tables, UTF-8 with a BOM so
    /// that Excel opens Chinese text correctly. Cells starting with = + - @ are prefixed with a
    /// quote mark so that a spreadsheet never runs them as formulas.
    public func csv() -> String {
        var out = "\u{FEFF}"
        func line(_ cells: [String]) { out += cells.map(Self.csvField).joined(separator: ",") + "\r\n" }
        line([title])
        for l in lines { line([l]) }
        for t in tables {
            out += "\r\n"
            line([t.title])
            line(t.columns)
            for r in t.rows { line(r.map(\.display)) }
            if let n = t.note { line([n]) }
        }
        return out
    }

    static func csvField(_ s: String) -> String { s.csvEscaped }
}
