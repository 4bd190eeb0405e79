/// What a caller may see. Every registry query takes one and applies it in one place
/// (`Registry.scoped`), so that a handler cannot forget it. Issue #3 maps roles onto these.
public enum AccessScope: Sendable, Equatable {
    /// Province administrators and internal jobs.
    case everything
    /// Bureau staff: a region subtree.
    case region(RegionCode)
    /// An owner: its own instruments (and, for a market organiser, its traders').
    case owners([Int])

    public func allows(region: RegionCode, ownerID: Int) -> Bool {
        switch self {
        case .everything: true
        case .region(let r): r.contains(region)
        case .owners(let ids): ids.contains(ownerID)
        }
    }
}
