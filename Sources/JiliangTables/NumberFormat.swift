import JiliangCore

/// What Excel shows for a number: a date when its cell's number format is a date format, else the
/// number without float noise. Dates are day counts from Excel's epoch (ECMA-376 Part 1 §18.17.4).
enum NumberFormat {
    /// Built-in number formats that show dates (ECMA-376 Part 1 §18.8.30; 27–36 and 50–58 are the
    /// East Asian date formats, e.g. yyyy"年"m"月"d"日", that a Chinese Excel uses).
    static let builtInDates: Set<Int> = Set(14...17).union([22]).union(27...36).union(50...58)

    static func isDate(id: Int, code: String?) -> Bool {
        if builtInDates.contains(id) { return true }
        guard let code, id >= 164 || !code.isEmpty else { return false }
        // Drop quoted text, escaped characters and [..] sections (colours, locales, elapsed time),
        // then a date format is one that shows a year or a day.
        var plain = ""
        var quoted = false, bracket = false, escaped = false
        for ch in code {
            if escaped { escaped = false; continue }
            switch ch {
            case "\"": quoted.toggle()
            case "\\" where !quoted: escaped = true
            case "[" where !quoted: bracket = true
            case "]" where !quoted: bracket = false
            default: if !quoted, !bracket { plain.append(ch) }
            }
        }
        let lower = plain.lowercased()
        return lower.contains("y") || lower.contains("d")
    }

    /// The day a serial number stands for. In the 1900 system Excel counts 1900-02-29, which did not
    /// exist (a Lotus 1-2-3 compatibility bug), so serials from 61 on count from 1899-12-30.
    static func day(serial: Double, date1904: Bool) -> CalendarDay? {
        guard serial.isFinite, serial >= (date1904 ? 0 : 1), serial < 2_958_466 else { return nil }  // up to 9999-12-31
        let whole = Int(serial.rounded(.down))
        if date1904 { return CalendarDay(year: 1904, month: 1, day: 1)!.adding(days: whole) }
        if whole == 60 { return nil }  // the day that never was
        let epoch = whole < 60 ? CalendarDay(year: 1899, month: 12, day: 31)! : CalendarDay(year: 1899, month: 12, day: 30)!
        return epoch.adding(days: whole)
    }

    /// A number as Excel's General format shows it for a typed-in value: integers without ".0" or an
    /// exponent (serial numbers and DN values are often stored as numbers), others at the shortest
    /// text that reads back the same (2.2999999999999998 → 2.3).
    static func text(_ raw: String) -> String {
        guard let d = Double(raw) else { return raw }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
