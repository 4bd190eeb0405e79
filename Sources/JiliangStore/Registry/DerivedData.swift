import FluentKit
import FluentPostgresDriver
import Foundation
import JiliangCore
import Logging
import SQLKit

/// The stored columns that are a cache of the rules engine — each instrument's compliance base,
/// next due date and due kind, and the statistics' kept counts — re-derived with the current code
/// when the engine's answers change. A migration must not carry a copy of the engine (it would
/// freeze today's rules into history); instead `version` is bumped with the change, and start-up
/// re-derives what an older version stored (`refreshIfStale`), with progress in the log.
public enum DerivedData {
    /// Bump when `ComplianceEngine` or `Metrics` answer differently for data already stored.
    /// 2: issue #18 — the rule's form decides (item 1), "rule missing" (2), one life end (3), the
    /// first verification due before the in-service day (12). 3: pass rates paired per verification
    /// event (item 5; the kept counts lose their per-period pass-rate rows). 4: filing and in-use
    /// as they stood on a past day (item 6; kept as dated changes). 5: 受检率 per instrument with
    /// the overdue carried into a period and suspensions (item 4).
    public static let version = 5
    static let name = "compliance"
    static let batch = 2_000

    /// How the kept counts are recounted after the instruments are re-derived: `whole`, in one
    /// transaction (`MetricCounts.rebuild`: at start-up, before the server answers, and where a new
    /// engine version may count other cells), or `byPlace`, a short transaction per place
    /// (`MetricCounts.recountByPlace`: the job worker, while requests write; issue #22).
    public enum Recount: Sendable { case whole, byPlace }

    public struct Outcome: Sendable, Equatable {
        public var instruments = 0
        public var changed = 0
        public var recounted = false
    }

    /// Marks the stored derivation out of date (a catalogue row or a rule changed): the job worker
    /// re-derives everything in the background, as at start-up. Call in the change's transaction.
    public static func markStale(on db: any Database) async throws {
        // A new token: a refresh already running (with the rules before this change) does not mark
        // its work current when it ends, and the next pass of the worker derives again.
        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM derived_versions WHERE name = \(bind: name)").run()
        try await sql.raw("""
            INSERT INTO derived_versions (name, version, derived_at, token) VALUES (\(bind: name), 0, \(bind: Date()), \(bind: UUID().uuidString))
            """).run()
    }

    /// How long a claim on the derivation lasts without a sign of life: each batch renews it, so
    /// only an instance that died mid-way holds it this long (the recount at the end, one
    /// transaction, is the longest step: about a minute at 10M instruments).
    static let claimLease: TimeInterval = 300
    /// The version stored while an instance derives (its token in `token`, its last sign of life in
    /// `derived_at`).
    static let deriving = -1

    /// Re-derives everything if the stored version is older than `version`; a no-op otherwise, and
    /// also when another instance is deriving now: one instance derives at a time (two that took
    /// turns marking each other's work stale kept deriving for ever; issue #22, item 2).
    @discardableResult
    public static func refreshIfStale(on db: any Database, logger: Logger, now: Date = Date(), recount: Recount = .whole) async throws -> Outcome? {
        let sql = db as! any SQLDatabase
        let stored = try await sql.raw("SELECT version FROM derived_versions WHERE name = \(bind: name)").first()?
            .decode(column: "version", as: Int.self)
        guard (stored ?? 0) < version else { return nil }
        let token = UUID().uuidString
        let (claimed, replaced) = try await take(token, now: now, on: db)
        guard claimed else { return nil }
        // By place only after a change marked it stale (version 0, read as the claim replaced it):
        // an older engine's version (or none, or a claim whose holder died) may have counted other
        // cells, which only a recount of everything removes.
        let how: Recount = replaced == 0 ? recount : .whole
        do {
            let outcome = try await refresh(on: db, logger: logger, claim: token, recount: how)
            // Current only if no change marked it stale meanwhile (a new token): else the next pass derives again.
            try await db.writeTransaction { tx in
                try await (tx as! any SQLDatabase).raw("""
                    UPDATE derived_versions SET version = \(bind: version), derived_at = \(bind: Date()) WHERE name = \(bind: name) AND token = \(bind: token)
                    """).run()
            }
            return outcome
        } catch {
            // Given back at once, so the next pass of any instance can derive: as marked stale (0)
            // when this was a recount by place, else as an older engine's (1), so that the next
            // pass recounts everything too. In a task of its own: a stop cancels this one, and the
            // hand-back would give up at the write gate (the others then wait out the lease).
            let back = how == .byPlace ? 0 : 1
            await Task {
                try? await db.writeTransaction { tx in
                    try await (tx as! any SQLDatabase).raw(
                        "UPDATE derived_versions SET version = \(bind: back) WHERE name = \(bind: name) AND token = \(bind: token)").run()
                }
            }.value
            throw error
        }
    }

    /// Takes the derivation for `token` if it is stale and no one holds it, or its holder has given
    /// no sign of life for `claimLease`. One statement per step in one write transaction: two
    /// instances asking at once, one gets it.
    static func claim(_ token: String, now: Date, on db: any Database) async throws -> Bool {
        try await take(token, now: now, on: db).claimed
    }

    /// `claim`, also saying which version the claim replaced (nil: no row yet).
    static func take(_ token: String, now: Date, on db: any Database) async throws -> (claimed: Bool, replaced: Int?) {
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            let replaced = try await sql.raw("SELECT version FROM derived_versions WHERE name = \(bind: name)").first()?
                .decode(column: "version", as: Int.self)
            try await sql.raw("""
                INSERT INTO derived_versions (name, version, derived_at, token) VALUES (\(bind: name), 0, \(bind: now), \(bind: UUID().uuidString))
                ON CONFLICT (name) DO NOTHING
                """).run()
            try await sql.raw("""
                UPDATE derived_versions SET version = \(bind: deriving), token = \(bind: token), derived_at = \(bind: now)
                WHERE name = \(bind: name) AND ((version >= 0 AND version < \(bind: version))
                   OR (version = \(bind: deriving) AND derived_at < \(bind: now.addingTimeInterval(-claimLease))))
                """).run()
            let claimed = try await sql.raw("SELECT token FROM derived_versions WHERE name = \(bind: name)").first()?
                .decode(column: "token", as: String?.self) == token
            return (claimed, replaced)
        }
    }

    /// Recomputes every instrument's stored compliance (writing only rows whose answer changed) and,
    /// if any instrument exists, recounts the statistics. Batches of `batch` instruments, each in one
    /// transaction, so a stop half-way leaves whole batches and the next start begins again.
    public static func refresh(on db: any Database, logger: Logger, claim token: String? = nil, recount: Recount = .whole) async throws -> Outcome {
        let sql = db as! any SQLDatabase
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM instruments").first()?.decode(column: "n", as: Int.self) ?? 0
        var outcome = Outcome()
        guard total > 0 else { return outcome }
        logger.notice("re-deriving the stored compliance of \(total) instruments with rules engine version \(version)…")
        let book = try await Registry.ruleBook(on: db)
        let catalogue = Dictionary(uniqueKeysWithValues: try await CatalogueEntryModel.query(on: db).all().map { ($0.id!, $0.entry) })
        var after = 0, reported = 0
        while true {
            let start = after
            // A write transaction: on SQLite it holds the write lock from the first read, so a record
            // committed meanwhile is seen; on PostgreSQL the batch's rows are locked (FOR UPDATE).
            let (n, last, changed) = try await db.writeTransaction { tx in
                // The claim's sign of life, with each batch.
                if let token {
                    try await (tx as! any SQLDatabase).raw(
                        "UPDATE derived_versions SET derived_at = \(bind: Date()) WHERE name = \(bind: name) AND token = \(bind: token)").run()
                }
                return try await refreshBatch(after: start, book: book, catalogue: catalogue, on: tx)
            }
            if n == 0 { break }
            after = last
            outcome.instruments += n
            outcome.changed += changed
            if outcome.instruments * 10 / total > reported {
                reported = outcome.instruments * 10 / total
                logger.notice("  … \(outcome.instruments) of \(total) instruments (\(outcome.changed) changed)")
            }
        }
        if recount == .byPlace {
            // The claim's sign of life, with each place.
            let places = try await MetricCounts.recountByPlace(on: db) { tx in
                if let token {
                    try await (tx as! any SQLDatabase).raw(
                        "UPDATE derived_versions SET derived_at = \(bind: Date()) WHERE name = \(bind: name) AND token = \(bind: token)").run()
                }
            }
            outcome.recounted = true
            logger.notice("re-derived: \(outcome.changed) of \(total) instruments changed status or due date; statistics recounted in \(places) places")
            return outcome
        }
        // One write transaction, the counts table locked: writes that would add their changes to the
        // counts wait for the recount (instead of being counted twice), and readers see the old
        // counts until it commits.
        try await db.writeTransaction(replayable: false) { tx in
            if tx is any PostgresDatabase {
                try await (tx as! any SQLDatabase).raw("LOCK TABLE metric_counts, utility_counts, utility_offences IN EXCLUSIVE MODE").run()
            }
            _ = try await MetricCounts.rebuild(.all, on: tx)
        }
        outcome.recounted = true
        logger.notice("re-derived: \(outcome.changed) of \(total) instruments changed status or due date; statistics recounted")
        return outcome
    }

    struct Row: Decodable {
        var id: Int
        var sub_no: Int
        var lifecycle: String
        var in_service_date: String?
        var meter_type: String?
        var dn: Int?
        var q3: Double?
        var medium: String?
        var owner_id: Int?
        var compliance_base: String
        var next_due: String?
        var due_kind: String?
    }

    /// Re-derives the `batch` instruments after id `after`: (how many read, the last id, how many changed).
    static func refreshBatch(
        after: Int, book: RuleBook, catalogue: [Int: CatalogueEntry], on db: any Database
    ) async throws -> (Int, Int, Int) {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT id, sub_no, lifecycle, in_service_date, meter_type, dn, q3, medium, owner_id, compliance_base, next_due, due_kind
            FROM instruments WHERE id > \(bind: after) ORDER BY id LIMIT \(unsafeRaw: String(batch))\(unsafeRaw: db is any PostgresDatabase ? " FOR UPDATE" : "")
            """).all(decoding: Row.self)
        guard let last = rows.last else { return (0, after, 0) }
        var changed = 0
        let idList = SQLRaw(rows.map { String($0.id) }.joined(separator: ","))  // integers only
        var records: [Int: [VerificationFact]] = [:]
        for r in try await sql.raw("""
            SELECT id, instrument_id, verified_on, kind, result, valid_until, corrects_id, rule_id FROM verification_records
            WHERE instrument_id IN (\(idList))
            """).all() {
            guard let day = CalendarDay(try r.decode(column: "verified_on", as: String.self)),
                let kind = VerificationKind(rawValue: try r.decode(column: "kind", as: String.self)),
                let result = VerificationResult(rawValue: try r.decode(column: "result", as: String.self))
            else { continue }
            records[try r.decode(column: "instrument_id", as: Int.self), default: []].append(VerificationFact(
                id: Int64(try r.decode(column: "id", as: Int.self)), date: day, kind: kind, result: result,
                validUntil: try r.decode(column: "valid_until", as: String?.self).flatMap { CalendarDay($0) },
                corrects: try r.decode(column: "corrects_id", as: Int?.self).map(Int64.init),
                form: book.form(ofRule: try r.decode(column: "rule_id", as: Int?.self))))
        }
        var manual: [Int: [ManualSchedule]] = [:]
        for r in try await sql.raw("SELECT instrument_id, name, due_date FROM schedules WHERE instrument_id IN (\(idList))").all() {
            guard let due = CalendarDay(try r.decode(column: "due_date", as: String.self)) else { continue }
            manual[try r.decode(column: "instrument_id", as: Int.self), default: []].append(
                ManualSchedule(name: try r.decode(column: "name", as: String.self), dueDate: due))
        }
        for row in rows {
            let entry = catalogue[row.sub_no]
            let attributes = MeterAttributes(
                meterType: row.meter_type.flatMap(MeterType.init), dn: row.dn, q3: row.q3, medium: row.medium.flatMap(GasMedium.init))
            let e = ComplianceEngine.evaluate(
                .init(
                    lifecycle: LifecycleStatus(rawValue: row.lifecycle) ?? .draft,
                    form: book.currentForm(subNo: row.sub_no, attributes: attributes, catalogueForm: entry?.form), mode: entry?.mode,
                    inServiceDate: row.in_service_date.flatMap { CalendarDay($0) }, records: records[row.id] ?? [],
                    manualSchedules: manual[row.id] ?? []))
            let base = e.base.rawValue, due = e.nextDue?.dueDate.description, kind = e.nextDue?.kind.rawValue
            guard base != row.compliance_base || due != row.next_due || kind != row.due_kind else { continue }
            changed += 1
            try await sql.raw("""
                UPDATE instruments SET compliance_base = \(bind: base), next_due = \(bind: due), due_kind = \(bind: kind) WHERE id = \(bind: row.id)
                """).run()
            // The first verification is now due the day before use (item 12): a warning already
            // raised for the old date is the same warning, not a new one to send again.
            if kind == DueKind.firstVerification.rawValue, row.due_kind == kind, let old = row.next_due, let due {
                try await sql.raw("""
                    UPDATE warnings SET due_key = \(bind: due) WHERE instrument_id = \(bind: row.id) AND due_key = \(bind: old)
                    """).run()
            }
            if let owner = row.owner_id { try await CreditLog.markStale(owner, on: db) }
        }
        return (rows.count, last.id, changed)
    }
}
