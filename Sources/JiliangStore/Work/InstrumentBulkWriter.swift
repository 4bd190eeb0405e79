import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import JiliangCore
import Logging
import NIOCore
import SQLKit

/// Writes many rows in the fastest way each database offers, inside the caller's transaction:
/// PostgreSQL `COPY … FROM STDIN` (text format), SQLite multi-row `INSERT OR FAIL` statements
/// through sqlite-nio with native binds. Both skip SQLKit's per-value `Encodable` path,
/// which dominated the import's time (BENCHMARKS.md). Rows must already be validated and free of
/// natural-key duplicates; the caller checks that against the registry first.
enum InstrumentBulkWriter {
    /// One cell of a row.
    enum Cell {
        case text(String?)
        case int(Int?)
        case double(Double?)
        case date(Date)
    }

    static func row(
        _ d: InstrumentDraft, code: InstrumentCode, ownerID: Int, entry: CatalogueEntry?, book: RuleBook, records: [VerificationFact] = [], now: Date
    ) -> [Cell] {
        let form = book.currentForm(subNo: d.subNo, attributes: d.meter, catalogueForm: entry?.form)
        let eval = ComplianceEngine.evaluate(
            .init(lifecycle: d.status, form: form, mode: entry?.mode, inServiceDate: d.inServiceDate, records: records))
        return StoredInstrument(d, code: code, ownerID: ownerID, evaluation: eval, now: now).cells
    }

    /// A row that breaks a key fails the write (SQLite `INSERT OR FAIL`, PostgreSQL `COPY`), which
    /// rolls the caller's transaction back whole. Unlike a plain INSERT, which must be able to undo
    /// its own earlier rows, `OR FAIL` needs no statement journal (a copy of every page the
    /// statement touches, in a temporary file) — for a table without foreign keys: the offences,
    /// 8.3 s → 6.6 s for a million meters, and the instruments' staging table (issue #23). A table
    /// with foreign keys (records) keeps the journal either way.
    static func write(
        _ rows: [[Cell]], columns: [String], table: String, on db: any Database, logger: Logger, progress: (Int) -> Void = { _ in }
    ) async throws {
        if let pg = db as? any PostgresDatabase {
            try await copy(rows, columns: columns, table: table, into: pg, logger: logger, progress: progress)
        } else if let sqlite = db as? any SQLiteDatabase {
            try await insert(rows, columns: columns, table: table, into: sqlite, progress: progress)
        } else {
            throw RegistryError.conflict(field: "database", reason: .importing(.bulkWritesNeedSQLiteOrPostgreSQL))
        }
    }

    /// Writes instrument rows and answers the id each new row got, by its code (the records and
    /// the kept counts need them).
    ///
    /// The rows go first into the connection's own temporary table without keys (`stagingTable`:
    /// SQLite multi-row inserts, PostgreSQL `COPY`), then into `instruments` with one
    /// `INSERT … SELECT … RETURNING id, code` per slice (issue #23):
    /// - SQLite keeps a statement journal for every statement that inserts into a table with
    ///   foreign keys: a copy of each page the statement first changes. The codes are random, so
    ///   each of a slice's 40 statements of 500 rows changed pages all over the indexes and copied
    ///   them again; one statement per slice copies each page once.
    /// - PostgreSQL's `COPY` into `instruments` answered nothing, so the new ids were read back by
    ///   code, 500 at a time; the insert now answers them itself.
    ///
    /// A row whose code is taken is passed over (`ON CONFLICT (code) DO NOTHING`), so it has no
    /// id here and the caller names it. `staged` is called between the two steps (the import
    /// times each: `InstrumentImport.Times`).
    static func writeInstruments(
        _ rows: [[Cell]], on db: any Database, logger: Logger, staged: () -> Void = {}
    ) async throws -> [String: Int] {
        try await stageInstruments(rows, on: db, logger: logger)
        staged()
        return try await insertStagedInstruments(on: db, expected: rows.count)
    }

    /// The first step of `writeInstruments`: the rows into the connection's staging table.
    private static func stageInstruments(_ rows: [[Cell]], on db: any Database, logger: Logger) async throws {
        let list = instrumentColumnList
        // Dropped at the commit or the rollback (PostgreSQL), by `withBulkSettings` (SQLite).
        try await (db as! any SQLDatabase).raw(
            db is any SQLiteDatabase
                ? "CREATE TEMP TABLE IF NOT EXISTS \(unsafeRaw: stagingTable) AS SELECT \(unsafeRaw: list) FROM instruments WHERE 0"
                : "CREATE TEMP TABLE IF NOT EXISTS \(unsafeRaw: stagingTable) ON COMMIT DROP AS SELECT \(unsafeRaw: list) FROM instruments WITH NO DATA"
        ).run()
        // No key to break in the staging table, so no statement journal on SQLite.
        try await write(rows, columns: StoredInstrument.columnNames, table: stagingTable, on: db, logger: logger)
    }

    /// The second step of `writeInstruments`: the staged rows into `instruments`, the staging table
    /// emptied, and the new rows' ids by code.
    private static func insertStagedInstruments(on db: any Database, expected: Int) async throws -> [String: Int] {
        let list = instrumentColumnList
        let sql = db as! any SQLDatabase
        // In the staging table's order, the file's, so ids follow the file as before (SQLite by
        // rowid; PostgreSQL's scan of the table emptied before each slice reads it in that order).
        // Only a taken code is passed over (the caller names it); any other key a row breaks — a
        // natural key registered meanwhile by another transaction on PostgreSQL — fails the import
        // with the database's error, as `COPY` did. `WHERE true`: SQLite's parser needs it before
        // an upsert clause.
        let sqlite = db as? any SQLiteDatabase
        let (staged, order) = sqlite != nil ? ("temp.\(stagingTable)", " ORDER BY rowid") : ("pg_temp.\(stagingTable)", "")
        let insert = "INSERT INTO instruments (\(list)) SELECT \(list) FROM \(staged) WHERE true\(order) ON CONFLICT (code) DO NOTHING RETURNING id, code"
        var ids: [String: Int] = [:]
        ids.reserveCapacity(expected)
        if let sqlite {
            // Read from sqlite-nio's rows as they are: through `Decodable`, a million answers took
            // 1.8 s of the writer's chain, which bounds the import on SQLite (issue #23). Both
            // columns are NOT NULL; were one ever missing, its row would have no id here and the
            // caller would fail the import naming it: nothing would be stored half.
            for r in try await sqlite.query(insert, []) {
                if let id = r.column("id")?.integer, let code = r.column("code")?.string { ids[code] = Int(id) }
            }
        } else {
            struct Row: Decodable { var id: Int; var code: String }
            for r in try await sql.raw(SQLQueryString(stringLiteral: insert)).all(decoding: Row.self) { ids[r.code] = r.id }
        }
        try await sql.raw(sqlite != nil ? "DELETE FROM temp.\(unsafeRaw: stagingTable)" : "TRUNCATE pg_temp.\(unsafeRaw: stagingTable)").run()
        return ids
    }

    /// The instruments table's columns, quoted, as the staging statements name them.
    private static let instrumentColumnList = StoredInstrument.columnNames.map { "\"\($0)\"" }.joined(separator: ",")

    /// Runs `body` with the connection of `db` (a transaction) set up for bulk writes, and sets it
    /// back afterwards whatever happens.
    static func withBulkSettings<T>(on db: any Database, _ body: () async throws -> T) async throws -> T {
        guard let sqlite = db as? any SQLiteDatabase else { return try await body() }
        // The instrument indexes (random codes, natural keys) outgrow SQLite's default 2 MB page
        // cache within a few thousand rows; then every insert spills pages to the WAL and reads
        // them back (perf: pagerStress, readDbPage). A large cache for the import's connection
        // keeps the work in RAM until commit. (`temp_store` moves temporary tables into memory. The
        // statement journal's place is fixed when the write transaction takes its lock, before
        // this; moving it into memory for the whole transaction was tried and did not change the
        // import's rate: BENCHMARKS.md, 2026-12-06.)
        _ = try await sqlite.query("PRAGMA cache_size = -\(bulkCacheKiB)", [])
        // SQLite refuses to move temporary storage inside a transaction once the connection has
        // opened it (an `ALTER TABLE … RENAME COLUMN` in the migrations does): then it stays where
        // it is — a speed setting, not a condition of the write.
        _ = try? await sqlite.query("PRAGMA temp_store = MEMORY", [])
        // Foreign keys are checked at commit instead of per statement (still checked: a violation
        // fails the commit, and the import with it). SQLite still keeps a statement journal for
        // every insert into a table with foreign keys, deferred or not (measured: BENCHMARKS.md,
        // 2026-12-07); hence one per slice (`writeInstruments`). Resets itself at the end of the
        // transaction.
        _ = try await sqlite.query("PRAGMA defer_foreign_keys = ON", [])
        func reset() async {
            _ = try? await sqlite.query("PRAGMA cache_size = -2000", [])
            _ = try? await sqlite.query("DROP TABLE IF EXISTS temp.\(stagingTable)", [])
        }
        do {
            let value = try await body()
            await reset()
            return value
        } catch {
            await reset()
            throw error
        }
    }

    // MARK: SQLite

    /// The connection's own table (SQLite's `temp` schema, which a name without a schema finds
    /// first) that a slice of instruments passes through.
    static let stagingTable = "import_instruments"

    /// Page cache for the connection during a bulk write, in KiB (the pages are only allocated
    /// as the indexes grow).
    static let bulkCacheKiB = 512 * 1024

    static func insert(
        _ rows: [[Cell]], columns: [String], table: String, into db: any SQLiteDatabase, progress: (Int) -> Void
    ) async throws {
        let perStatement = max(1, min(500, 32_000 / columns.count))  // under SQLite's 32 766 variables
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        let head = "INSERT OR FAIL INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
        var fullSQL: String?
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let slice = rows[start..<min(start + perStatement, rows.count)]
            var binds: [SQLiteData] = []
            binds.reserveCapacity(slice.count * columns.count)
            for r in slice {
                for c in r {
                    switch c {
                    case .text(let s): binds.append(s.map(SQLiteData.text) ?? .null)
                    case .int(let i): binds.append(i.map(SQLiteData.integer) ?? .null)
                    case .double(let d): binds.append(d.map(SQLiteData.float) ?? .null)
                    case .date(let d): binds.append(.float(d.timeIntervalSince1970))
                    }
                }
            }
            let sql: String
            if slice.count == perStatement, let f = fullSQL {
                sql = f
            } else {
                sql = head + Array(repeating: tuple, count: slice.count).joined(separator: ",")
                if slice.count == perStatement { fullSQL = sql }
            }
            _ = try await db.query(sql, binds)
            progress(start + slice.count)
        }
    }

    // MARK: PostgreSQL

    static func copy(
        _ rows: [[Cell]], columns: [String], table: String, into db: any PostgresDatabase, logger: Logger, progress: (Int) -> Void
    ) async throws {
        // Every row of a slice carries the same timestamps: format each distinct one once
        // (ICU's formatter was a visible share of the profile).
        let formatter = ISO8601DateFormatter()
        // Milliseconds kept, as a bind would keep them (a record's recorded_at, an instrument's created_at).
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var formatted: [Date: String] = [:]
        var chunks: [ByteBuffer] = []
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1 << 20)
        var done = 0
        for r in rows {
            for (i, c) in r.enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                switch c {
                case .text(let s): if let s { writeEscaped(s, to: &buffer) } else { buffer.writeStaticString("\\N") }
                case .int(let v): if let v { buffer.writeString(String(v)) } else { buffer.writeStaticString("\\N") }
                case .double(let v): if let v { buffer.writeString(String(v)) } else { buffer.writeStaticString("\\N") }
                case .date(let d):
                    if let f = formatted[d] { buffer.writeString(f) } else {
                        let f = formatter.string(from: d)
                        formatted[d] = f
                        buffer.writeString(f)
                    }
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
            done += 1
            if buffer.readableBytes >= 1 << 20 {
                chunks.append(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
            }
        }
        if buffer.readableBytes > 0 { chunks.append(buffer) }
        let all = chunks
        let total = rows.count
        try await db.withConnection { conn in
            conn.eventLoop.makeFutureWithTask {
                try await conn.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for chunk in all { try await writer.write(chunk) }
                }
            }
        }.get()
        progress(total)
    }

    /// COPY text format: backslash, tab, newline and carriage return are escaped.
    static func writeEscaped(_ s: String, to buffer: inout ByteBuffer) {
        // Nearly every value has nothing to escape: copy it whole.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            buffer.writeString(s)
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(b)
            }
        }
    }
}
