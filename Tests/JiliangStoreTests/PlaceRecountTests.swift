import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Logging
import SQLKit
import Synchronization
import Testing

/// The kept counts recounted one place at a time (`MetricCounts.recountByPlace`, issue #22): what
/// the job worker does after a catalogue or rule change, so that requests' writes wait for one
/// place's short transaction, not for a recount of everything. It must come out exactly as a
/// recount of everything in one transaction (`rebuild`), also with writes made between its places.
/// On SQLite and PostgreSQL.
@Suite(.timeLimit(.minutes(10))) struct PlaceRecountTests {
    static let today = CalendarDay("2026-11-26")!
    static let admin = Principal.system("tests")

    /// The counts a recount of everything gives, in a transaction that is rolled back: the kept
    /// counts are left as they were.
    static func wholeRecount(on db: any Database) async throws -> [String: MetricCounts.Count] {
        struct Undo: Error { var counts: [String: MetricCounts.Count] }
        do {
            try await db.writeTransaction(replayable: false) { tx in
                try await MetricCounts.rebuild(on: tx)
                throw Undo(counts: try await MetricCounts.all(on: tx))
            }
        } catch let undo as Undo {
            return undo.counts
        }
        Issue.record("the recount was not undone")
        return [:]
    }

    /// A county's instruments moved to a county of another city behind the counts' back (the first
    /// county's rows must go to zero, and two cities' rows change), then a catalogue change, which
    /// makes the job worker re-derive and recount (the form change itself moves no due date: the
    /// rules' forms decide, issue #18): the recount by place gives what a recount of everything gives.
    @Test func theWorkersRecountByPlaceEqualsARecountOfEverything() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await Audit.$actor.withValue(Self.admin) {
                try await DemoProvince(instruments: 600, seed: 11, today: Self.today).load(into: store)
            }
            let before = try await MetricCounts.all(on: db)
            #expect(try await Self.wholeRecount(on: db) == before, "the demo's counts are a recount to begin with")

            let sql = db as! any SQLDatabase
            let common = try await sql.raw("SELECT sub_no, COUNT(*) AS n FROM instruments GROUP BY sub_no ORDER BY n DESC, sub_no LIMIT 2").all()
                .map { try $0.decode(column: "sub_no", as: Int.self) }
            for sub in common {
                var e = try await Registry.catalogueEntry(sub, on: db).entry
                e.form = e.form == .periodic ? .firstOnlyScrap : .periodic
                _ = try await Audit.$actor.withValue(Self.admin) { try await Registry.saveCatalogueEntry(e, on: db) }
            }
            // To another city: the cities' rows change too.
            try await sql.raw("UPDATE instruments SET region_code = '350203' WHERE region_code = '350102'").run()
            try await RegionCopies.takeAllAgain(on: db)  // their records follow, as through the registry

            let worker = JobWorker(store: store, today: { Self.today }, warnings: WarningRunner())
            #expect(try await worker.runOnce(), "the worker re-derived")
            #expect(try await DerivedData.refreshIfStale(on: db, logger: Logger(label: "test")) == nil, "and marked it current")
            let byPlace = try await MetricCounts.all(on: db)
            let upper = { (c: [String: MetricCounts.Count]) in c.filter { !$0.key.hasPrefix("place|") } }
            #expect(upper(byPlace) != upper(before), "the change changed the cities' and the province's counts")
            #expect(!byPlace.keys.contains { $0.hasPrefix("place|") && $0.contains("|350102|") }, "the emptied county has no rows left")
            #expect(byPlace == (try await Self.wholeRecount(on: db)))
        }
    }

    /// Verification records written while the recount goes from place to place: each waits for
    /// one place at most (it runs with places still to recount), and the counts still come out as
    /// a recount of everything.
    @Test func writesBetweenPlacesKeepTheCountsRight() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await Audit.$actor.withValue(Self.admin) {
                try await DemoProvince(instruments: 1_500, seed: 12, today: Self.today).load(into: store)
            }
            let sql = db as! any SQLDatabase
            // Stale counts, as after a change the counts were not told of: two counties' instruments
            // change places.
            try await sql.raw("""
                UPDATE instruments SET region_code = CASE region_code WHEN '350102' THEN '350203' ELSE '350102' END
                WHERE region_code IN ('350102', '350203')
                """).run()
            try await RegionCopies.takeAllAgain(on: db)  // their records follow, as through the registry
            let rows = try await sql.raw("""
                SELECT i.id, MAX(v.verified_on) AS day, MIN(v.institution_id) AS lab FROM instruments i
                JOIN verification_records v ON v.instrument_id = i.id WHERE i.lifecycle = 'in_service' GROUP BY i.id ORDER BY i.id LIMIT 12
                """).all()
            let drafts = try rows.enumerated().map { n, r in
                let id = try r.decode(column: "id", as: Int.self)
                let day = CalendarDay(try r.decode(column: "day", as: String.self))!.adding(days: 1)
                return try RecordDraft.parse(
                    instrumentID: id, institutionID: try r.decode(column: "lab", as: Int.self), date: min(day, Self.today).description,
                    kind: VerificationKind.periodic.rawValue, result: n % 3 == 0 ? "fail" : "pass",
                    certificateNo: n % 3 == 0 ? nil : "PR-\(id)", resultNoticeNo: n % 3 == 0 ? "PN-\(id)" : nil,
                    readings: nil, recordedBy: "tests", corrects: nil, correctionReason: nil, today: Self.today)
            }
            let progress = Progress()
            // On the worker's connections, as the job worker recounts (the handle taken here: the
            // task never touches the store itself).
            let worker = store.workerDB
            let recounting = Task {
                defer { progress.finish() }
                return try await MetricCounts.recountByPlace(on: worker, progress: { done, total in progress.note(done, total) })
            }
            while progress.done.0 == 0 && !progress.finished { try await Task.sleep(for: .milliseconds(1)) }
            var written = 0, duringRecount = 0
            for d in drafts {
                do {
                    _ = try await Audit.$actor.withValue(Self.admin) { try await Registry.addRecord(d, scope: .everything, on: db) }
                    written += 1
                    let (done, total) = progress.done
                    if done < total { duringRecount += 1 }
                } catch is RegistryError {}  // e.g. no rule in force that day: refused, nothing written
            }
            let places = try await recounting.value
            #expect(places > 20 && progress.done == (places, places))
            #expect(written >= 6, "records written: \(written)")
            #expect(duringRecount >= 1, "some write ran while places were still to recount (\(duringRecount) of \(written))")
            #expect(try await MetricCounts.all(on: db) == (try await Self.wholeRecount(on: db)))
        }
    }
}

/// The recount's progress, as its callback reports it (done, of total), and whether it ended.
private final class Progress: Sendable {
    private let state = Mutex((0, 0))
    private let ended = Mutex(false)
    func note(_ done: Int, _ total: Int) { state.withLock { $0 = (done, total) } }
    var done: (Int, Int) { state.withLock { $0 } }
    func finish() { ended.withLock { $0 = true } }
    var finished: Bool { ended.withLock { $0 } }
}
