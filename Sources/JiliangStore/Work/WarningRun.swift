import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// The early-warning run: finds every instrument that needs a warning as of a day, raises each
/// warning once (the unique key (instrument, kind, due date) makes re-runs idempotent), delivers new
/// ones through the channels, and records what it found.
public struct WarningRunner: Sendable {
    public var channels: [any WarningChannel]
    public var dueSoonWindow: Int
    /// A run that finds nothing where the last one found at least this many raises an alarm.
    public var silenceThreshold: Int

    public init(channels: [any WarningChannel] = [InboxChannel(), SMSOutboxChannel()], dueSoonWindow: Int = 30, silenceThreshold: Int = 100) {
        self.channels = channels
        self.dueSoonWindow = dueSoonWindow
        self.silenceThreshold = silenceThreshold
    }

    public struct Outcome: Sendable, Equatable {
        public var runID: Int
        public var found: Int
        public var raised: Int
        public var counts: [String: Int]
        public var alarm: String?
    }

    struct Candidate: Decodable {
        var id: Int
        var owner_id: Int
        var region_code: String
        var code: String
        var name: String
        var next_due: String?
        var due_key: String?

        enum CodingKeys: String, CodingKey { case id, owner_id, region_code, code, name, next_due, due_key }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(Int.self, forKey: .id)
            owner_id = try c.decode(Int.self, forKey: .owner_id)
            region_code = try c.decode(String.self, forKey: .region_code)
            code = try c.decode(String.self, forKey: .code)
            name = try c.decode(String.self, forKey: .name)
            next_due = try c.decodeIfPresent(String.self, forKey: .next_due)
            // The failing record's id arrives as an integer on PostgreSQL and SQLite alike.
            // Integer first: PostgresNIO would read an int8 cell as a String of its raw bytes.
            if let number = try? c.decodeIfPresent(Int.self, forKey: .due_key) {
                due_key = String(number)
            } else {
                due_key = try c.decodeIfPresent(String.self, forKey: .due_key)
            }
        }
    }

    public func run(asOf today: CalendarDay, on db: any Database, now: Date = Date()) async throws -> Outcome {
        let sql = db as! any SQLDatabase
        // Built inside the transaction, which may run again (a model created on a first try would
        // count as saved on the second).
        let runID = try await db.writeTransaction { tx in
            let run = WarningRunModel()
            run.asOf = today.description
            run.startedAt = now
            run.found = 0
            run.raised = 0
            run.counts = "{}"
            try await run.create(on: tx)
            return run.id!
        }
        let t = today.description, soon = today.adding(days: dueSoonWindow).description
        var counts: [String: Int] = [:]
        var raised = 0
        for kind in WarningKind.allCases {
            let q = sql.select().columns("id", "owner_id", "region_code", "code", "name", "next_due").from("instruments")
            switch kind {
            case .dueSoon:
                q.column(SQLAlias(SQLColumn("next_due"), as: SQLIdentifier("due_key")))
                    .where("compliance_base", .equal, ComplianceBase.active.rawValue)
                    .where("next_due", .greaterThanOrEqual, t).where("next_due", .lessThanOrEqual, soon)
            case .overdue, .lifeExpired:
                q.column(SQLAlias(SQLColumn("next_due"), as: SQLIdentifier("due_key")))
                    .where("compliance_base", .equal, ComplianceBase.active.rawValue)
                    .where("next_due", .lessThan, t)
                    .where("due_kind", kind == .lifeExpired ? .equal : .notEqual, DueKind.rotation.rawValue)
            case .failedInUse:
                // Keyed by the failing record, so a second failure after a repair warns again.
                q.column(
                    SQLAlias(
                        SQLSubquery.select {
                            $0.column(SQLFunction("max", args: SQLColumn("id", table: "verification_records"))).from("verification_records")
                                .where(SQLColumn("instrument_id", table: "verification_records"), .equal, SQLColumn("id", table: "instruments"))
                                .where(SQLColumn("result", table: "verification_records"), .equal, SQLBind("fail"))
                        },
                        as: SQLIdentifier("due_key")))
                    .where("compliance_base", .equal, ComplianceBase.failed.rawValue)
                    .where("lifecycle", .equal, LifecycleStatus.inService.rawValue)
            case .notFiled:
                q.column(SQLAlias(SQLLiteral.string("draft"), as: SQLIdentifier("due_key")))
                    .where("lifecycle", .equal, LifecycleStatus.draft.rawValue)
            case .ruleMissing:
                q.column(SQLAlias(SQLLiteral.string("rule_missing"), as: SQLIdentifier("due_key")))
                    .where("compliance_base", .equal, ComplianceBase.ruleMissing.rawValue)
            }
            let found = try await q.all(decoding: Candidate.self)
            counts[kind.rawValue] = found.count
            raised += try await raise(found, kind: kind, runID: runID, on: db, now: now)
        }
        let total = counts.values.reduce(0, +)
        let previous = try await WarningRunModel.query(on: db).filter(\.$id < runID).filter(\.$finishedAt != nil)
            .sort(\.$id, .descending).first()
        var alarm: String?
        if let p = previous, p.found >= silenceThreshold, total == 0 {
            // For the operator's log and the API; the administrators' inbox gets the notice, worded when read.
            alarm = "the warning run found nothing where the previous run (#\(p.id!)) found \(p.found)"
        }
        let silent = previous.flatMap { p in alarm == nil ? nil : Notice.warningRunSilent(previousRun: p.id!, previousFound: p.found) }
        let countsText = String(decoding: try JSONEncoder.sorted.encode(counts), as: UTF8.self)
        // The run's end, its alarm and its audit entry together; the row read and changed inside.
        try await db.auditedTransaction { [raised, alarm] tx in
            if let silent { try await Notices.send(silent, to: "admin", now: now, on: tx) }
            guard let run = try await WarningRunModel.find(runID, on: tx) else { throw RunVanished(id: runID) }
            run.found = total
            run.raised = raised
            run.counts = countsText
            run.alarm = alarm
            run.finishedAt = Date()
            try await run.update(on: tx)
            try await Audit.record(
                Audit.actor, action: "warning_run", entity: "warning_runs", id: "\(runID)",
                after: ["as_of": today.description, "found": "\(total)", "raised": "\(raised)"], on: tx)
        }
        return Outcome(runID: runID, found: total, raised: raised, counts: counts, alarm: alarm)
    }

    /// Inserts the warnings not raised before and delivers them. Batches keep the statements small.
    func raise(_ found: [Candidate], kind: WarningKind, runID: Int, on db: any Database, now: Date) async throws -> Int {
        var raised = 0
        for batch in found.chunked(500) {
            raised += try await db.auditedTransaction { tx -> Int in
                let tsql = tx as! any SQLDatabase
                let rows: [[any SQLExpression]] = batch.map { c in
                    [
                        SQLBind(c.id), SQLBind(c.owner_id), SQLBind(c.region_code), SQLBind(kind.rawValue),
                        SQLBind(c.due_key ?? ""), SQLBind(""), SQLBind(notice(kind, c).json), SQLBind(runID), SQLBind(now),
                    ]
                }
                let insert = tsql.insert(into: "warnings")
                    .columns("instrument_id", "owner_id", "region_code", "kind", "due_key", "message", "notice", "run_id", "raised_at")
                    .ignoringConflicts(with: ["instrument_id", "kind", "due_key"])
                for r in rows { insert.values(r) }
                try await insert.run()
                let new = try await WarningModel.query(on: tx).filter(\.$runID == runID).filter(\.$kind == kind.rawValue)
                    .filter(\.$instrumentID ~~ batch.map(\.id)).all()
                guard !new.isEmpty else { return 0 }
                let phones = Dictionary(
                    try await OwnerModel.query(on: tx).filter(\.$id ~~ Set(new.map(\.ownerID))).all().map { ($0.id!, $0.contactPhone) },
                    uniquingKeysWith: { a, _ in a })
                let notices = new.map {
                    WarningNotice(
                        warningID: $0.id!, ownerID: $0.ownerID, ownerPhone: phones[$0.ownerID] ?? nil, regionCode: $0.regionCode,
                        kind: $0.kind, notice: $0.decodedNotice!)
                }
                for ch in channels { try await ch.deliver(notices, on: tx, now: now) }
                return new.count
            }
        }
        return raised
    }

    func notice(_ kind: WarningKind, _ c: Candidate) -> Notice {
        .warning(kind: kind, instrument: .init(id: c.id, name: c.name, code: c.code), due: c.next_due)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return e
    }
}

extension Array {
    func chunked(_ n: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: n).map { self[$0..<Swift.min($0 + n, count)] }
    }
}

/// The warning run's own row was gone when the run ended (nothing deletes runs: a defect to see).
struct RunVanished: Error, CustomStringConvertible {
    var id: Int
    var description: String { "warning run \(id) vanished before it ended" }
}
