import Foundation
import JiliangCore
import Testing

@Suite struct CalendarDayTests {
    @Test(arguments: [
        // (start, months, last day of the period) — "有效期至"
        ("2024-05-20", 12, "2025-05-19"),
        ("2024-02-29", 12, "2025-02-28"),  // leap day: the anniversary falls on 1 March
        ("2024-02-29", 48, "2028-02-28"),  // the next 29 February exists
        ("2024-01-31", 1, "2024-02-29"),  // month end in a leap year
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-12-31", 6, "2025-06-30"),
        ("2020-03-01", 72, "2026-02-28"),
        ("2025-01-01", 6, "2025-06-30"),
    ])
    func lastDayOfPeriod(start: String, months: Int, expected: String) {
        #expect(CalendarDay(start)!.lastDayOfPeriod(months: months).description == expected)
    }

    @Test(arguments: [
        ("2024-2-9", "2024-02-09"), ("2024/02/09", "2024-02-09"), ("2024.12.01", "2024-12-01"),
    ])
    func parsesCommonSpreadsheetForms(text: String, expected: String) {
        #expect(CalendarDay(text)?.description == expected)
    }

    @Test(arguments: [
        "2023-02-29", "24-02-09", "2024-13-01", "2024-00-10", "2024-04-31", "", "tomorrow", "2024-02-09T10:00", "2024--02-09", "2024-02-09-01",
        "2024-1-100", "20240-01-01", "２０２４-02-09", "2024-02-", "-2024-02-09", " 2024-02-09",
    ])
    func rejectsNonDates(text: String) {
        #expect(CalendarDay(text) == nil)
    }

    @Test func dayNumberRoundTripsAndCountsDays() {
        var d = CalendarDay("1999-12-25")!
        for _ in 0..<2000 {
            let next = d.adding(days: 1)
            #expect(CalendarDay(dayNumber: next.dayNumber) == next)
            #expect(d.days(until: next) == 1)
            #expect(d < next)
            d = next
        }
        #expect(CalendarDay("1970-01-01")!.dayNumber == 0)
        #expect(CalendarDay("2024-03-01")!.dayNumber - CalendarDay("2024-02-28")!.dayNumber == 2)
    }

    @Test func instantsAreReadInChinaTime() {
        // 16:30 UTC on New Year's Eve is already 1 January in Beijing.
        let instant = ISO8601DateFormatter().date(from: "2024-12-31T16:30:00Z")!
        #expect(CalendarDay(instant: instant).description == "2025-01-01")
        let earlier = ISO8601DateFormatter().date(from: "2024-12-31T15:59:59Z")!
        #expect(CalendarDay(instant: earlier).description == "2024-12-31")
    }
}
