import JiliangTelemetry

/// A detector as staff read it: its name and the rule it applies, in the page's language
/// (docs/detectors.md has each rule's source). Every detector is worded here, so a new one does
/// not compile until it is.
enum DetectorText {
    static func name(_ d: DetectorKind?, raw: String, _ lang: PageStrings.Language) -> String {
        guard let d else { return raw }
        let zh = lang == .zh
        return switch d {
        case .priceArithmetic: zh ? "金额与单价×升数不符" : "Amount ≠ volume × price"
        case .dispenserIdentity: zh ? "软件标识或脉冲当量被改" : "Software ID or pulse equivalent changed"
        case .dispenserErrorLock: zh ? "超差未锁机" : "Error lock did not engage"
        case .taximeterDistance: zh ? "计价器里程与卫星定位里程不符" : "Meter distance vs GNSS distance"
        case .taximeterSpeed: zh ? "速度不合常理" : "Implausible speed"
        case .scaleTamper: zh ? "非检定期间开盖或进入标定模式" : "Case opened or calibration mode outside a visit"
        case .meterBackwards: zh ? "表底数倒走" : "Meter running backwards"
        case .meterStopped: zh ? "有流量而表不走" : "Meter stopped under flow"
        case .meterStep: zh ? "读数突变（超过过载流量）" : "Step beyond the overload flow"
        case .deviceSilent: zh ? "设备离线" : "Device silent"
        case .drift: zh ? "误差渐变（EWMA）" : "Drift (EWMA)"
        case .tankReconciliation: zh ? "付油量与油罐液位下降不符" : "Dispensed volume vs tank drop"
        }
    }

    /// The rule in one sentence, for the alert's page.
    static func rule(_ d: DetectorKind?, _ lang: PageStrings.Language) -> String {
        guard let d else { return "" }
        let zh = lang == .zh
        return switch d {
        case .priceArithmetic: zh ? "一次加油的金额与升数×单价之差超过最小付款单位 0.01 元。" : "A delivery's amount differs from volume × unit price by more than 0.01 yuan."
        case .dispenserIdentity:
            zh ? "上报的软件标识或脉冲当量不同于最近一次检定或初始化所确认的值。" : "The software ID or pulse equivalent reported differs from what the last verification or initialisation authorised."
        case .dispenserErrorLock:
            zh ? "累计 5 次示值与编码器计量之差超出 ±0.6% 后仍继续加油，防作弊锁机未生效（JJG 443）。"
                : "Deliveries went on after 5 whose volume differed from the encoder's by more than ±0.6 %: the anti-cheat lock did not engage (JJG 443)."
        case .taximeterDistance:
            zh ? "计价里程相对卫星定位里程的误差超出 −4% … +1%（JJG 517，另计定位 0.3%）。"
                : "The meter's distance is outside −4 % … +1 % of the GNSS distance (JJG 517, with 0.3 % for the GNSS track)."
        case .taximeterSpeed: zh ? "行程速度超过 150 km/h，不合常理（设计取值）。" : "The trip's speed exceeds 150 km/h (a design choice)."
        case .scaleTamper: zh ? "在没有检定记录的日子里打开机壳或进入标定模式。" : "The case was opened, or calibration mode entered, on a day with no recorded verification."
        case .meterBackwards: zh ? "表底数下降超过分辨力，或出现反向流量。" : "The index fell by more than its resolution, or reverse flow began."
        case .meterStopped: zh ? "连续 3 次读数显示有流量而表底数不动。" : "Three readings in a row show flow while the index stands still."
        case .meterStep: zh ? "两次读数之间的增量快于该表的过载流量 Q4 = 1.25 × Q3（JJG 162）。" : "The index rose faster than the meter's overload flow, Q4 = 1.25 × Q3 (JJG 162)."
        case .deviceSilent: zh ? "设备超过 1 小时未上报数据（设计取值）。" : "Nothing received for an hour (a design choice)."
        case .drift:
            zh ? "设备自身误差的 EWMA 超出其基线的控制限：小于任何允差的渐变（如 ±0.6% 之内的 0.4% 克扣）。"
                : "The EWMA of the device's own errors left its baseline's limits: a change smaller than any MPE (a 0.4 % skim inside ±0.6 %)."
        case .tankReconciliation:
            zh ? "两次液位读数之间（无卸油），油罐所连加油枪的付油量与按容积表折算的油罐下降量（均折算到 20 °C）之差超出允差：付油多于罐降 0.4%，或罐降多于付油 0.6%，另加液位仪每端 0.5 mm。"
                : "Between two gauge readings with no refill, the litres the tank's nozzles showed differ from the tank's drop by its capacity table (both at 20 °C) by more than 0.4 % (dispensed more) or 0.6 % (the tank lost more), plus 0.5 mm of level at each end."
        }
    }

    static func deviceKind(_ k: DeviceKind?, raw: String, _ lang: PageStrings.Language) -> String {
        guard let k else { return raw }
        let zh = lang == .zh
        return switch k {
        case .fuelDispenser: zh ? "加油机" : "Fuel dispenser"
        case .tankGauge: zh ? "液位仪" : "Tank gauge"
        case .taximeter: zh ? "出租车计价器" : "Taximeter"
        case .scale: zh ? "电子秤" : "Scale"
        case .utilityMeter: zh ? "智能表" : "Utility meter"
        }
    }

    /// An evidence figure's name as staff read it (the key itself when it has no words yet).
    static func evidenceKey(_ key: String, _ lang: PageStrings.Language) -> String {
        let words: [String: (String, String)] = [
            "nozzle": ("枪号", "Nozzle"), "volume": ("升数（显示）", "Volume shown"), "unit_price": ("单价", "Unit price"), "amount": ("金额", "Amount"),
            "expected_amount": ("应收金额", "Expected amount"), "difference": ("差额", "Difference"), "tolerance": ("允许差额", "Tolerance"),
            "software_id": ("软件标识", "Software ID"), "authorised": ("授权值", "Authorised"), "pulse_equivalent": ("脉冲当量", "Pulse equivalent"),
            "deliveries_outside": ("超差次数", "Deliveries outside"), "band": ("锁机限", "Lock band"), "last_error": ("最近误差", "Last error"),
            "tank": ("油罐", "Tank"), "span": ("比对时段", "Span"), "level_from_mm": ("起始液位 mm", "Level from (mm)"),
            "level_to_mm": ("终止液位 mm", "Level to (mm)"), "tank_drop_l": ("罐降量 L（20 °C）", "Tank drop (L, 20 °C)"),
            "dispensed_l": ("付油量 L（20 °C）", "Dispensed (L, 20 °C)"), "difference_l": ("差量 L", "Difference (L)"), "tolerance_l": ("允差 L", "Tolerance (L)"),
            "direction": ("方向", "Direction"), "dispensers": ("加油机", "Dispensers"),
            "meter_km": ("计价里程 km", "Meter km"), "gnss_km": ("定位里程 km", "GNSS km"), "error": ("误差", "Error"), "mpe": ("最大允许误差", "MPE"),
            "fare": ("车费", "Fare"), "meter_seconds": ("计时 s", "Meter seconds"), "meter_kmh": ("计价速度 km/h", "Meter speed km/h"),
            "gnss_max_kmh": ("定位最高速度 km/h", "GNSS top speed km/h"), "limit_kmh": ("速度上限 km/h", "Speed limit km/h"),
            "event": ("事件", "Event"), "visits": ("检定记录数", "Recorded visits"), "from": ("前读数", "From"), "to": ("后读数", "To"),
            "reverse_flow": ("反向流量", "Reverse flow"), "index": ("表底数", "Index"), "flow": ("流量", "Flow"), "readings": ("连续读数", "Readings"),
            "hours": ("间隔 h", "Hours"), "max_per_hour": ("过载流量/h", "Overload flow per hour"), "last_seen": ("最近上报", "Last heard"),
            "silent_seconds": ("静默秒数", "Seconds silent"), "baseline_mean": ("基线均值", "Baseline mean"), "baseline_sigma": ("基线标准差", "Baseline σ"),
            "ewma": ("EWMA", "EWMA"), "limit": ("控制限", "Control limit"), "lambda": ("λ", "λ"),
        ]
        guard let w = words[key] else { return key }
        return lang == .zh ? w.0 : w.1
    }

    /// A reading's type as staff read it.
    static func readingType(_ type: String, _ lang: PageStrings.Language) -> String {
        let words: [String: (String, String)] = [
            "delivery": ("加油", "Delivery"), "tank_level": ("液位", "Tank level"), "trip": ("行程", "Trip"), "weighing": ("称重", "Weighing"),
            "scale_event": ("秤事件", "Scale event"), "meter_index": ("表读数", "Meter index"), "heartbeat": ("心跳", "Heartbeat"),
        ]
        guard let w = words[type] else { return type }
        return lang == .zh ? w.0 : w.1
    }

    static func severity(_ s: AlertSeverity, _ lang: PageStrings.Language) -> String {
        let zh = lang == .zh
        return switch s {
        case .high: zh ? "高" : "High"
        case .medium: zh ? "中" : "Medium"
        case .low: zh ? "低" : "Low"
        }
    }
}
