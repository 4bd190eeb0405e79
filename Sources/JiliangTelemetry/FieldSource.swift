import CCJSON
import Foundation

/// A value of one field of a reading, as the encoding that carried it gives it.
enum FieldValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    /// An array or an object where a plain value belongs, as a message quotes it.
    case other(String)

    /// What a message quotes for the value. A whole number is written with all its digits and no
    /// fraction, as a line would give it.
    var given: String {
        switch self {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .other(let s): s
        case .number(let d): Int64(exactly: d).map(String.init) ?? "\(d)"
        }
    }
}

/// Where `Fields` reads a reading's fields from: a JSON line's object, or a protobuf reading's
/// fields under their NDJSON names.
protocol FieldSource {
    /// The field's value; nil when it is absent or null.
    func value(_ key: String) -> FieldValue?
}

extension Dictionary: FieldSource where Key == String, Value == FieldValue {
    func value(_ key: String) -> FieldValue? { self[key] }
}

/// One NDJSON line's object, parsed by Debian's cJSON (a system library, scripts/deps.sh). It
/// replaced `JSONSerialization`, whose `[String: Any]` of bridged `NSNumber`s was the larger part
/// of reading a line, itself about a third of ingest's CPU (issue #21; BENCHMARKS.md).
///
/// cJSON is more lenient than JSON in a few ways; the ones that could change what a line says are
/// refused before it parses (`isStrict`) or after (a name given twice). Numbers are read by
/// `strtod`, so `01` and `1.` are taken as 1 (their value is not in doubt). Concurrent parses, as
/// cJSON's README allows them: its hooks are never set and its global error pointer is never read.
/// Every parse still writes that pointer, a data race on a value no one reads (ThreadSanitizer
/// would name it).
struct JSONLine: FieldSource {
    private let object: UnsafeMutablePointer<cJSON>

    /// Calls `body` with the line's object and the line as text (what is stored), or returns nil
    /// when the line is not one JSON object: not UTF-8, not JSON, not an object, something after
    /// the object, a member named twice, or what `isStrict` refuses.
    static func withObject<R>(_ line: ArraySlice<UInt8>, _ body: (JSONLine, String) -> R) -> R? {
        // Decoding repairs bytes that are not UTF-8; a repaired line is not the line sent.
        let text = String(decoding: line, as: UTF8.self)
        guard text.utf8.elementsEqual(line), isStrict(line) else { return nil }
        return text.withCString { chars -> R? in
            // With the terminating NUL in the length, cJSON checks that only white space follows
            // the object.
            guard let parsed = cJSON_ParseWithLengthOpts(chars, text.utf8.count + 1, nil, 1) else { return nil }
            defer { cJSON_Delete(parsed) }
            guard cJSON_IsObject(parsed) != 0, !namesAMemberTwice(parsed) else { return nil }
            return body(JSONLine(object: parsed), text)
        }
    }

    func value(_ key: String) -> FieldValue? {
        guard let item = cJSON_GetObjectItemCaseSensitive(object, key), cJSON_IsNull(item) == 0 else { return nil }
        if cJSON_IsString(item) != 0 { return .string(String(cString: item.pointee.valuestring)) }
        if cJSON_IsNumber(item) != 0 { return .number(item.pointee.valuedouble) }
        if cJSON_IsBool(item) != 0 { return .bool(cJSON_IsTrue(item) != 0) }
        return .other(cJSON_IsArray(item) != 0 ? "[…]" : "{…}")
    }

    /// What cJSON would take and JSON does not, where it changes what the line says: a control
    /// character (a raw one inside a string; outside one, any but tab, CR and LF, NUL among them,
    /// which would end cJSON's text early), and a `\u` escape that is not four hex digits or
    /// stands for NUL — cJSON reads both as a NUL, which ends its string there, so `"D\u0000X"`
    /// would be read as "D".
    static func isStrict(_ line: ArraySlice<UInt8>) -> Bool {
        var inString = false
        var i = line.startIndex
        while i < line.endIndex {
            let b = line[i]
            if inString {
                if b < 0x20 { return false }
                if b == UInt8(ascii: "\"") {
                    inString = false
                } else if b == UInt8(ascii: "\\") {
                    guard i + 1 < line.endIndex else { return false }
                    if line[i + 1] == UInt8(ascii: "u") {
                        guard i + 5 < line.endIndex, let code = hex4(line[(i + 2)...(i + 5)]), code != 0 else { return false }
                        i += 6
                    } else {
                        i += 2  // cJSON refuses an escape JSON does not have
                    }
                    continue
                }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b < 0x20, b != 0x09, b != 0x0A, b != 0x0D {
                return false
            }
            i += 1
        }
        return true
    }

    private static func hex4(_ digits: ArraySlice<UInt8>) -> UInt16? {
        var value: UInt16 = 0
        for d in digits {
            let v: UInt8
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = d - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = d - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(v)
        }
        return value
    }

    /// Whether two members of the object have one name: cJSON answers the first, where other
    /// readers answer the last, so such a line says two things. A line has a dozen members.
    private static func namesAMemberTwice(_ object: UnsafeMutablePointer<cJSON>) -> Bool {
        var a = object.pointee.child
        while let x = a {
            var b = x.pointee.next
            while let y = b {
                if strcmp(x.pointee.string, y.pointee.string) == 0 { return true }
                b = y.pointee.next
            }
            a = x.pointee.next
        }
        return false
    }
}
