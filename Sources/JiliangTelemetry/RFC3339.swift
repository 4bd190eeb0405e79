import Foundation
import JiliangCore

/// RFC 3339 date-times as gateways send them (`2026-12-05T09:58:00+08:00`, `…T01:58:00.250Z`),
/// read from their bytes as `CalendarDay` reads a date: strictly, and about 20 times faster than
/// Foundation's `ISO8601FormatStyle` (0.04 against 0.9 µs; a delivery line carries three).
///
/// Foundation's parser was the reader before, and it is lenient where evidence must not be: it
/// took `2026-02-30` as 2 March, `24:00` and `:60` as the next day or minute, and ignored whatever
/// followed a date-time (`…+08:00junk`). Those are refused now, naming the field. What is read:
/// `YYYY-MM-DDTHH:MM:SS`, then optionally `.` and 1–9 digits, then `Z` or `±HH:MM` (offsets under
/// 18 hours); a real calendar day; hours 0–23, minutes and seconds 0–59; years 1900–2999.
/// `RFC3339Tests` hold it to Foundation on every text both read.
enum RFC3339 {
    static func instant(_ s: String) -> Date? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<at + n {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            (1900...2999).contains(year), hour < 24, minute < 60, second < 60,
            let date = CalendarDay(year: year, month: month, day: day)
        else { return nil }
        // A fraction of a second: 1 to 9 digits.
        var at = 19, fraction = 0.0
        if b[at] == UInt8(ascii: ".") {
            var n = 0, value = 0
            at += 1
            while at < b.count, b[at] &- UInt8(ascii: "0") < 10 {
                // Refused at the tenth digit, before the value could overflow.
                guard n < 9 else { return nil }
                value = value * 10 + Int(b[at] &- UInt8(ascii: "0"))
                n += 1
                at += 1
            }
            guard (1...9).contains(n) else { return nil }
            fraction = Double(value) / pow(10, Double(n))
        }
        guard at < b.count else { return nil }
        var offset = 0
        if b[at] == UInt8(ascii: "Z") {
            guard at + 1 == b.count else { return nil }
        } else {
            guard b[at] == UInt8(ascii: "+") || b[at] == UInt8(ascii: "-"), at + 6 == b.count, b[at + 3] == UInt8(ascii: ":"),
                let oh = digits(at + 1, 2), let om = digits(at + 4, 2), oh < 18, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[at] == UInt8(ascii: "-") ? -1 : 1)
        }
        let seconds = date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Whole seconds from 2001, where a Date counts from, then the fraction: one rounding, as
        // Foundation's.
        return Date(timeIntervalSinceReferenceDate: TimeInterval(seconds - 978_307_200) + fraction)
    }
}
