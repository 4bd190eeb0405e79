import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Each owner's credit-risk class (A–D), computed by `CreditPolicy` from facts already in the
/// system and stored with the facts and each fact's contribution. Credit processes mark the score
/// stale (the job worker recomputes it within seconds); the daily run recomputes every owner, since
/// instruments fall overdue with the passing of days alone. Staff only: it is an internal reference
/// for inspection frequency, not a public rating.
public enum CreditScores {
    /// The facts for one owner or (nil) for every owner, as of `today`, in grouped queries.
    static func facts(owner: Int?, today: CalendarDay, on db: any Database) async throws -> [Int: CreditFacts] {
        let sql = db as! any SQLDatabase
        let t = today.description
        let twoYears = today.anniversary(months: -24).description, threeYears = today.anniversary(months: -36).description
        func only(_ column: String) -> SQLQueryString { owner.map { "AND \(unsafeRaw: column) = \(bind: $0)" } ?? "" }
        var out: [Int: CreditFacts] = [:]
        if let owner { out[owner] = CreditFacts() }
        for r in try await sql.raw("""
            SELECT owner_id,
              SUM(CASE WHEN compliance_base IN ('active', 'failed', 'not_filed') THEN 1 ELSE 0 END) AS in_use,
              SUM(CASE WHEN compliance_base = 'not_filed' OR (compliance_base = 'active' AND next_due < \(bind: t)) THEN 1 ELSE 0 END) AS late,
              SUM(CASE WHEN compliance_base = 'failed' THEN 1 ELSE 0 END) AS failed
            FROM instruments WHERE 1 = 1 \(only("owner_id")) GROUP BY owner_id
            """).all() {
            let id = try r.decode(column: "owner_id", as: Int.self)
            out[id, default: CreditFacts()].instrumentsInUse = try r.decode(column: "in_use", as: Int?.self) ?? 0
            out[id, default: CreditFacts()].overdueOrUnfiled = try r.decode(column: "late", as: Int?.self) ?? 0
            out[id, default: CreditFacts()].failedInUse = try r.decode(column: "failed", as: Int?.self) ?? 0
        }
        for r in try await sql.raw("""
            SELECT i.owner_id, COUNT(*) AS n, SUM(CASE WHEN v.result = 'fail' THEN 1 ELSE 0 END) AS fails
            FROM verification_records v JOIN instruments i ON i.id = v.instrument_id
            WHERE v.verified_on >= \(bind: twoYears) \(only("i.owner_id"))
              AND NOT EXISTS (SELECT 1 FROM verification_records c WHERE c.corrects_id = v.id)
            GROUP BY i.owner_id
            """).all() {
            let id = try r.decode(column: "owner_id", as: Int.self)
            out[id, default: CreditFacts()].verifications = try r.decode(column: "n", as: Int.self)
            out[id, default: CreditFacts()].verificationFailures = try r.decode(column: "fails", as: Int?.self) ?? 0
        }
        for r in try await sql.raw("""
            SELECT owner_id, COUNT(*) AS n FROM complaints
            WHERE outcome = 'upheld' AND closed_on >= \(bind: twoYears) \(only("owner_id")) GROUP BY owner_id
            """).all() {
            out[try r.decode(column: "owner_id", as: Int.self), default: CreditFacts()].complaintsUpheld = try r.decode(column: "n", as: Int.self)
        }
        for r in try await sql.raw("""
            SELECT owner_id, COUNT(*) AS n, SUM(CASE WHEN heavy THEN 1 ELSE 0 END) AS heavy FROM penalties
            WHERE state <> 'withdrawn' AND decided_on >= \(bind: threeYears) \(only("owner_id")) GROUP BY owner_id
            """).all() {
            let id = try r.decode(column: "owner_id", as: Int.self)
            out[id, default: CreditFacts()].penalties = try r.decode(column: "n", as: Int.self)
            out[id, default: CreditFacts()].heavyPenalties = try r.decode(column: "heavy", as: Int?.self) ?? 0
        }
        for r in try await sql.raw("""
            SELECT i.owner_id, COUNT(*) AS n FROM telemetry_findings f JOIN instruments i ON i.id = f.instrument_id
            WHERE f.state = 'confirmed' AND f.decided_on >= \(bind: twoYears) \(only("i.owner_id")) GROUP BY i.owner_id
            """).all() {
            out[try r.decode(column: "owner_id", as: Int.self), default: CreditFacts()].confirmedAlerts = try r.decode(column: "n", as: Int.self)
        }
        for r in try await sql.raw("""
            SELECT owner_id, state, ended_on FROM commitments WHERE (state = 'active' OR (state = 'breached' AND ended_on >= \(bind: twoYears))) \(only("owner_id"))
            """).all() {
            let id = try r.decode(column: "owner_id", as: Int.self)
            if try r.decode(column: "state", as: String.self) == "active" { out[id, default: CreditFacts()].commitmentActive = true }
            else { out[id, default: CreditFacts()].commitmentBreached = true }
        }
        for r in try await sql.raw("""
            SELECT DISTINCT owner_id FROM demo_applications WHERE state = 'awarded' AND valid_until >= \(bind: t) \(only("owner_id"))
            """).all() {
            out[try r.decode(column: "owner_id", as: Int.self), default: CreditFacts()].demonstrationUnit = true
        }
        for r in try await sql.raw("""
            SELECT DISTINCT owner_id FROM listings WHERE state = 'listed' AND published_on <= \(bind: t) AND removal_on > \(bind: t) \(only("owner_id"))
            """).all() {
            out[try r.decode(column: "owner_id", as: Int.self), default: CreditFacts()].listed = true
        }
        return out
    }

    /// An owner's assessment as of today, computed now and stored. Staff of its region only.
    public static func assess(ownerID: Int, rules: CreditConfiguration = .init(), today: CalendarDay, by p: Principal, on db: any Database) async throws -> (CreditFacts, CreditAssessment) {
        try CreditLog.requireStaff(p, .readCreditClasses)
        let owner = try await Registry.owner(ownerID, scope: p.scope, on: db)
        let f = try await facts(owner: owner.id!, today: today, on: db)[owner.id!] ?? CreditFacts()
        let a = rules.policy.assess(f)
        try await store([(owner.id!, f, a)], today: today, on: db)
        return (f, a)
    }

    static func store(_ rows: [(Int, CreditFacts, CreditAssessment)], today: CalendarDay, on db: any Database) async throws {
        guard !rows.isEmpty else { return }
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        // 500 rows per statement, 10,000 per transaction: a province's owners without one long
        // write lock (SQLite) and without a commit per statement.
        for batch in stride(from: 0, to: rows.count, by: 10_000).map({ rows[$0..<min($0 + 10_000, rows.count)] }) {
            try await db.writeTransaction { tx in
                let sql = tx as! any SQLDatabase
                for chunk in stride(from: batch.startIndex, to: batch.endIndex, by: 500).map({ batch[$0..<min($0 + 500, batch.endIndex)] }) {
                    var q = sql.insert(into: "credit_scores").columns("owner_id", "score", "class", "facts", "contributions", "computed_on", "stale")
                    for (id, f, a) in chunk {
                        q = q.values(
                            SQLBind(id), SQLBind(a.score), SQLBind(a.creditClass.rawValue), SQLBind(String(decoding: try e.encode(f), as: UTF8.self)),
                            SQLBind(String(decoding: try e.encode(a.contributions), as: UTF8.self)), SQLBind(today.description), SQLBind(false))
                    }
                    try await q.onConflict(with: ["owner_id"]) {
                        $0.set(excludedValueOf: "score").set(excludedValueOf: "class").set(excludedValueOf: "facts")
                            .set(excludedValueOf: "contributions").set(excludedValueOf: "computed_on").set(excludedValueOf: "stale")
                    }.run()
                }
            }
        }
    }

    /// Recomputes the scores marked stale (at most `limit`); returns how many.
    @discardableResult
    public static func recomputeStale(rules: CreditConfiguration = .init(), today: CalendarDay, limit: Int = 200, on db: any Database) async throws -> Int {
        let ids = try await (db as! any SQLDatabase).raw("SELECT owner_id FROM credit_scores WHERE stale LIMIT \(literal: limit)").all()
            .map { try $0.decode(column: "owner_id", as: Int.self) }
        var rows: [(Int, CreditFacts, CreditAssessment)] = []
        for id in ids {
            let f = try await facts(owner: id, today: today, on: db)[id] ?? CreditFacts()
            rows.append((id, f, rules.policy.assess(f)))
        }
        try await store(rows, today: today, on: db)
        return rows.count
    }

    /// Recomputes every owner (the daily run): grouped queries over the whole registry.
    @discardableResult
    public static func recomputeAll(rules: CreditConfiguration = .init(), today: CalendarDay, on db: any Database) async throws -> Int {
        let all = try await facts(owner: nil, today: today, on: db)
        let owners = try await (db as! any SQLDatabase).raw("SELECT id FROM owners").all().map { try $0.decode(column: "id", as: Int.self) }
        let rows = owners.map { id in let f = all[id] ?? CreditFacts(); return (id, f, rules.policy.assess(f)) }
        try await store(rows, today: today, on: db)
        return rows.count
    }

    public struct Row: Sendable {
        public var owner: OwnerModel
        public var score: Double
        public var creditClass: CreditClass
        public var computedOn: String
    }

    /// The stored classes of the owners the caller oversees (optionally one class), by owner, paged.
    public static func list(creditClass: String?, cursor: String?, limit: Int?, by p: Principal, on db: any Database) async throws -> Page<Row> {
        try CreditLog.requireStaff(p, .readCreditClasses)
        var c = FieldChecker()
        let cls: CreditClass? = c.choice("class", creditClass?.uppercased(), required: false)
        try c.finish()
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let sql = db as! any SQLDatabase
        var q = SQLQueryString("SELECT s.owner_id, s.score, s.class, s.computed_on FROM credit_scores s JOIN owners o ON o.id = s.owner_id WHERE 1 = 1")
        switch p.scope {
        case .everything: break
        case .region: break
        default: return Page(items: [], nextCursor: nil)  // staff without a region see no owner
        }
        if case .region(let r) = p.scope {
            q.appendInterpolation(unsafeRaw: " AND o.region_code BETWEEN ")
            q.appendInterpolation(bind: r.subtreeRange.lowerBound)
            q.appendInterpolation(unsafeRaw: " AND ")
            q.appendInterpolation(bind: r.subtreeRange.upperBound)
        }
        if let cls { q.appendInterpolation(unsafeRaw: " AND s.class = "); q.appendInterpolation(bind: cls.rawValue) }
        if let after { q.appendInterpolation(unsafeRaw: " AND s.owner_id > "); q.appendInterpolation(bind: after) }
        q.appendInterpolation(unsafeRaw: " ORDER BY s.owner_id LIMIT \(n + 1)")
        let rows = try await sql.raw(q).all()
        let ids = try rows.map { try $0.decode(column: "owner_id", as: Int.self) }
        let owners = Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        let items = try rows.prefix(n).compactMap { r -> Row? in
            guard let o = owners[try r.decode(column: "owner_id", as: Int.self)] else { return nil }
            return Row(owner: o, score: try r.decode(column: "score", as: Double.self),
                       creditClass: CreditClass(rawValue: try r.decode(column: "class", as: String.self)) ?? .b, computedOn: try r.decode(column: "computed_on", as: String.self))
        }
        return Page(items: items, nextCursor: rows.count > n ? Cursor.encode(ids[n - 1]) : nil)
    }
}
