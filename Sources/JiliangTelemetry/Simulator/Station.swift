import Foundation
import JiliangCore

/// A simulated filling station's tank (issue #21, tank reconciliation): a 30 m³ horizontal tank
/// (2.5 m across, 6.1 m long — a common buried tank) whose gauge reads every ten minutes, drawn
/// down by exactly the litres its dispensers delivered (not what they showed), with the gauge's
/// repeatability (±0.2 mm), the fuel's temperature drifting through the day, and at some stations
/// a refill (卸油) of 8,000 L. The gauge reads on for a day after the last sale (the station
/// closed, the day's reconciliation still to come).
enum Station {
    static let diameterMM = 2_500.0, lengthMM = 6_100.0

    /// The capacity table a verification (JJG 266) would give such a tank: litres every 50 mm.
    static let table: CapacityTable = {
        let r = diameterMM / 2
        let points = stride(from: 0.0, through: diameterMM, by: 50).map { h in
            let area = r * r * acos((r - h) / r) - (r - h) * (2 * r * h - h * h).squareRoot()
            return CapacityTable.Point(mm: h, litres: (area * lengthMM / 1e6 * 10).rounded() / 10)
        }
        return try! CapacityTable(points)
    }()

    static func level(litres: Double) -> Double {
        let p = table.points
        guard let hi = p.firstIndex(where: { $0.litres >= litres }), hi > 0 else { return litres <= 0 ? 0 : diameterMM }
        let a = p[hi - 1], b = p[hi]
        return a.mm + (litres - a.litres) / (b.litres - a.litres) * (b.mm - a.mm)
    }

    /// Underground fuel warms and cools slowly: ±1.5 °C over the day around 18 °C.
    static func temperature(_ at: Date) -> Double { 18 + 1.5 * sin(at.timeIntervalSince1970 / 86_400 * 2 * .pi) }

    static func gauge(name: String, feeds: [FleetSimulator.Device], draws: [TankDraw], _ rng: inout SeededGenerator)
        -> (device: FleetSimulator.Device, readings: [Reading])
    {
        var d = FleetSimulator.Device(name: name, kind: .tankGauge)
        d.capacityTable = table
        d.feeds = feeds.map(\.name)
        let first = draws.map(\.start).min() ?? Date(), last = draws.map(\.end).max() ?? Date()
        // Litres at 20 °C; a refill at a random time at some stations.
        let start20 = Double(Int.random(in: 12_000...20_000, using: &rng))
        let refill: Date? = rng.chance(0.3) ? first.addingTimeInterval(Double(Int.random(in: 0...Int(max(1, last.timeIntervalSince(first))), using: &rng))) : nil
        let beta = Thresholds().fuelExpansionPerKelvin
        var readings: [Reading] = []
        var at = Date(timeIntervalSince1970: (first.timeIntervalSince1970 / 600).rounded(.down) * 600)
        var seq: Int64 = 0
        // The gauge reads on through the night after the last sale, so the day closes (日结).
        let close = last.addingTimeInterval(Thresholds().tankWindow + 1_200)
        while at <= close {
            seq += 1
            let celsius = temperature(at)
            // Each delivery leaves the tank at the fuel's temperature when it flowed.
            let drawn20 = draws.reduce(0) { $0 + $1.litres(from: .distantPast, to: at) * (1 - beta * (temperature($1.end) - 20)) }
            let held20 = start20 - drawn20 + (refill.map { at >= $0 ? 8_000 : 0 } ?? 0)
            let held = held20 / (1 - beta * (celsius - 20))
            let mm = ((level(litres: held) + Double.random(in: -0.2...0.2, using: &rng)) * 10).rounded() / 10
            readings.append(Reading(device: name, seq: seq, at: at, body: .tankLevel(.init(tank: 1, levelMM: mm, temperature: (celsius * 10).rounded() / 10))))
            at += 600
        }
        return (d, readings)
    }
}
