import Foundation

/// A fuel dispenser's rules (燃油加油机, JJG 443-2023; reference.md §5.3).
enum DispenserRules {
    /// Amount ≠ volume × unit price by more than the least payment increment: the customer paid
    /// for litres the display did not show (or the price computation was altered).
    static func priceArithmetic(_ r: Reading, _ c: DeviceContext, _ t: Thresholds) -> Finding? {
        guard case .delivery(let d) = r.body else { return nil }
        let expected = d.volume * d.unitPrice
        let difference = d.amount - expected
        guard abs(difference) > t.amountToleranceYuan + 1e-9 else { return nil }
        return Finding(.priceArithmetic, device: c.device, at: r.at, seqs: [r.seq], evidence: [
            "nozzle": String(d.nozzle), "volume": d.volume.evidence(), "unit_price": d.unitPrice.evidence(),
            "amount": d.amount.evidence(2), "expected_amount": expected.evidence(2), "difference": difference.evidence(2),
            "tolerance": t.amountToleranceYuan.evidence(2),
        ])
    }

    /// A software identification or pulse equivalent other than the authorised ones: a board,
    /// encoder or program changed without the regulator's initialisation (JJG 443-2006: such a
    /// dispenser must lock after 3 deliveries; reference.md §5.3 "pulse-equivalent mismatch").
    /// Found on every such delivery; its subject (the new value) makes it one finding per value.
    static func identity(_ r: Reading, _ c: DeviceContext) -> [Finding] {
        guard case .delivery(let d) = r.body else { return [] }
        var out: [Finding] = []
        if let s = d.softwareID, !c.authorisedSoftwareIDs.isEmpty, !c.authorisedSoftwareIDs.contains(s) {
            out.append(Finding(.dispenserIdentity, device: c.device, at: r.at, seqs: [r.seq], subject: "software:\(s)", evidence: [
                "software_id": s, "authorised": c.authorisedSoftwareIDs.sorted().joined(separator: ","),
            ]))
        }
        if let pe = d.pulseEquivalent, let authorised = c.authorisedPulseEquivalent, abs(pe - authorised) > authorised * 1e-6 {
            out.append(Finding(.dispenserIdentity, device: c.device, at: r.at, seqs: [r.seq], subject: "pulse:\(pe.evidence(6))", evidence: [
                "pulse_equivalent": pe.evidence(6), "authorised": authorised.evidence(6),
            ]))
        }
        return out
    }

    /// The relative error of the displayed volume against the encoder's pulses, counted at the
    /// *authorised* pulse equivalent when there is one — an altered pulse equivalent (the commonest
    /// cheat, reference.md §5.3) then shows as the error it causes.
    static func encoderError(_ r: Reading, _ c: DeviceContext) -> (at: Date, seq: Int64, value: Double)? {
        guard case .delivery(let d) = r.body, let pulses = d.pulses, let pe = c.authorisedPulseEquivalent ?? d.pulseEquivalent else { return nil }
        let measured = pe * Double(pulses)
        guard measured > 0 else { return nil }
        return (r.at, r.seq, (d.volume - measured) / measured)
    }

    /// JJG 443-2006's lock: after `dispenserLockCount` cumulative deliveries outside ±0.6 % the
    /// anti-cheat system must lock. A delivery after that many is a dispenser that did not; found
    /// once (`LockCount` keeps the count across batches).
    static func errorLock(_ r: Reading, _ lock: inout LockCount, _ c: DeviceContext, _ t: Thresholds) -> Finding? {
        guard !lock.fired, let e = encoderError(r, c) else { return nil }
        if lock.outside.count >= t.dispenserLockCount {
            lock.fired = true
            return Finding(.dispenserErrorLock, device: c.device, at: r.at, seqs: lock.outside + [r.seq], subject: "lock", evidence: [
                "deliveries_outside": String(lock.outside.count), "band": (t.dispenserLockBand * 100).evidence(2) + "%",
                "last_error": (e.value * 100).evidence(3) + "%",
            ])
        }
        if abs(e.value) > t.dispenserLockBand { lock.outside.append(r.seq) }
        return nil
    }
}
