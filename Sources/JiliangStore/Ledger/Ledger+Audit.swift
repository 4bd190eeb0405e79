import FluentKit
import Foundation
import JiliangLedger
import SQLKit

extension Ledger {
    /// One discrepancy between the database and the log.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var leafIndex: Int64?
        public var record: String
        public var problem: String
        public var description: String {
            (leafIndex.map { "leaf \($0): " } ?? "") + "\(record): \(problem)"
        }
    }

    /// Recomputes every ledgered row from the database and compares it with its leaf: an edited row,
    /// a deleted row or a moved leaf index is reported. Reads the log in bundles of 256 entries.
    public func audit(progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> (checked: Int64, findings: [Finding]) {
        let size = try await state().size
        var findings: [Finding] = []
        var at: Int64 = 0
        let step: Int64 = 256 * 16
        while at < size {
            let end = min(size, at + step)
            let logged = try await entries(at..<end, treeSize: size)
            var wanted: [LedgerKind: [(Int64, Int, [UInt8], Int)]] = [:]
            for (offset, entry) in logged.enumerated() {
                let index = at + Int64(offset)
                guard let (kind, id, version) = EntryEncoder.identify(entry[...]) else {
                    findings.append(Finding(leafIndex: index, record: "?", problem: "the entry is not a Jiliang ledger entry"))
                    continue
                }
                wanted[kind, default: []].append((index, id, entry, version))
            }
            for (kind, items) in wanted {
                var rows: [Int: any SQLRow] = [:]
                for chunk in items.chunked(500) {
                    let found = try await store.sql.raw(
                        "\(unsafeRaw: kind.select) WHERE x.id IN (\(SQLList(chunk.map { SQLBind($0.1) })))").all()
                    for r in found { rows[try r.decode(column: "id", as: Int.self)] = r }
                }
                for (index, id, entry, version) in items {
                    let name = "\(kind.rawValue)/\(id)"
                    // Re-encoded in the version the entry was written in (v1 entries named the code).
                    guard let found = rows[id] else {
                        findings.append(Finding(leafIndex: index, record: name, problem: "the row was deleted"))
                        continue
                    }
                    let row = try encoder.row(kind, found, version: version)
                    if row.ledgerIndex != index {
                        findings.append(Finding(leafIndex: index, record: name,
                                                problem: "the row claims leaf \(row.ledgerIndex.map(String.init) ?? "none")"))
                    }
                    if row.entry != entry {
                        findings.append(Finding(leafIndex: index, record: name,
                                                problem: "the row no longer matches its leaf: " + Ledger.difference(entry, row.entry)))
                    }
                }
            }
            at = end
            progress(at, size)
        }
        // Rows claiming leaves beyond the log (or leaves their entry does not name) were forged.
        for kind in LedgerKind.allCases {
            let bad = try await store.sql.raw(
                "SELECT id, ledger_index FROM \(unsafeRaw: kind.table) WHERE ledger_index >= \(bind: size) OR ledger_index < 0").all()
            for r in bad {
                findings.append(Finding(leafIndex: try r.decode(column: "ledger_index", as: Int64.self),
                                        record: "\(kind.rawValue)/\(try r.decode(column: "id", as: Int.self))",
                                        problem: "the row claims a leaf the log does not have"))
            }
        }
        return (size, findings)
    }

    /// The first line that differs, for a readable report.
    static func difference(_ logged: [UInt8], _ now: [UInt8]) -> String {
        let a = String(decoding: logged, as: UTF8.self).split(separator: "\n")
        let b = String(decoding: now, as: UTF8.self).split(separator: "\n")
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? String(a[i]) : "(none)", y = i < b.count ? String(b[i]) : "(none)"
            if x != y { return "logged `\(x)`, now `\(y)`" }
        }
        return "bytes differ"
    }

    /// Checks the stored tiles against the entries (`LogVerifier`), the tree state against the
    /// tiles, and every published checkpoint: its signatures under the policy and its root against
    /// the tree (so history was only ever appended to).
    public func verifyLog(progress: (Int64) -> Void = { _ in }) async throws -> [String] {
        let state = try await state()
        let sql = store.sql
        let report = try await LogVerifier.verify(size: state.size, expectedRoot: state.root, fetch: { path in
            try await Ledger.tiles([path], on: sql)[path]
        }, progress: progress)
        var problems = report.problems
        let policy = configuration.policy
        for (size, note) in try await publishedCheckpoints() {
            do {
                let (cp, _) = try policy.open(note)
                guard cp.size == size, size <= state.size else {
                    problems.append("checkpoint \(size) names size \(cp.size) beyond the tree of \(state.size)")
                    continue
                }
                let root = try await root(atSize: size, current: state.size)
                if root != cp.root { problems.append("checkpoint \(size) has root \(cp.root.base64); the tree gives \(root.base64)") }
            } catch {
                problems.append("checkpoint \(size): \(error)")
            }
        }
        return problems
    }
}
