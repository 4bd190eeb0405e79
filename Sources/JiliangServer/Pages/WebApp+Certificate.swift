import Foundation
import Hummingbird
import JiliangCore
import JiliangLedger
import JiliangQR
import JiliangStore

extension WebApp {
    /// A verification record's printable ledger certificate: the record, the exact entry in the
    /// log, its leaf and the cosigned checkpoint, a QR code of the reference (record, leaf,
    /// checkpoint) and the full certificate file for `jiliang verify certificate`.
    func certificatePage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let record = try await Registry.record(id, scope: p.scope, on: db)  // 404 outside the caller's scope
        let instrument = try await Registry.instrument(record.instrumentID, scope: p.scope, on: db)
        var model: [String: Any] = [
            "t": t, "id": "\(id)", "instrumentID": "\(instrument.id!)", "instrumentLink": Site.instrument(instrument.id!), "instrument": instrument.name,
            "code": (try? InstrumentCode(validating: instrument.code).grouped) ?? instrument.code,
            "date": record.verifiedOn, "result": record.result, "certificateNo": record.certificateNo ?? record.resultNoticeNo ?? "—",
            "logKey": ledger.configuration.signer.verifier.description,
            "rawCode": instrument.code,
        ]
        do {
            let cert = try await ledger.certificate(of: .verificationRecord, id: id)
            let verified = try cert.verify(policy: ledger.configuration.policy)
            let reference = LedgerCertificate.reference(record: cert.record, leafIndex: cert.leafIndex, checkpoint: cert.checkpoint)
            model["ledgered"] = true
            model["leaf"] = "\(cert.leafIndex)"
            model["size"] = "\(verified.checkpoint.size)"
            model["origin"] = verified.checkpoint.origin
            model["cosigners"] = verified.cosigners.isEmpty ? t[.noWitness] : verified.cosigners.joined(separator: ", ")
            model["entry"] = verified.entryText
            // A v2 entry names the instrument by a commitment; show how this code opens it.
            if verified.entryText.hasPrefix("jiliang/ledger/v2 ") {
                model["commitment"] = LedgerKind.instrumentCommitment(instrument.code, instrumentID: "\(instrument.id!)")
            }
            model["checkpoint"] = cert.checkpoint
            model["qr"] = try QRCode(reference, level: .low).svg(size: 240, title: cert.record)
        } catch let e as Ledger.CertificateError {
            model["pending"] = e == .notLedgered ? t[.ledgerPendingLong] : t[.ledgerUnpublished]
        }
        return render("certificate", model, title: "\(t[.ledgerCertificate]) · \(instrument.name)", request: request, caller: p)
    }
}
