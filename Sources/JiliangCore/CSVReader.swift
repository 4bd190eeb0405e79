import Foundation

/// An RFC 4180 CSV reader over UTF-8 bytes: quoted fields, doubled quotes, CRLF or LF, and line
/// breaks inside quotes. It works on bytes and slices (no per-character `String` work) because the
/// import path must keep up with `sqlite3 .import` on a million rows (BENCHMARKS.md); fields are
/// turned into `String` only when asked for.
public struct CSVReader: Sequence, IteratorProtocol, Sendable {
    public struct Row: Sendable {
        /// 1-based line number where the record starts (the header is line 1).
        public var line: Int
        public var fields: [String]
        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case unterminatedQuote(line: Int)
        case characterAfterQuote(line: Int)
        /// The problem as an import's refusal, for the Server to word.
        public var reason: ImportRefusal {
            switch self {
            case .unterminatedQuote(let l): .unterminatedQuote(line: l)
            case .characterAfterQuote(let l): .characterAfterQuote(line: l)
            }
        }
        /// For logs: the reason's case, not words for a reader.
        public var description: String { "\(reason)" }
    }

    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    public private(set) var problem: Problem?

    public init(utf8 bytes: [UInt8]) { self.bytes = bytes }

    /// Byte offset reached, for progress reporting.
    public var offset: Int { position }
    public var totalBytes: Int { bytes.count }

    public mutating func next() -> Row? {
        guard problem == nil else { return nil }
        // Skip blank lines between records.
        while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(24)
        var field: [UInt8] = []
        while true {
            // Start of a field.
            if position < bytes.count, bytes[position] == 0x22 {
                position += 1
                field.removeAll(keepingCapacity: true)
                while true {
                    guard position < bytes.count else {
                        problem = .unterminatedQuote(line: startLine)
                        return nil
                    }
                    let b = bytes[position]
                    if b == 0x22 {
                        if position + 1 < bytes.count, bytes[position + 1] == 0x22 {
                            field.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    if b == 0x0A { line += 1 }
                    field.append(b)
                    position += 1
                }
                fields.append(String(decoding: field, as: UTF8.self))
                if position < bytes.count, bytes[position] != 0x2C, bytes[position] != 0x0A, bytes[position] != 0x0D {
                    problem = .characterAfterQuote(line: line)
                    return nil
                }
            } else {
                let start = position
                while position < bytes.count {
                    let b = bytes[position]
                    if b == 0x2C || b == 0x0A || b == 0x0D { break }
                    position += 1
                }
                fields.append(String(decoding: bytes[start..<position], as: UTF8.self))
            }
            // After a field: comma → next field; newline or end → record done.
            if position < bytes.count, bytes[position] == 0x2C {
                position += 1
                continue
            }
            if position < bytes.count, bytes[position] == 0x0D { position += 1 }
            if position < bytes.count, bytes[position] == 0x0A {
                position += 1
                line += 1
            }
            return Row(line: startLine, fields: fields)
        }
    }
}

extension String {
    /// A value for a CSV file: defused (`spreadsheetSafe`), then quoted when it needs it. Every CSV
    /// the project writes goes through here.
    public var csvEscaped: String {
        let v = spreadsheetSafe
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    /// Text that a spreadsheet shows as text and never runs as a formula (CSV / formula injection,
    /// OWASP "CSV Injection"; issue #17, item 6): a value starting with = + - @, a tab or a carriage
    /// return — or their full-width forms, which some Excel locales read the same way — gets a
    /// leading apostrophe. Numbers ("-12.5", "+3") are left alone. Owners type instrument names
    /// and staff open these files in Excel, so every CSV and XLSX text cell goes through here.
    public var spreadsheetSafe: String {
        guard let f = first, "=+-@\t\r＝＋－＠".contains(f), Double(self) == nil else { return self }
        return "'" + self
    }
}
