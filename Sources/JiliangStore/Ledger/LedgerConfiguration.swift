import Foundation
import JiliangLedger

/// How this deployment's ledger is set up: the log key (its name is the checkpoint origin), the
/// witnesses asked to cosign and how many must, and the batch size of the sequencer.
public struct LedgerConfiguration: Sendable {
    public struct WitnessEndpoint: Sendable {
        public var key: VerifierKey
        /// The witness's submission prefix; requests go to `<url>/add-checkpoint`.
        public var url: URL
        public init(key: VerifierKey, url: URL) { self.key = key; self.url = url }

        /// `<vkey> <url>`, the form used in configuration and on the command line.
        public init(parsing s: String) throws {
            let parts = s.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let url = URL(string: String(parts[1])), url.scheme?.hasPrefix("http") == true else {
                throw LedgerError.malformed("witness must be `<verifier key> <http(s) URL>`: \(s)")
            }
            self.init(key: try VerifierKey(parsing: String(parts[0])), url: url)
        }
    }

    public var signer: SignerKey
    public var witnesses: [WitnessEndpoint]
    public var quorum: Int
    public var batchSize: Int
    /// The encoding new entries are written in (`jiliang/ledger/v2`). Only a test that builds a log
    /// as an older version wrote it sets another.
    public var entryVersion = 2

    public var origin: String { signer.name }
    public var policy: TrustPolicy { TrustPolicy(logKey: signer.verifier, witnesses: witnesses.map(\.key), quorum: quorum) }

    public init(signer: SignerKey, witnesses: [WitnessEndpoint] = [], quorum: Int? = nil, batchSize: Int = 20_000) throws {
        let q = quorum ?? witnesses.count
        guard q >= 0, q <= witnesses.count else {
            throw LedgerError.malformed("witness quorum \(q) needs at least that many witnesses (have \(witnesses.count))")
        }
        self.signer = signer; self.witnesses = witnesses; self.quorum = q; self.batchSize = batchSize
    }

    /// Reads a signer key from `path`, creating one named `name` (mode 0600) on first use: the
    /// log's key (Ed25519, named after the origin) or a witness's (cosignature type).
    public static func loadOrCreateKey(at path: String, origin name: String, type: NoteKeyType = .ed25519) throws -> SignerKey {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let key = try SignerKey(parsing: text)
            guard key.type == type else { throw LedgerError.malformed("\(path) holds a key of another type than \(type)") }
            return key
        }
        let key = try SignerKey(name: name, type: type)
        try Witness.writeAtomically(Data((key.description + "\n").utf8), to: URL(fileURLWithPath: path))
        return key
    }
}
