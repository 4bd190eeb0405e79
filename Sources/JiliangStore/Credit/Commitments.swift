import FluentKit
import Foundation
import JiliangCore

/// Honest-metrology commitments (诚信计量承诺): an owner signs its sector's letter online; the letter
/// as signed, with the bureau's complaint number, is a printable page and shows on the owner's
/// public page. A withdrawal (by the owner) or a breach (recorded by the bureau) ends it.
public enum Commitments {
    public enum State: String, Sendable, CaseIterable { case active, withdrawn, breached }

    /// The national market-supervision complaint line; a bureau may print its own number instead.
    public static let defaultComplaintPhone = "12315"

    public static func templates(on db: any Database) async throws -> [CommitmentTemplateModel] {
        let order = Dictionary(uniqueKeysWithValues: CommitmentSector.allCases.enumerated().map { ($1.rawValue, $0) })
        return try await CommitmentTemplateModel.query(on: db).all().sorted { order[$0.id!, default: .max] < order[$1.id!, default: .max] }
    }

    /// The province administrator maintains the letters' text; letters already signed keep theirs.
    public static func saveTemplate(sector: String?, title: String?, body: String?, by p: Principal, on db: any Database) async throws -> CommitmentTemplateModel {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.credit(.roleMayNot(.editCommitmentLetters))) }
        var c = FieldChecker()
        let s: CommitmentSector? = c.choice("sector", sector)
        let t = c.text("title", title, max: 100)
        let b = c.text("body", body, max: 8000)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await CommitmentTemplateModel.find(s!.rawValue, on: tx) ?? CommitmentTemplateModel()
            m.id = s!.rawValue
            m.title = t!
            m.body = b!
            m.updatedAt = Date()
            m.updatedBy = p.label
            try await m.save(on: tx)
            return m
        }
    }

    /// Signs the sector's letter for the owner. One commitment is active at a time.
    public static func sign(
        ownerID: Int?, signerName: String?, signerTitle: String?, complaintPhone: String? = nil, today: CalendarDay, by p: Principal, on db: any Database
    ) async throws -> CommitmentModel {
        try CreditLog.requireParty(p, .signCommitment)
        var c = FieldChecker()
        let name = c.text("signer_name", signerName, max: 50)
        let title = c.text("signer_title", signerTitle, max: 50)
        let phone = c.text("complaint_phone", complaintPhone ?? defaultComplaintPhone, max: 30)
        try c.finish()
        let owner = try await CreditLog.owner(ownerID, by: p, on: db)
        let sector = CommitmentSector(industry: Industry(rawValue: owner.industry) ?? .other)
        guard let template = try await CommitmentTemplateModel.find(sector.rawValue, on: db) else {
            throw RegistryError.conflict(field: "sector", reason: .credit(.noCommitmentLetter(sector: sector)))
        }
        return try await db.auditedTransaction { tx in
            if try await CommitmentModel.query(on: tx).filter(\.$ownerID == owner.id!).filter(\.$state == State.active.rawValue).first() != nil {
                throw RegistryError.conflict(field: "owner_id", reason: .credit(.commitmentAlreadySigned(owner: owner.name)))
            }
            let m = CommitmentModel()
            m.ownerID = owner.id!
            m.sector = sector.rawValue
            m.title = template.title
            m.body = template.body
            m.signerName = name!
            m.signerTitle = title!
            m.complaintPhone = phone!
            m.signedOn = today.description
            m.state = State.active.rawValue
            m.createdAt = Date()
            try await m.create(on: tx)
            try await CreditLog.event(owner: owner.id!, "commitment", m.id!, "signed", day: today, by: p, on: tx)
            return m
        }
    }

    /// Ends an active commitment: the owner withdraws it, or the bureau records a breach.
    public static func end(_ id: Int, as outcome: String?, reason: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> CommitmentModel {
        var c = FieldChecker()
        let s: State? = c.choice("outcome", outcome)
        let r = c.text("reason", reason, max: 1000, required: s == .breached)
        if s == .active { c.fail("outcome", .credit(.outcomeWithdrawnOrBreached)) }
        try c.finish()
        if s == .breached { try CreditLog.requireStaff(p, .recordBreach) }
        if s == .withdrawn { try CreditLog.requireParty(p, .withdrawCommitment) }
        return try await db.auditedTransaction { tx in
            let m = try await commitment(id, by: p, on: tx)
            guard m.state == State.active.rawValue else { throw RegistryError.conflict(field: "id", reason: .credit(.commitmentEnded(id: id, state: m.state))) }
            m.state = s!.rawValue
            m.endedOn = today.description
            m.endReason = r
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "commitment", id, s!.rawValue, day: today, note: r, by: p, on: tx)
            return m
        }
    }

    public static func commitment(_ id: Int, by p: Principal, on db: any Database) async throws -> CommitmentModel {
        try await CreditLog.visible(CommitmentModel.self, id, owner: \.ownerID, entity: .commitment, by: p, on: db)
    }

    public static func commitments(ownerID: Int, by p: Principal, on db: any Database) async throws -> [CommitmentModel] {
        let owner = try await CreditLog.owner(ownerID, by: p, on: db)
        guard CreditLog.mayRead(owner: owner, p) else { throw RegistryError.forbidden(.credit(.roleMayNot(.readCreditRecord))) }
        return try await CommitmentModel.query(on: db).filter(\.$ownerID == ownerID).sort(\.$id, .descending).all()
    }

    /// The commitment the public sees: the active one.
    public static func active(ownerID: Int, on db: any Database) async throws -> CommitmentModel? {
        try await CommitmentModel.query(on: db).filter(\.$ownerID == ownerID).filter(\.$state == State.active.rawValue).first()
    }
}
