import FluentKit
import Foundation
import JiliangCore
import Logging
import SQLKit

/// The fast path of issue #4: the events behind every rate (docs/metrics.md), counted in
/// `metric_counts` per region level (the instrument's own place, its city, the province), catalogue
/// sub-item, metric and time bucket (a day and its month), kept up to date **incrementally**: every
/// write that can change an instrument's events (a record, an instrument update, a filing decision,
/// a new or imported instrument) computes the instrument's contribution before and after, in the
/// same transaction, and adds the difference. A new record is reflected as soon as it commits.
///
/// A view then sums at most a few thousand rows instead of reading millions of instruments; the
/// result equals the plain path's (`Statistics.compute`), which a test checks on random data.
public enum MetricCounts {
    /// A counted cell, kept in integers while counting (millions of them in a rebuild). Level 3
    /// cells are a utility company's counts at one place (`owner`) and go to `utility_counts`.
    public struct Key: Hashable, Sendable {
        var level: UInt8  // 0 place, 1 city, 2 province, 3 company (at a place)
        var metric: UInt8  // index into `metrics`
        var grain: UInt8  // 0 day, 1 month, 2 snapshot, 3 change (a dated +/− to a state's count)
        var region: Int32
        var bucket: Int32  // day number, year × 12 + month − 1, or the retirement day (`never`)
        var sub: Int32
        var owner: Int32 = 0
    }
    public struct Count: Sendable, Equatable {
        var met = 0, total = 0
    }
    public typealias Counts = [Key: Count]

    static let levels = ["place", "city", "province", "company"]
    /// Each name's place in text order, for sorting on the integer keys (`apply`).
    static func ranks(_ names: [String]) -> [Int] { names.map { n in names.filter { $0 < n }.count } }
    static let levelRank = ranks(levels)
    static let grainRank = ranks(grains)
    static let metricRank = ranks(metrics)
    static let companyLevel: UInt8 = 3
    static let grains = ["d", "m", "s", "c"]
    /// The bucket of a change on an unknown early day (an instrument registered before dates were kept).
    static let beginning = Int32(CalendarDay(year: 1900, month: 1, day: 1)!.dayNumber)
    static let metrics = [
        "count", "filing", "inUse", "onTime.m", "firstVerification", "rotation", "spotChecks", "firstPass", "afterAdjustment",
        "onTime.q", "onTime.y", "overdue",
    ]
    /// 受检率's rows per period kind (calendar month, quarter, year): it counts instruments once per
    /// period, so its counts do not add up across periods.
    static let onTimeKinds: [(metric: UInt8, suffix: String)] = [(3, "m"), (9, "q"), (10, "y")]
    static let metricIndex = Dictionary(uniqueKeysWithValues: metrics.enumerated().map { ($1, UInt8($0)) })

    /// Bucket of the snapshot metrics for an instrument never retired.
    static let never = "9999-12-31"
    static let neverNumber = Int32(CalendarDay(never)!.dayNumber)
    static let forever = MetricPeriod(start: CalendarDay(year: 1900, month: 1, day: 1)!, end: CalendarDay(year: 2999, month: 12, day: 31)!)

    /// Day rows are kept for events on or after this day only (nil, the default: all). Views need
    /// day rows only for the month still running (whole months come from month rows), so start-up
    /// and the daily job move it to the first day of the current month (`keepDayRows`); past days
    /// would only multiply the rows. Stored with the counts (`metric_count_settings`), so every
    /// writer — server, CLI, job — keeps the table in the same shape.
    public static func dayRowsFrom(on db: any Database) async throws -> CalendarDay? {
        let row = try await (db as! any SQLDatabase).raw("SELECT value FROM metric_count_settings WHERE name = 'day_rows_from'").first()
        return try row.flatMap { CalendarDay(try $0.decode(column: "value", as: String.self)) }
    }

    /// Keeps day rows from `day` on (never moves back). Safe at any time: an event before the new
    /// day that was kept on its own day is taken back on its month's first day, so whole months —
    /// all that views read before the running month — still add up.
    public static func keepDayRows(from day: CalendarDay, on db: any Database) async throws {
        if let now = try await dayRowsFrom(on: db), now >= day { return }
        // One statement that only moves the day forward: two processes starting at once (a server
        // and a CLI command) both succeed, and the later day wins. (YYYY-MM-DD compares as text.)
        try await db.writeTransaction { tx in
            try await (tx as! any SQLDatabase).raw("""
                INSERT INTO metric_count_settings (name, value) VALUES ('day_rows_from', \(bind: day.description))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE excluded.value > metric_count_settings.value
                """).run()
        }
    }

    static func monthNumber(_ d: CalendarDay) -> Int32 { Int32(d.year * 12 + d.month - 1) }

    /// The first day of the calendar month ("m"), quarter ("q") or year ("y") containing `day`.
    static func periodStart(_ suffix: String, of day: CalendarDay) -> CalendarDay {
        switch suffix {
        case "m": MetricPeriod.month(of: day).start
        case "q": MetricPeriod.quarter(of: day).start
        default: MetricPeriod.year(of: day).start
        }
    }

    static func bucketText(grain: UInt8, _ b: Int32) -> String {
        switch grain {
        case 0: CalendarDay(dayNumber: Int(b)).description
        case 1: String(format: "%04d-%02d", Int(b) / 12, Int(b) % 12 + 1)
        case 3: CalendarDay(dayNumber: Int(b)).description
        default: b == neverNumber ? never : CalendarDay(dayNumber: Int(b)).description
        }
    }

    /// Adds `sign` × the contribution of `instruments` to `counts`, and returns the utility meters'
    /// offences as they stand (events not met, ever), found on the way: the same events the company
    /// cells count, so they are computed once.
    @discardableResult
    static func add(_ instruments: [MetricInstrument], sign: Int, dayRowsFrom: CalendarDay?, to counts: inout Counts) -> [Offence] {
        let dayFrom = dayRowsFrom?.dayNumber ?? Int.min
        var found: [Offence] = []
        for i in instruments {
            guard let place = i.region, let code = Int32(place.value) else { continue }
            var regions: [(UInt8, Int32)] = [(0, code)]
            switch place.level {
            case .county: regions += [(1, code / 100 * 100), (2, code / 10_000 * 10_000)]
            case .city: regions += [(1, code), (2, code / 10_000 * 10_000)]
            case .province: break
            }
            let sub = Int32(i.subNo)
            /// A dated change, on its day from `dayRowsFrom` on and on its month's first day before
            /// (`up`: the next month's first day — for states read on a period's first day).
            func dated(_ metric: UInt8, _ day: CalendarDay, total: Int, met: Int, up: Bool = false) {
                var d = day
                if d.dayNumber < dayFrom {
                    let month = MetricPeriod.month(of: d)
                    d = up && d != month.start ? month.end.adding(days: 1) : month.start
                }
                for (level, region) in regions {
                    let k = Key(level: level, metric: metric, grain: 3, region: region, bucket: Int32(d.dayNumber), sub: 0)
                    counts[k, default: Count()].total += sign * total
                    counts[k, default: Count()].met += sign * met
                }
            }
            /// 受检率 (issue #18, item 4): per calendar month, quarter and year, an instrument due in the
            /// period and not carried into it counts from its first due day there, met until its first
            /// missed one; one carried into a period counts in the `overdue` state entering it.
            func onTime(_ i: MetricInstrument) {
                let all = Metrics.obligations(i)
                for (metric, suffix) in onTimeKinds {
                    for (start, due) in Dictionary(grouping: all, by: { periodStart(suffix, of: $0.day) }) {
                        guard !Metrics.isCarried(i, all, into: start), let first = due.min(by: { $0.day < $1.day }) else { continue }
                        dated(metric, first.day, total: 1, met: first.met ? 1 : 0)
                        if first.met, let missed = due.filter({ !$0.met }).min(by: { $0.day < $1.day }) { dated(metric, missed.day, total: 0, met: -1) }
                    }
                }
                var points = Set<CalendarDay>()
                for o in all where !o.met {
                    points.insert(o.day.adding(days: 1))
                    if let v = o.verifiedLate { points.insert(v.adding(days: 1)) }
                }
                guard !points.isEmpty else { return }
                if let r = i.retiredOn { points.insert(r) }
                for s in i.suspensions {
                    points.insert(s.from)
                    if let u = s.until { points.insert(u) }
                }
                var carried = false
                for p in points.sorted() where Metrics.isCarried(i, all, into: p) != carried {
                    carried.toggle()
                    dated(11, p, total: carried ? 1 : -1, met: 0, up: true)
                }
            }
            func put(_ metric: UInt8, _ grain: UInt8, _ bucket: Int32, met: Bool, placeOnly: Bool = false) {
                for (level, region) in regions where !placeOnly || level == 0 {
                    let k = Key(level: level, metric: metric, grain: grain, region: region, bucket: bucket, sub: sub)
                    counts[k, default: Count()].total += sign
                    if met { counts[k, default: Count()].met += sign }
                }
            }
            func event(_ metric: UInt8, _ e: MetricEvent) {
                if e.day.dayNumber >= dayFrom { put(metric, 0, Int32(e.day.dayNumber), met: e.met) }
                put(metric, 1, monthNumber(e.day), met: e.met)
            }
            put(0, 2, neverNumber, met: true)
            // Filing as it stood on any day (issue #18, item 6): dated changes — surveyed from
            // `registeredOn`, filed from `filedOn`, both to retirement — summed up to the day, for all
            // sub-items together (sub 0: a row per day, not per day and sub-item).
            func change(_ day: Int32, total: Int, met: Int) {
                for (level, region) in regions {
                    let k = Key(level: level, metric: 1, grain: 3, region: region, bucket: day, sub: 0)
                    counts[k, default: Count()].total += sign * total
                    counts[k, default: Count()].met += sign * met
                }
            }
            let retiredOnUnknownDay = i.retiredOn == nil && (i.lifecycle == .scrapped || i.lifecycle == .rotatedOut)
            if !retiredOnUnknownDay {
                let start = i.registeredOn.map { Int32($0.dayNumber) } ?? beginning
                let end = i.retiredOn.map { Int32($0.dayNumber) }
                // Filed in its spans (or — the days unknown — as today), within the surveyed days.
                let spans = i.filedSpans ?? (i.lifecycle != .draft ? [Suspension(from: CalendarDay(dayNumber: Int(start)), until: nil)] : [])
                change(start, total: 1, met: 0)
                if let e = end { change(max(e, start), total: -1, met: 0) }
                for span in spans {
                    let from = max(Int32(span.from.dayNumber), start)
                    let until = [span.until.map { Int32($0.dayNumber) }, end].compactMap { $0 }.min()
                    guard until.map({ from < $0 }) ?? true else { continue }
                    change(from, total: 0, met: 1)
                    if let u = until { change(u, total: 0, met: -1) }
                }
                // In use (capability coverage): filed now and not retired by the day, by retirement day.
                if i.lifecycle != .draft { put(2, 2, end ?? neverNumber, met: true, placeOnly: true) }
            }
            if i.lifecycle != .draft { onTime(i) }
            let first = Metrics.firstVerificationEvents([i], in: forever), rotation = Metrics.rotationEvents([i], in: forever)
            for e in first { event(4, e) }
            for e in rotation { event(5, e) }
            if i.isUtilityMeter {
                // The 三表 通报's company cells: the meter (and whether it is in service now) and its
                // first-verification and rotation events, under its owner at its place.
                let owner = Int32(i.ownerID ?? 0)
                func company(_ metric: UInt8, _ grain: UInt8, _ bucket: Int32, met: Bool) {
                    let k = Key(level: companyLevel, metric: metric, grain: grain, region: code, bucket: bucket, sub: 0, owner: owner)
                    counts[k, default: Count()].total += sign
                    if met { counts[k, default: Count()].met += sign }
                }
                company(0, 2, neverNumber, met: i.lifecycle == .inService)
                for (metric, events, problem) in [
                    (UInt8(4), first, UtilityReport.Offender.Problem.noFirstVerification), (5, rotation, .notRotated),
                ] {
                    for e in events {
                        if e.day.dayNumber >= dayFrom { company(metric, 0, Int32(e.day.dayNumber), met: e.met) }
                        company(metric, 1, monthNumber(e.day), met: e.met)
                        if !e.met {
                            found.append(Offence(
                                region: place.value, day: e.day.description, instrumentID: i.id, problem: problem.rawValue, ownerID: Int(owner),
                                code: i.code, meterType: i.meterType))
                        }
                    }
                }
            }
            guard !i.records.isEmpty else { continue }
            // Pass rates are per verification event, counted on its opening day: additive like the others.
            let pass = Metrics.passEvents([i], in: forever)
            for e in pass.spotChecks { event(6, e) }
            for e in pass.firstPass { event(7, e) }
            for e in pass.afterAdjustment { event(8, e) }
        }
        return found
    }

    static func facts(ids: [Int], on db: any Database) async throws -> [MetricInstrument] {
        guard !ids.isEmpty else { return [] }
        let forms = try await Statistics.forms(on: db)
        var out: [MetricInstrument] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            out += try await Statistics.loadFacts(where: SQLRaw("i.id IN (\(chunk.map(String.init).joined(separator: ",")))"), forms: forms, on: db)
        }
        return out
    }

    /// The current contribution of some instruments, to pass to `applyChange` after a write.
    public static func snapshot(_ ids: [Int], on db: any Database) async throws -> Counts {
        var c = Counts()
        add(try await facts(ids: ids, on: db), sign: 1, dayRowsFrom: try await dayRowsFrom(on: db), to: &c)
        return c
    }

    /// Adds (the instruments' contribution now − `before`) to the tables, and puts their offences
    /// (utility meters) as they are now. Call in the write's transaction. `fresh`: the instruments
    /// were just created, so they have no offences to take back.
    public static func applyChange(_ ids: [Int], before: Counts, fresh: Bool = false, on db: any Database) async throws {
        let now = try await facts(ids: ids, on: db)
        var delta = Counts()
        let found = add(now, sign: 1, dayRowsFrom: try await dayRowsFrom(on: db), to: &delta)
        for (k, v) in before {
            delta[k, default: Count()].met -= v.met
            delta[k, default: Count()].total -= v.total
        }
        try await apply(delta, on: db)
        if !fresh { try await removeOffences(of: ids, on: db) }
        try await insert(found, on: db)
    }

    /// New instruments' contribution to the counts: what `add` finds for them, with the 三表
    /// offences it lists. Counted without the database, so the bulk import counts a slice while the
    /// database writes it (issue #23: from the rows in hand, nothing read back).
    struct Contribution: Sendable {
        var delta = Counts()
        var offences: [Offence] = []
    }

    static func contribution(of facts: [MetricInstrument], dayRowsFrom: CalendarDay?) -> Contribution {
        var c = Contribution()
        c.offences = add(facts, sign: 1, dayRowsFrom: dayRowsFrom, to: &c.delta)
        return c
    }

    /// Adds counts to counts (an import holds its slices' counts until its end, then applies them once).
    static func add(_ delta: Counts, to counts: inout Counts) {
        for (k, v) in delta {
            counts[k, default: Count()].met += v.met
            counts[k, default: Count()].total += v.total
        }
    }

    /// Writes the offences of instruments just created. The facts may have been counted before the
    /// rows had ids (ids only name an offence's meter): each offence takes its meter's id here, by
    /// code.
    static func addNewOffences(_ offences: [Offence], ids: [String: Int], on db: any Database) async throws {
        try await insert(offences.map { o in
            var o = o
            o.instrumentID = ids[o.code] ?? o.instrumentID
            return o
        }, on: db)
    }

    static func apply(_ delta: Counts, on db: any Database) async throws {
        // In key order: the upserts then walk the table's B-tree from left to right instead of
        // jumping about it (a rebuild's batch touches a large part of it).
        // Sorted on the integer keys with the names' ranks, which orders exactly as the text columns
        // do (six-digit codes, and buckets whose text grows with their number) without comparing strings.
        // Kept as keys until each statement's 500 rows are bound: an import applies the counts of
        // a whole roll at once (hundreds of thousands of rows), and their binds built all at once
        // would be held in memory all at once.
        var rows: [(key: Key, value: Count)] = [], companyRows: [(key: Key, value: Count)] = []
        for entry in delta where entry.value != Count() {
            if entry.key.level == companyLevel { companyRows.append(entry) } else { rows.append(entry) }
        }
        rows.sort { a, b in
            let (x, y) = (a.key, b.key)
            return (levelRank[Int(x.level)], metricRank[Int(x.metric)], grainRank[Int(x.grain)], x.region, x.bucket, x.sub)
                < (levelRank[Int(y.level)], metricRank[Int(y.metric)], grainRank[Int(y.grain)], y.region, y.bucket, y.sub)
        }
        companyRows.sort { a, b in
            let (x, y) = (a.key, b.key)
            return (metricRank[Int(x.metric)], grainRank[Int(x.grain)], x.region, x.bucket, x.owner) < (metricRank[Int(y.metric)], grainRank[Int(y.grain)], y.region, y.bucket, y.owner)
        }
        try await upsert(rows, into: "metric_counts", key: ["level", "metric", "grain", "region_code", "bucket", "sub_no"], on: db) { k, v in
            [SQLBind(levels[Int(k.level)]), SQLBind(metrics[Int(k.metric)]), SQLBind(grains[Int(k.grain)]), SQLBind(String(k.region)),
             SQLBind(bucketText(grain: k.grain, k.bucket)), SQLBind(Int(k.sub)), SQLBind(v.met), SQLBind(v.total)]
        }
        try await upsert(companyRows, into: "utility_counts", key: ["metric", "grain", "region_code", "bucket", "owner_id"], on: db) { k, v in
            [SQLBind(metrics[Int(k.metric)]), SQLBind(grains[Int(k.grain)]), SQLBind(String(k.region)), SQLBind(bucketText(grain: k.grain, k.bucket)),
             SQLBind(Int(k.owner)), SQLBind(v.met), SQLBind(v.total)]
        }
    }

    /// Adds rows of (key…, met, total), already in key order, to a counts table, 500 to a statement,
    /// each statement's binds made as it is sent.
    static func upsert(
        _ rows: [(key: Key, value: Count)], into table: String, key: [String], on db: any Database, binds: (Key, Count) -> [SQLBind]
    ) async throws {
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: rows.count, by: 500) {
            let insert = sql.insert(into: table).columns(key + ["met_n", "total_n"])
            for r in rows[start..<min(start + 500, rows.count)] { insert.values(binds(r.key, r.value)) }
            try await insert.onConflict(with: key) {
                $0.set("met_n", to: SQLRaw("\(table).met_n + excluded.met_n")).set("total_n", to: SQLRaw("\(table).total_n + excluded.total_n"))
            }.run()
        }
    }

    /// A utility meter's missed first verification or rotation, as the 通报 lists it (the meter's
    /// code and type kept beside it: they never change, and the list then needs no registry read).
    struct Offence: Sendable {
        var region: String, day: String, instrumentID: Int, problem: String, ownerID: Int, code: String, meterType: String?
    }

    /// Through the bulk writer's native binds (PostgreSQL: `COPY`): an import of a utility's roll
    /// adds an offence for nearly every meter, and leaving SQLKit's per-value encoding took a
    /// 200,000-meter import from 14.7k to 22.0k rows/s (BENCHMARKS.md, 2026-12-06). An offence
    /// that breaks a key fails the write (`OR FAIL`), never vanishes.
    static func insert(_ offences: [Offence], on db: any Database) async throws {
        guard !offences.isEmpty else { return }
        try await InstrumentBulkWriter.write(
            offences.map { o in [.text(o.region), .text(o.day), .int(o.instrumentID), .text(o.problem), .int(o.ownerID), .text(o.code), .text(o.meterType)] },
            columns: ["region_code", "day", "instrument_id", "problem", "owner_id", "code", "meter_type"], table: "utility_offences", on: db,
            logger: offencesLogger)
    }
    private static let offencesLogger = Logger(label: "jiliang.counts")

    static func removeOffences(of ids: [Int], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in ids.chunked(500) {
            try await sql.delete(from: "utility_offences").where("instrument_id", .in, Array(chunk)).run()
        }
    }

    /// The tables a rebuild recounts: the statistics' `metric_counts`, the 三表 通报's two tables.
    public struct Tables: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let statistics = Tables(rawValue: 1)
        public static let utilities = Tables(rawValue: 2)
        public static let all: Tables = [.statistics, .utilities]
    }

    /// Where a rebuild's time went, in seconds.
    public struct RebuildTimes: Sendable {
        public var read = 0.0, count = 0.0, write = 0.0
    }

    /// Recounts everything from the registry (after a bulk load, or to repair), one place (county)
    /// at a time: a place's own rows (and its companies' rows and offences) are complete once its
    /// instruments are counted and go in at once, in key order; the city and province rows add up in
    /// memory and go in at the end. So every row is written once. `tables` says which to recount:
    /// each migration fills the tables it creates (014's from the utility meters only). `progress(done,
    /// total)` counts instruments.
    @discardableResult
    public static func rebuild(_ tables: Tables = .all, on db: any Database, progress: (Int, Int) -> Void = { _, _ in }) async throws -> RebuildTimes {
        let sql = db as! any SQLDatabase
        let utilitiesOnly = !tables.contains(.statistics), withUtilities = tables.contains(.utilities)
        if !utilitiesOnly { try await sql.raw("DELETE FROM metric_counts").run() }
        if withUtilities {
            try await sql.raw("DELETE FROM utility_counts").run()
            try await sql.raw("DELETE FROM utility_offences").run()
        }
        let meters = utilitiesOnly ? " AND i.meter_type IS NOT NULL AND i.meter_type <> '\(MeterType.heat.rawValue)'" : ""
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM instruments i WHERE 1 = 1\(unsafeRaw: meters)").first()?.decode(column: "n", as: Int.self) ?? 0
        let forms = try await Statistics.forms(on: db)
        let dayFrom = try await dayRowsFrom(on: db)
        let places = try await sql.raw("SELECT DISTINCT region_code FROM instruments ORDER BY region_code").all()
            .compactMap { RegionCode(try $0.decode(column: "region_code", as: String.self)) }
        var done = 0
        var times = RebuildTimes()
        var upper = Counts()
        func since(_ t: Date) -> Double { Date().timeIntervalSince(t) }
        for place in places {
            var t = Date()
            let facts = try await Statistics.loadFacts(where: SQLRaw("i.region_code = '\(place.value)'\(meters)"), forms: forms, on: db)
            times.read += since(t)
            t = Date()
            var c = Counts()
            let offences = add(facts, sign: 1, dayRowsFrom: dayFrom, to: &c)
            var own = Counts()
            for (k, v) in c {
                if k.level == companyLevel {
                    if withUtilities { own[k] = v }
                } else if k.level == 0 && !utilitiesOnly {
                    own[k] = v
                } else if !utilitiesOnly {
                    upper[k, default: Count()].met += v.met
                    upper[k, default: Count()].total += v.total
                }
            }
            let counts = own, found = withUtilities ? offences : []
            times.count += since(t)
            t = Date()
            try await db.writeTransaction { tx in
                try await InstrumentBulkWriter.withBulkSettings(on: tx) {
                    try await apply(counts, on: tx)
                    try await insert(found, on: tx)
                }
            }
            times.write += since(t)
            done += facts.count
            progress(done, total)
        }
        let t = Date()
        let counts = upper
        try await db.writeTransaction { tx in try await InstrumentBulkWriter.withBulkSettings(on: tx) { try await apply(counts, on: tx) } }
        // Fresh statistics for the planner: without them PostgreSQL scans the new tables (3× slower views).
        if sql.dialect.name == "postgresql" {
            for table in (utilitiesOnly ? [] : ["metric_counts"]) + (withUtilities ? ["utility_counts", "utility_offences"] : []) { try await sql.raw("ANALYZE \(unsafeRaw: table)").run() }
        }
        times.write += since(t)
        return times
    }

    /// Every row of the kept tables, for comparing the incremental state with a rebuild (tests).
    public static func all(on db: any Database) async throws -> [String: Count] {
        var out: [String: Count] = [:]
        let sql = db as! any SQLDatabase
        func count(_ r: any SQLRow) throws -> Count { Count(met: try r.decode(column: "met_n", as: Int.self), total: try r.decode(column: "total_n", as: Int.self)) }
        for r in try await sql.raw("SELECT level, metric, grain, region_code, bucket, sub_no, met_n, total_n FROM metric_counts").all() {
            let c = try count(r)
            guard c != Count() else { continue }
            let key = try ["level", "metric", "grain", "region_code", "bucket"].map { try r.decode(column: $0, as: String.self) }.joined(separator: "|")
            out[key + "|\(try r.decode(column: "sub_no", as: Int.self))"] = c
        }
        for r in try await sql.raw("SELECT metric, grain, region_code, bucket, owner_id, met_n, total_n FROM utility_counts").all() {
            let c = try count(r)
            guard c != Count() else { continue }
            let key = try ["metric", "grain", "region_code", "bucket"].map { try r.decode(column: $0, as: String.self) }.joined(separator: "|")
            out["company|" + key + "|\(try r.decode(column: "owner_id", as: Int.self))"] = c
        }
        for r in try await sql.raw("SELECT region_code, day, instrument_id, problem, owner_id FROM utility_offences").all() {
            let key = try ["region_code", "day", "problem"].map { try r.decode(column: $0, as: String.self) }.joined(separator: "|")
            out["offence|" + key + "|\(try r.decode(column: "instrument_id", as: Int.self))|\(try r.decode(column: "owner_id", as: Int.self))", default: Count()].total += 1
        }
        return out
    }
}
