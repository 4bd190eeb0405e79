import FluentKit
import Foundation
import JiliangLedger
import SQLKit

extension Ledger {
    public enum CertificateError: Error, Equatable, CustomStringConvertible {
        case notLedgered
        case notPublished
        public var description: String {
            switch self {
            case .notLedgered: "the record is not in the ledger yet; try again in a few seconds"
            case .notPublished: "the record is in the ledger but no checkpoint covering it is published yet"
            }
        }
    }

    /// The leaf index of a ledgered row (nil while pending).
    public func leafIndex(of kind: LedgerKind, id: Int) async throws -> Int64? {
        try await store.sql.raw("SELECT ledger_index FROM \(unsafeRaw: kind.table) WHERE id = \(bind: id)").first()?
            .decode(column: "ledger_index", as: Int64?.self)
    }

    /// The offline-verifiable certificate of one ledgered row against the latest published checkpoint.
    public func certificate(of kind: LedgerKind, id: Int) async throws -> LedgerCertificate {
        guard let index = try await leafIndex(of: kind, id: id) else { throw CertificateError.notLedgered }
        guard let note = try await latestCheckpoint() else { throw CertificateError.notPublished }
        let checkpoint = try Checkpoint(text: Note(parsing: note).text)
        guard index < checkpoint.size else { throw CertificateError.notPublished }
        let size = checkpoint.size
        let r = try await reader(size: size) { read in _ = try Merkle.inclusionProof(index: index, size: size, read) }
        let entry = try await entries(index..<index + 1, treeSize: size)[0]
        return LedgerCertificate(record: "\(kind.rawValue)/\(id)", leafIndex: index, entry: entry,
                                 proof: try r.inclusionProof(index: index), checkpoint: note)
    }
}
