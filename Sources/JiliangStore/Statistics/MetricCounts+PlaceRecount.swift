import FluentKit
import FluentPostgresDriver
import Foundation
import JiliangCore
import SQLKit

/// The kept counts recounted one place at a time, each place in a short write transaction of its
/// own (issue #22, the write gate). A catalogue or rule change makes the job worker re-derive every
/// instrument and then recount; recounted whole (`rebuild`), in one transaction, the counts held
/// SQLite's one writer for as long as the recount took — 13 s at 40,000 instruments on a debug
/// build, about a minute at 10 million — and every request's write waited for it, past its 30 s
/// timeout at scale. Recounted by place, a write waits for one place at most.
///
/// Each place's transaction sets the place's own rows to what its instruments count now and adds
/// the same difference to its city's and the province's rows, which are the sums of their places'
/// rows (`add`: every cell but the place-only "in use" one is counted at each level alike). Writes
/// between two places' transactions keep adding their own differences, as always: a place not yet
/// recounted is put right when its turn comes (its difference is taken against what is stored
/// then, writes included), one already recounted stays right. On PostgreSQL each place's
/// transaction locks the counts tables as the whole recount does, so a write that changed an
/// instrument meanwhile adds its difference after the place's recount, from what it read before.
extension MetricCounts {
    /// Recounts every place (each in its own write transaction, which also runs `inEach`); returns
    /// how many places.
    @discardableResult
    public static func recountByPlace(
        on db: any Database, inEach: @escaping @Sendable (any Database) async throws -> Void = { _ in },
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> Int {
        let sql = db as! any SQLDatabase
        // Every place that has instruments or stored rows (one whose instruments all moved away
        // keeps rows to bring to zero).
        var places = Set<String>()
        for query in [
            "SELECT DISTINCT region_code FROM instruments",
            "SELECT DISTINCT region_code FROM metric_counts WHERE level = 'place'",
            "SELECT DISTINCT region_code FROM utility_counts",
            "SELECT DISTINCT region_code FROM utility_offences",
        ] {
            for r in try await sql.raw(SQLQueryString(query)).all() { places.insert(try r.decode(column: "region_code", as: String.self)) }
        }
        let ordered = places.compactMap(RegionCode.init).sorted { $0.value < $1.value }
        // The catalogue and the rules read once for every place: a change to them meanwhile marks
        // the derivation stale again, and the worker's next pass recounts with it. (The day rows'
        // start is read in each place's transaction: the daily job may move it meanwhile.)
        let forms = try await Statistics.forms(on: db)
        for (n, place) in ordered.enumerated() {
            try await db.writeTransaction { tx in
                if tx is any PostgresDatabase {
                    try await (tx as! any SQLDatabase).raw("LOCK TABLE metric_counts, utility_counts, utility_offences IN EXCLUSIVE MODE").run()
                }
                try await recount(place, forms: forms, on: tx)
                try await inEach(tx)
            }
            progress(n + 1, ordered.count)
        }
        return ordered.count
    }

    /// Sets `place`'s rows to what its instruments count now, its city's and the province's rows by
    /// the same difference, and its 三表 offences to those it has now. Call in a write transaction.
    static func recount(
        _ place: RegionCode, forms: Statistics.Forms, on db: any Database
    ) async throws {
        let sql = db as! any SQLDatabase
        let dayFrom = try await dayRowsFrom(on: db)
        let facts = try await Statistics.loadFacts(where: SQLRaw("i.region_code = '\(place.value)'"), forms: forms, on: db)
        var fresh = Counts()
        let offences = add(facts, sign: 1, dayRowsFrom: dayFrom, to: &fresh)
        // The difference at the place itself (and its companies) …
        var delta = Counts()
        for (k, v) in fresh where k.level == 0 || k.level == companyLevel { delta[k] = v }
        guard let code = Int32(place.value) else { return }
        // The key's leading columns named in full, so that both databases seek the place's rows
        // through the primary key (level, metric, grain, region_code, …) instead of reading every
        // place's.
        let metricList = SQLList(metrics.map { SQLBind($0) }), grainList = SQLList(grains.map { SQLBind($0) })
        for r in try await sql.raw("""
            SELECT metric, grain, bucket, sub_no, met_n, total_n FROM metric_counts
            WHERE level = 'place' AND metric IN (\(metricList)) AND grain IN (\(grainList)) AND region_code = \(bind: place.value)
            """).all() {
            guard let k = try storedKey(r, level: 0, region: code, sub: Int32(try r.decode(column: "sub_no", as: Int.self)), owner: 0) else { continue }
            delta[k, default: Count()].met -= try r.decode(column: "met_n", as: Int.self)
            delta[k, default: Count()].total -= try r.decode(column: "total_n", as: Int.self)
        }
        for r in try await sql.raw("""
            SELECT metric, grain, bucket, owner_id, met_n, total_n FROM utility_counts
            WHERE metric IN (\(metricList)) AND grain IN (\(grainList)) AND region_code = \(bind: place.value)
            """).all() {
            guard let k = try storedKey(r, level: companyLevel, region: code, sub: 0, owner: Int32(try r.decode(column: "owner_id", as: Int.self)))
            else { continue }
            delta[k, default: Count()].met -= try r.decode(column: "met_n", as: Int.self)
            delta[k, default: Count()].total -= try r.decode(column: "total_n", as: Int.self)
        }
        // … and the same difference where the place is summed: its city and the province.
        var upper: [(UInt8, Int32)] = []
        switch place.level {
        case .county: upper = [(1, code / 100 * 100), (2, code / 10_000 * 10_000)]
        case .city: upper = [(1, code), (2, code / 10_000 * 10_000)]
        case .province: break
        }
        for (k, v) in delta where k.level == 0 && v != Count() && !isPlaceOnly(k) {
            for (level, region) in upper {
                var u = k
                u.level = level
                u.region = region
                delta[u, default: Count()].met += v.met
                delta[u, default: Count()].total += v.total
            }
        }
        try await apply(delta, on: db)
        try await sql.raw("DELETE FROM utility_offences WHERE region_code = \(bind: place.value)").run()
        try await insert(offences, on: db)
    }

    /// The cell counted at the place alone (`add`: "in use", a snapshot by retirement day).
    static func isPlaceOnly(_ k: Key) -> Bool { k.metric == 2 && k.grain == 2 }

    /// A stored row's key (the inverse of `apply`'s binds); nil for a row no key makes.
    static func storedKey(_ r: any SQLRow, level: UInt8, region: Int32, sub: Int32, owner: Int32) throws -> Key? {
        guard let metric = metricIndex[try r.decode(column: "metric", as: String.self)],
            let grain = grains.firstIndex(of: try r.decode(column: "grain", as: String.self)).map(UInt8.init),
            let bucket = bucketNumber(grain: grain, try r.decode(column: "bucket", as: String.self))
        else { return nil }
        return Key(level: level, metric: metric, grain: grain, region: region, bucket: bucket, sub: sub, owner: owner)
    }

    /// The inverse of `bucketText`.
    static func bucketNumber(grain: UInt8, _ text: String) -> Int32? {
        if grain == 1 {
            let parts = text.split(separator: "-")
            guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
            return Int32(y * 12 + m - 1)
        }
        if text == never { return neverNumber }
        return CalendarDay(text).map { Int32($0.dayNumber) }
    }
}
