import CLibXML2
import Foundation
import JiliangCore

/// A thin pull reader over libxml2's `xmlTextReader` (Debian's libxml2): start tags, end tags and
/// text, with names compared in place and attributes read without copies. A worksheet of 100,000
/// rows is millions of elements, so no `String` is made for an element the caller does not ask about.
/// Entities are not substituted (no `XML_PARSE_NOENT`) and nothing is fetched from the network.
struct XMLPullReader: ~Copyable {
    enum Event { case start, end, text }

    /// Why a part is no workbook XML, as the import's refusal.
    struct Failure: Error, CustomStringConvertible {
        var reason: ImportRefusal
        var description: String { "\(reason)" }
    }

    private let reader: xmlTextReaderPtr
    /// The document, when the reader owns it (`SheetStream`): freed after the reader, in `deinit`.
    private let owned: UnsafeMutableRawBufferPointer?
    private var pendingEnd = false
    private(set) var isEmptyElement = false

    /// `bytes` must stay alive and unmoved while the reader is used (see `XMLPullReader.parse`).
    init(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard let r = Self.open(bytes) else { throw Failure(reason: .xmlNotXML) }
        reader = r
        owned = nil
    }

    /// A reader over the first `count` bytes of `buffer`, which it owns from now on, failing or not.
    init(owning buffer: UnsafeMutableRawBufferPointer, count: Int) throws(Failure) {
        guard let r = Self.open(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) else {
            buffer.deallocate()
            throw Failure(reason: .xmlNotXML)
        }
        reader = r
        owned = buffer
    }

    private static func open(_ bytes: UnsafeRawBufferPointer) -> xmlTextReaderPtr? {
        XMLPullReader.initialise
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
        return xmlReaderForMemory(base, Int32(clamping: bytes.count), nil, nil, options)
    }

    deinit {
        // The reader first: libxml2 may still point into the document while it is freed.
        xmlFreeTextReader(reader)
        owned?.deallocate()
    }

    /// libxml2 must be initialised once before threads use it.
    private static let initialise: Void = xmlInitParser()

    /// Runs `body` with a reader over `data`.
    static func parse<T>(_ data: Data, _ body: (inout XMLPullReader) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var reader = try XMLPullReader(raw)
            return try body(&reader)
        }
    }

    /// The next start tag, end tag or text; nil at the end. A malformed document throws.
    mutating func next() throws(Failure) -> Event? {
        if pendingEnd {
            pendingEnd = false
            isEmptyElement = false
            return .end
        }
        while true {
            let r = xmlTextReaderRead(reader)
            if r == 0 { return nil }
            if r < 0 {
                let line = xmlTextReaderGetParserLineNumber(reader)
                throw Failure(reason: .xmlMalformed(line: Int(line)))
            }
            switch xmlTextReaderNodeType(reader) {
            case 1:  // element
                isEmptyElement = xmlTextReaderIsEmptyElement(reader) == 1
                pendingEnd = isEmptyElement
                return .start
            case 15: return .end
            case 3, 4, 13, 14: return .text  // text, CDATA, whitespace, significant whitespace
            case 10: throw Failure(reason: .xmlDocumentType)  // DOCTYPE: refused outright
            default: continue
            }
        }
    }

    /// How many bytes of the document have been read (for progress).
    var bytesConsumed: Int { Int(xmlTextReaderByteConsumed(reader)) }

    /// Whether the current element's local name is `name`.
    func isNamed(_ name: StaticString) -> Bool {
        guard let p = xmlTextReaderConstLocalName(reader) else { return false }
        return strcmp(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The current text node's bytes, appended to `buffer`.
    func appendText(to buffer: inout [UInt8]) {
        guard let p = xmlTextReaderConstValue(reader) else { return }
        let n = strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
        buffer.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
    }

    /// An attribute of the current element (by local name, in no namespace or the given one).
    func attribute(_ name: String, namespace: String? = nil) -> String? {
        let found = namespace.map { xmlTextReaderMoveToAttributeNs(reader, name, $0) } ?? xmlTextReaderMoveToAttribute(reader, name)
        guard found == 1 else { return nil }
        defer { xmlTextReaderMoveToElement(reader) }
        guard let p = xmlTextReaderConstValue(reader) else { return nil }
        return String(cString: p)
    }

    /// An attribute as raw bytes passed to `body` (no `String` made), for the hot cell attributes.
    func withAttribute<T>(_ name: StaticString, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T {
        let found = xmlTextReaderMoveToAttribute(reader, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: xmlChar.self))
        guard found == 1 else { return body(nil) }
        defer { xmlTextReaderMoveToElement(reader) }
        guard let p = xmlTextReaderConstValue(reader) else { return body(nil) }
        return body(UnsafeBufferPointer(start: p, count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))))
    }
}
