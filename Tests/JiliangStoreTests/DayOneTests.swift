import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// Day one of an installation (issue #19, item 7): the State Council's holiday notices for the
/// years shipped are in the working-day calendar with their sources, still editable; a deleted day
/// stays deleted after a restart; in December the calendar says next year is missing.
@Suite struct DayOneTests {
    @Test func theShippedHolidaysAreLoadedWithTheirSourcesOnce() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            // 国办发明电〔2024〕12号 (2025) and the notice of 2025-11-04 (2026): 春节 2026-02-15…23, 2026-02-14 a working Saturday.
            let springFestival = try await CalendarDayModel.find("2026-02-16", on: db)
            #expect(springFestival?.kind == "holiday" && springFestival?.name == "春节" && springFestival?.source?.contains("2026年部分节假日安排") == true)
            #expect(try await CalendarDayModel.find("2026-02-14", on: db)?.kind == "workday")
            let calendar = try await VerificationRequests.workingCalendar(on: db)
            #expect(!calendar.isWorkingDay(CalendarDay("2026-10-01")!) && calendar.isWorkingDay(CalendarDay("2026-10-10")!))
            // The administrator deletes a day; a restart (the seed runs again) does not bring it back.
            try await VerificationRequests.removeCalendarDay("2026-10-07", by: .system("tests"), on: db)
            try await Seed.referenceData(on: db)
            #expect(try await CalendarDayModel.find("2026-10-07", on: db) == nil)
            #expect(try await CalendarDayModel.query(on: db).count() == 71)
            // An edited day becomes the administrator's: no source any more.
            let edited = try await VerificationRequests.setCalendarDay("2026-10-08", kind: "holiday", name: "国庆节（调整）", by: .system("tests"), on: db)
            #expect(edited.source == nil)
        }
    }

    /// The next year's notice comes out in November: from December on, a missing next year is said.
    @Test(arguments: [
        ("2026-11-30", false, false), ("2026-12-01", false, true), ("2026-12-31", false, true), ("2026-12-05", true, false), ("2025-12-05", false, false),
        ("2027-01-01", false, true), ("2027-06-30", false, true), ("2027-01-01", true, false),  // a new year nobody entered is still missing
    ])
    func nextYearIsMissingInDecember(today: String, addNextYear: Bool, missing: Bool) async throws {
        try await TestDatabase.withStore { store in
            if addNextYear { _ = try await VerificationRequests.setCalendarDay("2027-01-01", kind: "holiday", name: "元旦", by: .system("tests"), on: store.db) }
            let c = try await VerificationRequests.calendarCoverage(today: CalendarDay(today)!, on: store.db)
            #expect(c.nextYearMissing == missing)
            #expect(c.years.map(\.year).prefix(2) == [2025, 2026])
            #expect(c.years.first?.sources.first?.contains("国办发明电〔2024〕12号") == true)
        }
    }
}
