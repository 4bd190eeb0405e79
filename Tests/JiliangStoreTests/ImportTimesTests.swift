import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Synchronization
import Testing

/// An import tells where its time went (issue #23: `jiliang bench import` prints it beside the
/// database's floor, to show which chain of work bounds the import).
@Suite struct ImportTimesTests {
    final class Told: Sendable {
        let times = Mutex<InstrumentImport.Times?>(nil)
    }

    /// Thirty water meters in three slices: each step the writer times did work, and neither chain
    /// counts more time than the import took.
    @Test func anImportTellsWhereItsTimeWent() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let csv = ImportTests.chineseCSV(owner: try CreditCode(validating: owner.creditCode), rows: (1...30).map {
                // In use since 2024 and never verified: each is an offence in the 三表 通报's lists.
                "14,冷水水表,WM-T\($0),贸易结算,350102,鼓楼区某小区,OWNER,2024-03-01,15,"
            })
            let told = Told()
            var importer = InstrumentImport(mode: .allOrNothing)
            importer.rowsPerSlice = 10
            importer.observeTimes = { times in told.times.withLock { $0 = times } }
            var rng = SystemRandomNumberGenerator()
            let clock = ContinuousClock()
            let start = clock.now
            let report = try await importer.run(bytes: Array(csv.utf8), on: store.db, today: ImportTests.today, generator: &rng)
            let elapsed = clock.now - start
            #expect(report.errors.isEmpty && report.inserted == 30, "\(report.errors)")
            let t = try #require(told.times.withLock { $0 })
            let w = t.writer
            for (step, time) in [
                ("checking", t.checking), ("reads", w.reads), ("rows", w.rows), ("staging", w.staging), ("instruments", w.instruments),
                ("offences", w.offences), ("counts", w.counts),
            ] {
                #expect(time > .zero, "\(step)")
            }
            #expect(w.total + t.writerWaiting <= elapsed)
            #expect(t.checking + t.checksWaiting <= elapsed)
        }
    }
}
