import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// The ledger against a real database (SQLite, and PostgreSQL when `make test` runs it):
/// rows are sequenced into tiles, certificates verify, and tampering is caught.
@Suite struct LedgerTests {
    static func ledger(_ store: Store, batch: Int = 20_000) throws -> Ledger {
        Ledger(store: store, configuration: try LedgerConfiguration(signer: TestLedger.key, batchSize: batch))
    }

    /// An owner, an institution and `n` instruments each with one passed verification.
    static func records(_ n: Int, on db: any Database, serial: String = "L") async throws -> [VerificationRecordModel] {
        var owner = try await OwnerModel.query(on: db).first()
        if owner == nil { owner = try await Fixtures.owner(on: db) }
        var lab = try await InstitutionModel.query(on: db).first()
        if lab == nil { lab = try await Fixtures.institution(on: db) }
        var out: [VerificationRecordModel] = []
        for i in 0..<n {
            let inst = try await Fixtures.instrument(serial: "\(serial)\(i)", owner: owner!, inService: "2025-01-10", on: db)
            out.append(try await Fixtures.record(inst, institution: lab!, date: "2025-01-10", on: db))
        }
        return out
    }

    @Test func recordsAreLedgeredAndCertificatesVerifyOffline() async throws {
        try await TestDatabase.withStore { store in
            let recs = try await Self.records(5, on: store.db)
            let ledger = try Self.ledger(store, batch: 3)
            let pending = try await ledger.pendingCount()
            #expect(pending >= 5)  // records, plus the filed → in service status changes
            // Before sequencing there is no certificate.
            await #expect(throws: Ledger.CertificateError.notLedgered) { try await ledger.certificate(of: .verificationRecord, id: recs[0].id!) }
            let n = try await ledger.sequenceAll()
            #expect(n == pending)
            #expect(try await ledger.pendingCount() == 0)
            #expect(try await ledger.state().size == Int64(n))
            await #expect(throws: Ledger.CertificateError.notPublished) { try await ledger.certificate(of: .verificationRecord, id: recs[0].id!) }
            let publication = try await ledger.publish()
            #expect(publication?.published == true)
            #expect(try await ledger.publish() == nil)  // nothing new

            for r in recs {
                let cert = try await ledger.certificate(of: .verificationRecord, id: r.id!)
                let text = cert.serialized
                let verified = try LedgerCertificate(parsing: text).verify(policy: ledger.configuration.policy)
                #expect(verified.entryText.contains("id \(r.id!)\n"))
                #expect(verified.entryText.contains("result pass\n"))
                #expect(!verified.entryText.contains("tester"))  // personal data only as an HMAC
            }
            #expect(try await ledger.audit().findings.isEmpty)
            #expect(try await ledger.verifyLog().isEmpty)
        }
    }

    /// Issue #17, item 11: the public log names an instrument by a commitment to its code, never
    /// the code (its entry bundles listed every code in the province); whoever holds the code
    /// finds its entries. A log begun with v1 entries (the codes in clear) still audits.
    @Test func entriesNameInstrumentsByACommitmentToTheirCode() async throws {
        try await TestDatabase.withStore { store in
            let recs = try await Self.records(2, on: store.db)
            var old = try LedgerConfiguration(signer: TestLedger.key)
            old.entryVersion = 1
            try await Ledger(store: store, configuration: old).sequenceAll()  // an older deployment's entries
            let v1Size = try await Self.ledger(store).state().size
            let more = try await Self.records(1, on: store.db, serial: "M")
            let ledger = try Self.ledger(store)
            try await ledger.sequenceAll()
            _ = try await ledger.publish()
            let codes = try await InstrumentModel.query(on: store.db).all().map(\.code)
            // v2 bundles hold no code; v1 entries did.
            let tiles = try await store.sql.raw("SELECT path, data FROM ledger_tiles WHERE path LIKE 'tile/entries/%'").all()
            let bytes = try tiles.flatMap { [UInt8](try $0.decode(column: "data", as: Data.self)) }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("jiliang/ledger/v1 ") && text.contains("jiliang/ledger/v2 "))
            let cert = try await ledger.certificate(of: .verificationRecord, id: more[0].id!)
            let entry = try cert.verify(policy: ledger.configuration.policy).entryText
            let code = try await InstrumentModel.find(more[0].instrumentID, on: store.db)!.code
            #expect(entry.hasPrefix("jiliang/ledger/v2 verification-record\n"))
            #expect(entry.contains("instrument \(LedgerKind.instrumentCommitment(code, instrumentID: "\(more[0].instrumentID)"))\n") && !entry.contains(code), "\(entry)")
            #expect(LedgerKind.entry(entry, names: code) && !LedgerKind.entry(entry, names: codes.first { $0 != code }!))
            #expect(!text.contains(code))
            let v1Codes = try await recs.asyncMap { try await InstrumentModel.find($0.instrumentID, on: store.db)!.code }
            #expect(v1Codes.allSatisfy { text.contains($0) } && v1Size > 0)
            // A v1 certificate still opens with its code (the code is in it).
            let old1 = try await ledger.certificate(of: .verificationRecord, id: recs[0].id!).verify(policy: ledger.configuration.policy).entryText
            #expect(old1.hasPrefix("jiliang/ledger/v1 ") && LedgerKind.entry(old1, names: v1Codes[0]) && !LedgerKind.entry(old1, names: code))
            #expect(codes.count == 3)
            // Both versions audit clean, and an edit of a v1 row is still caught.
            #expect(try await ledger.audit().findings.isEmpty)
            try await store.sql.raw("UPDATE verification_records SET certificate_no = 'FORGED-9' WHERE id = \(bind: recs[0].id!)").run()
            #expect(try await ledger.audit().findings.map(\.record) == ["verification-record/\(recs[0].id!)"])
        }
    }

    @Test func aDirectDatabaseEditIsCaughtByTheAudit() async throws {
        try await TestDatabase.withStore { store in
            let recs = try await Self.records(3, on: store.db)
            let ledger = try Self.ledger(store)
            try await ledger.sequenceAll()
            #expect(try await ledger.audit().findings.isEmpty)
            // Someone with database access forges one record's certificate number and back-dates another.
            try await store.sql.raw("UPDATE verification_records SET certificate_no = 'FORGED-1' WHERE id = \(bind: recs[1].id!)").run()
            try await store.sql.raw("UPDATE verification_records SET verified_on = '2025-01-09' WHERE id = \(bind: recs[2].id!)").run()
            let findings = try await ledger.audit().findings
            #expect(findings.count == 2)
            #expect(findings.contains { $0.record == "verification-record/\(recs[1].id!)" && $0.problem.contains("FORGED-1") })
            #expect(findings.contains { $0.record == "verification-record/\(recs[2].id!)" && $0.problem.contains("verified-on") })
            // Moving a leaf index is caught too.
            try await store.sql.raw("UPDATE verification_records SET ledger_index = 999 WHERE id = \(bind: recs[0].id!)").run()
            let again = try await ledger.audit().findings
            #expect(again.contains { $0.record == "verification-record/\(recs[0].id!)" && $0.problem.contains("leaf") })
        }
    }

    @Test func aSwappedTileByteIsCaughtByTheLogCheck() async throws {
        try await TestDatabase.withStore { store in
            _ = try await Self.records(4, on: store.db)
            let ledger = try Self.ledger(store)
            try await ledger.sequenceAll()
            _ = try await ledger.publish()
            #expect(try await ledger.verifyLog().isEmpty)
            let size = try await ledger.state().size
            let path = TilePath.hashTile(level: 0, index: 0, width: Int(size))
            var bytes = try #require(try await ledger.tile(path))
            bytes[40] ^= 0x01
            try await store.sql.raw("UPDATE ledger_tiles SET data = \(bind: Data(bytes)) WHERE path = \(bind: path)").run()
            let problems = try await ledger.verifyLog()
            #expect(problems.contains { $0.contains(path) && $0.contains("byte 40") })
            // An edited entry bundle is caught as well: its entries no longer hash to the tiles.
            bytes[40] ^= 0x01
            try await store.sql.raw("UPDATE ledger_tiles SET data = \(bind: Data(bytes)) WHERE path = \(bind: path)").run()
            #expect(try await ledger.verifyLog().isEmpty)
            let bundlePath = TilePath.entryBundle(index: 0, width: Int(size))
            var bundle = try #require(try await ledger.tile(bundlePath))
            bundle[bundle.count - 3] ^= 0x20
            try await store.sql.raw("UPDATE ledger_tiles SET data = \(bind: Data(bundle)) WHERE path = \(bind: bundlePath)").run()
            #expect(try await ledger.verifyLog().contains { $0.contains(path) })
        }
    }

    @Test func statusChangesAreLedgered() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let inst = try await Fixtures.instrument(serial: "F1", owner: owner, on: db)
            // A status change made through the registry.
            var draft = try InstrumentDraft.parse(
                Fixtures.raw(serial: "F1", owner: try CreditCode(validating: owner.creditCode)), context: try await Registry.context(on: db))
            draft.status = .suspended
            try #require(LifecycleStatus(rawValue: inst.lifecycle)!.canMove(to: .suspended))
            _ = try await Registry.updateInstrument(inst.id!, draft, scope: .everything, on: db)
            let ledger = try Self.ledger(store)
            try await ledger.sequenceAll()
            let size = try await ledger.state().size
            let entries = try await ledger.entries(0..<size, treeSize: size).map { String(decoding: $0, as: UTF8.self) }
            #expect(entries.contains { $0.hasPrefix("jiliang/ledger/v2 instrument-status\n") && $0.contains("to suspended\n") })
            #expect(try await ledger.audit().findings.isEmpty)
        }
    }
}

extension Array {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await f(e)) }
        return out
    }
}
