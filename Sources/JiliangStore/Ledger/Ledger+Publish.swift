import FluentKit
import Foundation
import JiliangLedger
import SQLKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension Ledger {
    /// What one publishing round did.
    public struct Publication: Sendable {
        public var checkpoint: Checkpoint
        public var cosigners: [String]
        public var published: Bool
        /// Why a witness did not cosign, by witness name.
        public var refusals: [String: String]
    }

    /// The latest published checkpoint note (signed by the log and cosigned by the quorum).
    public func latestCheckpoint() async throws -> String? {
        try await store.sql.raw("SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1").first()?
            .decode(column: "note", as: String.self)
    }

    /// Every published checkpoint, oldest first: (size, note).
    public func publishedCheckpoints() async throws -> [(size: Int64, note: String)] {
        try await store.sql.raw("SELECT size, note FROM ledger_checkpoints ORDER BY size").all().map {
            (try $0.decode(column: "size", as: Int64.self), try $0.decode(column: "note", as: String.self))
        }
    }

    /// Signs a checkpoint for the current tree, asks every witness to cosign it (with a consistency
    /// proof from the size each last cosigned), and publishes it once the quorum has cosigned.
    /// Returns nil when the latest published checkpoint is already current.
    public func publish() async throws -> Publication? {
        let state = try await state()
        if let latest = try await latestCheckpoint(), let cp = try? Checkpoint(text: Note(parsing: latest).text),
           cp.size == state.size
        {
            return nil
        }
        let checkpoint = Checkpoint(origin: configuration.origin, size: state.size, root: state.root)
        let body = checkpoint.text
        var note = Note(text: body, signatures: [try configuration.signer.sign(text: body)])
        var refusals: [String: String] = [:]
        var cosigners: [String] = []
        for witness in configuration.witnesses {
            do {
                let sig = try await cosign(note: note, checkpoint: checkpoint, by: witness)
                note.signatures.append(sig)
                cosigners.append(witness.key.name)
            } catch {
                refusals[witness.key.name] = "\(error)"
            }
        }
        let published = cosigners.count >= configuration.quorum
        if published {
            // As the sequencing: on the worker's connections (`Store.workerDB`).
            let serialized = note.serialized
            try await store.workerDB.writeTransaction { tx in
                try await (tx as! any SQLDatabase).insert(into: "ledger_checkpoints").columns("size", "note", "published_at")
                    .values(SQLBind(state.size), SQLBind(serialized), SQLBind(Date()))
                    .onConflict(with: ["size"]) { $0.set(excludedValueOf: "note").set(excludedValueOf: "published_at") }
                    .run()
            }
        } else {
            store.logger.warning("ledger checkpoint \(state.size) not published: \(cosigners.count) of \(configuration.quorum) cosignatures; \(refusals)")
        }
        return Publication(checkpoint: checkpoint, cosigners: cosigners, published: published, refusals: refusals)
    }

    /// One tlog-witness add-checkpoint exchange; on 409 the witness says which size it has seen,
    /// and the request is made once more from there.
    private func cosign(note: Note, checkpoint: Checkpoint, by witness: LedgerConfiguration.WitnessEndpoint) async throws -> Note.Signature {
        var old = try await store.sql.raw("SELECT size FROM ledger_witnesses WHERE name = \(bind: witness.key.name)").first()?
            .decode(column: "size", as: Int64.self) ?? 0
        if old > checkpoint.size { old = 0 }
        for attempt in 0..<2 {
            let proof = try await consistencyProof(from: old, to: checkpoint.size)
            let body = "old \(old)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + note.serialized
            var request = URLRequest(url: witness.url.appendingPathComponent("add-checkpoint"))
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.timeoutInterval = 10
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let text = String(decoding: data, as: UTF8.self)
            switch status {
            case 200:
                let opened = try Note(parsing: note.text + "\n" + text)
                guard let good = try opened.verified(by: [witness.key]).first else {
                    throw LedgerError.signature("witness answered without a cosignature of its key")
                }
                let name = witness.key.name, size = checkpoint.size
                try await store.workerDB.writeTransaction { tx in
                    try await (tx as! any SQLDatabase).insert(into: "ledger_witnesses").columns("name", "size")
                        .values(SQLBind(name), SQLBind(size))
                        .onConflict(with: ["name"]) { $0.set(excludedValueOf: "size") }.run()
                }
                return good.signature
            case 409 where attempt == 0:
                guard let known = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), known <= checkpoint.size else {
                    throw LedgerError.proofMismatch("witness has seen a different tree: \(text)")
                }
                old = known
            default:
                throw LedgerError.proofMismatch("witness answered \(status): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        throw LedgerError.proofMismatch("witness did not settle on a size")
    }
}
