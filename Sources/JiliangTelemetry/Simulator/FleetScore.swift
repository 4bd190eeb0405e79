import Foundation

/// How well the detectors caught a simulated fleet's injected cheats, per detector (issue #21,
/// "done when"): counted per device, since one cheat shows in many readings.
///
/// - A device flagged by detector D is a true positive when its cheat is one D rightly names
///   (`Cheat.detectors`) and the finding rests on a reading from the cheat's start on; else a false
///   positive (an honest device, another cheat, or before the cheat began).
/// - Recall of D: of the devices whose cheat D is meant to catch (`Cheat.detector`), how many D
///   flagged from the cheat's start on.
/// - Honest devices flagged: D's false alarms on devices with no cheat at all.
///
/// Silence is left out: it is judged by the clock, not by the readings (the store does not run it
/// on ingest either).
///
/// Tank reconciliation flags a station's gauge, not a dispenser: its finding is right when a
/// dispenser drawing from the tank shows litres that did not leave it (`showsUndeliveredLitres`)
/// from before the window's end, and a dispenser's `pulseInjection` is caught when its gauge is
/// rightly flagged after the cheat began.
public struct FleetScore: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var detector: DetectorKind
        /// Devices D flagged, and of those the ones it rightly flagged.
        public var flagged: Int
        public var rightlyFlagged: Int
        /// Devices with no cheat that D flagged.
        public var honestFlagged: Int
        /// Devices with a cheat D is meant to catch, and of those the ones it flagged.
        public var cheats: Int
        public var caught: Int

        public var precision: Double? { flagged == 0 ? nil : Double(rightlyFlagged) / Double(flagged) }
        public var recall: Double? { cheats == 0 ? nil : Double(caught) / Double(cheats) }
    }

    public var lines: [Line]
    public var devices: Int
    public var cheatingDevices: Int

    public func line(_ d: DetectorKind) -> Line? { lines.first { $0.detector == d } }

    /// One finding as scored: its detector and the last reading it rests on.
    public typealias Flag = (detector: DetectorKind, seq: Int64)

    /// Scores which detectors flagged which devices (`flags`: device name → findings).
    public static func score(_ fleet: FleetSimulator.Fleet, flags: [String: [Flag]]) -> FleetScore {
        var lines: [DetectorKind: Line] = [:]
        for d in DetectorKind.allCases where d != .deviceSilent {
            lines[d] = Line(detector: d, flagged: 0, rightlyFlagged: 0, honestFlagged: 0, cheats: 0, caught: 0)
        }
        let byName = Dictionary(uniqueKeysWithValues: fleet.devices.map { ($0.name, $0) })
        func time(_ device: String, _ seq: Int64) -> Date? { fleet.readings[device]?.first { $0.seq == seq }?.at }
        /// When a dispenser's cheat began showing undelivered litres, if it does.
        func undeliveredFrom(_ d: FleetSimulator.Device) -> Date? {
            guard let cheat = d.cheat, cheat.showsUndeliveredLitres, let from = d.cheatFrom else { return nil }
            return time(d.name, from)
        }
        /// A gauge's finding is right when a dispenser it feeds was cheating before the window ended.
        func rightlyOnTank(_ gauge: FleetSimulator.Device, _ f: Flag) -> Bool {
            guard let end = time(gauge.name, f.seq) else { return false }
            return gauge.feeds.compactMap { byName[$0].flatMap(undeliveredFrom) }.contains { $0 < end }
        }
        for device in fleet.devices {
            let found = (flags[device.name] ?? []).filter { $0.detector != .deviceSilent }
            // Rightly: a detector the cheat is meant to trip, on a reading from its start on.
            let rightly = Set(found.filter { f in
                if device.kind == .tankGauge { return f.detector == .tankReconciliation && rightlyOnTank(device, f) }
                guard let cheat = device.cheat, let from = device.cheatFrom else { return false }
                return cheat.detectors.contains(f.detector) && f.seq >= from
            }.map(\.detector))
            let honest = device.kind == .tankGauge ? device.feeds.allSatisfy { byName[$0]?.cheat?.showsUndeliveredLitres != true } : device.cheat == nil
            for d in Set(found.map(\.detector)) {
                lines[d]!.flagged += 1
                if rightly.contains(d) { lines[d]!.rightlyFlagged += 1 }
                if honest { lines[d]!.honestFlagged += 1 }
            }
            if let cheat = device.cheat {
                lines[cheat.detector]!.cheats += 1
                if cheat.detector == .tankReconciliation {
                    // Caught when the station's gauge was flagged after this dispenser's cheat began.
                    let gauge = fleet.devices.first { $0.feeds.contains(device.name) }
                    let start = undeliveredFrom(device)
                    let caught = gauge.map { g in
                        (flags[g.name] ?? []).contains { f in
                            f.detector == .tankReconciliation && (time(g.name, f.seq).map { end in start.map { $0 < end } ?? false } ?? false)
                        }
                    } ?? false
                    if caught { lines[cheat.detector]!.caught += 1 }
                } else if rightly.contains(cheat.detector) {
                    lines[cheat.detector]!.caught += 1
                }
            }
        }
        return FleetScore(
            lines: DetectorKind.allCases.compactMap { lines[$0] }, devices: fleet.devices.count,
            cheatingDevices: fleet.devices.filter { $0.cheat != nil }.count)
    }

    /// Runs the detectors over each device's readings in process, as the store does after ingest.
    public static func detect(_ fleet: FleetSimulator.Fleet, thresholds: Thresholds = .init()) -> [String: [Flag]] {
        var flags: [String: [Flag]] = [:]
        for device in fleet.devices {
            var found = Detectors.run(fleet.readings[device.name] ?? [], context: device.context, thresholds: thresholds, now: fleet.end)
            if let table = device.capacityTable {
                let draws = device.feeds.flatMap { name in
                    (fleet.readings[name] ?? []).compactMap { r -> TankDraw? in
                        guard case .delivery(let d) = r.body else { return nil }
                        return TankDraw(device: name, seq: r.seq, start: d.start, end: d.end, litres: d.volume)
                    }
                }
                found += TankReconciliation.run(
                    levels: fleet.readings[device.name] ?? [], draws: draws, table: table, gauge: device.name, tank: 1, thresholds: thresholds,
                    closedBefore: fleet.end
                ).findings
            }
            flags[device.name] = found.map { ($0.detector, $0.seqs.max() ?? 0) }
        }
        return flags
    }

    /// The score as a Markdown table (docs/detectors.md, `jiliang simulate --evaluate`).
    public var markdown: String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        var s = "| detector | devices flagged | rightly | precision | honest devices flagged | cheats meant for it | caught | recall |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        for l in lines where l.flagged > 0 || l.cheats > 0 {
            s += "| `\(l.detector.rawValue)` | \(l.flagged) | \(l.rightlyFlagged) | \(pct(l.precision)) | \(l.honestFlagged) | \(l.cheats) | \(l.caught) | \(pct(l.recall)) |\n"
        }
        return s
    }
}
