import ArgumentParser
import Crypto
import FluentKit
import Foundation
import JiliangLedger
import JiliangStore
import SQLKit

/// The ledger's speed beside its physical limit: the raw SHA-256 rate of 65-byte node messages
/// measured in the same run, then batched appends (leaf hash, tiles, bundles, root per batch) and
/// inclusion proofs computed from tiles and verified.
struct BenchLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger")
    @Option var entries = 1_000_000
    @Option var batch = 1_000
    @Option var proofs = 100_000

    func run() async throws {
        // Baseline: raw SHA-256 over 65-byte messages (what one node hash costs) and over the
        // entry size (what one leaf hash costs).
        let n = 2_000_000
        var buffer = [UInt8](repeating: 7, count: 65)
        var t = Date()
        for i in 0..<n {
            buffer[1] = UInt8(truncatingIfNeeded: i)
            buffer[2] = UInt8(truncatingIfNeeded: SHA256.hash(data: buffer).withUnsafeBytes { $0[0] })
        }
        let shaRate = Double(n) / Date().timeIntervalSince(t)
        let sample = Self.entry(0)
        t = Date()
        for i in 0..<n / 4 { buffer[3] = UInt8(truncatingIfNeeded: i); _ = SHA256.hash(data: sample) }
        let leafShaRate = Double(n / 4) / Date().timeIntervalSince(t)
        print(String(format: "raw SHA-256: %.0f node-sized (65 B) hashes/s, %.0f entry-sized (%d B) hashes/s",
                     shaRate, leafShaRate, sample.count))
        // One append costs one leaf hash plus (amortised) one node hash, plus the root per batch.
        let limit = 1 / (1 / shaRate + 1 / leafShaRate)
        print(String(format: "physical limit for appends (one leaf + one node hash each): %.0f/s", limit))

        var log = LogAppender()
        var tiles: [String: [UInt8]] = [:]
        let all = (0..<entries).map(Self.entry)
        t = Date()
        var at = 0
        while at < entries {
            let end = min(entries, at + batch)
            let update = try log.append(Array(all[at..<end]))
            for p in update.obsoletePrefixes { tiles[p] = nil }  // (cheap stand-in for the store's delete)
            for w in update.writes { tiles[w.path] = w.bytes }
            at = end
        }
        let appendSeconds = Date().timeIntervalSince(t)
        let rate = Double(entries) / appendSeconds
        print(String(format: "appends: %d entries in batches of %d: %.0f/s (%.2f of the physical limit), %.1f s",
                     entries, batch, rate, rate / limit, appendSeconds))

        let size = Int64(entries)
        let root = try log.root()
        let reader = TileReader(size: size, capacity: 1 << 20) { tiles[$0] }
        var g = SystemRandomNumberGenerator()
        let indexes = (0..<proofs).map { _ in Int64.random(in: 0..<size, using: &g) }
        // Cold: each proof expands the tiles it touches for the first time.
        let leafHashes = indexes.map { RFC6962.leafHash(all[Int($0)]) }
        t = Date()
        for (i, index) in indexes.enumerated() {
            let proof = try reader.inclusionProof(index: index)
            try Merkle.verifyInclusion(index: index, size: size, leaf: leafHashes[i], proof: proof, root: root)
        }
        let first = Date().timeIntervalSince(t) / Double(proofs) * 1e6
        // Warm: the same proofs again, tiles expanded (as a long-running server keeps them).
        t = Date()
        for (i, index) in indexes.enumerated() {
            let proof = try reader.inclusionProof(index: index)
            try Merkle.verifyInclusion(index: index, size: size, leaf: leafHashes[i], proof: proof, root: root)
        }
        let warm = Date().timeIntervalSince(t) / Double(proofs) * 1e6
        // Verification alone (what a phone or `jiliang verify certificate` does).
        let someProofs = try indexes.prefix(10_000).map { try reader.inclusionProof(index: $0) }
        t = Date()
        for (i, proof) in someProofs.enumerated() {
            try Merkle.verifyInclusion(index: indexes[i], size: size, leaf: leafHashes[i], proof: proof, root: root)
        }
        let verifyOnly = Date().timeIntervalSince(t) / Double(someProofs.count) * 1e6
        print(String(format: "inclusion proof computed from tiles + verified, tree of %d: %.1f µs first touch, %.1f µs warm; verify alone %.1f µs",
                     entries, first, warm, verifyOnly))
    }

    /// A ledger entry of realistic size (a v2 verification record is ~470 bytes).
    static func entry(_ i: Int) -> [UInt8] {
        let hmac = String(repeating: "5a", count: 32)
        return Array("""
            jiliang/ledger/v2 verification-record
            id \(i)
            instrument-id \(i)
            instrument sha256:\(hmac)
            institution 7
            verified-on 2026-11-20
            kind periodic
            result pass
            certificate-no JD-2026-\(i)
            result-notice-no -
            readings -
            valid-until 2027-11-19
            rule 12
            corrects -
            correction-reason -
            recorded-by hmac:\(hmac)

            """.utf8)
    }
}

/// The sequencer end to end on a real database: verification records inserted with SQL, then
/// ledgered (read, encoded, appended, tiles and leaf indexes written in one transaction per batch).
struct BenchLedgerDB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger-db")
    @OptionGroup var db: DatabaseOptions
    @Option var records = 200_000

    func run() async throws {
        let records = self.records
        try await db.withStore { store in
            let sql = store.sql
            let inst = try await sql.raw("SELECT COUNT(*) AS n FROM instruments").first()?.decode(column: "n", as: Int.self) ?? 0
            guard inst >= records else { throw ValidationError("needs \(records) instruments (run bench import first); has \(inst)") }
            let lab = try await sql.raw("SELECT id FROM institutions ORDER BY id LIMIT 1").first()?.decode(column: "id", as: Int.self)
            guard let lab else { throw ValidationError("needs an institution") }
            try await sql.raw("""
                INSERT INTO verification_records (instrument_id, region_code, institution_id, verified_on, kind, result, certificate_no, valid_until, recorded_by)
                SELECT id, region_code, \(bind: lab), '2026-11-20', 'periodic', 'pass', 'JD-' || code, '2027-11-19', 'bench'
                FROM instruments ORDER BY id LIMIT \(unsafeRaw: String(records))
                """).run()
            let key = try SignerKey(name: "bench.jiliang/ledger", type: .ed25519)
            let ledger = Ledger(store: store, configuration: try LedgerConfiguration(signer: key))
            let pending = try await ledger.pendingCount()
            let t = Date()
            let n = try await ledger.sequenceAll()
            let seconds = Date().timeIntervalSince(t)
            print(String(format: "sequencer on %@: %d rows ledgered in %.1f s: %.0f rows/s (of %d pending)",
                         store.isPostgres ? "PostgreSQL" : "SQLite", n, seconds, Double(n) / seconds, pending))
            let a = Date()
            let audit = try await ledger.audit()
            print(String(format: "audit of %d entries: %.1f s, %d findings", audit.checked, Date().timeIntervalSince(a), audit.findings.count))
        }
    }
}
