import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// Raw readings for a window, daily aggregates for years (issue #21, item 3). Once a day the job
/// worker rolls every China day that has left the window up into `telemetry_daily` (one row per
/// device, day and type: how many, the main quantity's sum, least and greatest, and the money),
/// then removes that day's raw readings in short transactions, so ingest is never held up for
/// long. Readings dated before the window are refused at ingest (`NDJSONBatch.Limits.rawDays`):
/// their day is already rolled up and would not be again.
///
/// What stays: findings and their evidence figures; a confirmed alert's frozen evidence (the
/// readings it rests on, as sent); a tank's reconciliation, which starts from the oldest reading
/// left. An open alert older than the window shows its figures but no longer its raw readings.
public struct TelemetryRetention: Sendable, Equatable {
    /// Days of raw readings kept (nil: all, forever). A configurable figure, not a rule.
    public var rawDays: Int?
    /// Readings removed per transaction.
    public var chunk: Int
    public init(rawDays: Int? = 180, chunk: Int = 10_000) {
        self.rawDays = rawDays
        self.chunk = chunk
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
    }

    /// Rolls up and removes what left the window, once a day (nil: already run today, or no window).
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
        let rolled = try await rollUp(before: cutoff, on: db)
        let deleted = try await prune(before: cutoff.startInstant, chunk: policy.chunk, on: db)
        try await db.writeTransaction { tx in
            try await (tx as! any SQLDatabase).insert(into: "telemetry_retention_runs")
                .columns("day", "cutoff", "rolled_through", "rolled_days", "deleted", "finished_at")
                .values(SQLBind(today.description), SQLBind(cutoff.startInstant), SQLBind(cutoff.adding(days: -1).description), SQLBind(rolled),
                        SQLBind(Int64(deleted)), SQLBind(now))
                .ignoringConflicts(with: ["day"]).run()
        }
        return RetentionOutcome(cutoff: cutoff, rolledDays: rolled, deleted: deleted)
    }

    /// Aggregates every day before `cutoff` not rolled up yet, from the day after the last one
    /// rolled (or the oldest reading's). One statement a day; a day rolled before is kept as it was.
    /// Returns the days rolled.
    @discardableResult
    public static func rollUp(before cutoff: CalendarDay, on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        struct Last: Decodable { var rolled_through: String? }
        struct Oldest: Decodable { var oldest: Date? }
        let last = try await sql.raw("SELECT MAX(rolled_through) AS rolled_through FROM telemetry_retention_runs").first(decoding: Last.self)?
            .rolled_through.flatMap { CalendarDay($0) }
        var day: CalendarDay
        if let last { day = last.adding(days: 1) } else {
            guard let oldest = try await sql.raw("SELECT MIN(at) AS oldest FROM telemetry_readings").first(decoding: Oldest.self)?.oldest else { return 0 }
            day = CalendarDay(instant: oldest)
        }
        let sqlite = sql.dialect.name == "sqlite"
        func number(_ key: String) -> String {
            sqlite ? "json_extract(line, '$.\(key)')" : "CAST(line::jsonb ->> '\(key)' AS DOUBLE PRECISION)"
        }
        // The type's main quantity, and its money.
        let value = """
            CASE type WHEN 'delivery' THEN \(number("volume")) WHEN 'trip' THEN \(number("meter_km")) WHEN 'weighing' THEN \(number("kg"))
            WHEN 'meter_index' THEN \(number("index")) WHEN 'tank_level' THEN \(number("level_mm")) END
            """
        let amount = "CASE type WHEN 'delivery' THEN \(number("amount")) WHEN 'trip' THEN \(number("fare")) WHEN 'weighing' THEN \(number("amount")) END"
        var rolled = 0
        while day < cutoff {
            let (from, to, label) = (day.startInstant, day.adding(days: 1).startInstant, day.description)
            try await db.writeTransaction { tx in
                try await (tx as! any SQLDatabase).raw("""
                    INSERT INTO telemetry_daily (device_id, day, type, n, value_sum, value_min, value_max, amount_sum)
                    SELECT device_id, \(bind: label), type, COUNT(*), SUM(v), MIN(v), MAX(v), SUM(a)
                    FROM (SELECT device_id, type, \(unsafeRaw: value) AS v, \(unsafeRaw: amount) AS a
                          FROM telemetry_readings WHERE at >= \(bind: from) AND at < \(bind: to)) r
                    GROUP BY device_id, type
                    ON CONFLICT (device_id, day, type) DO NOTHING
                    """).run()
            }
            rolled += 1
            day = day.adding(days: 1)
        }
        return rolled
    }

    /// Removes the raw readings dated before `cutoff`, `chunk` at a time, each in its own short
    /// transaction. Returns how many.
    @discardableResult
    public static func prune(before cutoff: Date, chunk: Int = 10_000, on db: any Database) async throws -> Int {
        let sqlite = (db as! any SQLDatabase).dialect.name == "sqlite"
        var deleted = 0
        while true {
            let n = try await db.writeTransaction { tx in
                let sql = tx as! any SQLDatabase
                // The physical row's own address: the table's key is (device_id, seq), not time.
                let query: SQLQueryString = sqlite
                    ? "DELETE FROM telemetry_readings WHERE rowid IN (SELECT rowid FROM telemetry_readings WHERE at < \(bind: cutoff) LIMIT \(bind: chunk)) RETURNING 1 AS one"
                    : "DELETE FROM telemetry_readings WHERE ctid = ANY(ARRAY(SELECT ctid FROM telemetry_readings WHERE at < \(bind: cutoff) LIMIT \(bind: chunk))) RETURNING 1 AS one"
                return try await sql.raw(query).all().count
            }
            deleted += n
            if n < chunk { return deleted }
        }
    }

    /// A device's daily aggregates between two days (inclusive), for a caller who may see it;
    /// another's answers as unknown.
    public static func daily(deviceID: Int, from: CalendarDay, to: CalendarDay, scope: AccessScope, on db: any Database) async throws -> [DailyAggregate] {
        guard try await devices(scope: scope, on: db).contains(where: { $0.id == deviceID }) else {
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
