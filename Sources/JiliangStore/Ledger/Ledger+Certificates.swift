import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import SQLKit

extension Ledger {
    public enum CertificateError: Error, Equatable, CustomStringConvertible {
        case notLedgered
        case notPublished
        /// Why no certificate yet, as the refusal the Server words (a 409 in the API).
        public var refusal: Refusal {
            switch self {
            case .notLedgered: .registry(.recordNotLedgered)
            case .notPublished: .registry(.checkpointNotPublished)
            }
        }
        /// For logs: the fact, not words for a reader.
        public var description: String {
            switch self {
            case .notLedgered: "certificate: not ledgered"
            case .notPublished: "certificate: no published checkpoint"
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
