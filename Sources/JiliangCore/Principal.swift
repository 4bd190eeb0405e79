/// Who is calling: a signed-in person or a machine client's API token. Its role fixes what it may
/// do (`may`) and its scope what it may see (`scope`); the server derives both here and nowhere
/// else, and every registry query takes the scope (`Registry.scoped`).
public struct Principal: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case user, token, system }

    public var kind: Kind
    public var id: Int
    /// For the audit log and messages: the login or the token's name.
    public var label: String
    public var role: Role
    /// Bureau staff: the region they work for (a city or a county).
    public var region: RegionCode?
    /// Institute staff: their institution.
    public var institutionID: Int?
    /// An owner account: its owner (a market organiser's traders are added when it signs in).
    public var ownerIDs: [Int]
    /// What it may do; a token may hold fewer permissions than its role.
    public var permissions: Set<Permission>

    public init(
        kind: Kind, id: Int, label: String, role: Role, region: RegionCode? = nil, institutionID: Int? = nil,
        ownerIDs: [Int] = [], permissions: Set<Permission>? = nil
    ) {
        self.kind = kind
        self.id = id
        self.label = label
        self.role = role
        self.region = region
        self.institutionID = institutionID
        self.ownerIDs = ownerIDs
        self.permissions = permissions ?? role.permissions
    }

    /// Internal jobs and the command line on the server itself.
    public static func system(_ label: String) -> Principal {
        Principal(kind: .system, id: 0, label: label, role: .provinceAdmin)
    }

    /// What this caller may see.
    public var scope: AccessScope {
        switch role {
        case .provinceAdmin: .everything
        case .bureauStaff: region.map(AccessScope.region) ?? .nothing
        case .instituteStaff: institutionID.map(AccessScope.institution) ?? .nothing
        case .owner: ownerIDs.isEmpty ? .nothing : .owners(ownerIDs)
        }
    }

    public func may(_ p: Permission) -> Bool { permissions.contains(p) }

    /// Inboxes are `owner:<id>`, `region:<code>` (a bureau) and `admin`.
    public func mayRead(inbox recipient: String) -> Bool {
        guard may(.readRegistry) else { return false }
        switch role {
        case .provinceAdmin: return true
        case .bureauStaff:
            guard recipient.hasPrefix("region:"), let own = region, let r = RegionCode(recipient.dropFirst(7)) else { return false }
            return own.contains(r)
        case .owner: return recipient.hasPrefix("owner:") && Int(recipient.dropFirst(6)).map(ownerIDs.contains) == true
        case .instituteStaff: return false
        }
    }

    /// "user:12 zhang.san" — how the audit log names the actor.
    public var actor: String { "\(kind.rawValue):\(id) \(label)" }
}

/// The roles of issue #3. City and county staff are one role with a region of either level.
public enum Role: String, Sendable, Codable, CaseIterable {
    case provinceAdmin = "province_admin"
    case bureauStaff = "bureau_staff"
    case instituteStaff = "institute_staff"
    case owner

    /// What each role may do. Reading is always limited further by the scope.
    public var permissions: Set<Permission> {
        switch self {
        case .provinceAdmin: Set(Permission.allCases)
        case .bureauStaff: [.readRegistry, .manageOwners, .fileInstruments, .importInstruments, .reviewFilings, .handleComplaints, .manageCredit, .submitReadings, .reviewAlerts]
        case .instituteStaff: [.readRegistry, .recordVerifications, .runFreeChecks]
        // An owner imports its own instruments as drafts with filings submitted (issue #19, item 5).
        case .owner: [.readRegistry, .fileInstruments, .importInstruments, .applyForCredit, .submitReadings]
        }
    }

    public var chineseName: String {
        switch self {
        case .provinceAdmin: "省局管理员"
        case .bureauStaff: "市县局工作人员"
        case .instituteStaff: "计量技术机构人员"
        case .owner: "使用单位"
        }
    }
}

/// One thing a caller may be allowed to do. API tokens carry a subset of their role's.
public enum Permission: String, Sendable, Codable, CaseIterable, Comparable {
    case readRegistry = "registry:read"
    /// Regions, the catalogue, rules and institutions.
    case manageReference = "reference:write"
    case manageOwners = "owners:write"
    case fileInstruments = "instruments:write"
    case importInstruments = "instruments:import"
    case recordVerifications = "records:write"
    /// Approve or return an owner's filing (备案审核).
    case reviewFilings = "filings:review"
    case runWarnings = "warnings:run"
    case manageAccounts = "accounts:write"
    case readAudit = "audit:read"
    /// Assign, answer and close citizens' complaints (投诉举报) in the caller's region.
    case handleComplaints = "complaints:write"
    /// Open free-check slots and record their results (免费检定, 你送我检, 你点我检).
    case runFreeChecks = "checks:write"
    /// Publish campaign pages and quizzes (3.15, 5.20, quality month).
    case manageCampaigns = "campaigns:write"
    /// Record penalties, run the serious-dishonesty list's steps, demonstration rounds and scoring,
    /// record commitment breaches, read credit-risk classes (issue #7).
    case manageCredit = "credit:write"
    /// An owner's side of honest metrology: sign or withdraw a commitment, apply for a
    /// demonstration title, object to a listing, apply for credit repair.
    case applyForCredit = "credit:apply"
    /// Register smart devices and send their readings (a gateway's token holds only this; issue #21).
    case submitReadings = "telemetry:write"
    /// Review what the detectors found on devices in the caller's region: confirm an alert (its
    /// evidence is frozen and ledgered, an inspection task opens) or dismiss it, with a reason.
    case reviewAlerts = "telemetry:review"
    /// Scrape the operational metrics at `/metrics` (issue #22): counts and latencies, no
    /// registry data. Held by administrators, and by a Prometheus scraper's token alone.
    case readMetrics = "metrics:read"

    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }
}
