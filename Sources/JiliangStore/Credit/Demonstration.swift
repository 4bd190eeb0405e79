import FluentKit
import Foundation
import JiliangCore

/// Demonstration units (诚信计量示范单位): a bureau opens an evaluation round for one sector with a
/// weighted checklist (the province's default per sector, editable per round); owners of its region
/// apply; staff score each criterion with the evidence they relied on; publishing the round awards
/// the title, valid for a set period, to applications at or above the pass score. A later penalty
/// takes the title away with a recorded reason.
public enum Demonstration {
    public enum RoundState: String, Sendable, CaseIterable { case open, published }
    public enum ApplicationState: String, Sendable, CaseIterable {
        case applied, awarded
        case notAwarded = "not_awarded"
        case revoked
    }

    public struct Criterion: Codable, Sendable, Equatable {
        public var label: String
        public var weight: Int
        public init(label: String, weight: Int) {
            self.label = label
            self.weight = weight
        }
    }

    /// The province's default checklist for a sector (seeded from seed/credit.json, then the administrator's).
    public static func defaultCriteria(_ sector: CommitmentSector, on db: any Database) async throws -> [Criterion] {
        guard let m = try await DemoChecklistModel.find(sector.rawValue, on: db) else { return [] }
        return (try? JSONDecoder().decode([Criterion].self, from: Data(m.criteria.utf8))) ?? []
    }

    /// The province administrator sets a sector's default checklist (`label | weight` lines adding up to 100).
    public static func saveChecklist(sector: String?, criteria: String?, by p: Principal, on db: any Database) async throws -> [Criterion] {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.credit(.roleMayNot(.editChecklists))) }
        var c = FieldChecker()
        let s: CommitmentSector? = c.choice("sector", sector)
        try c.finish()
        let list = try parseCriteria(criteria)
        try await db.auditedTransaction { tx in
            let m = try await DemoChecklistModel.find(s!.rawValue, on: tx) ?? DemoChecklistModel()
            m.id = s!.rawValue
            m.criteria = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
            m.updatedAt = Date()
            m.updatedBy = p.label
            try await m.save(on: tx)
        }
        return list
    }

    /// Criteria written one per line as `label | weight`; the weights must add up to 100.
    public static func parseCriteria(_ text: String?, field: String = "criteria") throws -> [Criterion] {
        var c = FieldChecker()
        var out: [Criterion] = []
        let lines = (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharactersInWhitespace() }.filter { !$0.isEmpty }
        for (n, line) in lines.enumerated() {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmingCharactersInWhitespace() }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 100, let w = Int(parts[1]), (1...100).contains(w) else {
                c.fail(field, .credit(.criterionLineUnreadable(line: n + 1, got: line)))
                continue
            }
            out.append(Criterion(label: parts[0], weight: w))
        }
        if lines.isEmpty { c.fail(field, .credit(.noCriteria)) }
        if c.errors.isEmpty, out.reduce(0, { $0 + $1.weight }) != 100 {
            c.fail(field, .credit(.weightsDoNotAddUp(total: out.reduce(0) { $0 + $1.weight })))
        }
        try c.finish()
        return out
    }

    public static func criteria(of round: DemoRoundModel) -> [Criterion] {
        (try? JSONDecoder().decode([Criterion].self, from: Data(round.criteria.utf8))) ?? []
    }

    public static func openRound(
        regionCode: String?, sector: String?, title: String?, criteria: String?, passScore: String?, validMonths: String?, opensOn: String?,
        closesOn: String?, by p: Principal, on db: any Database
    ) async throws -> DemoRoundModel {
        try CreditLog.requireStaff(p, .openRound)
        var c = FieldChecker()
        let region = c.text("region_code", regionCode ?? p.region?.description, max: 6).flatMap { RegionCode($0) }
        if regionCode != nil, region == nil { c.fail("region_code", .credit(.notASixDigitRegionCode)) }
        let s: CommitmentSector? = c.choice("sector", sector)
        let t = c.text("title", title, max: 120)
        let pass = c.int("pass_score", passScore ?? "80", range: 1...100, required: true)
        let months = c.int("valid_months", validMonths ?? "36", range: 1...120, required: true)
        let opens = c.day("opens_on", opensOn), closes = c.day("closes_on", closesOn)
        if let opens, let closes, closes < opens { c.fail("closes_on", .before(other: "opens_on")) }
        try c.finish()
        guard let region, p.scope == .everything || (p.region.map { $0.contains(region) } ?? false) else {
            throw RegistryError.invalid("region_code", .credit(.roundOutsideOwnRegion))
        }
        let list = (criteria?.trimmingCharactersInWhitespace().isEmpty ?? true) ? try await defaultCriteria(s!, on: db) : try parseCriteria(criteria)
        if list.isEmpty { throw RegistryError.invalid("criteria", .credit(.noDefaultChecklist(sector: s!))) }
        return try await db.auditedTransaction { tx in
            let m = DemoRoundModel()
            m.regionCode = region.description
            m.sector = s!.rawValue
            m.title = t!
            m.criteria = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
            m.passScore = pass!
            m.validMonths = months!
            m.opensOn = opens!.description
            m.closesOn = closes!.description
            m.state = RoundState.open.rawValue
            m.createdBy = p.label
            try await m.create(on: tx)
            return m
        }
    }

    /// Rounds the caller may see: staff those of their region subtree; owners those open to them.
    public static func rounds(by p: Principal, on db: any Database) async throws -> [DemoRoundModel] {
        let all = try await DemoRoundModel.query(on: db).sort(\.$id, .descending).limit(200).all()
        switch p.scope {
        case .everything: return all
        case .region(let r): return all.filter { RegionCode($0.regionCode).map { r.contains($0) || $0.contains(r) } ?? false }
        case .owners(let ids):
            let owners = try await OwnerModel.query(on: db).filter(\.$id ~~ ids).all()
            return all.filter { round in owners.contains { eligible($0, for: round) } }
        default: return []
        }
    }

    /// Scoring, publishing and revoking belong to the bureau that runs the round (or above it); a
    /// county sees its city's rounds but does not run them.
    static func requireRunning(_ round: DemoRoundModel, _ p: Principal) throws {
        guard case .region(let r) = p.scope else { return }
        guard let roundRegion = RegionCode(round.regionCode), r.contains(roundRegion) else {
            throw RegistryError.forbidden(.credit(.roleMayNot(.runRound(region: round.regionCode))))
        }
    }

    static func eligible(_ owner: OwnerModel, for round: DemoRoundModel) -> Bool {
        CommitmentSector(industry: Industry(rawValue: owner.industry) ?? .other).rawValue == round.sector
            && (RegionCode(round.regionCode).map { r in RegionCode(owner.regionCode).map(r.contains) ?? false } ?? false)
    }

    public static func round(_ id: Int, by p: Principal, on db: any Database) async throws -> DemoRoundModel {
        guard let m = try await DemoRoundModel.find(id, on: db), try await rounds(by: p, on: db).contains(where: { $0.id == id }) else {
            throw RegistryError.notFound(.demonstrationRound, key: "\(id)")
        }
        return m
    }

    /// Applications of a round from owners the caller may see: an owner its own, a county bureau
    /// those of its county even in its city's round (issue #17, item 2) — the owners' scope is
    /// `Registry.scoped`'s, so an application is listed exactly when its owner can be opened.
    public static func applications(roundID: Int, by p: Principal, on db: any Database) async throws -> [DemoApplicationModel] {
        _ = try await round(roundID, by: p, on: db)
        let all = try await DemoApplicationModel.query(on: db).filter(\.$roundID == roundID).sort(\.$id).all()
        let visible = Set(try await Registry.visibleOwnerIDs(among: all.map(\.ownerID), scope: p.scope, on: db))
        return all.filter { visible.contains($0.ownerID) }
    }

    /// One application the caller may see (its round visible, its owner in scope); any other —
    /// hidden or missing — is not found alike, naming neither its round nor its owner.
    public static func application(_ id: Int, by p: Principal, on db: any Database) async throws -> DemoApplicationModel {
        guard let a = try await DemoApplicationModel.find(id, on: db),
            try await rounds(by: p, on: db).contains(where: { $0.id == a.roundID }),
            !(try await Registry.visibleOwnerIDs(among: [a.ownerID], scope: p.scope, on: db)).isEmpty
        else { throw RegistryError.notFound(.application, key: "\(id)") }
        return a
    }

    public static func apply(roundID: Int, ownerID: Int?, statement: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> DemoApplicationModel {
        try CreditLog.requireParty(p, .applyForTitle)
        var c = FieldChecker()
        let text = c.text("statement", statement, max: 4000)
        try c.finish()
        let owner = try await CreditLog.owner(ownerID, by: p, on: db)
        let r = try await round(roundID, by: p, on: db)
        guard r.state == RoundState.open.rawValue, let opens = CalendarDay(r.opensOn), let closes = CalendarDay(r.closesOn), opens <= today, today <= closes else {
            throw RegistryError.conflict(field: "round_id", reason: .credit(.roundNotTakingApplications(id: roundID, opensOn: r.opensOn, closesOn: r.closesOn)))
        }
        guard eligible(owner, for: r) else {
            throw RegistryError.invalid("owner_id", .credit(.ownerNotEligibleForRound(owner: owner.name)))
        }
        if try await Listings.isListed(ownerID: owner.id!, today: today, on: db) {
            throw RegistryError.conflict(field: "owner_id", reason: .credit(.listedPartyCannotApply))
        }
        return try await db.auditedTransaction { tx in
            if try await DemoApplicationModel.query(on: tx).filter(\.$roundID == roundID).filter(\.$ownerID == owner.id!).first() != nil {
                throw RegistryError.conflict(field: "round_id", reason: .credit(.alreadyAppliedInRound(owner: owner.name)))
            }
            let m = DemoApplicationModel()
            m.roundID = roundID
            m.ownerID = owner.id!
            m.statement = text!
            m.appliedOn = today.description
            m.state = ApplicationState.applied.rawValue
            try await m.create(on: tx)
            try await CreditLog.event(owner: owner.id!, "demonstration", m.id!, "applied", day: today, by: p, on: tx)
            return m
        }
    }

    /// Staff score every criterion (0 … its weight) with evidence; a later scoring replaces an earlier one.
    public static func score(
        _ applicationID: Int, points: [String?], evidence: [String?], today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> DemoApplicationModel {
        try CreditLog.requireStaff(p, .scoreApplications)
        let a = try await application(applicationID, by: p, on: db)
        let r = try await round(a.roundID, by: p, on: db)
        try requireRunning(r, p)
        guard r.state == RoundState.open.rawValue else { throw RegistryError.conflict(field: "id", reason: .credit(.roundPublished(id: nil))) }
        let list = criteria(of: r)
        var c = FieldChecker()
        var values: [(Int, String)] = []
        for (i, k) in list.enumerated() {
            let v = c.int("points[\(i + 1)]", i < points.count ? points[i] : nil, range: 0...k.weight, required: true)
            let e = c.text("evidence[\(i + 1)]", i < evidence.count ? evidence[i] : nil, max: 1000)
            if let v, let e { values.append((v, e)) }
        }
        try c.finish()
        let scored = values
        return try await db.auditedTransaction { tx in
            for (i, (v, e)) in scored.enumerated() {
                let s = DemoScoreModel()
                s.applicationID = applicationID
                s.ownerID = a.ownerID
                s.criterion = i
                s.points = v
                s.evidence = e
                s.scoredBy = p.label
                s.scoredAt = Date()
                try await s.create(on: tx)
            }
            a.total = scored.reduce(0) { $0 + $1.0 }
            try await a.save(on: tx)
            try await CreditLog.event(owner: a.ownerID, "demonstration", applicationID, "scored", day: today, note: "\(a.total!)", by: p, on: tx)
            return a
        }
    }

    /// The latest score of each criterion.
    public static func scores(_ applicationID: Int, on db: any Database) async throws -> [Int: DemoScoreModel] {
        var out: [Int: DemoScoreModel] = [:]
        for s in try await DemoScoreModel.query(on: db).filter(\.$applicationID == applicationID).sort(\.$id).all() { out[s.criterion] = s }
        return out
    }

    /// Publishes the results: every application must be scored; those at or above the pass score
    /// (and not listed meanwhile) get the title until the end of the validity period.
    public static func publish(_ roundID: Int, today: CalendarDay, by p: Principal, on db: any Database) async throws -> DemoRoundModel {
        try CreditLog.requireStaff(p, .publishResults)
        let r = try await round(roundID, by: p, on: db)
        try requireRunning(r, p)
        guard r.state == RoundState.open.rawValue else { throw RegistryError.conflict(field: "id", reason: .credit(.roundPublished(id: roundID))) }
        let apps = try await DemoApplicationModel.query(on: db).filter(\.$roundID == roundID).all()
        if let unscored = apps.first(where: { $0.total == nil }) {
            throw RegistryError.conflict(field: "id", reason: .credit(.applicationNotScored(id: unscored.id!)))
        }
        return try await db.auditedTransaction { tx in
            for a in apps {
                let listed = try await Listings.isListed(ownerID: a.ownerID, today: today, on: tx)
                if a.total! >= r.passScore && !listed {
                    a.state = ApplicationState.awarded.rawValue
                    a.awardedOn = today.description
                    a.validUntil = today.lastDayOfPeriod(months: r.validMonths).description
                } else {
                    a.state = ApplicationState.notAwarded.rawValue
                }
                try await a.save(on: tx)
                try await CreditLog.event(owner: a.ownerID, "demonstration", a.id!, a.state, day: today, note: "\(a.total!) / \(r.passScore)", by: p, on: tx)
            }
            r.state = RoundState.published.rawValue
            r.publishedOn = today.description
            try await r.save(on: tx)
            return r
        }
    }

    /// Takes a title away with the reason (a later violation).
    public static func revoke(_ applicationID: Int, reason: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> DemoApplicationModel {
        try CreditLog.requireStaff(p, .revokeTitle)
        var c = FieldChecker()
        let why = c.text("reason", reason, max: 1000)
        try c.finish()
        let a = try await application(applicationID, by: p, on: db)
        try requireRunning(try await round(a.roundID, by: p, on: db), p)
        return try await db.auditedTransaction { tx in try await revoke(a, reason: why!, today: today, on: tx) }
    }

    static func revoke(_ a: DemoApplicationModel, reason: String, today: CalendarDay, on db: any Database) async throws -> DemoApplicationModel {
        guard a.state == ApplicationState.awarded.rawValue else { throw RegistryError.conflict(field: "id", reason: .credit(.applicationHoldsNoTitle(id: a.id!))) }
        a.state = ApplicationState.revoked.rawValue
        a.revokedOn = today.description
        a.revokeReason = reason
        try await a.save(on: db)
        try await CreditLog.event(owner: a.ownerID, "demonstration", a.id!, "revoked", day: today, note: reason, on: db)
        return a
    }

    /// The title an owner holds on `day`, if any.
    public static func title(ownerID: Int, today: CalendarDay, on db: any Database) async throws -> DemoApplicationModel? {
        try await DemoApplicationModel.query(on: db).filter(\.$ownerID == ownerID).filter(\.$state == ApplicationState.awarded.rawValue)
            .filter(\.$validUntil >= today.description).first()
    }

    /// The public list of current demonstration units, searchable by name, credit code or region.
    public static func units(search: String?, today: CalendarDay, limit: Int = 100, on db: any Database) async throws -> [(DemoApplicationModel, OwnerModel, DemoRoundModel)] {
        let apps = try await DemoApplicationModel.query(on: db).filter(\.$state == ApplicationState.awarded.rawValue)
            .filter(\.$validUntil >= today.description).sort(\.$id, .descending).limit(2000).all()
        let owners = Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Set(apps.map(\.ownerID))).all().map { ($0.id!, $0) })
        let rounds = Dictionary(uniqueKeysWithValues: try await DemoRoundModel.query(on: db).filter(\.$id ~~ Set(apps.map(\.roundID))).all().map { ($0.id!, $0) })
        let q = try SearchText.checked(search) ?? ""
        return apps.compactMap { a in
            guard let o = owners[a.ownerID], let r = rounds[a.roundID] else { return nil }
            if !q.isEmpty, !(o.name.contains(q) || o.creditCode.contains(q.uppercased()) || o.regionCode.hasPrefix(q)) { return nil }
            return (a, o, r)
        }.prefix(limit).map { $0 }
    }
}
