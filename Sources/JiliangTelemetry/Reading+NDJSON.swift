import Foundation

extension Reading {
    /// The reading as one NDJSON line, exactly as `NDJSONBatch.parse` reads it (the simulator and
    /// gateways' test kits send these). Times in Beijing time with their offset, whole seconds.
    public var ndjson: String {
        var fields: [(String, String)] = [("device", Self.quoted(device)), ("seq", String(seq)), ("at", Self.quoted(Self.time(at))), ("type", Self.quoted(type))]
        switch body {
        case .delivery(let d):
            fields += [("nozzle", String(d.nozzle)), ("volume", Self.number(d.volume)), ("amount", Self.number(d.amount)), ("unit_price", Self.number(d.unitPrice))]
            if let pe = d.pulseEquivalent { fields.append(("pulse_equivalent", Self.number(pe))) }
            if let p = d.pulses { fields.append(("pulses", String(p))) }
            if let s = d.softwareID { fields.append(("software_id", Self.quoted(s))) }
            fields += [("start", Self.quoted(Self.time(d.start))), ("end", Self.quoted(Self.time(d.end)))]
        case .tankLevel(let t):
            fields += [("tank", String(t.tank)), ("level_mm", Self.number(t.levelMM))]
            if let c = t.temperature { fields.append(("temperature", Self.number(c))) }
        case .trip(let t):
            fields += [("meter_km", Self.number(t.meterKm)), ("meter_seconds", Self.number(t.meterSeconds))]
            if let g = t.gnssKm { fields.append(("gnss_km", Self.number(g))) }
            if let v = t.gnssMaxKmh { fields.append(("gnss_max_kmh", Self.number(v))) }
            fields.append(("fare", Self.number(t.fare)))
        case .weighing(let w):
            fields.append(("kg", Self.number(w.kg)))
            if let a = w.amount { fields.append(("amount", Self.number(a))) }
        case .scaleEvent(let e):
            fields.append(("event", Self.quoted(e.rawValue)))
        case .meterIndex(let m):
            fields.append(("index", Self.number(m.index)))
            if let f = m.flow { fields.append(("flow", Self.number(f))) }
            if m.reverse { fields.append(("reverse", "true")) }
        case .heartbeat:
            break
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func quoted(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    /// A finite number as JSON writes it, to at most six decimals.
    static func number(_ x: Double) -> String { x.evidence(6) }

    static func time(_ d: Date) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let p = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d+08:00", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!)
    }
}
