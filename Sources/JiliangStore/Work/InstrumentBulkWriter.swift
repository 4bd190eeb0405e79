import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import JiliangCore
import Logging
import NIOCore
import SQLKit

/// Writes many instrument rows in the fastest way each database offers, inside the caller's
/// transaction: PostgreSQL `COPY … FROM STDIN` (text format), SQLite multi-row `INSERT OR IGNORE`
/// statements through sqlite-nio with native binds. Both skip SQLKit's per-value `Encodable` path,
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

    /// `orIgnore` (SQLite): a row that breaks a unique key is passed over instead of failing the
    /// statement — for instruments, whose keys the import checked in the same transaction. Rows
    /// that must never vanish (records, offences) are written `OR FAIL`: a row that breaks a key
    /// stops the statement with an error, which rolls the caller's transaction back whole. Unlike a
    /// plain INSERT, which must be able to undo its own earlier rows, that needs no statement
    /// journal (a copy of every page the statement touches, in a temporary file) — for a table
    /// without foreign keys: the offences, 8.3 s → 6.6 s for a million meters (issue #23). A table
    /// with foreign keys (records, instruments) keeps the journal either way. `COPY` always fails
    /// loudly.
    static func write(
        _ rows: [[Cell]], columns: [String], table: String, on db: any Database, logger: Logger, orIgnore: Bool = true,
        progress: (Int) -> Void = { _ in }
    ) async throws {
        if let pg = db as? any PostgresDatabase {
            try await copy(rows, columns: columns, table: table, into: pg, logger: logger, progress: progress)
        } else if let sqlite = db as? any SQLiteDatabase {
            _ = try await insert(rows, columns: columns, table: table, into: sqlite, orIgnore: orIgnore, progress: progress)
        } else {
            throw RegistryError.conflict(field: "database", reason: .importing(.bulkWritesNeedSQLiteOrPostgreSQL))
        }
    }

    /// Writes instrument rows and answers the id each new row got, by its code (the records and
    /// the kept counts need them). SQLite answers with the insert (`RETURNING`), so a row the
    /// insert ignored has no id here; PostgreSQL's `COPY` answers nothing, so the ids are read by
    /// code afterwards (a conflict would have failed the `COPY`).
    ///
    /// SQLite: the rows go first into a temporary table without keys (`stagingTable`), then into
    /// `instruments` with one `INSERT … SELECT` per call. The instruments table has foreign keys,
    /// so SQLite keeps a statement journal for every statement that inserts into it: a copy of
    /// each page the statement first changes. The codes are random, so a 500-row statement
    /// changes pages all over the indexes and the same pages were copied again by each of a
    /// slice's 40 statements; one statement per slice copies each once (issue #23).
    static func writeInstruments(_ rows: [[Cell]], codes: [String], on db: any Database, logger: Logger) async throws -> [String: Int] {
        let columns = StoredInstrument.columnNames
        var ids: [String: Int] = [:]
        ids.reserveCapacity(rows.count)
        if let sqlite = db as? any SQLiteDatabase {
            let list = columns.map { "\"\($0)\"" }.joined(separator: ",")
            _ = try await sqlite.query("CREATE TEMP TABLE IF NOT EXISTS temp.\(stagingTable) AS SELECT \(list) FROM instruments WHERE 0", [])
            // No key to break in the staging table; OR FAIL spares the statement journal.
            _ = try await insert(rows, columns: columns, table: stagingTable, into: sqlite, orIgnore: false, progress: { _ in })
            // In the staging table's order (the file's), so ids follow the file as before.
            for row in try await sqlite.query(
                "INSERT OR IGNORE INTO instruments (\(list)) SELECT \(list) FROM temp.\(stagingTable) ORDER BY rowid RETURNING id, code", [])
            {
                guard let id = row.column("id")?.integer, let code = row.column("code")?.string else { continue }
                ids[code] = id
            }
            _ = try await sqlite.query("DELETE FROM temp.\(stagingTable)", [])
            return ids
        }
        try await write(rows, columns: columns, table: "instruments", on: db, logger: logger)
        let sql = db as! any SQLDatabase
        struct Row: Decodable { var id: Int; var code: String }
        for chunk in codes.chunked(500) {
            for r in try await sql.select().columns("id", "code").from("instruments").where("code", .in, Array(chunk)).all(decoding: Row.self) { ids[r.code] = r.id }
        }
        return ids
    }

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
        // fails the commit), so a multi-row INSERT OR IGNORE cannot abort half-way on one. SQLite
        // still keeps a statement journal for every multi-row insert into a table with foreign
        // keys, deferred or not (measured: BENCHMARKS.md, 2026-12-07). Resets itself at the end
        // of the transaction.
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

    /// `returning`: columns of each inserted row to answer with (`RETURNING`); none by default.
    static func insert(
        _ rows: [[Cell]], columns: [String], table: String, into db: any SQLiteDatabase, returning: String? = nil, orIgnore: Bool = true,
        progress: (Int) -> Void
    ) async throws -> [SQLiteRow] {
        let perStatement = max(1, min(500, 32_000 / columns.count))  // under SQLite's 32 766 variables
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        let head = (orIgnore ? "INSERT OR IGNORE INTO" : "INSERT OR FAIL INTO") + " \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
        let tail = returning.map { " RETURNING \($0)" } ?? ""
        var answered: [SQLiteRow] = []
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
                sql = head + Array(repeating: tuple, count: slice.count).joined(separator: ",") + tail
                if slice.count == perStatement { fullSQL = sql }
            }
            answered += try await db.query(sql, binds)
            progress(start + slice.count)
        }
        return answered
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
