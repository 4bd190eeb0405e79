import Foundation

/// A self-contained proof that one ledger entry is in the log: the entry, its leaf index, the
/// inclusion proof and the signed, cosigned checkpoint it leads to. Anyone holding the log's and
/// the witnesses' public keys can check it offline.
///
///     jiliang-certificate/v1
///     record 123
///     leaf 456
///     entry <base64 of the canonical entry>
///     proof <base64 hash>        (zero or more, leaf upwards)
///
///     <checkpoint note with its signatures>
public struct LedgerCertificate: Sendable, Equatable {
    public static let header = "jiliang-certificate/v1"

    public var record: String
    public var leafIndex: Int64
    public var entry: [UInt8]
    public var proof: [Hash]
    public var checkpoint: String

    public init(record: String, leafIndex: Int64, entry: [UInt8], proof: [Hash], checkpoint: String) {
        self.record = record; self.leafIndex = leafIndex; self.entry = entry; self.proof = proof; self.checkpoint = checkpoint
    }

    public var serialized: String {
        var s = "\(LedgerCertificate.header)\nrecord \(record)\nleaf \(leafIndex)\nentry \(Data(entry).base64EncodedString())\n"
        for p in proof { s += "proof \(p.base64)\n" }
        return s + "\n" + checkpoint
    }

    public init(parsing text: String) throws {
        guard let split = text.range(of: "\n\n") else { throw LedgerError.malformed("certificate has no checkpoint") }
        let lines = text[..<split.lowerBound].split(separator: "\n")
        guard lines.first == Substring(LedgerCertificate.header) else {
            throw LedgerError.malformed("not a \(LedgerCertificate.header) file")
        }
        var record: String?, leaf: Int64?, entry: [UInt8]?, proof: [Hash] = []
        for line in lines.dropFirst() {
            guard let space = line.firstIndex(of: " ") else { throw LedgerError.malformed("line \(line)") }
            let key = line[..<space], value = String(line[line.index(after: space)...])
            switch key {
            case "record": record = value
            case "leaf":
                guard let v = Int64(value), v >= 0 else { throw LedgerError.malformed("leaf \(value)") }
                leaf = v
            case "entry":
                guard let d = Data(base64Encoded: value) else { throw LedgerError.malformed("entry is not base64") }
                entry = [UInt8](d)
            case "proof":
                guard let h = Hash(base64: value) else { throw LedgerError.malformed("proof line \(value)") }
                proof.append(h)
            default: throw LedgerError.malformed("unknown field \(key)")
            }
        }
        guard let record, let leaf, let entry else { throw LedgerError.malformed("certificate needs record, leaf and entry") }
        self.init(record: record, leafIndex: leaf, entry: entry, proof: proof, checkpoint: String(text[split.upperBound...]))
    }

    /// The compact reference a certificate's QR code carries: the record, its leaf index and the
    /// signed checkpoint (the proof itself comes from the public tiles).
    ///
    ///     jiliang-certificate-ref/v1
    ///     record verification-record/123
    ///     leaf 456
    ///
    ///     <checkpoint note>
    public static func reference(record: String, leafIndex: Int64, checkpoint: String) -> String {
        "jiliang-certificate-ref/v1\nrecord \(record)\nleaf \(leafIndex)\n\n" + checkpoint
    }

    /// What a successful check establishes.
    public struct Verified: Sendable {
        public var checkpoint: Checkpoint
        public var cosigners: [String]
        public var entryText: String
    }

    /// Checks the checkpoint's signatures against `policy`, then the entry's inclusion in it.
    public func verify(policy: TrustPolicy) throws -> Verified {
        let (cp, cosigners) = try policy.open(checkpoint)
        try Merkle.verifyInclusion(index: leafIndex, size: cp.size, leaf: RFC6962.leafHash(entry), proof: proof, root: cp.root)
        return Verified(checkpoint: cp, cosigners: cosigners, entryText: String(decoding: entry, as: UTF8.self))
    }
}
