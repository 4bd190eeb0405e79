import JiliangTelemetry

/// A detector threshold as staff read it, in the page's language (its source and basis come from
/// `ThresholdSettings`; docs/detectors.md says more). Every setting is worded here.
enum ThresholdText {
    static func label(_ name: String, _ lang: PageStrings.Language) -> String {
        let words: [String: (String, String)] = [
            "amount_tolerance_yuan": ("加油金额允差（元）", "Dispenser amount tolerance (yuan)"),
            "dispenser_lock_band": ("加油机锁机误差限（比例）", "Dispenser lock band (share)"),
            "dispenser_lock_count": ("超差锁机次数", "Deliveries outside before the lock"),
            "taximeter_error_low": ("计价器里程误差下限（比例）", "Taximeter distance error, low (share)"),
            "taximeter_error_high": ("计价器里程误差上限（比例）", "Taximeter distance error, high (share)"),
            "gnss_uncertainty": ("卫星定位里程不确定度（比例）", "GNSS distance uncertainty (share)"),
            "taximeter_min_km": ("计价器判定最短里程（km）", "Shortest trip judged (km)"),
            "taximeter_max_kmh": ("出租车速度上限（km/h）", "Taxi speed limit (km/h)"),
            "meter_backwards_tolerance": ("表底数倒走允差", "Meter index fall allowed"),
            "meter_stopped_readings": ("有流量而表不走的连续读数", "Still readings under flow"),
            "silent_after_seconds": ("设备离线时限（秒）", "Silent after (seconds)"),
            "tank_short_rate": ("付油多于罐降的允差（比例）", "Dispensed over tank drop (share)"),
            "tank_loss_rate": ("罐降多于付油的允差（比例）", "Tank drop over dispensed (share)"),
            "tank_level_allowance_mm": ("液位仪每端允差（mm）", "Gauge allowance each end (mm)"),
            "tank_min_litres": ("比对窗口最少付油量（L）", "Litres before a window is judged"),
            "tank_window_seconds": ("日结时限（秒）", "Day's close (seconds)"),
            "tank_span_seconds": ("累计比对最长时段（秒）", "Longest span judged together (seconds)"),
            "fuel_expansion_per_kelvin": ("油品体积膨胀系数（每 K）", "Fuel expansion per kelvin"),
            "drift_lambda": ("EWMA 平滑系数 λ", "EWMA weight λ"),
            "drift_l": ("EWMA 控制限倍数 L", "EWMA limit L (σ)"),
            "drift_warmup": ("EWMA 基线样本数", "EWMA baseline values"),
        ]
        guard let w = words[name] else { return name }
        return lang == .zh ? w.0 : w.1
    }

    static func basis(_ b: ThresholdSettings.Basis, _ t: PageText) -> (label: String, tone: String) {
        switch b {
        case .sourced: (t[.tel_basisSourced], "ok")
        case .unconfirmed: (t[.tel_basisUnconfirmed], "warn")
        case .designChoice: (t[.tel_basisDesign], "")
        }
    }
}
