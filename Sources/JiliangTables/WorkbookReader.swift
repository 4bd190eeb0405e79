import Foundation
import JiliangCore
import ZIPFoundation

/// Reads the rows of one sheet of an XLSX workbook (Office Open XML, ECMA-376) as text, the way a
/// bureau's clerk sees them in Excel: shared and inline strings, numbers without Excel's float
/// noise, formulas as their cached values, cells formatted as dates as `yyyy-MM-dd` (1900 and 1904
/// date systems). The ZIP is opened by ZIPFoundation and the XML read by libxml2; a part that
/// inflates past the limits (a zip bomb) is refused before it fills memory.
public enum WorkbookReader {
    public struct Limits: Sendable {
        /// The largest a part of the workbook (a sheet, the shared strings) may inflate to.
        public var maxPartBytes: Int
        /// The largest inflated-to-compressed ratio a part may have: real sheets compress 5–30×,
        /// zip bombs thousands of times.
        public var maxRatio: Int
        public init(maxPartBytes: Int = 768 << 20, maxRatio: Int = 200) {
            self.maxPartBytes = maxPartBytes
            self.maxRatio = maxRatio
        }
    }

    /// Why the workbook cannot be read, as a fact the Server words (`ImportRefusal`).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var reason: ImportRefusal
        public init(_ reason: ImportRefusal) { self.reason = reason }
        /// For logs: the reason's case, not words for a reader.
        public var description: String { "\(reason)" }
    }

    public struct Sheet: Sendable {
        public var name: String
        /// Every sheet of the workbook, in order (for messages and the preview's sheet choice).
        public var sheetNames: [String]
        /// Rows in order; `line` is Excel's row number, `fields` run from column A to the row's last
        /// cell. Rows with no cells are absent.
        public var rows: [CSVReader.Row]
    }

    /// Reads `sheet` (by name), or the first sheet, of the workbook in `bytes`. `maxRows` stops
    /// early (a header check needs only the top of the sheet).
    public static func read(_ bytes: [UInt8], sheet wanted: String? = nil, maxRows: Int = .max, limits: Limits = Limits()) throws(Failure) -> Sheet {
        try open(bytes, sheet: wanted, limits: limits) { o in
            var reader = o.rows
            return Sheet(name: o.name, sheetNames: o.sheetNames, rows: try reader.rows(of: o.xml, maxRows: maxRows))
        }
    }

    /// The sheet as a stream of rows, read as they are asked for (`SheetStream`).
    static func stream(_ bytes: [UInt8], sheet wanted: String? = nil, maxRows: Int = .max, limits: Limits = Limits()) throws(Failure) -> (
        name: String, sheetNames: [String], rows: SheetStream
    ) {
        try open(bytes, sheet: wanted, limits: limits) { o in
            (o.name, o.sheetNames, try SheetStream(xml: o.xml, sheet: o.rows, maxRows: maxRows))
        }
    }

    /// A sheet found and inflated, its rows not yet read.
    struct Opened {
        var name: String
        var sheetNames: [String]
        var xml: Data
        var rows: SheetRows
    }

    /// Opens the package and the sheet, and hands them to `body`; every failure, of the package or
    /// of `body`'s reading, as the import's refusal.
    private static func open<T>(_ bytes: [UInt8], sheet wanted: String?, limits: Limits, _ body: (Opened) throws -> T) throws(Failure) -> T {
        do {
            let archive: Archive
            do { archive = try Archive(data: Data(bytes), accessMode: .read) } catch {
                throw Failure(.damagedZip)
            }
            let parts = Parts(archive: archive, limits: limits, archiveBytes: bytes.count)
            let workbookPath = try parts.officeDocumentPath()
            let (sheets, date1904) = try parts.sheets(workbookPath: workbookPath)
            guard let first = sheets.first else { throw Failure(.noSheets) }
            let chosen: (name: String, path: String)
            if let wanted {
                guard let s = sheets.first(where: { $0.name == wanted.trimmingCharactersInWhitespace() }) else {
                    throw Failure(.noSheetNamed(wanted, sheets: sheets.map(\.name)))
                }
                chosen = s
            } else {
                chosen = first
            }
            let directory = (workbookPath as NSString).deletingLastPathComponent
            let strings = try parts.sharedStrings(directory: directory, workbookPath: workbookPath)
            let dateStyles = try parts.dateStyles(directory: directory, workbookPath: workbookPath)
            guard let sheetXML = try parts.data(chosen.path) else { throw Failure(.sheetMissing(chosen.name)) }
            let reader = SheetRows(strings: strings, dateStyles: dateStyles, date1904: date1904)
            return try body(Opened(name: chosen.name, sheetNames: sheets.map(\.name), xml: sheetXML, rows: reader))
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure(refusal(for: error))
        }
    }

    /// Why a sheet could not be read, in the import's words: one mapping for the whole read here
    /// and for a streamed sheet that breaks part-way (`SheetStream`).
    static func refusal(for error: any Error) -> ImportRefusal {
        switch error {
        case let x as XMLPullReader.Failure: x.reason
        case let x as SheetRows.TooLarge: x.reason
        default: .unreadableWorkbook(detail: "\(error)")
        }
    }

    /// The parts of the package, each inflated under the limits.
    struct Parts {
        let archive: Archive
        let limits: Limits
        let archiveBytes: Int

        func data(_ path: String) throws -> Data? {
            guard let entry = archive[path] ?? archive[path.hasPrefix("/") ? String(path.dropFirst()) : path] else { return nil }
            let declared = Int(clamping: entry.uncompressedSize), compressed = max(1, Int(clamping: entry.compressedSize))
            // Sizes come from the archive's headers (ZIP64 ones unchecked by ZIPFoundation): a part
            // cannot be larger compressed than the file, and no product may overflow.
            guard compressed <= archiveBytes else {
                throw Failure(.partLargerThanFile(path: path))
            }
            let (byRatio, overflow) = compressed.multipliedReportingOverflow(by: limits.maxRatio)
            let cap = Swift.min(limits.maxPartBytes, overflow ? Int.max : byRatio + (1 << 20))
            guard declared <= cap else { throw bomb(path, size: declared) }
            var out = Data()
            out.reserveCapacity(declared)
            do {
                _ = try archive.extract(entry, skipCRC32: true) { chunk in
                    // The sizes in the header may lie: count what actually comes out.
                    guard out.count + chunk.count <= cap else { throw bomb(path, size: out.count + chunk.count) }
                    out.append(chunk)
                }
            } catch let f as Failure { throw f } catch {
                throw Failure(.partNotInflatable(path: path, detail: "\(error)"))
            }
            return out
        }

        private func bomb(_ path: String, size: Int) -> Failure {
            Failure(.possibleZipBomb(path: path, maxMB: limits.maxPartBytes >> 20, maxRatio: limits.maxRatio))
        }

        /// The workbook part named by the package's relationships (xl/workbook.xml in practice).
        func officeDocumentPath() throws -> String {
            guard let rels = try data("_rels/.rels") else { return "xl/workbook.xml" }
            let targets = try relationships(rels)
            let office = targets.first { $0.type.hasSuffix("/officeDocument") }?.target ?? "xl/workbook.xml"
            return office.hasPrefix("/") ? String(office.dropFirst()) : office
        }

        func relationships(_ xml: Data) throws -> [(id: String, type: String, target: String)] {
            try XMLPullReader.parse(xml) { r in
                var out: [(String, String, String)] = []
                while let e = try r.next() {
                    if e == .start, r.isNamed("Relationship") {
                        out.append((r.attribute("Id") ?? "", r.attribute("Type") ?? "", r.attribute("Target") ?? ""))
                    }
                }
                return out
            }
        }

        private func relatedPath(_ target: String, directory: String) -> String {
            if target.hasPrefix("/") { return String(target.dropFirst()) }
            return directory.isEmpty ? target : directory + "/" + target
        }

        private func relsPath(of part: String) -> String {
            let dir = (part as NSString).deletingLastPathComponent
            let file = (part as NSString).lastPathComponent
            return (dir.isEmpty ? "" : dir + "/") + "_rels/" + file + ".rels"
        }

        /// The sheets in order with their part paths, and whether the workbook counts dates from 1904.
        func sheets(workbookPath: String) throws -> ([(name: String, path: String)], Bool) {
            guard let xml = try data(workbookPath) else { throw Failure(.workbookPartMissing(path: workbookPath)) }
            let directory = (workbookPath as NSString).deletingLastPathComponent
            let rels = try data(relsPath(of: workbookPath)).map(relationships) ?? []
            let targets = Dictionary(rels.map { ($0.id, $0.target) }, uniquingKeysWith: { a, _ in a })
            return try XMLPullReader.parse(xml) { r in
                var sheets: [(String, String)] = []
                var date1904 = false
                while let e = try r.next() {
                    guard e == .start else { continue }
                    if r.isNamed("workbookPr") {
                        date1904 = ["1", "true"].contains(r.attribute("date1904") ?? "")
                    } else if r.isNamed("sheet") {
                        // Transitional and strict OOXML name the relationship namespace differently.
                        let id = r.attribute("id", namespace: "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
                            ?? r.attribute("id", namespace: "http://purl.oclc.org/ooxml/officeDocument/relationships") ?? ""
                        if let target = targets[id] { sheets.append((r.attribute("name") ?? "", relatedPath(target, directory: directory))) }
                    }
                }
                return (sheets, date1904)
            }
        }

        func relatedPart(ofType suffix: String, directory: String, workbookPath: String) throws -> String? {
            let rels = try data(relsPath(of: workbookPath)).map(relationships) ?? []
            return rels.first { $0.type.hasSuffix(suffix) }.map { relatedPath($0.target, directory: directory) }
        }

        /// The shared string table: rich-text runs joined, phonetic guides (rPh) left out.
        func sharedStrings(directory: String, workbookPath: String) throws -> [String] {
            guard let path = try relatedPart(ofType: "/sharedStrings", directory: directory, workbookPath: workbookPath),
                let xml = try data(path)
            else { return [] }
            return try XMLPullReader.parse(xml) { r in
                var strings: [String] = []
                var buffer: [UInt8] = []
                var inText = false, phonetic = 0
                while let e = try r.next() {
                    switch e {
                    case .start:
                        if r.isNamed("si") { buffer.removeAll(keepingCapacity: true) }
                        else if r.isNamed("rPh") { phonetic += 1 }
                        else if r.isNamed("t") { inText = phonetic == 0 }
                    case .end:
                        if r.isNamed("t") { inText = false }
                        else if r.isNamed("rPh") { phonetic -= 1 }
                        else if r.isNamed("si") { strings.append(String(decoding: buffer, as: UTF8.self)) }
                    case .text:
                        if inText { r.appendText(to: &buffer) }
                    }
                }
                return strings
            }
        }

        /// The cell formats (indexes into cellXfs) whose number format shows a date.
        func dateStyles(directory: String, workbookPath: String) throws -> Set<Int> {
            guard let path = try relatedPart(ofType: "/styles", directory: directory, workbookPath: workbookPath),
                let xml = try data(path)
            else { return [] }
            return try XMLPullReader.parse(xml) { r in
                var custom: [Int: String] = [:]
                var xfFormats: [Int] = []
                var inCellXfs = false
                while let e = try r.next() {
                    switch e {
                    case .start:
                        if r.isNamed("numFmt"), let id = r.attribute("numFmtId").flatMap({ Int($0) }) { custom[id] = r.attribute("formatCode") ?? "" }
                        else if r.isNamed("cellXfs") { inCellXfs = !r.isEmptyElement }
                        else if inCellXfs, r.isNamed("xf") { xfFormats.append(r.attribute("numFmtId").flatMap { Int($0) } ?? 0) }
                    case .end:
                        if r.isNamed("cellXfs") { inCellXfs = false }
                    case .text: break
                    }
                }
                return Set(xfFormats.indices.filter { NumberFormat.isDate(id: xfFormats[$0], code: custom[xfFormats[$0]]) })
            }
        }
    }
}
