/// Why the system itself ended or revoked something in the credit area, kept as a fact (issue #20:
/// no worded text in the store) in the same text columns where a person's own reason goes
/// (`end_reason`, `revoke_reason`, a credit event's note). The server words it in the reader's
/// language; anything that does not parse is a person's own words, shown as written.
public enum SystemReason: Sendable, Equatable {
    /// The upper-level bureau refused its consent to a listing (notice, #18 item 10).
    case consentRefused
    /// A listing's period ended.
    case periodEnded
    /// A listing ended early on the party's repair, with no note of the decider's.
    case creditRepaired
    /// A demonstration title lost to a later administrative penalty.
    case penalty(decisionNo: String, decidedOn: String)
    /// A demonstration title lost because its holder was listed for serious dishonesty.
    case listed(listing: Int)
    /// A published penalty decision stays on the public pages until this day.
    case shownUntil(day: String)
    /// A notified party may object until this day (a listing's notice step).
    case objectionsUntil(day: String)
    /// A published listing is removed on this day, unless repaired earlier.
    case removalOn(day: String)

    public var stored: String {
        switch self {
        case .consentRefused: "sys:consent_refused"
        case .periodEnded: "sys:period_ended"
        case .creditRepaired: "sys:credit_repaired"
        case .penalty(let no, let day): "sys:penalty:\(day):\(no)"
        case .listed(let id): "sys:listed:\(id)"
        case .shownUntil(let day): "sys:shown_until:\(day)"
        case .objectionsUntil(let day): "sys:objections_until:\(day)"
        case .removalOn(let day): "sys:removal_on:\(day)"
        }
    }

    public init?(stored: String?) {
        guard let stored, stored.hasPrefix("sys:") else { return nil }
        let parts = stored.dropFirst(4).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "consent_refused": self = .consentRefused
        case "period_ended": self = .periodEnded
        case "credit_repaired": self = .creditRepaired
        case "penalty" where parts.count == 3: self = .penalty(decisionNo: parts[2], decidedOn: parts[1])
        case "listed" where parts.count == 2: guard let id = Int(parts[1]) else { return nil }; self = .listed(listing: id)
        case "shown_until" where parts.count == 2: self = .shownUntil(day: parts[1])
        case "objections_until" where parts.count == 2: self = .objectionsUntil(day: parts[1])
        case "removal_on" where parts.count == 2: self = .removalOn(day: parts[1])
        default: return nil
        }
    }
}
