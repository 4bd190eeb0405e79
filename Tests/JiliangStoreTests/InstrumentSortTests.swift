import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The instrument list in each order, read page by page with keyset cursors (SQLite and
/// PostgreSQL): every instrument exactly once, in the order asked, ties broken by id.
@Suite struct InstrumentSortTests {
    @Test(arguments: InstrumentSort.allCases)
    func pagingThroughEveryOrderVisitsEachInstrumentOnceInOrder(sort: InstrumentSort) async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            // Equal due dates (a tie) and distinct ones, registered out of date order.
            for (i, day) in ["2025-03-01", "2024-06-15", "2025-03-01", "2026-01-20", "2024-06-15", "2025-12-31", "2025-03-01"].enumerated() {
                _ = try await Fixtures.instrument(serial: "S\(i)", owner: owner, inService: day, on: db)
            }
            // One without a due date: scrapped.
            let scrapped = try await Fixtures.instrument(serial: "X", owner: owner, inService: "2023-01-01", on: db)
            var draft = try InstrumentDraft.parse(
                Fixtures.raw(serial: "X", owner: try CreditCode(validating: owner.creditCode), inService: "2023-01-01"),
                context: try await Registry.context(on: db))
            draft.status = .scrapped
            _ = try await Registry.updateInstrument(scrapped.id!, draft, scope: .everything, on: db)

            var seen: [InstrumentModel] = []
            var cursor: String?
            repeat {
                let page = try await Registry.instruments(
                    .init(sort: sort), today: CalendarDay("2026-11-26")!, window: 30, cursor: cursor, limit: 3, scope: .everything, on: db)
                seen += page.items
                cursor = page.nextCursor
            } while cursor != nil
            let all = try await InstrumentModel.query(on: db).all()
            #expect(seen.count == all.count)
            #expect(Set(seen.map { $0.id! }).count == all.count)
            let expected: [Int] = switch sort {
            case .registration: all.map { $0.id! }.sorted()
            case .code: all.sorted { $0.code < $1.code }.map { $0.id! }
            case .nextDue: all.sorted { ($0.nextDue ?? "9999-12-31", $0.id!) < ($1.nextDue ?? "9999-12-31", $1.id!) }.map { $0.id! }
            }
            #expect(seen.map { $0.id! } == expected)
            if sort == .nextDue { #expect(seen.last?.nextDue == nil, "instruments without a due date come last") }
        }
    }

    @Test func aCursorOfAnotherOrderIsRefusedByName() async throws {
        try await TestDatabase.withStore { store in
            let registrationCursor = Cursor.encode(5)
            await #expect(throws: RegistryError.self) {
                try await Registry.instruments(.init(sort: .nextDue), today: CalendarDay("2026-11-26")!, window: 30,
                                               cursor: registrationCursor, limit: 3, scope: .everything, on: store.db)
            }
            await #expect(throws: RegistryError.self) {
                try await Registry.instruments(.init(sort: .registration), today: CalendarDay("2026-11-26")!, window: 30,
                                               cursor: Cursor.encodeKeyed("2025-01-01", id: 3), limit: 3, scope: .everything, on: store.db)
            }
        }
    }
}
