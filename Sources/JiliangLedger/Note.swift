import Crypto
import Foundation

/// A C2SP signed note: text ending in a newline, a blank line, then signature lines
/// `— <name> base64(keyID ‖ signature)`.
public struct Note: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public var name: String
        public var keyID: UInt32
        /// The bytes after the key ID (for cosignatures: timestamp ‖ Ed25519 signature).
        public var body: [UInt8]
        public init(name: String, keyID: UInt32, body: [UInt8]) {
            self.name = name; self.keyID = keyID; self.body = body
        }
        public var line: String {
            var raw = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
            raw.append(contentsOf: body)
            return "— \(name) \(Data(raw).base64EncodedString())\n"
        }

        /// Parses one signature line (with or without its newline).
        public init(line: Substring) throws {
            var l = line
            if l.hasSuffix("\n") { l.removeLast() }
            guard l.hasPrefix("— ") else { throw LedgerError.malformed("signature line must start with an em dash") }
            let rest = l.dropFirst(2)
            guard let space = rest.firstIndex(of: " ") else { throw LedgerError.malformed("signature line has no signature") }
            let name = String(rest[..<space])
            guard Note.isValidKeyName(name) else { throw LedgerError.malformed("bad key name \(name)") }
            guard let raw = Data(base64Encoded: String(rest[rest.index(after: space)...])), raw.count > 4 else {
                throw LedgerError.malformed("signature of \(name) is not base64 of at least 5 bytes")
            }
            let bytes = [UInt8](raw)
            self.name = name
            self.keyID = bytes[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
            self.body = Array(bytes[4...])
        }
    }

    public var text: String
    public var signatures: [Signature]

    public init(text: String, signatures: [Signature] = []) {
        self.text = text; self.signatures = signatures
    }

    public var serialized: String { text + "\n" + signatures.map(\.line).joined() }

    static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0.isWhitespace || $0 == "+" })
    }

    /// Parses a signed note; the text ends at the last blank line.
    public init(parsing s: String) throws {
        guard s.hasSuffix("\n") else { throw LedgerError.malformed("note must end with a newline") }
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw LedgerError.malformed("note contains control characters")
        }
        guard let sep = s.range(of: "\n\n", options: .backwards) else {
            throw LedgerError.malformed("note has no blank line before its signatures")
        }
        text = String(s[..<s.index(after: sep.lowerBound)])
        let sigs = s[sep.upperBound...]
        signatures = try sigs.split(separator: "\n").map { try Signature(line: $0) }
        guard !signatures.isEmpty else { throw LedgerError.malformed("note has no signatures") }
        guard signatures.count <= 64 else { throw LedgerError.malformed("note has too many signatures") }
    }
}

/// Signature types of C2SP signed-note.
public enum NoteKeyType: UInt8, Sendable {
    case ed25519 = 0x01
    case cosignatureV1 = 0x04
}

/// A verifier key (`name+hex(keyID)+base64(type ‖ public key)`).
public struct VerifierKey: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let type: NoteKeyType
    /// The 32 raw Ed25519 public key bytes (kept raw: Crypto's key types are not Sendable).
    public let rawKey: [UInt8]
    public let keyID: UInt32

    public var publicKey: Curve25519.Signing.PublicKey {
        try! Curve25519.Signing.PublicKey(rawRepresentation: rawKey)  // validated in init
    }

    public init(name: String, type: NoteKeyType, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name; self.type = type; self.rawKey = [UInt8](publicKey.rawRepresentation)
        self.keyID = VerifierKey.keyID(name: name, type: type, key: rawKey)
    }

    /// key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.
    public static func keyID(name: String, type: NoteKeyType, key: some DataProtocol) -> UInt32 {
        var h = SHA256()
        h.update(data: Array(name.utf8) + [0x0A, type.rawValue])
        h.update(data: key)
        return h.finalize().prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public init(parsing vkey: String) throws {
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Note.isValidKeyName(String(parts[0])), parts[1].count == 8,
              let id = UInt32(parts[1], radix: 16),
              let raw = Data(base64Encoded: String(parts[2])), raw.count == 33,
              let type = NoteKeyType(rawValue: raw[raw.startIndex])
        else { throw LedgerError.malformed("verifier key \(vkey)") }
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: raw.dropFirst())
        self.init(name: String(parts[0]), type: type, publicKey: key)
        guard keyID == id else { throw LedgerError.malformed("verifier key \(vkey): key ID does not match the key") }
    }

    public var description: String {
        let hex = String(keyID, radix: 16)
        return "\(name)+\(String(repeating: "0", count: 8 - hex.count) + hex)+"
            + Data([type.rawValue] + publicKey.rawRepresentation).base64EncodedString()
    }
}

/// A signer key (`PRIVATE+KEY+name+hex(keyID)+base64(type ‖ seed)`), the format Go's
/// sumdb/note and the C2SP tools read and write.
public struct SignerKey: Sendable {
    public let name: String
    public let type: NoteKeyType
    /// The 32-byte Ed25519 seed (kept raw: Crypto's key types are not Sendable).
    private let seed: [UInt8]

    public var privateKey: Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)  // validated in init
    }

    public init(name: String, type: NoteKeyType, privateKey: Curve25519.Signing.PrivateKey = .init()) throws {
        guard Note.isValidKeyName(name) else { throw LedgerError.malformed("key name \(name)") }
        self.name = name; self.type = type; self.seed = [UInt8](privateKey.rawRepresentation)
    }

    public init(parsing skey: String) throws {
        let s = skey.trimmingCharacters(in: .whitespacesAndNewlines)
        guard s.hasPrefix("PRIVATE+KEY+") else { throw LedgerError.malformed("signer key must start with PRIVATE+KEY+") }
        let parts = s.dropFirst(12).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = UInt32(parts[1], radix: 16),
              let raw = Data(base64Encoded: String(parts[2])), raw.count == 33,
              let type = NoteKeyType(rawValue: raw[raw.startIndex])
        else { throw LedgerError.malformed("signer key") }
        try self.init(name: String(parts[0]), type: type,
                      privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()))
        guard verifier.keyID == id else { throw LedgerError.malformed("signer key: key ID does not match the key") }
    }

    public var verifier: VerifierKey { VerifierKey(name: name, type: type, publicKey: privateKey.publicKey) }

    public var description: String {
        let v = verifier.description.split(separator: "+")
        return "PRIVATE+KEY+\(name)+\(v[1])+" + Data([type.rawValue] + privateKey.rawRepresentation).base64EncodedString()
    }

    /// A plain Ed25519 note signature over `text` (type 0x01).
    public func sign(text: String) throws -> Note.Signature {
        guard type == .ed25519 else { throw LedgerError.signature("\(name) is a cosigner key; use cosign") }
        let sig = try privateKey.signature(for: Array(text.utf8))
        return Note.Signature(name: name, keyID: verifier.keyID, body: [UInt8](sig))
    }
}

extension Note {
    /// The signatures made by `keys` that verify. Unknown keys are ignored; a known key whose
    /// signature fails rejects the note (C2SP signed-note).
    public func verified(by keys: [VerifierKey]) throws -> [(key: VerifierKey, signature: Signature)] {
        var good: [(VerifierKey, Signature)] = []
        for sig in signatures {
            guard let key = keys.first(where: { $0.name == sig.name && $0.keyID == sig.keyID }) else { continue }
            switch key.type {
            case .ed25519:
                guard key.publicKey.isValidSignature(sig.body, for: Array(text.utf8)) else {
                    throw LedgerError.signature("signature of \(key.name) does not verify")
                }
            case .cosignatureV1:
                guard sig.body.count == 72 else { throw LedgerError.signature("cosignature of \(key.name) is not 72 bytes") }
                let time = sig.body[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let message = Cosignature.message(body: text, time: time)
                guard key.publicKey.isValidSignature(sig.body[8...], for: Array(message.utf8)) else {
                    throw LedgerError.signature("cosignature of \(key.name) does not verify")
                }
            }
            good.append((key, sig))
        }
        return good
    }
}

/// C2SP tlog-cosignature v1 with Ed25519 (signature type 0x04).
public enum Cosignature {
    public static func message(body: String, time: UInt64) -> String {
        "cosignature/v1\ntime \(time)\n" + body
    }

    public static func sign(body: String, time: UInt64, key: SignerKey) throws -> Note.Signature {
        guard key.type == .cosignatureV1 else { throw LedgerError.signature("\(key.name) is not a cosigner key") }
        let sig = try key.privateKey.signature(for: Array(message(body: body, time: time).utf8))
        var raw = withUnsafeBytes(of: time.bigEndian) { Array($0) }
        raw.append(contentsOf: sig)
        return Note.Signature(name: key.name, keyID: key.verifier.keyID, body: raw)
    }

    /// The timestamp a cosignature carries.
    public static func time(of sig: Note.Signature) -> UInt64? {
        sig.body.count == 72 ? sig.body[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : nil
    }
}

extension SignerKey {
    /// A secret derived from this key for another purpose (HMAC-SHA256 keyed by the seed over
    /// `label`), so that one key file is all a log operator must guard.
    public func derivedSecret(label: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(label.utf8), using: SymmetricKey(data: seed)))
    }
}
