import Foundation
import JiliangCore

/// Turns a worksheet part into rows of text: each `<c>` placed at its column (its `r` reference,
/// else after the previous cell), typed by its `t` attribute, dates by its style.
struct SheetRows {
    let strings: [String]
    let dateStyles: Set<Int>
    let date1904: Bool

    enum CellType { case number, shared, inline, formulaText, boolean, error, isoDate }

    /// Rolls have tens of columns; a cell far to the right would make every row that wide in memory.
    static let maxColumns = 1_000
    /// The most cells (a row counts to its last filled cell) a sheet may hold in memory.
    static let maxCells = 60_000_000

    struct TooLarge: Error, CustomStringConvertible {
        var reason: ImportRefusal
        var description: String { "\(reason)" }
    }

    // Where the reading stands, so that it can stop after any row and go on (`SheetStream`).
    private var fields: [String] = []
    private var rowNumber = 0, column = 0, cells = 0
    private var type = CellType.number, style = 0
    private var value: [UInt8] = []
    private var inValue = false, inInline = false, phonetic = 0, hasValue = false

    init(strings: [String], dateStyles: Set<Int>, date1904: Bool) {
        self.strings = strings
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    mutating func rows(of xml: Data, maxRows: Int) throws -> [CSVReader.Row] {
        try XMLPullReader.parse(xml) { r in
            var rows: [CSVReader.Row] = []
            while rows.count < maxRows, let row = try nextRow(from: &r) { rows.append(row) }
            return rows
        }
    }

    /// The next row with a filled cell; nil at the end of the sheet.
    mutating func nextRow(from r: inout XMLPullReader) throws -> CSVReader.Row? {
        while let e = try r.next() {
            switch e {
            case .start:
                if r.isNamed("c") {
                    column = r.withAttribute("r") { Self.column(of: $0) } ?? column + 1
                    type = r.withAttribute("t") { Self.type(of: $0) }
                    style = r.withAttribute("s") { Self.int($0) } ?? 0
                    value.removeAll(keepingCapacity: true)
                    hasValue = false
                } else if r.isNamed("v") {
                    inValue = true
                    hasValue = true
                } else if r.isNamed("row") {
                    rowNumber = r.withAttribute("r") { Self.int($0) } ?? rowNumber + 1
                    fields = []  // a fresh array: the rows handed out keep theirs
                    column = 0
                } else if r.isNamed("is") {
                    inInline = true
                    hasValue = true
                } else if r.isNamed("rPh") {
                    phonetic += 1
                } else if inInline, phonetic == 0, r.isNamed("t") {
                    inValue = true
                }
            case .end:
                if r.isNamed("v") || r.isNamed("t") {
                    inValue = false
                } else if r.isNamed("rPh") {
                    phonetic -= 1
                } else if r.isNamed("is") {
                    inInline = false
                } else if r.isNamed("c") {
                    guard hasValue, column >= 1 else { continue }
                    guard column <= Self.maxColumns else {
                        throw TooLarge(reason: .tooManyColumns(row: rowNumber, column: column, max: Self.maxColumns))
                    }
                    if fields.count < column { fields.append(contentsOf: repeatElement("", count: column - fields.count)) }
                    fields[column - 1] = text(type: type, style: style, value: value)
                } else if r.isNamed("row"), !fields.isEmpty {
                    cells += fields.count
                    if cells > Self.maxCells {
                        throw TooLarge(reason: .tooManyCells(max: Self.maxCells))
                    }
                    return CSVReader.Row(line: rowNumber, fields: fields)
                }
            case .text:
                if inValue { r.appendText(to: &value) }
            }
        }
        return nil
    }

    private func text(type: CellType, style: Int, value: [UInt8]) -> String {
        // The common cells without a detour through `String` and `Double` (a sheet of 100,000 rows
        // is 1.5 million cells): a shared string's index, and an integer shown as itself.
        switch type {
        case .shared:
            if let i = value.withUnsafeBufferPointer({ Self.int($0) }), strings.indices.contains(i) { return strings[i] }
        case .number where !dateStyles.contains(style) && !value.isEmpty && value.count < 16 && (value[0] != 48 || value.count == 1)
            && value.allSatisfy({ $0 >= 48 && $0 <= 57 }):
            return String(decoding: value, as: UTF8.self)  // what `NumberFormat.text` makes of it, for less
        default: break
        }
        let raw = String(decoding: value, as: UTF8.self)
        switch type {
        case .shared: return raw  // an index out of the table: shown as is
        case .inline, .formulaText, .error: return raw
        case .isoDate: return String(raw.prefix(10))  // t="d": ISO 8601 text
        case .boolean: return raw == "1" ? "TRUE" : "FALSE"
        case .number:
            if dateStyles.contains(style), let d = Double(raw), let day = NumberFormat.day(serial: d, date1904: date1904) { return day.description }
            return NumberFormat.text(raw)
        }
    }

    /// The 1-based column of a cell reference ("AB12" → 28).
    static func column(of ref: UnsafeBufferPointer<UInt8>?) -> Int? {
        guard let ref else { return nil }
        var n = 0
        for b in ref {
            guard b >= 65, b <= 90 else { break }  // A–Z
            n = n * 26 + Int(b - 64)
            if n > 16_384 { return nil }  // past Excel's last column (XFD): not a reference
        }
        return n > 0 ? n : nil
    }

    static func int(_ bytes: UnsafeBufferPointer<UInt8>?) -> Int? {
        guard let bytes, !bytes.isEmpty, bytes.count < 10 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 48, b <= 57 else { return nil }
            n = n * 10 + Int(b - 48)
        }
        return n
    }

    static func type(of bytes: UnsafeBufferPointer<UInt8>?) -> CellType {
        guard let bytes, let first = bytes.first else { return .number }
        switch (first, bytes.count) {
        case (UInt8(ascii: "s"), 1): return .shared
        case (UInt8(ascii: "s"), _): return .formulaText  // "str"
        case (UInt8(ascii: "i"), _): return .inline  // "inlineStr"
        case (UInt8(ascii: "b"), _): return .boolean
        case (UInt8(ascii: "e"), _): return .error
        case (UInt8(ascii: "d"), _): return .isoDate
        default: return .number  // "n"
        }
    }
}
