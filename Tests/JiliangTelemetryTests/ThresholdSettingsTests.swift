import Foundation
import JiliangCore
@testable import JiliangTelemetry
import Testing

/// Thresholds per region (issue #21, item 4): a county's setting over its city's, a city's over
/// the province's, the province's over the defaults; every setting checked by name and bounds.
@Suite struct ThresholdSettingsTests {
    static let byRegion: [String: [String: Double]] = [
        "350000": ["amount_tolerance_yuan": 0.05, "taximeter_max_kmh": 160],
        "350100": ["amount_tolerance_yuan": 0.02],
        "350102": ["taximeter_max_kmh": 130, "dispenser_lock_count": 3],
    ]

    /// (region, amount tolerance, taximeter's top speed, lock count): where each comes from.
    @Test(arguments: [
        ("350102", 0.02, 130.0, 3),  // county over city over province
        ("350103", 0.02, 160.0, 5),  // another county of the same city: the city's, the province's, the default
        ("350203", 0.05, 160.0, 5),  // another city: the province's
    ] as [(String, Double, Double, Int)])
    func theNearestRegionWins(region: String, amount: Double, speed: Double, lock: Int) {
        let t = ThresholdSettings.resolve(RegionCode(region), Self.byRegion)
        #expect(t.amountToleranceYuan == amount && t.taximeterMaxKmh == speed && t.dispenserLockCount == lock)
    }

    @Test func noRegionOrNoSettingsIsTheDefaults() {
        #expect(ThresholdSettings.resolve(nil, Self.byRegion) == Thresholds())
        #expect(ThresholdSettings.resolve(RegionCode("350102"), [:]) == Thresholds())
    }

    /// Every setting reads back what it sets, and the bounds hold the defaults.
    @Test func everySettingReadsBackAndHoldsItsDefault() {
        let defaults = Thresholds()
        for s in ThresholdSettings.all {
            #expect(s.range.contains(s.value(defaults)), "\(s.name) = \(s.value(defaults)) outside \(s.range)")
            let v = s.whole ? s.range.upperBound.rounded(.down) : s.range.upperBound
            #expect(s.value(ThresholdSettings.resolve(RegionCode("350000"), ["350000": [s.name: v]])) == v, "\(s.name)")
        }
        #expect(Set(ThresholdSettings.all.map(\.name)).count == ThresholdSettings.all.count)
    }

    @Test(arguments: [
        (["amount_tolerance_yuan": 0.005], "amount_tolerance_yuan"),  // under its bound: every honest rounding would be flagged
        (["dispenser_lock_count": 2.5], "dispenser_lock_count"),  // a count is whole
        (["tank_loss_rate": .infinity], "tank_loss_rate"),
        (["speed_limit": 100], "speed_limit"),  // no such setting
    ] as [([String: Double], String)])
    func aBadSettingIsNamed(values: [String: Double], field: String) {
        #expect(ThresholdSettings.check(values).map(\.field) == [field])
    }

    @Test func goodSettingsPass() {
        #expect(ThresholdSettings.check(["amount_tolerance_yuan": 0.01, "dispenser_lock_count": 3, "tank_short_rate": 0.005]).isEmpty)
    }
}
