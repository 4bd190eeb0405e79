import Foundation
import JiliangLedger
import Testing

@Suite struct NoteTests {
    static let peterVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let peterSKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let signed = text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    /// Go's golang.org/x/mod/sumdb/note example: Ed25519 is deterministic, so our signer must
    /// reproduce the published note byte for byte.
    @Test func signingReproducesTheGoExample() throws {
        let key = try SignerKey(parsing: Self.peterSKey)
        #expect(key.verifier.description == Self.peterVKey)
        #expect(key.description == Self.peterSKey)
        let note = Note(text: Self.text, signatures: [try key.sign(text: Self.text)])
        #expect(note.serialized == Self.signed)
    }

    @Test func openingVerifiesAndTamperingFails() throws {
        let vkey = try VerifierKey(parsing: Self.peterVKey)
        let note = try Note(parsing: Self.signed)
        #expect(note.text == Self.text)
        #expect(note.serialized == Self.signed)
        #expect(try note.verified(by: [vkey]).count == 1)
        let forged = try Note(parsing: Self.signed.replacingOccurrences(of: "cryptography", with: "cryptographY"))
        #expect(throws: LedgerError.self) { try forged.verified(by: [vkey]) }
        // An unknown key is ignored, not trusted.
        let other = try SignerKey(name: "PeterNeumann", type: .ed25519).verifier
        #expect(try note.verified(by: [other]).isEmpty)
    }

    @Test(arguments: ["PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                      "PeterNeumann+c74f20a3", "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10"])
    func malformedVerifierKeysAreRefused(vkey: String) {
        #expect(throws: (any Error).self) { try VerifierKey(parsing: vkey) }
    }

    /// A real checkpoint of a CT log cosigned by public witnesses (tlog-cosignature v1, type 0x04),
    /// with signature lines of other types that must be ignored.
    @Test func realCosignedCheckpointVerifies() throws {
        let checkpoint = """
            arche2025h1.staging.ct.transparency.dev
            1432088532
            U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

            — arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
            — arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
            — transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
            — witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
            — remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
            — witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==

            """
        let log = try VerifierKey(parsing: "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f")
        let remora = try VerifierKey(parsing: "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
        #expect(remora.type == .cosignatureV1)
        // Parsing and writing back is byte-for-byte (signature lines of unknown types included).
        #expect(try Note(parsing: checkpoint).serialized == checkpoint)
        #expect(try Checkpoint(text: Note(parsing: checkpoint).text).text == Note(parsing: checkpoint).text)
        let opened = try TrustPolicy(logKey: log, witnesses: [remora], quorum: 1).open(checkpoint)
        #expect(opened.checkpoint.size == 1_432_088_532)
        #expect(opened.cosigners == ["remora.n621.de"])
        let clobbered = checkpoint.replacingOccurrences(of: "1432088532", with: "42")
        #expect(throws: LedgerError.self) { try TrustPolicy(logKey: log, witnesses: [remora], quorum: 1).open(clobbered) }
    }

    @Test func checkpointTextRoundTrips() throws {
        let cp = Checkpoint(origin: "example.com/log", size: 20_852_163, root: RFC6962.leafHash([1]), extensions: ["x y"])
        #expect(try Checkpoint(text: cp.text) == cp)
        #expect(throws: LedgerError.self) { try Checkpoint(text: "example.com/log\n01\n\(cp.root.base64)\n") }
    }
}

@Suite struct WitnessTests {
    let logKey = try! SignerKey(name: "ledger.example/jiliang", type: .ed25519)
    let witnessKey = try! SignerKey(name: "witness.example/w1", type: .cosignatureV1)

    func tree(_ n: Int) throws -> (LogAppender, MemoryTiles) {
        var log = LogAppender()
        let store = MemoryTiles()
        store.apply(try log.append(sampleEntries(n)))
        return (log, store)
    }

    func signed(size: Int64, root: Hash, key: SignerKey? = nil) throws -> String {
        let body = Checkpoint(origin: "ledger.example/jiliang", size: size, root: root).text
        return Note(text: body, signatures: [try (key ?? logKey).sign(text: body)]).serialized
    }

    func request(old: Int64, proof: [Hash], checkpoint: String) -> String {
        "old \(old)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + checkpoint
    }

    func stateFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("witness-\(UUID().uuidString)/state.json")
    }

    @Test func cosignsConsistentCheckpointsAndRefusesTheRest() async throws {
        let file = stateFile()
        let witness = try Witness(key: witnessKey, logs: [logKey.verifier], stateFile: file, clock: { 1_700_000_000 })
        let (_, store10) = try tree(10)
        let root10 = try TileReader(size: 10) { store10.files[$0] }.root()
        let first = try signed(size: 10, root: root10)
        let ok = await witness.addCheckpoint(body: request(old: 0, proof: [], checkpoint: first))
        #expect(ok.status == 200)
        // The cosignature verifies with the witness's public key and carries the clock's time.
        let cosigned = try Note(parsing: first + ok.body)
        let good = try cosigned.verified(by: [logKey.verifier, witnessKey.verifier])
        #expect(good.map(\.key.name).sorted() == ["ledger.example/jiliang", "witness.example/w1"])
        #expect(Cosignature.time(of: good.first { $0.key.type == .cosignatureV1 }!.signature) == 1_700_000_000)

        // Grow to 300 leaves: the same first 10 entries plus more.
        var (log, store) = try tree(10)
        store.apply(try log.append(sampleEntries(290, seed: 9)))
        let reader = TileReader(size: 300) { store.files[$0] }
        let next = try signed(size: 300, root: try reader.root())
        // A stale old size: 409 with the size the witness knows.
        let stale = await witness.addCheckpoint(body: request(old: 0, proof: [], checkpoint: next))
        #expect(stale.status == 409)
        #expect(stale.contentType == "text/x.tlog.size")
        #expect(stale.body == "10\n")
        // A wrong proof: 422, and the recorded size does not move.
        let badProof = try reader.consistencyProof(from: 11)
        #expect(await witness.addCheckpoint(body: request(old: 10, proof: badProof, checkpoint: next)).status == 422)
        // A forked log (different history): 422.
        var (fork, forkStore) = (LogAppender(), MemoryTiles())
        forkStore.apply(try fork.append(sampleEntries(300, seed: 5)))
        let forkReader = TileReader(size: 300) { forkStore.files[$0] }
        let forked = try signed(size: 300, root: try forkReader.root())
        #expect(await witness.addCheckpoint(body: request(old: 10, proof: try forkReader.consistencyProof(from: 10), checkpoint: forked)).status == 422)
        // The right proof: 200.
        #expect(await witness.addCheckpoint(body: request(old: 10, proof: try reader.consistencyProof(from: 10), checkpoint: next)).status == 200)
        #expect(await witness.latest(origin: "ledger.example/jiliang")?.size == 300)

        // The state survives a restart.
        let restarted = try Witness(key: witnessKey, logs: [logKey.verifier], stateFile: file)
        #expect(await restarted.latest(origin: "ledger.example/jiliang")?.size == 300)
        // Same size, different root: 409.
        #expect(await restarted.addCheckpoint(body: request(old: 300, proof: [], checkpoint: forked)).status == 409)
    }

    @Test func refusesUnknownLogsForeignSignaturesAndBadRequests() async throws {
        let witness = try Witness(key: witnessKey, logs: [logKey.verifier], stateFile: stateFile())
        let root = RFC6962.leafHash([1])
        let impostor = try SignerKey(name: "ledger.example/jiliang", type: .ed25519)
        #expect(await witness.addCheckpoint(body: request(old: 0, proof: [], checkpoint: try signed(size: 1, root: root, key: impostor))).status == 403)
        let otherLog = try SignerKey(name: "other.example/log", type: .ed25519)
        let otherBody = Checkpoint(origin: "other.example/log", size: 1, root: root).text
        let otherNote = Note(text: otherBody, signatures: [try otherLog.sign(text: otherBody)]).serialized
        #expect(await witness.addCheckpoint(body: request(old: 0, proof: [], checkpoint: otherNote)).status == 404)
        #expect(await witness.addCheckpoint(body: request(old: 2, proof: [], checkpoint: try signed(size: 1, root: root))).status == 400)
        #expect(await witness.addCheckpoint(body: "old x\n\n" + (try signed(size: 1, root: root))).status == 400)
        #expect(await witness.addCheckpoint(body: "nonsense").status == 400)
        #expect(await witness.latest(origin: "ledger.example/jiliang") == nil)
    }
}

@Suite struct CertificateTests {
    @Test func certificateVerifiesOfflineAndDetectsTampering() throws {
        let logKey = try SignerKey(name: "ledger.example/jiliang", type: .ed25519)
        let w = try SignerKey(name: "witness.example/w1", type: .cosignatureV1)
        var log = LogAppender()
        let store = MemoryTiles()
        let entries = sampleEntries(700)
        let u = try log.append(entries)
        store.apply(u)
        let body = Checkpoint(origin: logKey.name, size: u.size, root: u.root).text
        let note = Note(text: body, signatures: [try logKey.sign(text: body), try Cosignature.sign(body: body, time: 1, key: w)])
        let reader = TileReader(size: u.size) { store.files[$0] }
        let cert = LedgerCertificate(record: "verification-record/42", leafIndex: 300, entry: entries[300],
                                     proof: try reader.inclusionProof(index: 300), checkpoint: note.serialized)
        let parsed = try LedgerCertificate(parsing: cert.serialized)
        #expect(parsed == cert)
        let policy = TrustPolicy(logKey: logKey.verifier, witnesses: [w.verifier], quorum: 1)
        #expect(try parsed.verify(policy: policy).cosigners == ["witness.example/w1"])

        var forged = parsed
        forged.entry[0] ^= 1
        #expect(throws: LedgerError.self) { try forged.verify(policy: policy) }
        var moved = parsed
        moved.leafIndex = 301
        #expect(throws: LedgerError.self) { try moved.verify(policy: policy) }
        let stricter = TrustPolicy(logKey: logKey.verifier, witnesses: [w.verifier], quorum: 2)
        #expect(throws: LedgerError.self) { try parsed.verify(policy: stricter) }
    }
}
