import Foundation

/// The detectors' thresholds: data, each with its source (issue #21). One value for the deployment
/// today; settings per region are not wired yet (docs/detectors.md).
/// Where the source is a design choice or the figure is not confirmed, it says so, and the
/// detectors' page shows it (docs/detectors.md).
public struct Thresholds: Sendable, Equatable {
    /// A delivery's amount may differ from volume × unit price by at most the least payment
    /// increment, 0.01 yuan (JJG 443-2023 per a manufacturer's summary, reference.md §8.2 [P]; the
    /// clause itself was not retrieved [unconfirmed]).
    public var amountToleranceYuan = 0.01
    /// A dispenser's volume against its encoder's (pulses × pulse equivalent): JJG 443-2006 has
    /// the anti-cheat system lock after 5 cumulative deliveries outside ±0.6 % (reference.md §5.3).
    /// A dispenser that keeps delivering after that many has not locked.
    public var dispenserLockBand = 0.006
    public var dispenserLockCount = 5
    /// A taximeter's distance error installed in the vehicle: −4.0 % … +1.0 % (JJG 517-2016,
    /// reference.md §8.6), judged against the trip's GNSS distance…
    public var taximeterErrorLow = -0.04
    public var taximeterErrorHigh = 0.01
    /// …whose own uncertainty is allowed on top: JJG(京)177-2025 gives a tracking MPE of 0.3 %.
    public var gnssUncertainty = 0.003
    /// Only trips of at least this many GNSS kilometres are judged (short trips are dominated by
    /// positioning noise) [design choice].
    public var taximeterMinKm = 1.0
    /// A taxi's speed above this is implausible in the province's cities [design choice].
    public var taximeterMaxKmh = 150.0
    /// A utility meter's index may fall by at most its resolution before it is running backwards.
    public var meterBackwardsTolerance = 0.001
    /// Stopped: flow reported above zero in this many consecutive readings while the index stands
    /// still [design choice].
    public var meterStoppedReadings = 3
    /// A step no flow could make is judged against the meter's own overload flow, Q4 = 1.25 × Q3
    /// (JJG 162-2019, GB/T 778.1-2018), from its registered Q3 (`DeviceContext.maxPerHour`).
    /// A device that has sent nothing for this long is itself an alert (issue #21, item 1).
    public var silentAfter: TimeInterval = 3600
    /// The statistical detector: an EWMA chart (λ, limits at L σ) on the device's own baseline,
    /// learned from its first `driftWarmup` values. Montgomery (Introduction to Statistical
    /// Quality Control, §9.2) gives λ = 0.2 with L ≈ 3 when the baseline is known; learned from 30
    /// values it is not, so the limits also carry the baseline mean's own uncertainty (σ²/n, the
    /// usual correction for estimated parameters) and L is 4. Tuned on the simulator's seed-1
    /// fleets (FleetSimulatorTests): with L = 3.5 and no correction 51 of 1,000 honest taximeters
    /// were flagged within 30 watched trips; with both, 8, while every 0.4 % dispenser skim and
    /// every inflated taximeter was still caught [design choice].
    /// Tank reconciliation (进销存比对): dispensers may show more than left the tank by at most this
    /// share of what they showed — their own MPE, ±0.3 % (JJG 443-2006, per a secondary summary),
    /// combined with the capacity table's, about 0.3 % (JJG 266/168, per a vendor's summary):
    /// √(0.3² + 0.3²) ≈ 0.4 % [unconfirmed]…
    public var tankShortRate = 0.004
    /// …and the tank may lose more than was sold by at most this share: the same 0.4 % plus the
    /// retail loss GB/T 11085-1989 allows for gasoline, 0.29 % (from a summary; the table not
    /// retrieved), rounded up [unconfirmed].
    public var tankLossRate = 0.006
    /// Each end of a window may be off by this many millimetres of level: a gauge's fixed offset
    /// (API MPMS 3.1B: ±1 mm at the factory check) cancels in a drop, its repeatability does not
    /// [design choice; repeatability not confirmed for the province's gauges].
    public var tankLevelAllowanceMM = 0.5
    /// A window is judged once its dispensers showed this many litres, or at the day's close
    /// (日结) — the practice of station systems' daily reconciliation [design choice].
    public var tankMinLitres = 1_000.0
    public var tankWindow: TimeInterval = 86_400
    /// Windows since the last refill or finding are also judged together, over at most a week
    /// (the 7-day cumulative check of station practice) [design choice].
    public var tankSpan: TimeInterval = 7 * 86_400
    /// Gasoline's volume grows by about 0.12 % per kelvin near 20 °C (ISO 91-1 / GB/T 1885-1998,
    /// table 54B constants for 720–750 kg/m³; diesel about 0.085 %): both sides are compared at 20 °C.
    public var fuelExpansionPerKelvin = 0.0012

    public var driftLambda = 0.2
    public var driftL = 4.0
    public var driftWarmup = 30

    public init() {}
}
