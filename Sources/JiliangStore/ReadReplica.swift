import AsyncKit
import FluentKit
import FluentPostgresDriver
import Foundation
import Logging
import SQLKit
import Synchronization

/// A PostgreSQL streaming replica that public lookups and statistics may read from (issue #22,
/// item 3), within a bound on how stale it may be. `ReplicaMonitor` measures the replica every
/// second; `Store.reading` sends a read there only while it is fresh, and to the primary otherwise —
/// when the replica lags, is cut off, is being promoted, or cannot be reached. A read that fails
/// because the replica went away is run again on the primary, so a replica's failure costs a reader
/// nothing but time.
///
/// How stale it is, measured against the primary rather than trusted from the replica: every check
/// notes the primary's WAL position (`pg_current_wal_lsn()`) and the time, then asks the replica how
/// far it has replayed (`pg_last_wal_replay_lsn()`). The replica holds everything the primary had
/// at the latest noted time whose position it has reached; its lag is the time since then (0 when it
/// has reached the primary's position of this very check). A replica cut off from its primary stops
/// advancing, so its lag grows with the clock — no reliance on the replica's own view of its
/// connection, and no comparison of two machines' clocks. A read may go there while the lag at the
/// last check plus the time since that check is within `maxLag`: a monitor that stops checking
/// (a hung replica) cannot leave a stale verdict standing.
public final class ReadReplica: Sendable {
    public static let databaseID = DatabaseID(string: "psql-replica")
    /// The bound on staleness when none is configured: a design choice (docs/operations.md), not a
    /// rule — public pages already say their figures are "as of" a time.
    public static let defaultMaxLag: TimeInterval = 5
    /// The longest a check waits for either database before it counts the replica as unreachable.
    static let checkDeadline: Duration = .seconds(2)

    public let url: String
    public let maxLag: TimeInterval

    struct Sample {
        var at: ContinuousClock.Instant
        var lsn: UInt64
    }

    struct State {
        /// The replica's lag at the last check and when that check began; nil lag when it could not
        /// be measured (unreachable, not a standby, or behind every position noted).
        var lag: Double?
        var checkedAt: ContinuousClock.Instant?
        /// The primary's WAL positions noted over the last `maxLag` seconds and a little more.
        var primary: [Sample] = []
        var replicaReads = 0
        var primaryReads = 0
        var fallbacks = 0
        var checks = 0
    }
    let state = Mutex(State())

    init(url: String, maxLag: TimeInterval) {
        self.url = url
        self.maxLag = maxLag
    }

    public struct Figures: Sendable, Equatable {
        public var fresh: Bool
        public var lag: Double?
        /// Reads the replica answered, reads sent to the primary instead, and reads that failed on
        /// the replica and were answered by the primary.
        public var replicaReads: Int
        public var primaryReads: Int
        public var fallbacks: Int
    }

    public var figures: Figures {
        let now = ContinuousClock.now
        return state.withLock {
            Figures(
                fresh: Self.isFresh($0, now: now, maxLag: maxLag), lag: $0.lag, replicaReads: $0.replicaReads, primaryReads: $0.primaryReads,
                fallbacks: $0.fallbacks)
        }
    }

    var isFresh: Bool {
        let now = ContinuousClock.now
        return state.withLock { Self.isFresh($0, now: now, maxLag: maxLag) }
    }

    static func isFresh(_ s: State, now: ContinuousClock.Instant, maxLag: TimeInterval) -> Bool {
        guard let lag = s.lag, let at = s.checkedAt else { return false }
        return lag + (now - at).seconds <= maxLag
    }

    /// A WAL position as PostgreSQL writes it (`16/B374D848`), as a number.
    static func lsn(_ text: String) -> UInt64? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16), low <= UInt32.max else { return nil }
        return high << 32 | low
    }

    /// The replica's lag given what it has replayed and the primary's positions noted (oldest
    /// first, the last one noted now): 0 when it has reached the newest, the age of the newest it
    /// has reached otherwise, nil when it is behind all of them.
    static func lag(replayed: UInt64, primary samples: [Sample], now: ContinuousClock.Instant) -> Double? {
        guard let newest = samples.last else { return nil }
        if replayed >= newest.lsn { return 0 }
        guard let reached = samples.last(where: { $0.lsn <= replayed }) else { return nil }
        return (now - reached.at).seconds
    }

    struct CheckTimedOut: Error {}

    /// One measurement: the primary's position now, then the replica's (see the type's comment).
    public func check(primary: any Database, replica: any Database, logger: Logger) async {
        let now = ContinuousClock.now
        var lag: Double?
        var why = "unreachable"
        do {
            let position = try await Self.within(Self.checkDeadline) {
                try await (primary as! any SQLDatabase).raw("SELECT pg_current_wal_lsn()::text AS lsn").first()?.decode(column: "lsn", as: String.self)
            }
            guard let position, let lsn = Self.lsn(position) else { throw CheckTimedOut() }
            let samples = state.withLock { s in
                s.primary.append(Sample(at: now, lsn: lsn))
                s.primary.removeAll { (now - $0.at).seconds > maxLag + 5 }
                return s.primary
            }
            let (standby, replayed) = try await Self.within(Self.checkDeadline) { () async throws -> (Bool, String?) in
                let row = try await (replica as! any SQLDatabase).raw(
                    "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed").first()
                return (try row?.decode(column: "standby", as: Bool.self) ?? false, try row?.decode(column: "replayed", as: String?.self))
            }
            if !standby {
                why = "not a standby (a primary named as the replica?)"
            } else if let replayed, let position = Self.lsn(replayed) {
                lag = Self.lag(replayed: position, primary: samples, now: now)
                why = "more than \(Int(maxLag + 5)) s behind"
            } else {
                why = "a standby that has replayed nothing yet"
            }
        } catch {
            why = error is CheckTimedOut ? "not answering within \(Self.checkDeadline)" : "unreachable"
            logger.debug("read replica check: \(String(reflecting: error))")
        }
        let (was, first) = state.withLock { s in
            let was = Self.isFresh(s, now: now, maxLag: maxLag)
            defer { s.lag = lag; s.checkedAt = now; s.checks += 1 }
            return (was, s.checks == 0)
        }
        let fresh = lag.map { $0 <= maxLag } ?? false
        if was != fresh || (first && !fresh) {
            if fresh { logger.notice("reads go to the replica again (lag \(lag ?? 0) s)") }
            else { logger.warning("reads go to the primary: the replica is \(lag.map { "\($0) s behind, more than \(maxLag) s" } ?? why)") }
        }
    }

    /// `body`'s answer, or `CheckTimedOut` after `deadline` (the query itself is left to finish).
    static func within<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: deadline); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else { throw CheckTimedOut() }
            return answer
        }
    }

    /// The replica failed a read: stop sending reads there until the next check says otherwise.
    func markFailed() {
        state.withLock { $0.lag = nil; $0.fallbacks += 1 }
    }

    func counted(replica: Bool) {
        state.withLock { if replica { $0.replicaReads += 1 } else { $0.primaryReads += 1 } }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Store {
    /// Runs a read that may be answered a few seconds stale — public lookups, statistics — on the
    /// read replica while it is fresh, and on the primary otherwise (see `ReadReplica`). Writes
    /// never go through here, nor reads that must see what the caller has just written.
    public func reading<T>(_ body: (any Database) async throws -> T) async throws -> T {
        guard let replica, replica.isFresh,
              let replicaDB = databases.database(ReadReplica.databaseID, logger: logger, on: eventLoopGroup.any())
        else {
            replica?.counted(replica: false)
            return try await body(db)
        }
        do {
            let answer = try await body(replicaDB)
            replica.counted(replica: true)
            return answer
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "25006" {
            // A read path that writes: a bug to fix, told as one; the primary answers meanwhile.
            logger.error("a read sent to the replica tried to write, answered by the primary: \(String(reflecting: error))")
            replica.markFailed()
            return try await body(db)
        } catch where error is ConnectionPoolTimeoutError {
            // The replica's pool was busy, not the replica gone: answered by the primary this once.
            replica.state.withLock { $0.fallbacks += 1 }
            return try await body(db)
        } catch where DatabaseAvailability.isUnavailable(error) || WriteContention.isContention(error) {
            // Gone, or a long read cancelled by a recovery conflict (40001 on a standby).
            logger.warning("the read replica failed a read, answered by the primary: \(String(reflecting: error))")
            replica.markFailed()
            return try await body(db)
        }
    }

    /// Measures the replica now (the monitor does this every second).
    public func checkReplica() async {
        guard let replica, let replicaDB = databases.database(ReadReplica.databaseID, logger: logger, on: eventLoopGroup.any()) else { return }
        await replica.check(primary: db, replica: replicaDB, logger: logger)
    }
}
