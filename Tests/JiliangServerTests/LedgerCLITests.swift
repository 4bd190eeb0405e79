import Foundation
import JiliangLedger
import JiliangStore
import SQLKit
import Testing

/// The ledger commands as an operator and an outside verifier use them, on the built binary:
/// `ledger sync`, `audit`, `verify ledger`, `verify certificate` and a `witness` process.
@Suite(.serialized) struct LedgerCLITests {
    @Test func syncAuditTamperAndVerifyFromTheCommandLine() async throws {
        let db = CLITests.temp("ledger.sqlite"), key = CLITests.temp("ledger.key")
        let wkey = CLITests.temp("witness.key"), wstate = CLITests.temp("witness-state.json")
        let demo = try await CLITests.run(["demo", "--instruments", "40", "--sqlite", db])
        #expect(demo.status == 0, "\(demo.output)")

        // A witness process with its own key, trusting the log key.
        let ledgerKey = try LedgerConfiguration.loadOrCreateKey(at: key, origin: "cli.test/ledger")
        let port = Int.random(in: 20_000..<40_000)
        let witness = try await ChildProcess.start(
            CLITests.binary,
            ["witness", "--key", wkey, "--name", "cli.test/witness", "--log", ledgerKey.verifier.description, "--state", wstate, "--port", String(port)])
        defer {
            witness.signal(SIGTERM)
            witness.waitUntilEnded()
        }
        var witnessKey: SignerKey?
        for _ in 0..<100 where witnessKey == nil {
            try await Task.sleep(for: .milliseconds(100))
            witnessKey = try? SignerKey(parsing: String(contentsOfFile: wkey, encoding: .utf8))
        }
        let wv = try #require(witnessKey).verifier
        // Wait until it listens (a fixed pause was too short on a busy machine).
        for _ in 0..<100 where !LocalPort.listening(on: port) { try await Task.sleep(for: .milliseconds(100)) }

        let sync = try await CLITests.run(["ledger", "sync", "--sqlite", db, "--ledger-key", key,
                                     "--witness", "\(wv) http://127.0.0.1:\(port)", "--witness-quorum", "1"])
        #expect(sync.status == 0, "\(sync.output)")
        #expect(sync.output.contains("published checkpoint"), "\(sync.output)")
        #expect(sync.output.contains("cli.test/witness"), "\(sync.output)")

        let clean = try await CLITests.run(["audit", "--sqlite", db, "--ledger-key", key])
        #expect(clean.status == 0 && clean.output.contains("every ledgered row matches"), "\(clean.output)")

        // A certificate, checked offline with the public keys only; then a forged copy.
        let store = try Store(location: .sqliteFile(db))
        let ledger = Ledger(store: store, configuration: try LedgerConfiguration(signer: ledgerKey))
        let recordID = try await store.sql.raw("SELECT id FROM verification_records ORDER BY id LIMIT 1").first()!
            .decode(column: "id", as: Int.self)
        let cert = try await ledger.certificate(of: .verificationRecord, id: recordID)
        let certFile = CLITests.temp("record.cert")
        try cert.serialized.write(toFile: certFile, atomically: true, encoding: .utf8)
        let keysFile = CLITests.temp("keys.txt")
        try "log \(ledgerKey.verifier)\nwitness \(wv) http://127.0.0.1:\(port)\nquorum 1\n".write(toFile: keysFile, atomically: true, encoding: .utf8)
        let ok = try await CLITests.run(["verify", "certificate", certFile, "--keys", keysFile])
        #expect(ok.status == 0 && ok.output.contains("VERIFIED") && ok.output.contains("cosigned by cli.test/witness"), "\(ok.output)")
        // The entry names its instrument by a commitment: the right code opens it, another does not.
        let code = try await store.sql.raw("SELECT i.code FROM instruments i JOIN verification_records r ON r.instrument_id = i.id WHERE r.id = \(bind: recordID)")
            .first()!.decode(column: "code", as: String.self)
        let other = try await store.sql.raw("SELECT code FROM instruments WHERE code <> \(bind: code) LIMIT 1").first()!.decode(column: "code", as: String.self)
        #expect(!ok.output.contains(code))
        let mine = try await CLITests.run(["verify", "certificate", certFile, "--keys", keysFile, "--instrument", code])
        #expect(mine.status == 0 && mine.output.contains("instrument \(code) is the one the entry names"), "\(mine.output)")
        let notMine = try await CLITests.run(["verify", "certificate", certFile, "--keys", keysFile, "--instrument", other])
        #expect(notMine.status == 1 && notMine.output.contains("NOT THIS INSTRUMENT"), "\(notMine.output)")
        var forged = cert
        forged.entry = Array(String(decoding: cert.entry, as: UTF8.self).replacingOccurrences(of: "result pass", with: "result fail").utf8)
        try forged.serialized.write(toFile: certFile, atomically: true, encoding: .utf8)
        let bad = try await CLITests.run(["verify", "certificate", certFile, "--keys", keysFile])
        #expect(bad.status == 1 && bad.output.contains("NOT VERIFIED"), "\(bad.output)")

        // Someone edits the database behind the application's back.
        try await store.sql.raw("UPDATE verification_records SET result = 'fail' WHERE id = \(bind: recordID)").run()
        await store.shutdown()
        let caught = try await CLITests.run(["audit", "--sqlite", db, "--ledger-key", key])
        #expect(caught.status == 1, "\(caught.output)")
        #expect(caught.output.contains("TAMPERED") && caught.output.contains("verification-record/\(recordID)"), "\(caught.output)")
        #expect(caught.output.contains("logged `result pass`, now `result fail`"), "\(caught.output)")

        // The log itself is intact; the whole-log check passes with the witness in the policy.
        let verified = try await CLITests.run(["verify", "ledger", "--sqlite", db, "--ledger-key", key,
                                         "--witness", "\(wv) http://127.0.0.1:\(port)", "--witness-quorum", "1"])
        #expect(verified.status == 0 && verified.output.contains("the ledger is consistent"), "\(verified.output)")
    }

    @Test(arguments: [
        (["verify", "certificate", "/nonexistent.cert", "--log-key", "a+00000000+AQ=="], "malformed: verifier key a+00000000+AQ=="),
        (["verify", "certificate", "/nonexistent.cert", "--log-key", TestKeys.vkey], "cannot read /nonexistent.cert"),
        (["verify", "certificate", "/etc/passwd", "--log-key", TestKeys.vkey], "NOT VERIFIED  malformed: certificate has no checkpoint"),
        (["verify", "certificate", "/etc/passwd"], "give the log's key with --log-key or --keys"),
        (["witness", "--log", "not-a-key", "--state", "/tmp/x.json", "--key", "/tmp/jiliang-cli-unused.key"], "malformed: verifier key not-a-key"),
        (["serve", "--witness", "only-one-part"], "witness must be `<verifier key> <http(s) URL>`"),
    ])
    func badLedgerArgumentsAreNamed(args: [String], message: String) async throws {
        let r = try await CLITests.run(args)
        #expect(r.status != 0)
        #expect(r.output.contains(message), "\(r.output)")
    }
}

enum TestKeys {
    static let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
}

/// A server started by a test is ready once its port accepts connections.
enum LocalPort {
    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func listening(on port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
