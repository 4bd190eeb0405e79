import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// Raw readings for a window, daily aggregates for years (issue #21, item 3). Once a day the job
/// worker sums the readings dated before the window into `telemetry_daily` (one row per device,
/// China day and type: how many, the main quantity's sum, least and greatest, and the money) and
/// removes them, 10,000 to a transaction — summing and removing in the same one, so a reading is
/// counted exactly once, also one that comes late for a day summed before. On PostgreSQL a day's
/// readings are a partition of their own, summed and then dropped whole (`TelemetryPartitions`);
/// the row-by-row path clears what no day partition holds.
///
/// What stays: findings and their evidence figures; a confirmed alert's frozen evidence (the
/// readings it rests on, as sent); a tank's reconciliation, which starts from the oldest reading
/// left. An open alert older than the window shows its figures but no longer its raw readings.
public struct TelemetryRetention: Sendable, Equatable {
    /// Days of raw readings kept (nil: all, forever). A configurable figure, not a rule.
    public var rawDays: Int?
    /// Readings summed and removed per transaction, and transactions per call of the worker.
    public var chunk: Int
    public var chunksPerRun: Int
    public init(rawDays: Int? = 180, chunk: Int = 10_000, chunksPerRun: Int = 20) {
        self.rawDays = rawDays
        self.chunk = chunk
        self.chunksPerRun = chunksPerRun
    }
}

extension Telemetry {
    public struct RetentionOutcome: Sendable, Equatable {
        public var cutoff: CalendarDay
        public var rolledDays: Int
        public var deleted: Int
        public init(cutoff: CalendarDay, rolledDays: Int, deleted: Int) {
            self.cutoff = cutoff
            self.rolledDays = rolledDays
            self.deleted = deleted
        }
    }

    /// One day's aggregate of one device's readings of one type.
    public struct DailyAggregate: Sendable, Equatable {
        public var deviceID: Int
        public var day: String
        public var type: String
        public var count: Int
        public var valueSum: Double?
        public var valueMin: Double?
        public var valueMax: Double?
        public var amountSum: Double?

        public init(
            deviceID: Int, day: String, type: String, count: Int, valueSum: Double? = nil, valueMin: Double? = nil, valueMax: Double? = nil, amountSum: Double? = nil
        ) {
            (self.deviceID, self.day, self.type, self.count, self.valueSum, self.valueMin, self.valueMax, self.amountSum) =
                (deviceID, day, type, count, valueSum, valueMin, valueMax, amountSum)
        }
    }

    /// Sums up and removes what left the window, once a day (nil: already done today, or no
    /// window). A run does at most `policy.chunksPerRun` chunks; a backlog larger than that is
    /// taken up on the next calls the same day (the worker calls again while there was work).
    @discardableResult
    public static func runRetentionIfDue(_ policy: TelemetryRetention, today: CalendarDay, now: Date = Date(), on db: any Database) async throws
        -> RetentionOutcome?
    {
        guard let days = policy.rawDays else { return nil }
        let sql = db as! any SQLDatabase
        struct Run: Decodable { var day: String }
        if try await sql.select().column("day").from("telemetry_retention_runs").where("day", .equal, SQLBind(today.description))
            .first(decoding: Run.self) != nil
        {
            return nil
        }
        let cutoff = today.adding(days: -days)
        var outcome = RetentionOutcome(cutoff: cutoff, rolledDays: 0, deleted: 0)
        // PostgreSQL: the days wholly before the window go first, each a partition summed and dropped.
        let whole = try await rollUpDays(before: cutoff, chunk: policy.chunk, chunks: policy.chunksPerRun, on: db)
        outcome.deleted += whole.removed
        var summed = whole.days
        outcome.rolledDays = summed.count
        guard whole.done else { return outcome }
        // Then, row by row, what no day partition holds (SQLite: everything).
        for _ in 0..<(policy.chunksPerRun - whole.chunksUsed) {
            try Task.checkCancellation()
            let chunk = try await rollUpAndRemove(before: cutoff.startInstant, limit: policy.chunk, on: db)
            outcome.deleted += chunk.removed
            summed.formUnion(chunk.days)
            outcome.rolledDays = summed.count
            // Less than a chunk: nothing is left before the cutoff — today's run is done.
            guard chunk.read == policy.chunk else {
                let done = outcome
                try await db.writeTransaction { tx in
                    // The live screen's counts per minute are kept two days (it reads the last hour).
                    try await (tx as! any SQLDatabase).delete(from: "telemetry_minute_counts")
                        .where("minute", .lessThan, SQLBind(receivedMinute(now) - 2 * 24 * 60)).run()
                    try await (tx as! any SQLDatabase).insert(into: "telemetry_retention_runs")
                        .columns("day", "cutoff", "rolled_through", "rolled_days", "deleted", "finished_at")
                        .values(SQLBind(today.description), SQLBind(cutoff.startInstant), SQLBind(cutoff.adding(days: -1).description),
                                SQLBind(done.rolledDays), SQLBind(Int64(done.deleted)), SQLBind(now))
                        .ignoringConflicts(with: ["day"]).run()
                }
                return outcome
            }
        }
        return outcome
    }

    /// One chunk: the oldest readings dated before `cutoff`, summed by device, China day and type
    /// into `telemetry_daily` (added to what a day already holds) and removed, in one transaction —
    /// each reading is summed exactly once, whenever it came and whatever crashed. The lines are
    /// read by the same parser that checked them at ingest, not by the database's JSON functions.
    static func rollUpAndRemove(before cutoff: Date, limit: Int, on db: any Database) async throws -> (removed: Int, days: Set<String>, read: Int) {
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            let sqlite = sql.dialect.name == "sqlite"
            // Another instance's worker takes its turn after: it will not find these rows.
            try await retentionLock(sql)
            // The physical row's own address (rowid; on PostgreSQL the partition and its ctid, which
            // is unique within a partition only): the table's key does not lead with time.
            struct Row: Decodable { var part: String; var address: String; var device_id: Int }
            let rows = try await sql.raw("""
                SELECT \(unsafeRaw: sqlite ? "'' AS part, CAST(rowid AS TEXT)" : "CAST(CAST(tableoid AS regclass) AS TEXT) AS part, CAST(ctid AS TEXT)") AS address,
                device_id FROM telemetry_readings WHERE at < \(bind: cutoff) ORDER BY at LIMIT \(bind: limit)
                """).all(decoding: Row.self)
            guard !rows.isEmpty else { return (0, [], 0) }
            // The devices first, locked in id order as every writer of theirs locks them (a move,
            // an ingest), then their readings: never the other way round.
            _ = try await RegionCopies.current("telemetry_devices", ids: rows.map(\.device_id), on: sql)
            // What is summed is what the deletes removed: a reading rewritten meanwhile (its device
            // moved to another county, M041) has a new address on PostgreSQL, is not removed by the
            // old one, and is summed by a later chunk instead of twice.
            struct Gone: Decodable { var device_id: Int; var type: String; var line: String }
            var gone: [Gone] = []
            for (part, inPart) in Dictionary(grouping: rows, by: \.part) {
                for chunk in inPart.chunked(500) {
                    let delete: SQLQueryString = sqlite
                        ? "DELETE FROM telemetry_readings WHERE rowid IN \(SQLBind.group(chunk.compactMap { Int64($0.address) }))"
                        : "DELETE FROM \(ident: part) WHERE ctid = ANY(CAST(\(bind: chunk.map(\.address)) AS tid[]))"
                    gone += try await sql.raw(delete + " RETURNING device_id, type, line").all(decoding: Gone.self)
                }
            }
            let days = try await addToDaily(gone.map { ($0.device_id, $0.type, $0.line) }, undated: cutoff.addingTimeInterval(-1), on: sql)
            return (gone.count, days, rows.count)
        }
    }

    /// Adds readings to their device's, China day's and type's sums in `telemetry_daily` (to what a
    /// day holds already: a late reading, a backlog over several runs) and answers the days. The
    /// lines are read by the same parser that checked them at ingest; one it cannot read counts on
    /// the `undated` instant's day.
    static func addToDaily(_ rows: [(device: Int, type: String, line: String)], undated: Date, on sql: any SQLDatabase) async throws -> Set<String> {
        let sqlite = sql.dialect.name == "sqlite"
        struct Key: Hashable { var device: Int; var day: String; var type: String }
        var sums: [Key: DailyAggregate] = [:]
        for (row, r) in zip(rows, parse(rows.map(\.line), keepingOrder: true)) {
            let key = Key(device: row.device, day: CalendarDay(instant: r?.at ?? undated).description, type: row.type)
            let (value, amount) = r.map(quantities) ?? (nil, nil)
            var a = sums[key] ?? DailyAggregate(deviceID: key.device, day: key.day, type: key.type, count: 0)
            a.count += 1
            if let value {
                a.valueSum = (a.valueSum ?? 0) + value
                a.valueMin = min(a.valueMin ?? value, value)
                a.valueMax = max(a.valueMax ?? value, value)
            }
            if let amount { a.amountSum = (a.amountSum ?? 0) + amount }
            sums[key] = a
        }
        let least = sqlite ? "min" : "LEAST", greatest = sqlite ? "max" : "GREATEST"
        // Each device's region as its row stands now (M041): not the readings' own copy, which a
        // day table detached before a move (PostgreSQL) still holds the old one of.
        let regions = try await RegionCopies.current("telemetry_devices", ids: Array(Set(rows.map(\.device))), on: sql)
        for part in stride(from: 0, to: sums.count, by: 100).map({ Array(Array(sums.values)[$0..<min($0 + 100, sums.count)]) }) {
            var insert = sql.insert(into: "telemetry_daily").columns("device_id", "region_code", "day", "type", "n", "value_sum", "value_min", "value_max", "amount_sum")
            for a in part {
                insert = insert.values(SQLBind(a.deviceID), SQLBind(regions[a.deviceID]), SQLBind(a.day), SQLBind(a.type), SQLBind(a.count), SQLBind(a.valueSum), SQLBind(a.valueMin),
                                       SQLBind(a.valueMax), SQLBind(a.amountSum))
            }
            try await insert.onConflict(with: ["device_id", "day", "type"]) {
                $0.set("n", to: SQLRaw("telemetry_daily.n + excluded.n"))
                    .set("value_sum", to: SQLRaw("COALESCE(telemetry_daily.value_sum + excluded.value_sum, telemetry_daily.value_sum, excluded.value_sum)"))
                    .set("value_min", to: SQLRaw("\(least)(COALESCE(telemetry_daily.value_min, excluded.value_min), COALESCE(excluded.value_min, telemetry_daily.value_min))"))
                    .set("value_max", to: SQLRaw("\(greatest)(COALESCE(telemetry_daily.value_max, excluded.value_max), COALESCE(excluded.value_max, telemetry_daily.value_max))"))
                    .set("amount_sum", to: SQLRaw("COALESCE(telemetry_daily.amount_sum + excluded.amount_sum, telemetry_daily.amount_sum, excluded.amount_sum)"))
            }.run()
        }
        return Set(sums.keys.map(\.day))
    }

    /// A reading's main quantity and its money, as `telemetry_daily` sums them.
    static func quantities(_ r: Reading) -> (value: Double?, amount: Double?) {
        switch r.body {
        case .delivery(let d): (d.volume, d.amount)
        case .trip(let t): (t.meterKm, t.fare)
        case .weighing(let w): (w.kg, w.amount)
        case .meterIndex(let m): (m.index, nil)
        case .tankLevel(let l): (l.levelMM, nil)
        case .scaleEvent, .heartbeat: (nil, nil)
        }
    }

    /// A device's daily aggregates between two days (inclusive), for a caller who may see it;
    /// another's answers as unknown.
    public static func daily(deviceID: Int, from: CalendarDay, to: CalendarDay, scope: AccessScope, on db: any Database) async throws -> [DailyAggregate] {
        // The one device, through its instrument's scope (not every device the caller may see).
        guard try await (db as! any SQLDatabase).raw("""
            SELECT d.id FROM telemetry_devices d JOIN instruments ON instruments.id = d.instrument_id
            WHERE d.id = \(bind: deviceID) AND \(Registry.instrumentsVisible(scope))
            """).first() != nil
        else {
            throw RegistryError.notFound(.telemetryDevice, key: String(deviceID))
        }
        struct Row: Decodable {
            var device_id: Int, day: String, type: String, n: Int
            var value_sum: Double?, value_min: Double?, value_max: Double?, amount_sum: Double?
        }
        return try await (db as! any SQLDatabase).select().columns("device_id", "day", "type", "n", "value_sum", "value_min", "value_max", "amount_sum")
            .from("telemetry_daily").where("device_id", .equal, SQLBind(deviceID))
            .where("day", .greaterThanOrEqual, SQLBind(from.description)).where("day", .lessThanOrEqual, SQLBind(to.description))
            .orderBy("day").orderBy("type").all(decoding: Row.self)
            .map { DailyAggregate(deviceID: $0.device_id, day: $0.day, type: $0.type, count: $0.n, valueSum: $0.value_sum, valueMin: $0.value_min,
                                  valueMax: $0.value_max, amountSum: $0.amount_sum) }
    }
}
