import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// Tank reconciliation (进销存比对, issue #21, item 4; docs/detectors.md): the litres a tank's
/// nozzles showed against the tank's drop by its capacity table, both at 20 °C. Tolerances:
/// dispensed more than the drop by 0.4 % (JJG 443 dispenser MPE with the capacity table's, combined
/// — unconfirmed), the tank losing more than was sold by 0.6 % (plus GB/T 11085's retail loss —
/// unconfirmed), and 0.5 mm of level at each end [design choice]. A straight tank of 10 L/mm
/// keeps the arithmetic visible: the level allowance is 0.5 × (10 + 10) = 10 L.
@Suite struct TankReconciliationTests {
    static let t0 = Date(timeIntervalSince1970: 1_764_900_000)
    static let straight = try! CapacityTable([.init(mm: 0, litres: 0), .init(mm: 2_000, litres: 20_000)])
    static let t = Thresholds()

    static func level(_ seq: Int64, hours: Double, mm: Double, celsius: Double? = nil) -> Reading {
        Reading(device: "G", seq: seq, at: t0.addingTimeInterval(hours * 3600), body: .tankLevel(.init(tank: 1, levelMM: mm, temperature: celsius)))
    }

    /// `litres` delivered evenly between the two hours.
    static func draw(_ litres: Double, from: Double, to: Double, device: String = "D1") -> TankDraw {
        TankDraw(device: device, seq: 1, start: t0.addingTimeInterval(from * 3600), end: t0.addingTimeInterval(to * 3600), litres: litres)
    }

    static func run(_ levels: [Reading], _ draws: [TankDraw], closedBefore: Date = .distantFuture, thresholds: Thresholds = t) -> TankReconciliation.Outcome {
        TankReconciliation.run(levels: levels, draws: draws, table: straight, gauge: "G", tank: 1, thresholds: thresholds, closedBefore: closedBefore)
    }

    @Test func aCapacityTableMustRiseAndIsReadBetweenItsPoints() throws {
        #expect(throws: CapacityTable.Invalid.tooFewPoints) { try CapacityTable([.init(mm: 0, litres: 0)]) }
        #expect(throws: CapacityTable.Invalid.notIncreasing(point: 3)) {
            try CapacityTable([.init(mm: 0, litres: 0), .init(mm: 10, litres: 100), .init(mm: 20, litres: 100)])
        }
        #expect(throws: CapacityTable.Invalid.outOfRange(point: 2)) { try CapacityTable([.init(mm: 0, litres: 0), .init(mm: .nan, litres: 100)]) }
        let table = try CapacityTable([.init(mm: 100, litres: 500), .init(mm: 200, litres: 1_500), .init(mm: 300, litres: 3_000)])
        #expect(table.litres(atMM: 150) == 1_000 && table.litres(atMM: 300) == 3_000 && table.litres(atMM: 100) == 500)
        #expect(table.litres(atMM: 99) == nil && table.litres(atMM: 301) == nil)
        #expect(table.litresPerMM(atMM: 250) == 15 && table.litresPerMM(atMM: 100) == 10)
    }

    /// (level at the end in mm after 2,000 L dispensed from 1,500 mm, whether it is found, and
    /// which way): 2,000 L is 200 mm; the tolerance is 0.4 % × 2,000 + 10 = 18 L short, or
    /// 0.6 % × 2,000 + 10 = 22 L lost.
    @Test(arguments: [
        (1_300.0, false, nil),  // exact
        (1_301.8, false, nil),  // the drop is 18 L short of what was shown: the edge
        (1_301.81, true, "dispensed_more_than_tank_drop"),
        (1_297.8, false, nil),  // the tank lost 22 L more than was sold: the edge
        (1_297.79, true, "tank_drop_more_than_dispensed"),
    ] as [(Double, Bool, String?)])
    func aWindowIsJudgedAtItsTolerance(endMM: Double, found: Bool, direction: String?) {
        let o = Self.run([Self.level(1, hours: 0, mm: 1_500), Self.level(2, hours: 4, mm: endMM)], [Self.draw(2_000, from: 1, to: 3)])
        #expect(o.findings.count == (found ? 1 : 0))
        #expect(o.findings.first?.evidence["direction"] == direction)
        #expect(o.findings.first.map { $0.seqs == [1, 2] && $0.subject == "tank:1:window:1" } ?? true)
    }

    /// A delivery across a window's edge counts by the share that flowed inside it.
    @Test func aDeliveryAcrossTheEdgeCountsProRata() {
        // 1,000 L in the window and 1,000 L of a 2,000 L delivery that ran on after it.
        let o = Self.run(
            [Self.level(1, hours: 0, mm: 1_500), Self.level(2, hours: 2, mm: 1_300), Self.level(3, hours: 30, mm: 1_200)],
            [Self.draw(1_000, from: 0.5, to: 1), Self.draw(2_000, from: 1.5, to: 2.5)])
        #expect(o.findings.isEmpty, "\(o.findings)")
    }

    /// A refill (卸油) between readings: nothing across it is judged; the next window starts after it.
    @Test func aRefillStartsTheWindowAgain() {
        let o = Self.run(
            [Self.level(1, hours: 0, mm: 1_000), Self.level(2, hours: 1, mm: 1_800), Self.level(3, hours: 3, mm: 1_600)],
            [Self.draw(500, from: 0.2, to: 0.8), Self.draw(2_000, from: 1.5, to: 2.5)])
        #expect(o.findings.isEmpty, "\(o.findings)")
        // The next run starts at the refill: the span judged together starts there.
        #expect(o.anchor == 2)
    }

    /// Both sides at 20 °C: a tank that warms by 10 K grows by 1.2 % without a litre delivered or sold.
    @Test func aWarmingTankIsNotATheft() {
        let held20 = 15_000.0, warm = held20 / (1 - 0.0012 * 10)
        let o = Self.run([Self.level(1, hours: 0, mm: 1_500, celsius: 20), Self.level(2, hours: 30, mm: warm / 10, celsius: 30)], [])
        #expect(o.findings.isEmpty, "\(o.findings)")
        // Read without its temperature, the same rise would be a refill, not a shortfall either;
        // a fall of the same size with nothing sold is a loss.
        let cooled = held20 * (1 - 0.0012 * 10) / 10
        let lost = Self.run([Self.level(1, hours: 0, mm: 1_500), Self.level(2, hours: 30, mm: cooled)], [])
        #expect(lost.findings.first?.evidence["direction"] == "tank_drop_more_than_dispensed")
        let explained = Self.run([Self.level(1, hours: 0, mm: 1_500, celsius: 20), Self.level(2, hours: 30, mm: held20 / (1 + 0.0012 * 10) / 10, celsius: 10)], [])
        #expect(explained.findings.isEmpty, "\(explained.findings)")
    }

    /// A window is judged once 1,000 L were shown, or at the day's close; not before the time the
    /// store says its deliveries are all in.
    @Test func aWindowWaitsForItsLitresOrTheDaysClose() {
        let levels = [Self.level(1, hours: 0, mm: 1_500), Self.level(2, hours: 2, mm: 1_450), Self.level(3, hours: 25, mm: 1_440)]
        // 450 L shown, 500 L left the tank: under 1,000 L, so not judged at hour 2 …
        let early = Self.run(levels, [Self.draw(450, from: 0.5, to: 1)], closedBefore: Self.t0.addingTimeInterval(3 * 3600))
        #expect(early.findings.isEmpty && early.anchor == 1)
        // … and at the day's close, 600 L left against 450 L shown: 150 L lost, over 0.6 % × 450 + 10.
        let closed = Self.run(levels, [Self.draw(450, from: 0.5, to: 1)])
        #expect(closed.findings.count == 1 && closed.findings[0].seqs == [1, 3])
    }

    /// Windows since the last refill or finding are judged together too: 15 L short in each of two
    /// 2,000 L windows is inside each window's 18 L, but 30 L over 4,000 L is outside 26 L.
    @Test func aSmallSteadyShortfallShowsOverSeveralWindows() {
        let levels = [Self.level(1, hours: 0, mm: 1_800), Self.level(2, hours: 4, mm: 1_601.5), Self.level(3, hours: 8, mm: 1_403)]
        let o = Self.run(levels, [Self.draw(2_000, from: 1, to: 3), Self.draw(2_000, from: 5, to: 7)])
        #expect(o.findings.count == 1)
        #expect(o.findings.first?.evidence["span"] == "since" && o.findings.first?.seqs == [1, 3] && o.findings.first?.subject == "tank:1:since:1")
        #expect(o.anchor == 3)
        // Judged again from an earlier anchor (a later run), the same subjects come back: kept once.
        #expect(Self.run(levels, [Self.draw(2_000, from: 1, to: 3), Self.draw(2_000, from: 5, to: 7)]).findings.map(\.subject) == o.findings.map(\.subject))
    }

    /// Another tank of the same gauge, and levels the table does not cover, are not judged.
    @Test func otherTanksAndLevelsOutsideTheTableAreLeftOut() {
        let other = Reading(device: "G", seq: 2, at: Self.t0.addingTimeInterval(7_200), body: .tankLevel(.init(tank: 2, levelMM: 100)))
        let o = Self.run([Self.level(1, hours: 0, mm: 1_500), other, Self.level(3, hours: 4, mm: 2_500), Self.level(4, hours: 5, mm: 1_300)],
                         [Self.draw(2_000, from: 1, to: 3)])
        #expect(o.findings.isEmpty && o.anchor == 1)
    }

    /// A temperature at one end only corrects neither: the same litres, read at 30 °C once, are
    /// not 1.2 % of the tank lost.
    @Test func aTemperatureAtOneEndOnlyCorrectsNeither() {
        let o = Self.run([Self.level(1, hours: 0, mm: 1_500, celsius: 30), Self.level(2, hours: 4, mm: 1_300)], [Self.draw(2_000, from: 1, to: 3)])
        #expect(o.findings.isEmpty, "\(o.findings)")
    }

    /// What was sold before a refill is judged when the refill is seen, though under 1,000 L:
    /// 600 L shown, 500 L left the tank.
    @Test func whatWasSoldBeforeARefillIsJudged() {
        let o = Self.run(
            [Self.level(1, hours: 0, mm: 1_500), Self.level(2, hours: 3, mm: 1_450), Self.level(3, hours: 4, mm: 1_900)],
            [Self.draw(600, from: 1, to: 2)])
        #expect(o.findings.map(\.seqs) == [[1, 2]] && o.findings.first?.evidence["direction"] == "dispensed_more_than_tank_drop", "\(o.findings)")
        #expect(o.anchor == 3)
    }
}
