import FluentKit
import JiliangCore
import SQLKit

/// The rows that carry a copy of their parent row's region (or, for `demo_scores`, its owner) so
/// that a database distributed by region can place them with their parent (M041; issue #22,
/// item 7; docs/scaling.md). Writers set the copy from the parent's row read in their own
/// transaction (`current`); this is the one place that knows the whole tree, so that a parent whose
/// region changes takes its rows along (`lockBelow`, `moved`), and so that the tests can hold every
/// copy to its parent (`disagreements`).
public enum RegionCopies {
    public struct Copy: Sendable, Equatable {
        public var table: String
        /// The copied column: `region_code`, or `owner_id`.
        public var column: String
        /// The column naming the parent row.
        public var via: String
        public var parent: String
    }

    /// Parents before their children (a reading's device takes its instrument's region first).
    public static let copies: [Copy] = [
        .init(table: "verification_records", column: "region_code", via: "instrument_id", parent: "instruments"),
        .init(table: "schedules", column: "region_code", via: "instrument_id", parent: "instruments"),
        .init(table: "status_changes", column: "region_code", via: "instrument_id", parent: "instruments"),
        .init(table: "telemetry_devices", column: "region_code", via: "instrument_id", parent: "instruments"),
        .init(table: "telemetry_findings", column: "region_code", via: "instrument_id", parent: "instruments"),
        .init(table: "telemetry_readings", column: "region_code", via: "device_id", parent: "telemetry_devices"),
        .init(table: "telemetry_daily", column: "region_code", via: "device_id", parent: "telemetry_devices"),
        .init(table: "telemetry_tanks", column: "region_code", via: "gauge_id", parent: "telemetry_devices"),
        .init(table: "telemetry_tank_nozzles", column: "region_code", via: "tank_id", parent: "telemetry_tanks"),
        .init(table: "survey_instruments", column: "region_code", via: "invitation_id", parent: "survey_invitations"),
        .init(table: "complaint_events", column: "region_code", via: "complaint_id", parent: "complaints"),
        .init(table: "complaint_photos", column: "region_code", via: "complaint_id", parent: "complaints"),
        .init(table: "check_slots", column: "region_code", via: "institution_id", parent: "institutions"),
        .init(table: "free_checks", column: "region_code", via: "institution_id", parent: "institutions"),
        .init(table: "measurement_standards", column: "region_code", via: "institution_id", parent: "institutions"),
        .init(table: "standard_items", column: "region_code", via: "standard_id", parent: "measurement_standards"),
        .init(table: "penalty_attachments", column: "region_code", via: "penalty_id", parent: "penalties"),
        .init(table: "demo_scores", column: "owner_id", via: "application_id", parent: "demo_applications"),
    ]

    /// The regions that rows written below `parent`'s rows `ids` must carry, read in the writer's
    /// transaction under a row lock that a move of those rows waits for (PostgreSQL: `FOR NO KEY
    /// UPDATE`, in id order, so two writers never wait on each other crosswise; SQLite writes one
    /// transaction at a time). A region taken before the transaction, or without the lock, may be
    /// the old one of a parent moving at that moment: the move's cascade cannot see a row not yet
    /// committed, and the row would keep it.
    public static func current(_ parent: String, ids: [Int], on db: any Database) async throws -> [Int: String] {
        try await current(parent, ids: ids, on: db as! any SQLDatabase)
    }

    static func current(_ parent: String, ids: [Int], on sql: any SQLDatabase) async throws -> [Int: String] {
        struct Row: Decodable { var id: Int; var region_code: String }
        let lock = sql.dialect.name == "postgresql" ? " FOR NO KEY UPDATE" : ""
        var out: [Int: String] = [:]
        let unique = Array(Set(ids)).sorted()
        for part in stride(from: 0, to: unique.count, by: 500).map({ Array(unique[$0..<min($0 + 500, unique.count)]) }) {
            for r in try await sql.raw("""
                SELECT id, region_code FROM \(ident: parent) WHERE id IN \(SQLBind.group(part)) ORDER BY id\(unsafeRaw: lock)
                """).all(decoding: Row.self) { out[r.id] = r.region_code }
        }
        return out
    }

    /// One parent row's region, as `current`.
    public static func current(_ parent: String, id: Int, on db: any Database) async throws -> String {
        guard let region = try await current(parent, ids: [id], on: db)[id] else {
            let entity: Entity = switch parent { case "institutions": .institution; case "telemetry_devices": .telemetryDevice; default: .instrument }
            throw RegistryError.notFound(entity, key: String(id))
        }
        return region
    }

    /// Before the region of `table`'s row `id` changes (PostgreSQL): the rows just below it, which
    /// other writers lock (a device while its batch is kept, a session while it is booked), locked
    /// first, in id order. Otherwise a move that also changes a key column of the parent (an
    /// instrument's owner or serial number: its row then takes the strongest lock) and a writer
    /// holding one of those rows, whose insert checks its foreign key to the parent, would each
    /// wait for the other, and PostgreSQL would end one of them.
    public static func lockBelow(_ table: String, id: Int, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "postgresql" else { return }
        for c in copies where c.parent == table {
            _ = try await sql.raw("SELECT id FROM \(ident: c.table) WHERE \(ident: c.via) = \(bind: id) ORDER BY id FOR NO KEY UPDATE").all()
        }
    }

    /// After the region of `table`'s row `id` changed (an instrument or an institution moved to
    /// another county), or, for a copying row, after its parent changed (a standard moved to
    /// another institution): the row's own copy is taken again from its parent, and every row
    /// below it follows, level by level, in the caller's transaction. Nothing is done for a table
    /// no copy involves. Callers call it only on a change: each level is one `UPDATE` by its
    /// parent column.
    public static func moved(_ table: String, id: Int, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if let own = copies.first(where: { $0.table == table }) {
            try await sql.raw("""
                UPDATE \(ident: table) SET \(ident: own.column) = (SELECT p.\(ident: own.column) FROM \(ident: own.parent) p WHERE p.id = \(ident: table).\(ident: own.via))
                WHERE id = \(bind: id)
                """).run()
        }
        try await follow(table, ids: "\(bind: id)", on: sql)
    }

    /// Sets the copies of `parent`'s children whose parent is among `ids` (an SQL list), then theirs.
    static func follow(_ parent: String, ids: SQLQueryString, on sql: any SQLDatabase) async throws {
        for c in copies where c.parent == parent {
            try await sql.raw("""
                UPDATE \(ident: c.table) SET \(ident: c.column) = (SELECT p.\(ident: c.column) FROM \(ident: parent) p WHERE p.id = \(ident: c.table).\(ident: c.via))
                WHERE \(ident: c.via) IN (\(ids))
                """).run()
            if copies.contains(where: { $0.parent == c.table }) {
                try await follow(c.table, ids: "SELECT id FROM \(ident: c.table) WHERE \(ident: c.via) IN (\(ids))", on: sql)
            }
        }
    }

    /// Takes every copy again from its parent, parents first: after rows were moved by SQL rather
    /// than through the registry (a repair, a test making counts stale). One `UPDATE` a table.
    public static func takeAllAgain(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for c in copies {
            try await sql.raw("""
                UPDATE \(ident: c.table) SET \(ident: c.column) = (SELECT p.\(ident: c.column) FROM \(ident: c.parent) p WHERE p.id = \(ident: c.table).\(ident: c.via))
                """).run()
        }
    }

    /// For each copying table: its rows, and those whose copy differs from their parent's. A test
    /// holds the second to zero on both databases.
    public static func disagreements(on db: any Database) async throws -> [(table: String, rows: Int, differing: Int)] {
        let sql = db as! any SQLDatabase
        struct Counts: Decodable { var rows: Int; var differing: Int }
        var out: [(String, Int, Int)] = []
        for c in copies {
            let n = try await sql.raw("""
                SELECT COUNT(*) AS rows,
                  COALESCE(SUM(CASE WHEN p.id IS NULL OR c.\(ident: c.column) <> p.\(ident: c.column) THEN 1 ELSE 0 END), 0) AS differing
                FROM \(ident: c.table) c LEFT JOIN \(ident: c.parent) p ON p.id = c.\(ident: c.via)
                """).first(decoding: Counts.self)!
            out.append((c.table, n.rows, n.differing))
        }
        return out
    }
}
