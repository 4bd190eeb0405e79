import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Logging
import SQLKit
import Testing

/// Issue #20, item 9: the import streams its rows into one transaction, so it must never be run
/// again on a half-read stream. Another writer holding SQLite's write lock (real SQLITE_BUSY, from a
/// second connection pool on the same file) fails the import whole — promptly, nothing stored, no
/// hang — and the job worker runs the job again from its upload.
@Suite(.timeLimit(.minutes(2))) struct ImportContentionTests {
    static let today = CalendarDay("2026-11-26")!

    static func roll(_ owner: OwnerModel, rows: Int) -> [UInt8] {
        let header = "种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,启用日期\n"
        return Array((header + (1...rows).map { "2,电子计价秤,BUSY-\($0),贸易结算,350102,市场\($0)号,\(owner.creditCode),2024-03-01\n" }.joined()).utf8)
    }

    /// Holds the write lock from another connection pool, as a long write would: until `release`
    /// is finished, or for `seconds` at most.
    static func holdWriteLock(on other: Store, seconds: Double) async -> (Task<Void, any Error>, AsyncStream<Void>.Continuation) {
        let (held, heldSink) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSink) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            defer { heldSink.finish() }  // a holder that never got the lock does not leave the test waiting
            try await other.db.writeTransaction { _ in
                heldSink.yield()
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in release {} }
                    group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
        for await _ in held { break }
        return (holder, releaseSink)
    }

    /// SQLite's own (SQLITE_BUSY): not run in the PostgreSQL pass, where it would only wait for a
    /// test database it does not use (and could run out its time limit waiting).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["JILIANG_TEST_POSTGRES"] == nil))
    func anImportMeetingAnotherWriterStoresNothingAndRunsAgainWhole() async throws {
        try await TestDatabase.withStore { store in
            guard case .sqliteFile(let path) = store.location else { return }  // SQLITE_BUSY is SQLite's
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let bytes = Self.roll(owner, rows: 1_200)  // more than one slice
            let other = try Store(location: .sqliteFile(path))
            do {
                // MUT: the import meets the lock on its first slice and waits 100 ms for it.
                // (Released by the test once the import has failed: on a busy machine the import may
                // take a while to reach its transaction.)
                var (holder, release) = await Self.holdWriteLock(on: other, seconds: 60)
                var options = InstrumentImport.Options()
                options.busyTimeoutMs = 100
                let opts = options
                await #expect {
                    var rng = SystemRandomNumberGenerator()
                    _ = try await InstrumentImport(mode: .allOrNothing, options: opts).run(bytes: bytes, on: db, today: Self.today, generator: &rng)
                } throws: { WriteContention.isContention($0) }
                #expect(try await InstrumentModel.query(on: db).count() == 0)
                release.finish()
                try await holder.value

                // Through the job worker: the job is put back (its upload kept), then runs whole.
                let job = try await ImportJobs.enqueue(bytes: bytes, mode: .allOrNothing, options: opts, by: .system("tests"), on: db)
                let claimed = try #require(try await JobQueue.claim(on: db))
                #expect(claimed.id == job.id)
                // The worker's import fails (100 ms) and the worker says so; only then does the other
                // write end, and the job is put back (that write waited for it).
                (holder, release) = await Self.holdWriteLock(on: other, seconds: 60)
                let (said, saying) = AsyncStream.makeStream(of: String.self)
                let logged = try Store(location: .sqliteFile(path), logger: Logger(label: "worker") { _ in Told(sink: saying) })
                let worker = JobWorker(store: logged, today: { Self.today }, warnings: WarningRunner())
                let running = Task { try await worker.run(claimed, today: Self.today) }
                for await line in said where line.contains("met write contention") { break }
                release.finish()
                try await holder.value
                try await running.value
                await logged.shutdown()
                let requeued = try #require(try await JobModel.find(job.id, on: db))
                #expect(requeued.state == "queued" && requeued.error == nil && requeued.attempts == 1)
                struct N: Decodable { var n: Int }
                let parts = { try await store.sql.raw("SELECT COUNT(*) AS n FROM job_uploads WHERE job_id = \(bind: job.id!)").first(decoding: N.self)?.n }
                #expect(try await parts() == 1, "the upload stays while the job may run again")
                #expect(try await InstrumentModel.query(on: db).count() == 0)
                let again = try #require(try await JobQueue.claim(now: Date().addingTimeInterval(5), on: db))
                try await JobWorker(store: store, today: { Self.today }, warnings: WarningRunner()).run(again, today: Self.today)
                let done = try #require(try await JobModel.find(job.id, on: db))
                #expect(done.state == "done" && done.attempts == 2, "\(done.error ?? "")")
                #expect(try await parts() == 0, "and goes with its end")
                // validate: every row once
                #expect(try await InstrumentModel.query(on: db).count() == 1_200)
                #expect(try await InstrumentModel.query(on: db).unique().all(\.$serialNo).count == 1_200)
            } catch {
                await other.shutdown()
                throw error
            }
            await other.shutdown()
        }
    }
}

/// Every pooled SQLite connection waits for another writer by sleeping, with the store's timeout
/// (not in SQLiteNIO's handler, which spins on a thread-pool thread): `Store.prepareConnections`.
@Suite struct PooledConnectionTests {
    @Test func everyPooledConnectionHasTheBusyTimeout() async throws {
        try await TestDatabase.withStore { store in
            guard !store.isPostgres else { return }
            let timeouts = try await store.busyTimeouts()
            #expect(!timeouts.isEmpty && timeouts.allSatisfy { $0 == WriteContention.busyTimeoutMs }, "\(timeouts)")
        }
    }
}

/// A log handler that passes every message on (the test waits for the worker to say a thing).
struct Told: LogHandler {
    let sink: AsyncStream<String>.Continuation
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        sink.yield(message.description)
    }
}
