import Foundation
import JiliangCore

/// A worksheet read a row at a time, as its reader asks for rows (issue #19's speed): the import
/// validates and writes the first rows while the rest of the sheet is still unread, instead of
/// reading the whole sheet first while the database waits (a second of a 100,000-row roll,
/// BENCHMARKS.md). A sheet that turns out broken part-way stops the reading and says why in
/// `problem`, as a broken CSV does; the import then stores nothing.
///
/// One reader at a time: the rows of a table are read in order by one task (`TableRows`).
final class SheetStream: @unchecked Sendable {
    /// Reads the sheet's XML in place: a copy of it, owned by the reader.
    private var reader: XMLPullReader
    private var sheet: SheetRows
    private var rowsLeft: Int
    private(set) var problem: ImportRefusal?
    /// The XML's size, the units of `offset`.
    let total: Int

    init(xml: Data, sheet: SheetRows, maxRows: Int) throws(XMLPullReader.Failure) {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, xml.count), alignment: 1)
        xml.copyBytes(to: bytes.bindMemory(to: UInt8.self))
        reader = try XMLPullReader(owning: bytes, count: xml.count)
        total = xml.count
        self.sheet = sheet
        rowsLeft = maxRows
    }

    /// The next row with a filled cell; nil at the end, after `maxRows` rows, or once a problem is found.
    func next() -> CSVReader.Row? {
        guard problem == nil, rowsLeft > 0 else { return nil }
        do {
            guard let row = try sheet.nextRow(from: &reader) else { return nil }
            rowsLeft -= 1
            return row
        } catch {
            problem = WorkbookReader.refusal(for: error)
        }
        return nil
    }

    /// How far the reading is, in bytes of the sheet's XML.
    var offset: Int { reader.bytesConsumed }
}
