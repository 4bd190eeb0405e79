import FluentKit
import Foundation
import JiliangLedger
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The database side of the ledger: the sequencer that puts pending regulated facts into the
/// tiled Merkle log, the publisher that signs checkpoints and gathers witness cosignatures, and
/// the readers behind `/ledger/*`, certificates, `jiliang audit` and `jiliang verify ledger`.
///
/// Rows, tiles and the tree size change in one transaction, so the log and the leaf indexes in
/// the rows can never disagree after a crash. One sequencer runs at a time: in-process by a
/// serial queue, across processes by a row lock on `ledger_state` (PostgreSQL) or SQLite's
/// single writer.
public final class Ledger: Sendable {
    public let store: Store
    public let configuration: LedgerConfiguration
    let encoder: EntryEncoder
    private let serial = SerialRunner()
    private let cached = NIOLockedValueBox<LogAppender?>(nil)
    private let logger: Logger

    public init(store: Store, configuration: LedgerConfiguration) {
        self.store = store
        self.configuration = configuration
        self.encoder = EntryEncoder(pepper: configuration.signer.derivedSecret(label: "jiliang ledger personal-data v1"))
        self.logger = Logger(label: "jiliang.ledger")
    }

    public struct State: Sendable, Equatable {
        public var size: Int64
        public var root: Hash
    }

    public func state() async throws -> State {
        let row = try await store.sql.raw("SELECT size, root FROM ledger_state WHERE id = 1").first()
        let size = try row?.decode(column: "size", as: Int64.self) ?? 0
        let root = try row.flatMap { Hash(base64: try $0.decode(column: "root", as: String.self)) } ?? RFC6962.emptyRoot
        return State(size: size, root: size == 0 ? RFC6962.emptyRoot : root)
    }

    /// Rows waiting to be ledgered.
    public func pendingCount() async throws -> Int {
        var n = 0
        for kind in LedgerKind.allCases {
            let row = try await store.sql.raw(
                "SELECT COUNT(*) AS n FROM \(unsafeRaw: kind.table) x WHERE x.ledger_index IS NULL AND \(unsafeRaw: kind.ledgered)"
            ).first()
            n += try row?.decode(column: "n", as: Int.self) ?? 0
        }
        return n
    }

    // MARK: Sequencing

    /// Ledgers every pending row, batch by batch; returns how many entries were appended.
    @discardableResult
    public func sequenceAll(progress: (Int) -> Void = { _ in }) async throws -> Int {
        var total = 0
        while true {
            let n = try await sequence()
            if n == 0 { return total }
            total += n
            progress(total)
        }
    }

    /// Ledgers up to one batch of pending rows in one transaction.
    public func sequence() async throws -> Int {
        try await serial.run { try await self.sequenceBatch() }
    }

    private func sequenceBatch() async throws -> Int {
        let limit = configuration.batchSize
        let isPostgres = store.isPostgres
        let encoder = self.encoder, version = configuration.entryVersion
        let start = cached.withLockedValue { $0 }
        // Background work: on SQLite the worker's connections, so that waiting for the write lock
        // (an import holding it for a minute) never holds a request's connection (`Store.workerDB`).
        let db = store.workerDB
        let result: (Int, LogAppender?) = try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            let lock = isPostgres ? " FOR UPDATE" : ""
            let size = try await sql.raw("SELECT size FROM ledger_state WHERE id = 1\(unsafeRaw: lock)").first()?
                .decode(column: "size", as: Int64.self) ?? 0
            var rows: [LedgerRow] = []
            for kind in LedgerKind.allCases where rows.count < limit {
                let found = try await sql.raw("""
                    \(unsafeRaw: kind.select) WHERE x.ledger_index IS NULL AND \(unsafeRaw: kind.ledgered)
                    ORDER BY x.id LIMIT \(unsafeRaw: String(limit - rows.count))
                    """).all()
                rows += try found.map { try encoder.row(kind, $0, version: version) }
            }
            if rows.isEmpty { return (0, start?.size == size ? start : nil) }
            var appender: LogAppender
            if let start, start.size == size {
                appender = start
            } else {
                let edge = try await Ledger.tiles(LogAppender.edgePaths(size: size), on: sql)
                appender = try LogAppender(size: size) { edge[$0] }
            }
            let update = try appender.append(rows.map(\.entry))
            for prefix in update.obsoletePrefixes {
                // The exact names (widths 1…255), not LIKE or a string range: LIKE cannot use the
                // primary key (it scanned every tile), and a range depends on the collation.
                let names = (1..<TilePath.width).map { SQLBind(prefix + String($0)) }
                try await sql.raw("DELETE FROM ledger_tiles WHERE path IN (\(SQLList(names)))").run()
            }
            for chunk in update.writes.chunked(200) {
                var insert = sql.insert(into: "ledger_tiles").columns("path", "data")
                for w in chunk { insert = insert.values(SQLBind(w.path), SQLBind(Data(w.bytes))) }
                try await insert.onConflict(with: ["path"]) { $0.set(excludedValueOf: "data") }.run()
            }
            var index = size
            for kind in LedgerKind.allCases {
                let ofKind = rows.filter { $0.kind == kind }
                for chunk in ofKind.chunked(500) {
                    var parts: [SQLQueryString] = []
                    for r in chunk {
                        parts.append("WHEN \(bind: r.id) THEN \(bind: index)")
                        index += 1
                    }
                    let ids = chunk.map { SQLBind($0.id) }
                    try await sql.raw("""
                        UPDATE \(unsafeRaw: kind.table) SET ledger_index = CASE id \(parts.joined(separator: " ")) END
                        WHERE id IN (\(SQLList(ids)))
                        """).run()
                }
            }
            try await sql.raw("UPDATE ledger_state SET size = \(bind: update.size), root = \(bind: update.root.base64) WHERE id = 1").run()
            return (rows.count, appender)
        }
        cached.withLockedValue { $0 = result.1 }
        if result.0 > 0 { logger.debug("ledgered \(result.0) entries") }
        return result.0
    }

    // MARK: Tiles

    static func tiles(_ paths: [String], on sql: any SQLDatabase) async throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for chunk in paths.chunked(300) {
            let rows = try await sql.raw("SELECT path, data FROM ledger_tiles WHERE path IN (\(SQLList(chunk.map { SQLBind($0) })))").all()
            for r in rows {
                out[try r.decode(column: "path", as: String.self)] = [UInt8](try r.decode(column: "data", as: Data.self))
            }
        }
        return out
    }

    /// A tile or entry bundle by its C2SP path, as published at `/ledger/<path>`.
    public func tile(_ path: String) async throws -> [UInt8]? {
        try await Ledger.tiles([path], on: store.sql)[path]
    }

    /// A reader over the tree of `size` with the tiles `compute` needs already loaded.
    func reader(size: Int64, for compute: (NodeReader) throws -> Void) async throws -> TileReader {
        let paths = try TileReader.tilesNeeded(size: size, compute)
        let loaded = try await Ledger.tiles(Array(paths), on: store.sql)
        return TileReader(size: size) { loaded[$0] }
    }

    public func consistencyProof(from old: Int64, to size: Int64) async throws -> [Hash] {
        let r = try await reader(size: size) { read in _ = try Merkle.consistencyProof(from: old, to: size, read) }
        return try r.consistencyProof(from: old)
    }

    /// The root of the tree at an earlier `size`, recomputed from today's tiles.
    public func root(atSize size: Int64, current: Int64) async throws -> Hash {
        let r = try await reader(size: current) { read in _ = try Merkle.treeHash(size: size, read) }
        return try Merkle.treeHash(size: size, r.node)
    }

    /// The entries at leaf indexes `range`, as logged (from the entry bundles).
    public func entries(_ range: Range<Int64>, treeSize: Int64) async throws -> [[UInt8]] {
        guard !range.isEmpty else { return [] }
        var paths: [String] = []
        for n in (range.lowerBound >> 8)...((range.upperBound - 1) >> 8) {
            let full = (n + 1) * 256 <= treeSize
            paths.append(TilePath.entryBundle(index: n, width: full ? 256 : Int(treeSize - n * 256)))
        }
        let loaded = try await Ledger.tiles(paths, on: store.sql)
        var out: [[UInt8]] = []
        for (i, path) in paths.enumerated() {
            guard let bundle = loaded[path] else { throw LedgerError.missingTile(path) }
            let base = (range.lowerBound >> 8 + Int64(i)) * 256
            for (j, e) in try Tiles.entries(bundle).enumerated() where range.contains(base + Int64(j)) {
                out.append(Array(e))
            }
        }
        return out
    }
}

/// Runs async operations one at a time, in the order they arrive.
final class SerialRunner: Sendable {
    private let tail = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func run<T: Sendable>(_ op: @escaping @Sendable () async throws -> T) async throws -> T {
        let task: Task<T, any Error> = tail.withLockedValue { tail in
            let previous = tail
            let t = Task { _ = await previous?.value; return try await op() }
            tail = Task { _ = try? await t.value }
            return t
        }
        return try await task.value
    }
}
