/// Working days (工作日) for service deadlines: Monday to Friday, minus the public holidays the
/// State Council announces each year, plus the weekend days it makes working days in exchange
/// (调休上班). The announcement comes out each November for the next year, so the calendar is data
/// the administrator maintains (`calendar_days`), not code.
public struct WorkingCalendar: Sendable, Equatable {
    public enum DayKind: String, Sendable, Codable, CaseIterable {
        /// A day off although it may be a weekday (法定节假日).
        case holiday
        /// A working day although it is a weekend day (调休上班).
        case workday
    }

    public var special: [CalendarDay: DayKind]

    public init(special: [CalendarDay: DayKind] = [:]) { self.special = special }

    /// 1 = Monday … 7 = Sunday (ISO 8601). Day 0 (1970-01-01) was a Thursday.
    public static func weekday(of d: CalendarDay) -> Int {
        let r = (d.dayNumber + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    public func isWorkingDay(_ d: CalendarDay) -> Bool {
        switch special[d] {
        case .holiday: false
        case .workday: true
        case nil: Self.weekday(of: d) <= 5
        }
    }

    /// The `n`-th working day after `start` (the start day itself does not count): the deadline of
    /// a task that must be done "within n working days" of `start`. n = 0 gives `start`.
    public func adding(workingDays n: Int, to start: CalendarDay) -> CalendarDay {
        precondition(n >= 0, "a deadline lies ahead")
        var d = start, left = n
        while left > 0 {
            d = d.adding(days: 1)
            if isWorkingDay(d) { left -= 1 }
        }
        return d
    }

    /// Working days after `from` up to and including `to` (negative when `to` is earlier):
    /// how many working days are left until a deadline, or how many it is overdue by.
    public func workingDays(from: CalendarDay, to: CalendarDay) -> Int {
        if to < from { return -workingDays(from: to, to: from) }
        var n = 0, d = from
        while d < to {
            d = d.adding(days: 1)
            if isWorkingDay(d) { n += 1 }
        }
        return n
    }
}
