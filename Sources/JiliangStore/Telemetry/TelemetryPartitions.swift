import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// PostgreSQL keeps the raw readings in one partition per China day (M037), so that a day leaving
/// the window goes whole (issue #21, item 3): it is detached from the table, summed up into
/// `telemetry_daily` a chunk at a time, and dropped — no row is deleted one by one, and the table
/// carries no dead rows for vacuum to clear. A reading with no day partition (older than the first,
/// or late for a day already gone) lands in the default partition, which the row-by-row path
/// (`rollUpAndRemove`) keeps clean. SQLite has one table and takes the row-by-row path only.
///
/// Exactly once: a detached day is read in key order, and how far it has come is written in the
/// same transaction as the sums it added (`telemetry_partition_rollups`); the drop and the end of
/// that record are one transaction too. A crash at any point leaves a day either still attached,
/// or detached with its progress — the next run goes on from there.
extension Telemetry {
    /// The days around `today` that must have a partition before their readings come: yesterday
    /// (a gateway catching up) through two days ahead (clocks run up to five minutes ahead; the
    /// worker may be down over a night).
    public static func partitionDays(around today: CalendarDay) -> ClosedRange<CalendarDay> {
        today.adding(days: -1)...today.adding(days: 2)
    }

    static let partitionPrefix = "telemetry_readings_p"

    /// `telemetry_readings_p20261206` holds the readings of 2026-12-06, China time.
    static func partitionName(_ day: CalendarDay) -> String {
        partitionPrefix + String(format: "%04d%02d%02d", day.year, day.month, day.day)
    }

    static func partitionDay(_ name: String) -> CalendarDay? {
        guard name.hasPrefix(partitionPrefix) else { return nil }
        let digits = name.dropFirst(partitionPrefix.count)
        guard digits.count == 8, let y = Int(digits.prefix(4)), let m = Int(digits.dropFirst(4).prefix(2)), let d = Int(digits.suffix(2)) else {
            return nil
        }
        return CalendarDay(year: y, month: m, day: d)
    }

    /// A day table: attached as a partition, or detached and being summed up.
    public struct DayTable: Sendable, Equatable {
        public var name: String
        public var day: CalendarDay
        public var attached: Bool
    }

    /// The day tables, oldest first (none on SQLite).
    public static func dayTables(on db: any Database) async throws -> [DayTable] {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "postgresql" else { return [] }
        struct Row: Decodable { var relname: String; var relispartition: Bool }
        return try await sql.raw("""
            SELECT c.relname, c.relispartition FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'telemetry\\_readings\\_p%'
            """).all(decoding: Row.self)
            .compactMap { r in partitionDay(r.relname).map { DayTable(name: r.relname, day: $0, attached: r.relispartition) } }
            .sorted { $0.day < $1.day }
    }

    /// Makes the missing partitions of `days` (PostgreSQL; nothing on SQLite) and answers the days
    /// made. A day's readings already in the default partition move into its new partition in the
    /// same transaction (PostgreSQL refuses to attach a range the default partition still holds).
    @discardableResult
    public static func ensurePartitions(_ days: ClosedRange<CalendarDay>, on db: any Database) async throws -> [CalendarDay] {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "postgresql" else { return [] }
        let have = Set(try await dayTables(on: db).map(\.day))
        var made: [CalendarDay] = []
        var day = days.lowerBound
        while day <= days.upperBound {
            defer { day = day.adding(days: 1) }
            guard !have.contains(day) else { continue }
            let name = partitionName(day), from = day.startInstant, to = day.adding(days: 1).startInstant
            let didMake = try await db.writeTransaction { tx -> Bool in
                let sql = tx as! any SQLDatabase
                // Another instance's worker may be making it too: one at a time, and asked again.
                try await retentionLock(sql)
                try await shortLockWait(sql)
                guard try await !exists(name, on: sql) else { return false }
                try await sql.raw("CREATE TABLE \(ident: name) (LIKE telemetry_readings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").run()
                try await sql.raw("""
                    WITH moved AS (DELETE FROM telemetry_readings_default WHERE at >= \(bind: from) AND at < \(bind: to) RETURNING *)
                    INSERT INTO \(ident: name) SELECT * FROM moved
                    """).run()
                // Bounds as literals: PostgreSQL takes no parameters in a partition's bounds.
                try await sql.raw("""
                    ALTER TABLE telemetry_readings ATTACH PARTITION \(ident: name)
                    FOR VALUES FROM (\(literal: Self.timestampLiteral(from))) TO (\(literal: Self.timestampLiteral(to)))
                    """).run()
                return true
            }
            if didMake { made.append(day) }
        }
        return made
    }

    /// Making, detaching, summing and dropping day tables, and the row-by-row path, take their
    /// turns across every instance's worker (PostgreSQL: a lock held to the transaction's end). A
    /// second worker waits, then sees what the first did: nothing is summed twice.
    static func retentionLock(_ sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        // "JLTR" — a number of Jiliang's own for this lock.
        try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: 0x4A4C_5452))").run()
    }

    /// Attaching, detaching and dropping take the readings' tables' locks, which a long reader (a
    /// `pg_dump`) may hold: waiting behind it would queue every batch behind this. Waited for two
    /// seconds at most; then the transaction is undone (a chunk's sums with it) and the worker's
    /// telemetry upkeep rests (JobWorker).
    static func shortLockWait(_ sql: any SQLDatabase) async throws {
        try await sql.raw("SET LOCAL lock_timeout = '2s'").run()
    }

    /// Whether a table of that name is there (it may have gone under another worker).
    static func exists(_ name: String, on sql: any SQLDatabase) async throws -> Bool {
        struct Row: Decodable { var there: Bool }
        return try await sql.raw("SELECT to_regclass(\(bind: name)) IS NOT NULL AS there").first(decoding: Row.self)?.there ?? false
    }

    /// An instant as PostgreSQL reads a `timestamptz` literal, in UTC.
    static func timestampLiteral(_ instant: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: instant)
    }

    /// Sums up and drops the day tables whose whole day is before `cutoff`, at most `chunks`
    /// chunks of `chunk` readings: detaches each (a short lock on the table), sums it in key order,
    /// and drops it once nothing is left to sum. Answers the readings summed, the days they were
    /// dated, the chunks used, and whether no such day is left.
    static func rollUpDays(before cutoff: CalendarDay, chunk: Int, chunks: Int, on db: any Database) async throws
        -> (removed: Int, days: Set<String>, chunksUsed: Int, done: Bool)
    {
        var removed = 0, used = 0
        var days = Set<String>()
        for table in try await dayTables(on: db) where table.day < cutoff {
            guard used < chunks else { return (removed, days, used, false) }
            if table.attached {
                try await db.writeTransaction { tx in
                    let sql = tx as! any SQLDatabase
                    try await retentionLock(sql)
                    try await shortLockWait(sql)
                    struct Row: Decodable { var attached: Bool }
                    // Still attached (not detached, or dropped, by another worker meanwhile)?
                    guard try await sql.raw("""
                        SELECT relispartition AS attached FROM pg_class WHERE oid = to_regclass(\(bind: table.name))
                        """).first(decoding: Row.self)?.attached == true
                    else { return }
                    try await sql.raw("ALTER TABLE telemetry_readings DETACH PARTITION \(ident: table.name)").run()
                }
            }
            while true {
                guard used < chunks else { return (removed, days, used, false) }
                try Task.checkCancellation()
                used += 1
                let n = try await rollUpChunk(of: table, limit: chunk, on: db)
                removed += n.removed
                days.formUnion(n.days)
                if n.dropped { break }
            }
        }
        return (removed, days, used, true)
    }

    /// One chunk of a detached day, in one transaction: the next readings in key order after the
    /// recorded progress, added to `telemetry_daily`, and the progress moved past them; when that
    /// was the last of them (less than a chunk), the table dropped and its progress with it.
    static func rollUpChunk(of table: DayTable, limit: Int, on db: any Database) async throws -> (removed: Int, days: Set<String>, dropped: Bool) {
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            try await retentionLock(sql)
            guard try await exists(table.name, on: sql) else { return (0, [], true) }  // another worker finished it
            // In key order by (device, seq), unique in a day (a number is kept once per device). Not
            // by the time too: a time read back and bound again may come back a microsecond early
            // (the driver's Date is a Double), and the chunk's last reading would be summed twice.
            struct Progress: Decodable { var device_id: Int; var seq: Int64; var summed: Int64 }
            let progress = try await sql.select().columns("device_id", "seq", "summed").from("telemetry_partition_rollups")
                .where("partition_name", .equal, SQLBind(table.name)).first(decoding: Progress.self)
            struct Row: Decodable { var device_id: Int; var seq: Int64; var type: String; var line: String }
            let after: SQLQueryString = progress.map { "WHERE (device_id, seq) > (\(bind: $0.device_id), \(bind: $0.seq))" } ?? ""
            let rows = try await sql.raw("""
                SELECT device_id, seq, type, line FROM \(ident: table.name) \(after) ORDER BY device_id, seq LIMIT \(bind: limit)
                """).all(decoding: Row.self)
            let days = try await addToDaily(rows.map { ($0.device_id, $0.type, $0.line) }, undated: table.day.startInstant, on: sql)
            // Less than a chunk: the day is all summed — it goes, with its progress.
            guard let last = rows.last, rows.count == limit else {
                // The drop waits for the day table's readers (a pg_dump) no longer; set here, not
                // before the devices' rows are locked for their regions, which an ingest batch
                // holds while it writes.
                try await shortLockWait(sql)
                try await sql.raw("DROP TABLE \(ident: table.name)").run()
                try await sql.delete(from: "telemetry_partition_rollups").where("partition_name", .equal, SQLBind(table.name)).run()
                return (rows.count, days, true)
            }
            try await sql.insert(into: "telemetry_partition_rollups").columns("partition_name", "device_id", "seq", "summed")
                .values(SQLBind(table.name), SQLBind(last.device_id), SQLBind(last.seq), SQLBind((progress?.summed ?? 0) + Int64(rows.count)))
                .onConflict(with: ["partition_name"]) {
                    $0.set(excludedValueOf: "device_id").set(excludedValueOf: "seq").set(excludedValueOf: "summed")
                }.run()
            return (rows.count, days, false)
        }
    }
}
