import ArgumentParser
import Foundation
import Hummingbird
import JiliangCore
import JiliangLedger
import JiliangServer
import JiliangStore
import Logging

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The ledger settings shared by `serve`, `ledger`, `audit` and `verify ledger`.
struct LedgerOptions: ParsableArguments {
    @Option(help: "The log's signer key file (created on first use)") var ledgerKey = "data/ledger.key"
    @Option(help: "Checkpoint origin for a newly created log key") var ledgerOrigin = "jiliang.local/ledger"
    @Option(help: "A witness as \"<verifier key> <URL>\" (repeatable)") var witness: [String] = []
    @Option(help: "How many witnesses must cosign before a checkpoint is published (default: all)") var witnessQuorum: Int?

    func apply(to config: inout AppConfiguration) throws {
        config.ledgerKeyPath = ledgerKey
        config.ledgerOrigin = ledgerOrigin
        config.witnesses = try witness.map { try LedgerConfiguration.WitnessEndpoint(parsing: $0) }
        config.witnessQuorum = witnessQuorum
        _ = try config.ledgerConfiguration()  // refuse a bad key file or quorum before starting
    }

    func ledger(_ store: Store) throws -> Ledger {
        var config = AppConfiguration(database: store.location)
        try apply(to: &config)
        return Ledger(store: store, configuration: try config.ledgerConfiguration())
    }
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "The tamper-evident ledger: status, catching up, keys",
        subcommands: [LedgerStatus.self, LedgerSync.self])
}

struct LedgerStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Size, pending rows, latest checkpoint and keys")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await db.withStore { store in
            let ledger = try options.ledger(store)
            let state = try await ledger.state()
            print("log key     \(ledger.configuration.signer.verifier)")
            print("size        \(state.size)  root \(state.root.base64)")
            print("pending     \(try await ledger.pendingCount())")
            print("checkpoint  " + (try await ledger.latestCheckpoint().map { "\n" + $0 } ?? "none published"))
        }
    }
}

struct LedgerSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Ledger every pending row now and publish a checkpoint (the server does this every second)")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await db.withStore { store in
            let ledger = try options.ledger(store)
            let total = try await ledger.pendingCount()
            let bar = ProgressBar(label: "ledgering")
            let n = try await ledger.sequenceAll { bar.update($0, total) }
            bar.finish()
            print("ledgered \(n) entries")
            if let p = try await ledger.publish() {
                print(p.published ? "published checkpoint \(p.checkpoint.size) cosigned by \(p.cosigners)"
                                  : "checkpoint \(p.checkpoint.size) NOT published: \(p.refusals)")
                if !p.published { throw ExitCode(2) }
            } else {
                print("the published checkpoint is current")
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Recompute every ledgered row from the database and report rows that no longer match their leaf")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var options: LedgerOptions

    func run() async throws {
        let findings = try await db.withStore { store in
            let ledger = try options.ledger(store)
            let size = try await ledger.state().size
            let barTotal = Int(size)
            let bar = ProgressBar(label: "auditing")
            let result = try await ledger.audit { done, _ in bar.update(Int(done), barTotal) }
            bar.finish()
            print("checked \(result.checked) ledger entries against the database")
            return result.findings
        }
        for f in findings { print("TAMPERED  \(f)") }
        if !findings.isEmpty {
            print("\(findings.count) row(s) do not match the ledger")
            throw ExitCode(1)
        }
        print("every ledgered row matches its leaf")
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a certificate offline, or the whole ledger", subcommands: [VerifyCertificate.self, VerifyLedger.self])
}

/// The trust policy a verifier brings: from a keys file (the format of /ledger/keys) or options.
struct TrustOptions: ParsableArguments {
    @Option(help: "A file with `log <vkey>`, `witness <vkey> <url>` and `quorum <n>` lines (as served at /ledger/keys)")
    var keys: String?
    @Option(help: "The log's verifier key") var logKey: String?
    @Option(help: "A witness verifier key (repeatable)") var witnessKey: [String] = []
    @Option(help: "Witness cosignatures required") var quorum: Int?

    func policy() throws -> TrustPolicy {
        var log = logKey, witnesses = witnessKey, q = quorum
        if let keys {
            let text = try String(contentsOfFile: keys, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                switch parts.first {
                case "log" where parts.count >= 2: log = log ?? String(parts[1])
                case "witness" where parts.count >= 2: witnesses.append(String(parts[1]))
                case "quorum" where parts.count >= 2: q = q ?? Int(parts[1])
                default: throw ValidationError("\(keys): cannot read the line `\(line)`")
                }
            }
        }
        guard let log else { throw ValidationError("give the log's key with --log-key or --keys") }
        let w = try witnesses.map { try VerifierKey(parsing: $0) }
        let quorum = q ?? w.count
        guard quorum <= w.count else { throw ValidationError("quorum \(quorum) is more than the \(w.count) witness key(s) given") }
        return TrustPolicy(logKey: try VerifierKey(parsing: log), witnesses: w, quorum: quorum)
    }
}

struct VerifyCertificate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate", abstract: "Check a ledger certificate offline against the log's and the witnesses' keys")
    @Argument(help: "The certificate file (from /api/v1/verification-records/{id}/certificate or the record page)") var file: String
    @OptionGroup var trust: TrustOptions
    @Option(help: "An instrument code (from its label): also check that the entry is about this instrument (entries name it by a commitment)")
    var instrument: String?

    func run() async throws {
        let policy = try trust.policy()
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        do {
            let cert = try LedgerCertificate(parsing: text)
            let v = try cert.verify(policy: policy)
            print("VERIFIED  \(cert.record) is leaf \(cert.leafIndex) of \(v.checkpoint.origin) at size \(v.checkpoint.size)")
            print("cosigned by \(v.cosigners.isEmpty ? "no witness (quorum 0)" : v.cosigners.joined(separator: ", "))")
            print(v.entryText, terminator: "")
            if let instrument {
                let code: String
                do { code = try InstrumentCode(validating: instrument).value } catch { throw ValidationError("--instrument: \(error)") }
                guard LedgerKind.entry(v.entryText, names: code) else {
                    print("NOT THIS INSTRUMENT  the entry does not name \(code)")
                    throw ExitCode(1)
                }
                print("instrument \(code) is the one the entry names")
            }
        } catch let e as LedgerError {
            print("NOT VERIFIED  \(e)")
            throw ExitCode(1)
        }
    }
}

struct VerifyLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Recompute the whole log from its entries: every tile, the root, every published checkpoint",
        discussion: "With --url, checks a running server's public /ledger/ endpoints as an outside monitor (needs --keys or --log-key); without, checks the database directly.")
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var options: LedgerOptions
    @OptionGroup var trust: TrustOptions
    @Option(help: "Base URL of a Jiliang server, e.g. http://127.0.0.1:8080") var url: String?

    func run() async throws {
        let problems: [String]
        if let url {
            problems = try await Self.remote(base: url, policy: try trust.policy())
        } else {
            problems = try await db.withStore { store in
                let ledger = try options.ledger(store)
                let size = try await ledger.state().size
                let barTotal = Int(size)
            let bar = ProgressBar(label: "verifying")
                let p = try await ledger.verifyLog { bar.update(Int($0), barTotal) }
                bar.finish()
                return p
            }
        }
        for p in problems { print("PROBLEM  \(p)") }
        if !problems.isEmpty { throw ExitCode(1) }
        print("the ledger is consistent: every tile, the root and every checkpoint check out")
    }

    static func fetch(_ url: URL) async throws -> (Int, Data) {
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    static func remote(base: String, policy: TrustPolicy) async throws -> [String] {
        guard let root = URL(string: base.hasSuffix("/") ? base : base + "/") else { throw ValidationError("bad --url \(base)") }
        let (status, body) = try await fetch(root.appendingPathComponent("ledger/checkpoint"))
        guard status == 200 else { return ["the server has no published checkpoint (HTTP \(status))"] }
        let (cp, cosigners) = try policy.open(String(decoding: body, as: UTF8.self))
        print("checkpoint \(cp.size) of \(cp.origin), cosigned by \(cosigners)")
        let barTotal = Int(cp.size)
            let bar = ProgressBar(label: "verifying")
        let report = try await LogVerifier.verify(size: cp.size, expectedRoot: cp.root, fetch: { path in
            let (s, d) = try await fetch(root.appendingPathComponent("ledger/" + path))
            return s == 200 ? [UInt8](d) : nil
        }, progress: { bar.update(Int($0), barTotal) })
        bar.finish()
        return report.problems
    }
}

struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a ledger witness (C2SP tlog-witness) as its own process with its own key",
        discussion: "Cosigns each checkpoint of the logs it trusts after checking its consistency proof; keeps the last cosigned size per log in --state (written atomically).")
    @Option(help: "The witness's key file (created on first use)") var key = "data/witness.key"
    @Option(help: "The witness's name, used when the key is created") var name = "witness.jiliang.local/w1"
    @Option(help: "A log verifier key this witness accepts checkpoints from (repeatable)") var log: [String]
    @Option(help: "The state file") var state = "data/witness-state.json"
    @Option(help: "Address to listen on") var host = "127.0.0.1"
    @Option(help: "Port to listen on") var port = 8090

    func run() async throws {
        let signer = try LedgerConfiguration.loadOrCreateKey(at: key, origin: name, type: .cosignatureV1)
        let logs = try log.map { try VerifierKey(parsing: $0) }
        guard !logs.isEmpty else { throw ValidationError("give at least one --log key") }
        let witness = try Witness(key: signer, logs: logs, stateFile: URL(fileURLWithPath: state))
        // Written unbuffered: scripts read this line while the witness runs.
        FileHandle.standardOutput.write(Data("witness \(signer.verifier) — http://\(host):\(port)/add-checkpoint\n".utf8))
        try await buildWitnessApplication(witness: witness, host: host, port: port).runService()
    }
}
