import Foundation

/// A calendar date with no time of day, as regulators write it ("有效期至 2026-05-19").
///
/// Due dates are legal dates in China Standard Time, so every conversion from an instant goes
/// through `Asia/Shanghai`; arithmetic is on the proleptic Gregorian calendar via a day number,
/// which keeps comparisons and `daysUntil` exact and cheap (the status list of a county compares
/// millions of these).
public struct CalendarDay: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CalendarDay.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (also accepts `YYYY/MM/DD` and `YYYY.MM.DD`, which Excel exports in China produce).
    public init?(_ text: some StringProtocol) {
        // On the bytes: the statistics read millions of dates back from the database (perf showed
        // the split-and-Int version at 4.5% of an import with history). Same grammar: four digits,
        // then one or two, then one or two, separated by any of - / .
        var fields = (0, 0, 0), widths = (0, 0, 0), index = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let v = Int(b &- UInt8(ascii: "0"))
                switch index {
                case 0: fields.0 = fields.0 &* 10 &+ v; widths.0 += 1
                case 1: fields.1 = fields.1 &* 10 &+ v; widths.1 += 1
                default: fields.2 = fields.2 &* 10 &+ v; widths.2 += 1
                }
                if widths.0 > 4 || widths.1 > 2 || widths.2 > 2 { return nil }
            case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."):
                index += 1
                if index > 2 { return nil }
            default: return nil
            }
        }
        guard index == 2, widths.0 == 4, widths.1 >= 1, widths.2 >= 1 else { return nil }
        self.init(year: fields.0, month: fields.1, day: fields.2)
    }

    public static let chinaTimeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// The calendar day in China at the given instant.
    public init(instant: Date, timeZone: TimeZone = CalendarDay.chinaTimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        self.year = c.year!
        self.month = c.month!
        self.day = c.day!
    }

    /// Midnight at the start of this day in China.
    public var startInstant: Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = CalendarDay.chinaTimeZone
        return c.date(from: DateComponents(year: year, month: month, day: day))!
    }

    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : String(month), d = day < 10 ? "0\(day)" : String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (civil-from-days algorithm by Howard Hinnant; exact for all Gregorian dates).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> CalendarDay { CalendarDay(dayNumber: dayNumber + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: CalendarDay) -> Int { other.dayNumber - dayNumber }

    /// The same calendar day `months` later. Where that day does not exist (31 January + 1 month,
    /// 29 February + 12 months) the anniversary is the first day of the following month, so that a
    /// period always lasts at least the full number of months it names.
    public func anniversary(months: Int) -> CalendarDay {
        let total = (year * 12 + (month - 1)) + months
        let y = total / 12, m = total % 12 + 1
        if day <= CalendarDay.daysIn(month: m, year: y) { return CalendarDay(year: y, month: m, day: day)! }
        return CalendarDay(year: y, month: m, day: CalendarDay.daysIn(month: m, year: y))!.adding(days: 1)
    }

    /// The last day of a period of `months` starting on `self` ("有效期至"): the day before the anniversary.
    /// Verified on 2024-05-20 with a 12-month cycle → valid until 2025-05-19; verified on 2024-02-29 → 2025-02-28.
    public func lastDayOfPeriod(months: Int) -> CalendarDay { anniversary(months: months).adding(days: -1) }
}
