import Foundation
import JiliangCore

/// A table a user uploads — CSV (UTF-8 or GB18030) or an XLSX workbook — told apart by its bytes,
/// not its name: a bureau's ".csv" is sometimes a workbook, and a legacy ".xls" or a web page saved
/// as ".xls" gets a message saying what to do instead of a wall of undecodable text.
public struct TableFile: Sendable {
    public enum Format: String, Sendable, Codable { case utf8, gb18030, xlsx }

    /// Why the file is no table, as a fact the Server words (`ImportRefusal`).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var reason: ImportRefusal
        public init(_ reason: ImportRefusal) { self.reason = reason }
        /// For logs: the reason's case, not words for a reader.
        public var description: String { "\(reason)" }
    }

    public var format: Format
    /// The sheet read, and every sheet of the workbook (XLSX only).
    public var sheet: String?
    public var sheetNames: [String]
    public var rows: TableRows

    /// Opens `bytes`. `maxRows` stops reading a workbook early (a header check needs its top only).
    /// `streaming`: a workbook's rows are read as they are asked for (`SheetStream`); a sheet broken
    /// part-way then ends the rows and says why in `rows.problem` instead of refusing the file here.
    public static func open(
        _ bytes: [UInt8], sheet: String? = nil, maxRows: Int = .max, limits: WorkbookReader.Limits = .init(), streaming: Bool = false
    ) throws(Failure) -> TableFile {
        switch Kind(bytes) {
        case .xlsx where streaming:
            do {
                let s = try WorkbookReader.stream(bytes, sheet: sheet, maxRows: maxRows, limits: limits)
                return TableFile(format: .xlsx, sheet: s.name, sheetNames: s.sheetNames, rows: TableRows(stream: s.rows))
            } catch { throw Failure(error.reason) }
        case .xlsx:
            do {
                let s = try WorkbookReader.read(bytes, sheet: sheet, maxRows: maxRows, limits: limits)
                let total = s.rows.reduce(0) { $0 + $1.fields.count }
                return TableFile(format: .xlsx, sheet: s.name, sheetNames: s.sheetNames, rows: TableRows(sheet: s.rows, cells: total))
            } catch { throw Failure(error.reason) }
        case .legacyXLS: throw Failure(.legacyExcelWorkbook)
        case .html: throw Failure(.webPage)
        case .pdf: throw Failure(.pdf)
        case .otherZip: throw Failure(.zipNotWorkbook)
        case .text:
            do {
                let decoded = try TextDecoding.toUTF8(bytes)
                return TableFile(
                    format: decoded.encoding == .utf8 ? .utf8 : .gb18030, sheet: nil, sheetNames: [], rows: TableRows(csv: CSVReader(utf8: decoded.bytes)))
            } catch { throw Failure(error.reason) }
        }
    }

    /// What the bytes are, whatever the file is called.
    public enum Kind: Sendable, Equatable {
        case xlsx, legacyXLS, html, pdf, otherZip, text

        public init(_ bytes: [UInt8]) {
            if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                // An OOXML package names its content types first; any other ZIP does not.
                let head = bytes.prefix(1 << 16)
                self = Self.contains(head, "[Content_Types].xml") || Self.contains(head, "xl/") ? .xlsx : .otherZip
            } else if bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
                self = .otherZip
            } else if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                self = .legacyXLS
            } else if bytes.starts(with: Array("%PDF".utf8)) {
                self = .pdf
            } else {
                let head = String(decoding: bytes.prefix(512), as: UTF8.self).lowercased().trimmingCharactersInWhitespace()
                let body = head.hasPrefix("\u{FEFF}") ? String(head.dropFirst()) : head
                self = body.hasPrefix("<html") || body.hasPrefix("<!doctype html") || body.hasPrefix("<table") ? .html : .text
            }
        }

        private static func contains(_ hay: ArraySlice<UInt8>, _ needle: String) -> Bool {
            let n = Array(needle.utf8)
            guard hay.count >= n.count else { return false }
            var i = hay.startIndex
            while i <= hay.endIndex - n.count {
                if hay[i] == n[0], hay[i..<(i + n.count)].elementsEqual(n) { return true }
                i += 1
            }
            return false
        }
    }
}

/// The rows of a table file, whichever format it came in, one at a time.
public struct TableRows: Sendable {
    private enum Source: Sendable {
        case csv(CSVReader)
        case sheet([CSVReader.Row], next: Int, cells: Int, cellsRead: Int)
        case stream(SheetStream)
    }

    private var source: Source

    init(csv: CSVReader) { source = .csv(csv) }
    init(sheet rows: [CSVReader.Row], cells: Int) { source = .sheet(rows, next: 0, cells: cells, cellsRead: 0) }
    init(stream: SheetStream) { source = .stream(stream) }

    /// A table of rows already in memory (tests, the header check).
    public init(rows: [CSVReader.Row]) { self.init(sheet: rows, cells: rows.reduce(0) { $0 + $1.fields.count }) }

    public mutating func next() -> CSVReader.Row? {
        switch source {
        case .csv(var r):
            let row = r.next()
            source = .csv(r)
            return row
        case .sheet(let rows, let i, let cells, let read):
            guard i < rows.count else { return nil }
            source = .sheet(rows, next: i + 1, cells: cells, cellsRead: read + rows[i].fields.count)
            return rows[i]
        case .stream(let s): return s.next()
        }
    }

    /// How far through the file reading is, in the units of `total` (bytes of CSV, cells of a sheet
    /// read whole, bytes of a streamed sheet's XML).
    public var offset: Int {
        switch source {
        case .csv(let r): r.offset
        case .sheet(_, _, _, let read): read
        case .stream(let s): s.offset
        }
    }

    public var total: Int {
        switch source {
        case .csv(let r): r.totalBytes
        case .sheet(_, _, let cells, _): cells
        case .stream(let s): s.total
        }
    }

    /// What stopped the reading of a broken file (an unterminated quote, a sheet broken part-way), if anything.
    public var problem: ImportRefusal? {
        switch source {
        case .csv(let r): r.problem?.reason
        case .stream(let s): s.problem
        case .sheet: nil
        }
    }
}
