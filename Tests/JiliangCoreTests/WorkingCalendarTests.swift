import JiliangCore
import Testing

/// Working-day deadlines (on-site 10, laboratory 7 working days), with holidays and make-up workdays.
@Suite struct WorkingCalendarTests {
    static func day(_ s: String) -> CalendarDay { CalendarDay(s)! }

    /// A made-up holiday week for the tests: Thursday 1 Oct 2026 to Wednesday 7 Oct off, Saturday
    /// 10 Oct worked instead (the real calendar is data the administrator enters each year).
    static let calendar = WorkingCalendar(special: [
        day("2026-10-01"): .holiday, day("2026-10-02"): .holiday, day("2026-10-05"): .holiday, day("2026-10-06"): .holiday,
        day("2026-10-07"): .holiday, day("2026-10-10"): .workday,
    ])

    @Test(arguments: [
        ("2026-11-26", 4),  // Thursday
        ("2026-11-29", 7),  // Sunday
        ("2024-02-29", 4),  // a leap day, Thursday
        ("1970-01-01", 4),
        ("1969-12-29", 1),  // before day 0: Monday
    ])
    func weekdays(date: String, weekday: Int) {
        #expect(WorkingCalendar.weekday(of: Self.day(date)) == weekday)
    }

    @Test(arguments: [
        // start, working days, deadline
        ("2026-11-23", 0, "2026-11-23"),  // no time given: the day itself
        ("2026-11-23", 1, "2026-11-24"),  // Monday + 1
        ("2026-11-27", 1, "2026-11-30"),  // Friday + 1 skips the weekend
        ("2026-11-28", 1, "2026-11-30"),  // accepted on a Saturday: Monday is the first working day
        ("2026-11-26", 7, "2026-12-07"),  // laboratory: 7 working days from a Thursday
        ("2026-11-26", 10, "2026-12-10"),  // on-site: 10 working days
        ("2026-09-30", 1, "2026-10-08"),  // the holiday week is skipped (Sat 3 and Sun 4 are weekend anyway)
        ("2026-09-30", 3, "2026-10-10"),  // …and the make-up Saturday counts
        ("2026-09-28", 10, "2026-10-16"),  // Tue 29, Wed 30, Thu 8, Fri 9, Sat 10, Mon 12 … Fri 16
        ("2024-02-28", 2, "2024-03-01"),  // across a leap day
        ("2026-12-31", 1, "2027-01-01"),  // across the year (1 Jan is only a holiday once entered)
    ])
    func deadlines(start: String, days: Int, deadline: String) {
        #expect(Self.calendar.adding(workingDays: days, to: Self.day(start)) == Self.day(deadline))
    }

    @Test func countingIsTheInverseOfAdding() {
        let start = Self.day("2026-09-20")
        for n in 0...25 {
            let end = Self.calendar.adding(workingDays: n, to: start)
            #expect(Self.calendar.workingDays(from: start, to: end) == n)
            #expect(Self.calendar.workingDays(from: end, to: start) == -n)
        }
        #expect(!Self.calendar.isWorkingDay(Self.day("2026-10-01")) && Self.calendar.isWorkingDay(Self.day("2026-10-10")))
    }
}
