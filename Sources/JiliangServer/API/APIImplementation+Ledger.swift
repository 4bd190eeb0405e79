import Foundation
import JiliangAPI
import JiliangLedger
import JiliangStore
import OpenAPIRuntime

extension APIImplementation {
    func getRecordCertificate(_ input: Operations.GetRecordCertificate.Input) async throws -> Operations.GetRecordCertificate.Output {
        // The record must be visible to the caller (404 otherwise), like the record itself.
        let record = try await Registry.record(input.path.id, scope: scope, on: db)
        do {
            let cert = try await ledger.certificate(of: .verificationRecord, id: record.id!)
            return .ok(.init(body: .plainText(HTTPBody(cert.serialized))))
        } catch let e as Ledger.CertificateError {
            throw RegistryError.conflict(field: "id", reason: e.refusal)
        }
    }

    func getLedgerStatus(_ input: Operations.GetLedgerStatus.Input) async throws -> Operations.GetLedgerStatus.Output {
        _ = try caller()
        let state = try await ledger.state()
        let note = try await ledger.latestCheckpoint()
        let cp = note.flatMap { try? Checkpoint(text: Note(parsing: $0).text) }
        let c = ledger.configuration
        return .ok(.init(body: .json(.init(
            origin: c.origin, size: state.size, root: state.root.base64, pending: try await ledger.pendingCount(),
            checkpointSize: cp?.size, checkpoint: note, logKey: c.signer.verifier.description,
            witnesses: c.witnesses.map { .init(key: $0.key.description, url: $0.url.absoluteString) }, quorum: c.quorum))))
    }
}
