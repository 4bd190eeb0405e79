import Foundation

/// A tank's capacity table (容积表): litres held at each level, from the tank's own verification
/// (JJG 266 for horizontal tanks, JJG 168 for vertical ones), read linearly between its points.
public struct CapacityTable: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var mm: Double
        public var litres: Double
        public init(mm: Double, litres: Double) {
            self.mm = mm
            self.litres = litres
        }
    }

    public private(set) var points: [Point]

    /// Why a table cannot be used, naming the point (from 1).
    public enum Invalid: Error, Equatable {
        case tooFewPoints
        case notIncreasing(point: Int)
        case outOfRange(point: Int)
    }

    /// At least two points, levels and litres both strictly rising, within a tank's sizes.
    public init(_ points: [Point]) throws(Invalid) {
        guard points.count >= 2 else { throw .tooFewPoints }
        for (i, p) in points.enumerated() {
            guard p.mm.isFinite, p.litres.isFinite, (0...50_000).contains(p.mm), (0...10_000_000).contains(p.litres) else { throw .outOfRange(point: i + 1) }
            if i > 0, !(p.mm > points[i - 1].mm && p.litres > points[i - 1].litres) { throw .notIncreasing(point: i + 1) }
        }
        self.points = points
    }

    /// Litres at a level; nil outside the table (a level the table does not cover is not judged).
    public func litres(atMM mm: Double) -> Double? {
        guard let hi = firstIndex(atOrAbove: mm) else { return nil }
        if hi == 0 { return points[0].mm == mm ? points[0].litres : nil }
        let a = points[hi - 1], b = points[hi]
        return a.litres + (mm - a.mm) / (b.mm - a.mm) * (b.litres - a.litres)
    }

    /// The first point at or above a level (binary search: a table may have 2,000 points).
    func firstIndex(atOrAbove mm: Double) -> Int? {
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid].mm >= mm { hi = mid } else { lo = mid + 1 }
        }
        return lo < points.count ? lo : nil
    }

    /// Litres per millimetre at a level: what a millimetre of the gauge's own error is worth there.
    public func litresPerMM(atMM mm: Double) -> Double {
        let hi = min(max(firstIndex(atOrAbove: mm) ?? points.count - 1, 1), points.count - 1)
        let a = points[hi - 1], b = points[hi]
        return (b.litres - a.litres) / (b.mm - a.mm)
    }
}

/// A delivery from a tank, by one nozzle of a dispenser drawn from it: the litres the display
/// showed, and when the fuel flowed (a delivery across a window's edge counts pro rata).
public struct TankDraw: Sendable, Equatable {
    public var device: String
    public var seq: Int64
    public var start: Date
    public var end: Date
    public var litres: Double
    public init(device: String, seq: Int64, start: Date, end: Date, litres: Double) {
        self.device = device
        self.seq = seq
        self.start = start
        self.end = end
        self.litres = litres
    }

    /// The share of the delivery that flowed within (from, to].
    func litres(from: Date, to: Date) -> Double {
        let span = end.timeIntervalSince(start)
        guard span > 0 else { return end > from && end <= to ? litres : 0 }
        let overlap = min(end, to).timeIntervalSince(max(start, from))
        return overlap <= 0 ? 0 : litres * min(1, overlap / span)
    }
}

/// Dispensed volume against the tank's drop (进销存比对, issue #21, item 4): over a window between two
/// gauge readings with no refill between, the litres the tank's dispensers showed should be the
/// litres that left the tank, both at 20 °C. Dispensers showing more than left the tank are the
/// short-delivery signature no single dispenser's own data shows — a pulse generator that feeds
/// the display and the encoder alike (作弊芯片) — and a tank losing more than was sold is a leak, theft
/// or sales not recorded.
public enum TankReconciliation {
    public struct Outcome: Sendable, Equatable {
        public var findings: [Finding]
        /// The gauge reading the next run starts from (the store keeps it between runs): the start
        /// of the span still being judged together; the windows after it are judged again, alike.
        public var anchor: Int64?
        /// The start of the window still open (at or after `anchor`): where a run that could not
        /// read the whole span resumes.
        public var windowStart: Int64?
    }

    /// `levels`: the tank's gauge readings in the gauge's order, from the last anchor on; `draws`:
    /// the deliveries from the tank's nozzles over the same time; `closedBefore`: windows ending
    /// later are left open (their deliveries may still be on the way).
    public static func run(
        levels: [Reading], draws: [TankDraw], table: CapacityTable, gauge: String, tank: Int, thresholds t: Thresholds, closedBefore: Date
    ) -> Outcome {
        struct Level {
            var seq: Int64
            var at: Date
            var mm: Double
            var litres: Double
            var celsius: Double?
        }
        let usable: [Level] = levels.compactMap { r in
            guard case .tankLevel(let l) = r.body, l.tank == tank, let v = table.litres(atMM: l.levelMM) else { return nil }
            return Level(seq: r.seq, at: r.at, mm: l.levelMM, litres: v, celsius: l.temperature)
        }
        guard var anchor = usable.first else { return Outcome(findings: [], anchor: nil, windowStart: nil) }
        // Since the last refill or finding, the windows are also judged together: the levels
        // between them cancel out of the sum, so the gauge's allowance stays that of two readings
        // while the litres grow — a small steady skim shows over a few windows.
        var since = anchor
        var previous = anchor
        var out: [Finding] = []
        // Deliveries by their end: the litres shown between two instants are found by a binary
        // search and the few deliveries that can overlap, not by summing them all each time.
        let sorted = draws.sorted { $0.end < $1.end }
        let longest = sorted.map { $0.end.timeIntervalSince($0.start) }.max() ?? 0
        func shown(_ from: Date, _ to: Date) -> (litres: Double, devices: Set<String>) {
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid].end > from { hi = mid } else { lo = mid + 1 }
            }
            var litres = 0.0, devices = Set<String>()
            let last = to.addingTimeInterval(longest)  // a delivery ending later began after `to`
            while lo < sorted.count, sorted[lo].end <= last {
                let l = sorted[lo].litres(from: from, to: to)
                if l > 0 {
                    litres += l
                    devices.insert(sorted[lo].device)
                }
                lo += 1
            }
            return (litres, devices)
        }
        /// Litres at 20 °C (GB/T 1885-1998, ISO 91: the reference temperature) at this temperature;
        /// without one, as read.
        func at20(_ litres: Double, _ celsius: Double?) -> Double { litres * (1 - t.fuelExpansionPerKelvin * ((celsius ?? 20) - 20)) }
        /// Both ends' temperatures, or neither: a correction at one end only would be an error of
        /// its own (0.12 % a kelvin of the whole tank).
        func temperatures(_ a: Level, _ b: Level) -> (Double?, Double?) { both(a.celsius, b.celsius).map { ($0.0, $0.1) } ?? (nil, nil) }
        func allowance(_ a: Level, _ b: Level) -> Double { t.tankLevelAllowanceMM * (table.litresPerMM(atMM: a.mm) + table.litresPerMM(atMM: b.mm)) }
        /// The finding for a span whose dispensed litres and drop differ beyond the tolerance.
        func judge(_ a: Level, _ b: Level, span: String) -> Finding? {
            let (shownLitres, devices) = shown(a.at, b.at)
            let (ca, cb) = temperatures(a, b)
            let dispensed = at20(shownLitres, both(ca, cb).map { ($0.0 + $0.1) / 2 })
            let drop = at20(a.litres, ca) - at20(b.litres, cb)
            let difference = dispensed - drop
            let tolerance = (difference > 0 ? t.tankShortRate : t.tankLossRate) * dispensed + allowance(a, b)
            guard abs(difference) > tolerance + 1e-6 else { return nil }  // (a micro-litre for the arithmetic's rounding)
            return Finding(.tankReconciliation, device: gauge, at: b.at, seqs: [a.seq, b.seq], subject: "tank:\(tank):\(span):\(a.seq)", evidence: [
                "tank": String(tank), "span": span, "from": Reading.time(a.at), "to": Reading.time(b.at),
                "level_from_mm": a.mm.evidence(1), "level_to_mm": b.mm.evidence(1),
                "tank_drop_l": drop.evidence(1), "dispensed_l": dispensed.evidence(1), "difference_l": difference.evidence(1),
                "difference": dispensed > 0 ? (difference / dispensed * 100).evidence(2) + "%" : "—", "tolerance_l": tolerance.evidence(1),
                "direction": difference > 0 ? "dispensed_more_than_tank_drop" : "tank_drop_more_than_dispensed",
                "dispensers": devices.sorted().joined(separator: ","),
            ])
        }
        /// What is judged of a window when it closes, alone or with the windows since.
        func close(_ a: Level, _ b: Level) -> Finding? { judge(a, b, span: "window") ?? (since.seq == a.seq ? nil : judge(since, b, span: "since")) }
        for b in usable.dropFirst() {
            guard b.at <= closedBefore else { break }
            // A refill (卸油): the tank gained more than the gauge's own error allows since the last
            // reading. What was sold up to the reading before it is judged now, however little (the
            // gauge's allowance covers a short window); no span across it is; the next ones start
            // after it.
            let (cp, cb) = temperatures(previous, b)
            if at20(b.litres, cb) - at20(previous.litres, cp) > allowance(previous, b) {
                if previous.seq != anchor.seq, let f = close(anchor, previous) { out.append(f) }
                (anchor, since, previous) = (b, b, b)
                continue
            }
            previous = b
            // Judged once enough has been sold for the rate to mean something, or a day after the
            // window opened (日结) — a closed tank that drops is judged too.
            guard shown(anchor.at, b.at).litres >= t.tankMinLitres || b.at.timeIntervalSince(anchor.at) >= t.tankWindow else { continue }
            if let f = close(anchor, b) {
                out.append(f)
                since = b
            } else if b.at.timeIntervalSince(since.at) > t.tankSpan {
                since = anchor
            }
            anchor = b
        }
        return Outcome(findings: out, anchor: since.seq, windowStart: anchor.seq)
    }
}

private func both(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}
