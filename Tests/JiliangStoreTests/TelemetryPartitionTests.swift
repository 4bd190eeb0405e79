import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

@testable import JiliangStore

/// PostgreSQL keeps the raw readings in a partition per China day and drops a day whole when it
/// leaves the window (issue #21, item 3: "time-partitioned on PostgreSQL, old partitions dropped,
/// not deleted row by row"; M037, `TelemetryPartitions`). Each test runs on both databases: what
/// a caller sees — the sums, what is kept once, what is refused — is the same on SQLite, which
/// has one table; the partitions' own facts are checked where they exist.
@Suite struct TelemetryPartitionTests {
    static let today = TelemetryRetentionTests.today
    static let bureau = TelemetryStoreTests.bureau

    struct Count: Decodable { var n: Int }

    static func count(_ table: String, on db: any Database) async throws -> Int {
        try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Count.self)?.n ?? -1
    }

    static func isPostgres(_ db: any Database) -> Bool { (db as! any SQLDatabase).dialect.name == "postgresql" }

    static func device(_ name: String, serial: String, on db: any Database) async throws -> TelemetryDeviceModel {
        let owner = try await Fixtures.owner(on: db)
        let instrument = try await Fixtures.instrument(subNo: 10, serial: serial, owner: owner, on: db)
        return try await Telemetry.register(
            name: name, instrumentID: instrument.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: bureau, on: db)
    }

    /// The same days, the same sums and the same outcome as the row-by-row path
    /// (`TelemetryRetentionTests`), with the days kept in partitions: a day before the window is
    /// summed and its partition dropped; a reading late for a dropped day lands in the default
    /// partition and is added to its day at the next run.
    @Test func aDayLeavingTheWindowIsSummedAndItsPartitionDropped() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let device = try await Self.device("PART-1", serial: "JY-P1", on: db)
            let days = Self.today.adding(days: -4)...Self.today
            let made = try await Telemetry.ensurePartitions(days, on: db)
            #expect(made == (Self.isPostgres(db) ? [-4, -3, -2, -1, 0].map { Self.today.adding(days: $0) } : []))
            // Made once: asked again, nothing is made.
            #expect(try await Telemetry.ensurePartitions(days, on: db).isEmpty)
            let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
            let kept = try await Telemetry.ingest(Array(TelemetryRetentionTests.lines("PART-1").joined(separator: "\n").utf8), by: Self.bureau, receivedAt: now, on: db)
            #expect(kept.accepted == 15 && kept.findings == 1)
            if Self.isPostgres(db) {
                // Each day's three readings are in that day's partition; none in the default one.
                for back in 0...4 { #expect(try await Self.count(Telemetry.partitionName(Self.today.adding(days: -back)), on: db) == 3) }
                #expect(try await Self.count("telemetry_readings_default", on: db) == 0)
            }
            let policy = TelemetryRetention(rawDays: 2, chunk: 2)
            let run = try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db)
            #expect(run == .init(cutoff: Self.today.adding(days: -2), rolledDays: 2, deleted: 6))
            #expect(try await Self.count("telemetry_readings", on: db) == 9)
            if Self.isPostgres(db) {
                // The two days went whole: no table of theirs is left, attached or not, nor any progress.
                #expect(try await Telemetry.dayTables(on: db).map(\.day) == [-2, -1, 0].map { Self.today.adding(days: $0) })
                #expect(try await Self.count("telemetry_partition_rollups", on: db) == 0)
            }
            let sums = try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today, scope: Self.bureau.scope, on: db)
            #expect(sums.map(\.day) == [Self.today.adding(days: -4).description, Self.today.adding(days: -3).description])
            #expect(sums.map(\.count) == [3, 3] && sums.map(\.valueSum) == [33, 33], "\(sums)")
            // A reading late for four days back, whose partition is gone: kept (in the default
            // partition), then added to its day by the next day's run.
            let noon = Self.today.adding(days: -4).startInstant.addingTimeInterval(13 * 3600)
            let late = Reading(device: "PART-1", seq: 16, at: noon, body: .delivery(.init(
                nozzle: 1, volume: 5, amount: 37.55, unitPrice: 7.51, start: noon.addingTimeInterval(-60), end: noon))).ndjson
            #expect(try await Telemetry.ingest(Array(late.utf8), by: Self.bureau, receivedAt: now, on: db).accepted == 1)
            if Self.isPostgres(db) { #expect(try await Self.count("telemetry_readings_default", on: db) == 1) }
            let next = try await Telemetry.runRetentionIfDue(policy, today: Self.today.adding(days: 1), on: db)
            #expect(next == .init(cutoff: Self.today.adding(days: -1), rolledDays: 2, deleted: 4))
            let after = try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today, scope: Self.bureau.scope, on: db)
            #expect(after.map(\.count) == [4, 3, 3] && after.first?.valueSum == 38, "\(after)")
            #expect(try await Self.count("telemetry_readings", on: db) == 6)
        }
    }

    /// A day too large for one run is summed over several: on PostgreSQL it is detached at once (no
    /// reading can join it after), and each run goes on after the last reading summed — every
    /// reading counted exactly once, whatever the runs' sizes.
    @Test func aDaySummedOverSeveralRunsCountsEachReadingOnce() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let device = try await Self.device("PART-2", serial: "JY-P2", on: db)
            try await Telemetry.ensurePartitions(Self.today.adding(days: -4)...Self.today, on: db)
            let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
            _ = try await Telemetry.ingest(Array(TelemetryRetentionTests.lines("PART-2").joined(separator: "\n").utf8), by: Self.bureau, receivedAt: now, on: db)
            // One chunk of two readings a run: the two days' six readings take several runs.
            let policy = TelemetryRetention(rawDays: 2, chunk: 2, chunksPerRun: 1)
            let first = try #require(try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db))
            #expect(first.deleted == 2)
            if Self.isPostgres(db) {
                // Four days back is detached and part-summed; its remaining reading is out of the table.
                let tables = try await Telemetry.dayTables(on: db)
                #expect(tables.first == .init(name: Telemetry.partitionName(Self.today.adding(days: -4)), day: Self.today.adding(days: -4), attached: false))
                #expect(try await Self.count("telemetry_partition_rollups", on: db) == 1)
                #expect(try await Self.count("telemetry_readings", on: db) == 12)
            }
            var removed = first.deleted, runs = 1
            while let o = try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db) {
                removed += o.deleted
                runs += 1
                #expect(runs < 20, "the runs never finish")
                if runs >= 20 { break }
            }
            #expect(removed == 6 && runs >= 3)
            let sums = try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today, scope: Self.bureau.scope, on: db)
            #expect(sums.map(\.count) == [3, 3] && sums.map(\.valueSum) == [33, 33], "\(sums)")
            #expect(try await Self.count("telemetry_readings", on: db) == 9)
            if Self.isPostgres(db) { #expect(try await Self.count("telemetry_partition_rollups", on: db) == 0) }
        }
    }

    /// Times to the millisecond, summed a reading a chunk: each reading once. (The summing goes on
    /// after the last reading's device and number; a time read back and bound again by the driver
    /// can come back a microsecond early, which summed a chunk's last reading twice.)
    @Test func readingsTimedToTheMillisecondAreSummedOnce() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(serial: "JY-P6", owner: owner, on: db)
            let device = try await Telemetry.register(
                name: "PART-6", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            let day = Self.today.adding(days: -4)
            try await Telemetry.ensurePartitions(day...day, on: db)
            let lines = (1...9).map { k in
                #"{"device":"PART-6","seq":\#(k),"at":"\#(day.description)T12:0\#(k):0\#(k).\#(k)\#(k)7+08:00","type":"weighing","kg":\#(k)}"#
            }
            let kept = try await Telemetry.ingest(Array(lines.joined(separator: "\n").utf8), by: Self.bureau, receivedAt: Self.today.startInstant, on: db)
            #expect(kept.accepted == 9 && kept.errors.isEmpty, "\(kept.errors)")
            let policy = TelemetryRetention(rawDays: 2, chunk: 1, chunksPerRun: 100)
            let run = try await Telemetry.runRetentionIfDue(policy, today: Self.today, on: db)
            #expect(run?.deleted == 9)
            let sums = try await Telemetry.daily(deviceID: device.id!, from: day, to: day, scope: Self.bureau.scope, on: db)
            #expect(sums.map(\.count) == [9] && sums.first?.valueSum == 45, "\(sums)")
        }
    }

    /// Two instances' workers at once (issue #22's several instances): they take their turns on
    /// the days and rows leaving the window, so every reading is still summed exactly once.
    @Test func twoWorkersAtOnceSumEachReadingOnce() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let device = try await Self.device("PART-5", serial: "JY-P5", on: db)
            try await Telemetry.ensurePartitions(Self.today.adding(days: -3)...Self.today, on: db)
            let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
            // Four days back has no partition: its readings take the row-by-row path, the others go whole.
            _ = try await Telemetry.ingest(Array(TelemetryRetentionTests.lines("PART-5").joined(separator: "\n").utf8), by: Self.bureau, receivedAt: now, on: db)
            let policy = TelemetryRetention(rawDays: 1, chunk: 2, chunksPerRun: 1)
            var removed = 0
            for _ in 0..<30 {
                async let a = Telemetry.runRetentionIfDue(policy, today: Self.today, on: db)
                async let b = Telemetry.runRetentionIfDue(policy, today: Self.today, on: db)
                let (x, y) = try await (a, b)
                removed += (x?.deleted ?? 0) + (y?.deleted ?? 0)
                if x == nil, y == nil { break }
            }
            // The window is yesterday and today: four, three and two days back leave it.
            #expect(removed == 9)
            let sums = try await Telemetry.daily(deviceID: device.id!, from: Self.today.adding(days: -10), to: Self.today, scope: Self.bureau.scope, on: db)
            #expect(sums.map(\.count) == [3, 3, 3] && sums.map(\.valueSum) == [33, 33, 33], "\(sums)")
            #expect(try await Self.count("telemetry_readings", on: db) == 6)
        }
    }

    /// Making a day's partition waits at most 2 seconds for the readings' table, which a long
    /// reader (a `pg_dump`) may hold: then it gives up, makes nothing, and is made at a later call.
    @Test func aPartitionDoesNotWaitLongBehindAReader() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let day = Self.today.adding(days: 1)
            guard Self.isPostgres(db) else {
                #expect(try await Telemetry.ensurePartitions(day...day, on: db).isEmpty)  // SQLite: one table, nothing to make
                return
            }
            let started = Date()
            try await db.transaction { reader in
                // A reader of the whole table (every partition, the default one among them), held open.
                try await (reader as! any SQLDatabase).raw("SELECT COUNT(*) FROM telemetry_readings").run()
                await #expect(throws: (any Error).self) { try await Telemetry.ensurePartitions(day...day, on: db) }
            }
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(try await Telemetry.dayTables(on: db).isEmpty)
            #expect(try await Telemetry.ensurePartitions(day...day, on: db) == [day])
        }
    }

    /// A device's number is kept once across days (PostgreSQL's key holds the time, so its
    /// partitions cannot say it alone): a batch sent again adds nothing; a number sent again with
    /// another time — which would go to another day's partition — is refused as reused; a gap
    /// filled late (below the device's highest number) is kept. A reading that came before its
    /// day's partition was made moves into it when it is.
    @Test func aNumberIsKeptOnceAcrossDays() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await Self.device("PART-3", serial: "JY-P3", on: db)
            try await Telemetry.ensurePartitions(Self.today.adding(days: -2)...Self.today, on: db)
            let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
            func line(_ seq: Int64, back: Int, minute: Double = 0) -> String {
                let at = Self.today.adding(days: -back).startInstant.addingTimeInterval(12 * 3600 + minute * 60)
                return Reading(device: "PART-3", seq: seq, at: at, body: .delivery(.init(
                    nozzle: 1, volume: 10, amount: 75.1, unitPrice: 7.51, start: at.addingTimeInterval(-60), end: at))).ndjson
            }
            func send(_ lines: [String]) async throws -> Telemetry.IngestReport {
                try await Telemetry.ingest(Array(lines.joined(separator: "\n").utf8), by: Self.bureau, receivedAt: now, on: db)
            }
            let batch = [line(1, back: 2), line(2, back: 2, minute: 1), line(3, back: 2, minute: 2), line(6, back: 1)]
            #expect(try await send(batch).accepted == 4)
            let again = try await send(batch)
            #expect(again.accepted == 0 && again.duplicates == 4 && again.errors.isEmpty)
            // Number 2 again, dated today: another partition, the same number — refused, not kept.
            let reused = try await send([line(2, back: 0)])
            #expect(reused.accepted == 0 && reused.errors == [.init(line: 1, field: "seq", reason: .telemetry(.sequenceReused(seq: 2)))])
            // 4 and 5, below the highest (6), were never kept: a gap filled late is new.
            let gap = try await send([line(4, back: 1, minute: -2), line(5, back: 1, minute: -1)])
            #expect(gap.accepted == 2 && gap.duplicates == 0 && gap.errors.isEmpty)
            #expect(try await Self.count("telemetry_readings", on: db) == 6)
            // Tomorrow has no partition yet (clocks may run five minutes ahead): its reading waits in
            // the default partition and moves into the day's partition once it is made.
            let ahead = Self.today.adding(days: 1)
            let soon = ahead.startInstant.addingTimeInterval(60)
            let early = Reading(device: "PART-3", seq: 7, at: soon, body: .delivery(.init(
                nozzle: 1, volume: 10, amount: 75.1, unitPrice: 7.51, start: soon.addingTimeInterval(-60), end: soon))).ndjson
            #expect(try await Telemetry.ingest(Array(early.utf8), by: Self.bureau, receivedAt: ahead.startInstant, on: db).accepted == 1)
            if Self.isPostgres(db) {
                #expect(try await Self.count("telemetry_readings_default", on: db) == 1)
                #expect(try await Telemetry.ensurePartitions(Telemetry.partitionDays(around: Self.today), on: db) == [ahead, Self.today.adding(days: 2)])
                #expect(try await Self.count("telemetry_readings_default", on: db) == 0)
                #expect(try await Self.count(Telemetry.partitionName(ahead), on: db) == 1)
            }
            #expect(try await Self.count("telemetry_readings", on: db) == 7)
            // And number 7 is still kept once after the move.
            #expect(try await Telemetry.ingest(Array(early.utf8), by: Self.bureau, receivedAt: ahead.startInstant, on: db).duplicates == 1)
        }
    }

    /// Migration 037 on a database that already holds readings (PostgreSQL turns the table into a
    /// partitioned one): every reading is kept, in its day's partition, and each device's highest
    /// number is set from them, so a batch sent again after the upgrade still adds nothing.
    @Test func theUpgradeKeepsEveryReadingAndEachDevicesHighestNumber() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let device = try await Self.device("PART-4", serial: "JY-P4", on: db)
            // Back to before 037, the later migrations that change its table first (041 added the
            // readings' region), and forward again after, as an upgrade from then would run.
            let migration = M037_PartitionReadings(), later = M041_RegionOnChildRows()
            try await later.revert(on: db)
            try await migration.revert(on: db)
            let now = Self.today.startInstant.addingTimeInterval(23 * 3600)
            let lines = TelemetryRetentionTests.lines("PART-4")
            // Stored as before 037 (no highest number kept): the rows themselves, numbered as
            // `lines` numbers them (today's first, 13…15).
            for (i, l) in lines.enumerated() {
                try await (db as! any SQLDatabase).insert(into: "telemetry_readings").columns("device_id", "seq", "at", "type", "line", "received_at")
                    .values(SQLBind(device.id!), SQLBind(Int64((4 - i / 3) * 3 + i % 3 + 1)), SQLBind(now.addingTimeInterval(Double(i) - 100)), SQLBind("delivery"), SQLBind(l), SQLBind(now))
                    .run()
            }
            try await migration.prepare(on: db)
            try await later.prepare(on: db)
            #expect(try await Self.count("telemetry_readings", on: db) == 15)
            if Self.isPostgres(db) {
                // In their day's partition (all were stored today), not the default one.
                #expect(try await Self.count(Telemetry.partitionName(CalendarDay(instant: now)), on: db) == 15)
                #expect(try await Self.count("telemetry_readings_default", on: db) == 0)
            }
            struct Highest: Decodable { var max_seq: Int64? }
            let highest = try await (db as! any SQLDatabase).select().column("max_seq").from("telemetry_devices")
                .where("id", .equal, SQLBind(device.id!)).first(decoding: Highest.self)
            #expect(highest?.max_seq == 15)
            let again = try await Telemetry.ingest(Array(lines.joined(separator: "\n").utf8), by: Self.bureau, receivedAt: now, on: db)
            #expect(again.accepted == 0 && again.duplicates == 15 && again.errors.isEmpty, "\(again.accepted) \(again.duplicates) \(again.errors.prefix(3))")
        }
    }
}
