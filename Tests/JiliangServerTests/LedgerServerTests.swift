import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JiliangCore
import JiliangLedger
import JiliangServer
import JiliangStore
import JiliangTestSupport
import Logging
import ServiceLifecycle
import Testing

/// The ledger over HTTP: the public tile endpoints, the certificate API, and a real witness
/// process-equivalent (the witness application on a live socket) cosigning checkpoints.
@Suite struct LedgerServerTests {
    @Test func recordsGetCertificatesThatVerifyOfflineFromPublicKeys() async throws {
        try await withApp { store, client in
            #expect(try await client.send(.get, "/ledger/checkpoint", as: .anonymous).status == .notFound)
            let ids = try await APIFlowTests.seed(client)
            let record = try await client.send(.post, "/api/v1/verification-records", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "date": "2026-11-20", "kind": "first",
                "result": "pass", "certificate_no": "JD-77", "recorded_by": "检定员甲",
            ])
            let id = try #require(record.json["id"] as? Int)
            let early = try await client.send(.get, "/api/v1/verification-records/\(id)/certificate")
            #expect(early.status == .conflict)
            #expect(early.text.contains("not in the ledger yet"))

            // The instrument page says the record is not in the ledger yet ...
            _ = try await Accounts.createUser(
                .init(login: "ledger-admin", displayName: "账本", password: "ledger-password-1", role: "province_admin"),
                by: .system("tests"), on: store.db)
            let browser = PageTests.Browser(client)
            try await browser.signIn("ledger-admin", "ledger-password-1")
            let before = try await browser.get("/app/instruments/\(ids.instrument)")
            #expect(before.text.contains("待入账本"), "\(before.status) \(before.text.prefix(600))")
            #expect(before.text.contains("<figure class=\"qr-figure\" id=\"instrument-qr\"><svg"))
            #expect(try await browser.get("/app/records/\(id)/certificate").text.contains("id=\"ledger-pending\""))

            let ledger = try TestLedger.ledger(store)
            try await ledger.sequenceAll()
            _ = try await ledger.publish()
            let leaf = try #require(try await client.send(.get, "/api/v1/verification-records/\(id)").json["ledger_index"] as? Int)
            // ... and then links its certificate, which the signed-in browser can download.
            let page = try await browser.get("/app/instruments/\(ids.instrument)").text
            #expect(page.contains("href=\"/app/records/\(id)/certificate\""))
            #expect(page.contains("账本证书 #\(leaf)"))
            let certPage = try await browser.get("/app/records/\(id)/certificate").text
            #expect(certPage.contains("id=\"certificate-qr\"><svg"))
            #expect(certPage.contains("#\(leaf) / "))
            #expect(certPage.contains("certificate-no JD-77"))
            #expect(certPage.contains("href=\"/api/v1/verification-records/\(id)/certificate\""))
            #expect(try await browser.get("/api/v1/verification-records/\(id)/certificate").text.hasPrefix("jiliang-certificate/v1\n"))
            let status = try await client.send(.get, "/api/v1/ledger").json
            #expect(status["pending"] as? Int == 0)
            #expect(status["log_key"] as? String == TestLedger.key.verifier.description)

            // Public, no login: the checkpoint, the keys and the tiles.
            let checkpoint = try await client.send(.get, "/ledger/checkpoint", as: .anonymous)
            #expect(checkpoint.status == .ok)
            #expect(checkpoint.headers[.cacheControl] == "max-age=2")
            let keys = try await client.send(.get, "/ledger/keys", as: .anonymous).text
            #expect(keys.contains("log \(TestLedger.key.verifier)"))
            let cp = try TrustPolicy(logKey: TestLedger.key.verifier).open(checkpoint.text).checkpoint
            let tile = try await client.send(.get, "/ledger/" + TilePath.hashTile(level: 0, index: 0, width: Int(cp.size)), as: .anonymous)
            #expect(tile.status == .ok && tile.body.readableBytes == Int(cp.size) * 32)
            #expect(tile.headers[.cacheControl]?.contains("immutable") == true)
            #expect(try await client.send(.get, "/ledger/tile/0/0", as: .anonymous).status == .notFound)
            #expect(try await client.send(.get, "/ledger/tile/0/../../etc/passwd", as: .anonymous).status == .notFound)

            // The certificate verifies offline with the published log key alone.
            let cert = try await client.send(.get, "/api/v1/verification-records/\(id)/certificate")
            #expect(cert.status == .ok)
            let verified = try LedgerCertificate(parsing: cert.text).verify(policy: TrustPolicy(logKey: TestLedger.key.verifier))
            #expect(verified.entryText.contains("certificate-no JD-77\n"))
            #expect(!verified.entryText.contains("检定员甲"))
            // The certificate API needs a caller (the public lookup of issue #6 will use the tiles).
            #expect(try await client.send(.get, "/api/v1/verification-records/\(id)/certificate", as: .anonymous).status == .unauthorized)
            // A bureau of another city does not see the record, so not its certificate either.
            let xiamen = try await Accounts.createToken(
                .init(name: "xiamen", role: "bureau_staff", regionCode: "350200"), by: .system("tests"), on: store.db)
            let foreign = try await client.send(.get, "/api/v1/verification-records/\(id)/certificate", as: .bearer(xiamen.token))
            #expect(foreign.status == .notFound)
            #expect(!foreign.text.contains("JD-77"))
        }
    }

    @Test func checkpointsArePublishedOnlyWithTheWitnessQuorum() async throws {
        let witnessKey = try SignerKey(name: "witness.test/w1", type: .cosignatureV1)
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("w-\(UUID().uuidString)/state.json")
        let witness = try Witness(key: witnessKey, logs: [TestLedger.key.verifier], stateFile: stateFile)
        let app = buildWitnessApplication(witness: witness, host: "127.0.0.1", port: 0)
        try await app.test(.live) { witnessClient in
            let port = try #require(witnessClient.port)
            try await withApp { store, client in
                let ids = try await APIFlowTests.seed(client)
                let endpoint = LedgerConfiguration.WitnessEndpoint(key: witnessKey.verifier, url: URL(string: "http://127.0.0.1:\(port)")!)
                let ledger = try TestLedger.ledger(store, witnesses: [endpoint], quorum: 1)
                try await ledger.sequenceAll()
                let first = try #require(try await ledger.publish())
                #expect(first.published && first.cosigners == ["witness.test/w1"])

                // More facts, a second checkpoint: the witness gets a consistency proof and cosigns.
                _ = try await client.send(.post, "/api/v1/verification-records", json: [
                    "instrument_id": ids.instrument, "institution_id": ids.institution, "date": "2026-11-21", "kind": "periodic",
                    "result": "pass", "certificate_no": "JD-2", "recorded_by": "t",
                ])
                try await ledger.sequenceAll()
                let second = try #require(try await ledger.publish())
                #expect(second.published && second.checkpoint.size > first.checkpoint.size)
                #expect(await witness.latest(origin: "ledger.test/jiliang")?.size == second.checkpoint.size)
                let note = try #require(try await ledger.latestCheckpoint())
                let policy = TrustPolicy(logKey: TestLedger.key.verifier, witnesses: [witnessKey.verifier], quorum: 1)
                #expect(try policy.open(note).cosigners == ["witness.test/w1"])

                // A forked checkpoint (same log key, other history) is refused by the witness with 422,
                // a stale old size with 409: over HTTP, as the log would see it.
                let forged = Checkpoint(origin: "ledger.test/jiliang", size: second.checkpoint.size + 1, root: RFC6962.leafHash([9]))
                let forgedNote = Note(text: forged.text, signatures: [try TestLedger.key.sign(text: forged.text)]).serialized
                let proof = try await ledger.consistencyProof(from: second.checkpoint.size - 1, to: second.checkpoint.size)
                let body = "old \(second.checkpoint.size)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + forgedNote
                let refused = try await witnessClient.execute(uri: "/add-checkpoint", method: .post, body: ByteBuffer(string: body))
                #expect(refused.status.code == 422)
                let stale = try await witnessClient.execute(uri: "/add-checkpoint", method: .post, body: ByteBuffer(string: "old 0\n\n" + forgedNote))
                #expect(stale.status.code == 409)
                #expect(String(buffer: stale.body) == "\(second.checkpoint.size)\n")

                // Without the quorum nothing new is published: the witness now refuses (it is told an
                // impossible old size), and the latest checkpoint stays where it was.
                let unreachable = LedgerConfiguration.WitnessEndpoint(key: witnessKey.verifier, url: URL(string: "http://127.0.0.1:9")!)
                let cut = try TestLedger.ledger(store, witnesses: [unreachable], quorum: 1)
                _ = try await client.send(.post, "/api/v1/verification-records", json: [
                    "instrument_id": ids.instrument, "institution_id": ids.institution, "date": "2026-11-22", "kind": "periodic",
                    "result": "pass", "certificate_no": "JD-3", "recorded_by": "t",
                ])
                try await cut.sequenceAll()
                let third = try #require(try await cut.publish())
                #expect(!third.published)
                #expect(try await ledger.latestCheckpoint() == note)
            }
        }
    }
}
