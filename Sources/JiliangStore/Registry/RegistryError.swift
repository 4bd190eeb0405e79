import Foundation
import JiliangCore

/// What the registry can refuse, with enough context for an RFC 9457 answer that names the field.
/// Every case carries facts (`Refusal`, `Entity`), never words: the Server words them in the
/// reader's language (issue #20).
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(ValidationFailure)
    /// Nothing of this kind with this key that the caller may see (404; unknown and forbidden alike).
    case notFound(Entity, key: String)
    /// A uniqueness or state conflict (409), naming the field.
    case conflict(field: String, reason: Refusal)
    /// No credentials, or ones that are no longer valid (401).
    case unauthenticated
    /// Signed in, but the role does not allow this (403). Never used to hide what is outside the
    /// caller's scope: that is answered as not found, so nothing about it leaks.
    case forbidden(Refusal)

    public static func invalid(_ field: String, _ reason: Refusal) -> RegistryError {
        .invalid(ValidationFailure([FieldError(field, reason)]))
    }
    public static func invalid(_ field: String, _ reason: FieldRefusal) -> RegistryError { .invalid(field, .field(reason)) }

    /// For logs: the facts, not words for a reader.
    public var description: String {
        switch self {
        case .invalid(let v): v.description
        case .notFound(let e, let k): "not found: \(e.rawValue) \(k)"
        case .conflict(let f, let r): "conflict: \(f): \(r)"
        case .unauthenticated: "unauthenticated"
        case .forbidden(let r): "forbidden: \(r)"
        }
    }
}

/// One page of a cursor-paginated list. The cursor is opaque to clients (the last id, encoded).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

/// What a caller types into a search box: trimmed, at most 200 characters (a longer one is refused
/// naming `q`, not silently cut), nil when empty.
public enum SearchText {
    public static let maxLength = 200
    public static func checked(_ text: String?, field: String = "q") throws -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        guard t.count <= maxLength else { throw RegistryError.invalid(field, .request(.atMostCharacters(maxLength))) }
        return t
    }
}

public enum Cursor {
    public static func encode(_ id: Int) -> String { "c" + String(id, radix: 36) }
    public static func decode(_ s: String?) throws(RegistryError) -> Int? {
        guard let s, !s.isEmpty else { return nil }
        guard s.first == "c", let v = Int(s.dropFirst(), radix: 36), v >= 0 else {
            throw .invalid("cursor", .notACursor)
        }
        return v
    }
    /// A cursor of a sort key and an id (lists in another order than registration).
    public static func encodeKeyed(_ key: String, id: Int) -> String {
        "k" + Data("\(key)\u{1}\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decodeKeyed(_ s: String?) throws(RegistryError) -> (key: String, id: Int)? {
        guard let s, !s.isEmpty else { return nil }
        var b64 = s.dropFirst().replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard s.first == "k", let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else {
            throw .invalid("cursor", .notACursorForThisOrder)
        }
        let parts = text.split(separator: "\u{1}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int(parts[1]), id >= 0 else {
            throw .invalid("cursor", .notACursorForThisOrder)
        }
        return (String(parts[0]), id)
    }

    public static func limit(_ n: Int?) throws(RegistryError) -> Int {
        let l = n ?? 50
        guard (1...500).contains(l) else { throw .invalid("limit", .outOfRange(from: 1, to: 500)) }
        return l
    }
}
