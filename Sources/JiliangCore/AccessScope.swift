/// What a caller may see. Every registry query takes one and applies it in one place
/// (`Registry.scoped`), so that a handler cannot forget it. `Principal.scope` maps roles onto these.
public enum AccessScope: Sendable, Equatable, Codable {
    /// Province administrators and internal jobs.
    case everything
    /// Bureau staff: a region subtree.
    case region(RegionCode)
    /// An owner: its own instruments (and, for a market organiser, its traders').
    case owners([Int])
    /// Institute staff: the instruments their institution is authorised for (catalogue sub-item ×
    /// region, see `InstitutionDraft.Scope`) and those it has verified.
    case institution(Int)
    /// A caller whose account is incomplete (no region, no owner): sees nothing.
    case nothing

    /// Whether a row of an import may be stored: an owner only for itself (no new owners), a bureau
    /// only in its region. `ownerID` is nil for an owner the import would create.
    public func allowsImport(region: RegionCode, ownerID: Int?) -> Bool {
        switch self {
        case .everything: true
        case .region(let r): r.contains(region)
        case .owners(let ids): ownerID.map(ids.contains) ?? false
        case .institution, .nothing: false
        }
    }

    public func allows(region: RegionCode, ownerID: Int) -> Bool {
        switch self {
        case .everything: true
        case .region(let r): r.contains(region)
        case .owners(let ids): ids.contains(ownerID)
        case .institution, .nothing: false  // institutes record results; they do not file instruments
        }
    }

    /// Whether a region's figures and lists are the caller's to see (statistics, drill-downs): the
    /// whole province for `everything`, a bureau's own subtree, nothing for anyone else.
    public func sees(region: RegionCode) -> Bool {
        switch self {
        case .everything: true
        case .region(let own): own.contains(region)
        case .owners, .institution, .nothing: false
        }
    }

    /// The scope restricted to one region's subtree (a drill-down): what is in both.
    public func narrowed(to region: RegionCode) -> AccessScope {
        switch self {
        case .everything: .region(region)
        case .region(let own): own.contains(region) ? .region(region) : (region.contains(own) ? .region(own) : .nothing)
        case .owners, .institution, .nothing: self
        }
    }
}
