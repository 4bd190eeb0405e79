import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// On a SQLite file the job worker has connections of its own (`Store.workerDB`). FluentSQLiteDriver
/// keeps one connection per event loop; a job holds its connection for its whole transaction (a
/// roll of a million rows: over a minute). On one shared pool every request given that event loop
/// waited for it, and after the pool's 10 s was answered 503 "database unavailable" — measured on
/// a release build: about half the API calls during a 1,000,000-row import. A request's own write
/// waiting for the lock held its loop's connection the same way; it now asks again and again.
@Suite struct WorkerPoolTests {
    @Test func aJobHoldingAWriteTransactionLeavesTheRequestsConnectionsFree() async throws {
        try await TestDatabase.withStore { store in
            guard store.hasWorkerPool else { return }  // PostgreSQL: several connections per loop
            let owner = try await Fixtures.owner(on: store.db)
            // The worker's side: a write transaction open on each event loop's worker connection in
            // turn, as an import holds it, until the requests' side below is done.
            var committed = owner.name
            for (turn, loop) in store.eventLoopGroup.makeIterator().enumerated() {
                let renamed = "改名中\(turn)"
                let worker = store.workerDB(on: loop)
                let (opened, open) = AsyncStream.makeStream(of: Void.self)
                let (done, finish) = AsyncStream.makeStream(of: Void.self)
                let holder = Task {
                    try await worker.writeTransaction(replayable: false) { tx in
                        try await (tx as! any SQLDatabase).update("owners").set("name", to: renamed).where("id", .equal, owner.id!).run()
                        open.yield()
                        for await _ in done { break }
                    }
                }
                for await _ in opened { break }
                // A request's write on this loop waits for the lock — asking again and again, letting
                // the loop's one connection go between asks (`writeTransaction`): it holds up no read.
                let requestsDB = store.databases.database(logger: store.logger, on: loop)!
                let write = Task {
                    try await requestsDB.writeTransaction { tx in
                        try await (tx as! any SQLDatabase).update("owners").set("address", to: "新址\(turn)").where("id", .equal, owner.id!).run()
                    }
                }
                try await Task.sleep(for: .milliseconds(1_500))  // it has asked, been refused, and asks again
                // The requests' side: a read on every event loop's connection (WAL lets it read
                // beside the open write), seeing the last committed name.
                let started = Date()
                for readLoop in store.eventLoopGroup.makeIterator() {
                    let db = store.databases.database(logger: store.logger, on: readLoop)!
                    let name = try await OwnerModel.find(owner.id, on: db)?.name
                    #expect(name == committed)
                }
                #expect(Date().timeIntervalSince(started) < 5, "a read waited for the worker's connection")
                finish.finish()
                try await holder.value
                try await write.value  // and the write went in once the lock was free
                #expect(try await OwnerModel.find(owner.id, on: store.db)?.address == "新址\(turn)")
                committed = renamed
                #expect(try await OwnerModel.find(owner.id, on: store.db)?.name == renamed)
            }
        }
    }

    @Test func theWorkersConnectionsWaitForAWriterAndAreAudited() async throws {
        try await TestDatabase.withStore { store in
            guard store.hasWorkerPool else { return }
            // Busy timeout on every pooled connection, the worker's included (`prepareConnections`).
            let timeouts = try await store.busyTimeouts()
            #expect(timeouts.count == 2 * store.eventLoopGroup.makeIterator().reduce(0) { n, _ in n + 1 })
            #expect(timeouts.allSatisfy { $0 == WriteContention.busyTimeoutMs }, "\(timeouts)")
            // A model write through the worker's handle is audited like any other.
            struct N: Decodable { var n: Int }
            let before = try await store.sql.raw("SELECT COUNT(*) AS n FROM audit_log").first(decoding: N.self)?.n ?? 0
            _ = try await Audit.$actor.withValue(.system("worker pool test")) { try await Fixtures.owner(on: store.workerDB) }
            let after = try await store.sql.raw("SELECT COUNT(*) AS n FROM audit_log").first(decoding: N.self)?.n ?? 0
            #expect(after > before)
        }
    }
}
