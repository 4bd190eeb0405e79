/// A C2SP tlog-checkpoint body: origin, tree size, base64 root hash, optional extension lines.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int64
    public var root: Hash
    public var extensions: [String]

    public init(origin: String, size: Int64, root: Hash, extensions: [String] = []) {
        self.origin = origin; self.size = size; self.root = root; self.extensions = extensions
    }

    public var text: String {
        ([origin, String(size), root.base64] + extensions).map { $0 + "\n" }.joined()
    }

    public init(text: String) throws {
        guard text.hasSuffix("\n") else { throw LedgerError.malformed("checkpoint must end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw LedgerError.malformed("checkpoint needs origin, size and root lines") }
        guard !lines[0].isEmpty else { throw LedgerError.malformed("checkpoint origin is empty") }
        guard let size = Int64(lines[1]), size >= 0, String(size) == lines[1] else {
            throw LedgerError.malformed("checkpoint size \(lines[1])")
        }
        guard let root = Hash(base64: lines[2]) else { throw LedgerError.malformed("checkpoint root \(lines[2])") }
        guard lines.dropFirst(3).allSatisfy({ !$0.isEmpty }) else { throw LedgerError.malformed("empty extension line") }
        self.init(origin: lines[0], size: size, root: root, extensions: Array(lines.dropFirst(3)))
    }
}

/// A checkpoint note checked against the log's key and a witness policy.
public struct TrustPolicy: Sendable {
    public var logKey: VerifierKey
    public var witnesses: [VerifierKey]
    public var quorum: Int

    public init(logKey: VerifierKey, witnesses: [VerifierKey] = [], quorum: Int = 0) {
        self.logKey = logKey; self.witnesses = witnesses; self.quorum = quorum
    }

    /// Opens a signed checkpoint: the log's signature must verify and at least `quorum` distinct
    /// witnesses must have cosigned it.
    public func open(_ signed: String) throws -> (checkpoint: Checkpoint, cosigners: [String]) {
        let note = try Note(parsing: signed)
        let good = try note.verified(by: [logKey] + witnesses)
        guard good.contains(where: { $0.key == logKey }) else {
            throw LedgerError.signature("checkpoint is not signed by the log key \(logKey.name)")
        }
        let cosigners = Set(good.filter { $0.key != logKey }.map(\.key.name)).sorted()
        guard cosigners.count >= quorum else {
            throw LedgerError.signature("\(cosigners.count) witness cosignature(s), the policy needs \(quorum)")
        }
        let checkpoint = try Checkpoint(text: note.text)
        guard checkpoint.origin == logKey.name else {
            throw LedgerError.signature("checkpoint origin \(checkpoint.origin) is not the log \(logKey.name)")
        }
        return (checkpoint, cosigners)
    }
}
