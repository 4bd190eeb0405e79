import FluentKit
import Foundation
import JiliangCore

/// Administrative penalties (行政处罚) recorded by bureau staff with their evidence, and their
/// publication on the public site after SAMR Order 45: within 20 working days of the decision,
/// shown for 3 months (a circulated criticism or a low fine) or 3 years (otherwise, or a longer
/// restriction), taken down when the display period ends or the decision is revoked. A warning
/// alone is never published. Every publication and take-down is a ledgered list change.
public enum Penalties {
    /// `repaired`: the publication ended early on the party's application (信用修复, Order 45 art. 14).
    public enum State: String, Sendable, CaseIterable { case recorded, published, withdrawn, expired, repaired }

    public struct Attachment: Sendable {
        public var filename: String
        public var bytes: [UInt8]
        public init(filename: String, bytes: [UInt8]) {
            self.filename = filename
            self.bytes = bytes
        }
    }

    public static let maxAttachmentBytes = 5 << 20
    public static let maxAttachments = 5

    /// PDF, JPEG or PNG, told by the first bytes (never by the name).
    public static func attachmentType(_ b: [UInt8]) -> String? {
        if b.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        return Complaints.photoType(b)
    }

    public struct Input: Sendable {
        public var ownerID: Int?
        public var decisionNo, kind, legalBasis, facts, amountYuan, decidedOn, restrictionUntil: String?
        /// `PenaltyProcedure` and `PartyKind` raw values; omitted: ordinary, organisation.
        public var procedure, partyKind: String?
        public var heavy: Bool
        /// In the food, drug or special-equipment fields (the early-ending wait is a year).
        public var specialDomain = false
        public var attachments: [Attachment]
        public init(ownerID: Int?, decisionNo: String?, kind: String?, legalBasis: String?, facts: String?, amountYuan: String?, heavy: Bool,
                    decidedOn: String?, restrictionUntil: String? = nil, procedure: String? = nil, partyKind: String? = nil, attachments: [Attachment] = []) {
            self.procedure = procedure
            self.partyKind = partyKind
            self.ownerID = ownerID
            self.decisionNo = decisionNo
            self.kind = kind
            self.legalBasis = legalBasis
            self.facts = facts
            self.amountYuan = amountYuan
            self.heavy = heavy
            self.decidedOn = decidedOn
            self.restrictionUntil = restrictionUntil
            self.attachments = attachments
        }
    }

    public static func record(_ input: Input, rules: CreditConfiguration = .init(), today: CalendarDay, by p: Principal, on db: any Database) async throws -> PenaltyModel {
        try CreditLog.requireStaff(p, .recordPenalties)
        var c = FieldChecker()
        let no = c.text("decision_no", input.decisionNo, max: 60)
        let kind: PenaltyKind? = c.choice("kind", input.kind)
        let basis = c.text("legal_basis", input.legalBasis, max: 500)
        let facts = c.text("facts", input.facts, max: 4000)
        let amount = c.int("amount_yuan", input.amountYuan, range: 1...100_000_000, required: kind == .fine)
        let decided = c.day("decided_on", input.decidedOn)
        let restriction = c.day("restriction_until", input.restrictionUntil, required: false)
        let procedure: PenaltyProcedure = c.choice("procedure", input.procedure, required: false) ?? .ordinary
        let party: PartyKind = c.choice("party_kind", input.partyKind, required: false) ?? .organisation
        if procedure == .summary, let kind {
            // 行政处罚法 2021 art. 51: on the spot only a warning or a small fine.
            let limit = PenaltyProcedure.summaryFineLimitYuan(party)
            if kind != .warning && kind != .fine {
                c.fail("procedure", .credit(.summaryProcedureKind(kind)))
            } else if kind == .fine, let amount, amount > limit {
                c.fail("procedure", .credit(.summaryFineOverLimit(limit: limit, party: party)))
            }
        }
        if let decided, decided > today { c.fail("decided_on", .inTheFuture) }
        if let decided, let restriction, restriction < decided { c.fail("restriction_until", .before(other: "decided_on")) }
        if input.attachments.count > maxAttachments { c.fail("evidence", .credit(.tooManyFiles(max: maxAttachments))) }
        var typed: [(Attachment, String)] = []
        for (i, a) in input.attachments.enumerated() where !a.bytes.isEmpty {
            if a.bytes.count > maxAttachmentBytes {
                c.fail("evidence[\(i + 1)]", .credit(.fileTooLarge(filename: a.filename, kilobytes: a.bytes.count / 1024, maxMegabytes: maxAttachmentBytes >> 20)))
            } else if let t = attachmentType(a.bytes) {
                typed.append((a, t))
            } else {
                c.fail("evidence[\(i + 1)]", .credit(.notPdfJpegOrPng(filename: a.filename)))
            }
        }
        try c.finish()
        let owner = try await CreditLog.owner(input.ownerID, by: p, on: db)
        let calendar = try await VerificationRequests.workingCalendar(on: db)
        let files = typed
        return try await db.auditedTransaction { tx in
            if try await PenaltyModel.query(on: tx).filter(\.$decisionNo == no!).first() != nil {
                throw RegistryError.conflict(field: "decision_no", reason: .credit(.decisionNumberTaken(no!)))
            }
            let m = PenaltyModel()
            m.ownerID = owner.id!
            m.regionCode = owner.regionCode
            m.decisionNo = no!
            m.kind = kind!.rawValue
            m.procedure = procedure.rawValue
            m.partyKind = party.rawValue
            m.specialDomain = input.specialDomain
            m.legalBasis = basis!
            m.facts = facts!
            m.amountYuan = amount
            m.heavy = input.heavy || kind!.heavyByNature
            m.decidedOn = decided!.description
            m.restrictionUntil = restriction?.description
            m.publishBy = rules.publication.isPublished(kind!, procedure: procedure)
                ? rules.publication.publishBy(decidedOn: decided!, calendar: calendar).description : nil
            m.state = State.recorded.rawValue
            m.recordedBy = p.label
            m.createdAt = Date()
            try await m.create(on: tx)
            for (a, t) in files {
                let f = PenaltyAttachmentModel()
                f.penaltyID = m.id!
                f.regionCode = m.regionCode
                f.filename = String(a.filename.prefix(120))
                f.contentType = t
                f.bytes = Data(a.bytes)
                try await f.create(on: tx)
            }
            try await CreditLog.event(owner: owner.id!, "penalty", m.id!, "recorded", day: today, note: m.decisionNo, by: p, on: tx)
            // A demonstration unit with a later violation loses its title (a warning is a violation too).
            if let title = try await Demonstration.title(ownerID: owner.id!, today: today, on: tx) {
                _ = try await Demonstration.revoke(title, reason: SystemReason.penalty(decisionNo: m.decisionNo, decidedOn: decided!.description).stored, today: today, on: tx)
            }
            return m
        }
    }

    /// Puts a recorded penalty on the public site from today.
    public static func publish(_ id: Int, rules: CreditConfiguration = .init(), today: CalendarDay, by p: Principal, on db: any Database) async throws -> PenaltyModel {
        try CreditLog.requireStaff(p, .publishPenalties)
        return try await db.auditedTransaction { tx in
            let m = try await penalty(id, by: p, on: tx)
            let kind = PenaltyKind(rawValue: m.kind) ?? .fine
            let procedure = PenaltyProcedure(rawValue: m.procedure) ?? .ordinary
            guard kind != .warning else { throw RegistryError.conflict(field: "kind", reason: .credit(.warningNotPublished)) }
            guard rules.publication.isPublished(kind, procedure: procedure) else {
                throw RegistryError.conflict(field: "procedure", reason: .credit(.summaryDecisionNotPublished))
            }
            guard m.state == State.recorded.rawValue else { throw RegistryError.conflict(field: "id", reason: .credit(.penaltyNotAwaitingPublication(id: id, state: m.state))) }
            m.state = State.published.rawValue
            m.publishedOn = today.description
            m.displayUntil = rules.publication.displayUntil(
                publishedOn: today, kind: kind, amountYuan: m.amountYuan, party: PartyKind(rawValue: m.partyKind) ?? .organisation,
                decidedOn: CalendarDay(m.decidedOn) ?? today, restrictionUntil: m.restrictionUntil.flatMap { CalendarDay($0) }).description
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "penalty", id, "published", day: today, note: SystemReason.shownUntil(day: m.displayUntil!).stored, by: p, on: tx)
            try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "penalty", ref: id, change: "published", day: today, by: p, on: tx)
            return m
        }
    }

    /// Takes a penalty down because the decision was changed or revoked (Order 45 Art. 11).
    public static func withdraw(_ id: Int, reason: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> PenaltyModel {
        try CreditLog.requireStaff(p, .withdrawPenalties)
        var c = FieldChecker()
        let why = c.text("reason", reason, max: 1000)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let m = try await penalty(id, by: p, on: tx)
            guard m.state == State.recorded.rawValue || m.state == State.published.rawValue else {
                throw RegistryError.conflict(field: "id", reason: .credit(.penaltyAlreadyEnded(id: id, state: m.state)))
            }
            let wasShown = m.state == State.published.rawValue
            m.state = State.withdrawn.rawValue
            m.withdrawnOn = today.description
            m.withdrawReason = why
            try await m.save(on: tx)
            try await CreditLog.event(owner: m.ownerID, "penalty", id, "withdrawn", day: today, note: why, by: p, on: tx)
            if wasShown { try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "penalty", ref: id, change: "withdrawn", day: today, on: tx) }
            return m
        }
    }

    /// The party applies to end the publication early (信用修复): a published penalty, on display at
    /// least 6 months (12 in the food, drug and special-equipment fields), its obligations fulfilled
    /// and its consequences removed (the party attests both), no application already waiting.
    public static func applyForRepair(
        _ id: Int, statement: String?, fulfilled: Bool, remedied: Bool, rules: CreditConfiguration = .init(), today: CalendarDay,
        by p: Principal, on db: any Database
    ) async throws -> PenaltyModel {
        try CreditLog.requireParty(p, .applyForEarlyEnd)
        let s = try CreditRepair.statement(statement, fulfilled: fulfilled, remedied: remedied)
        return try await db.auditedTransaction { tx in
            let m = try await penalty(id, by: p, on: tx)
            guard m.state == State.published.rawValue, let published = m.publishedOn.flatMap({ CalendarDay($0) }) else {
                throw RegistryError.conflict(field: "id", reason: .credit(.penaltyNotOnDisplay(id: id, state: m.state)))
            }
            guard m.repairAppliedOn == nil else { throw RegistryError.conflict(field: "id", reason: .credit(.earlyEndAlreadyApplied)) }
            let eligible = rules.publication.repairEligibleOn(publishedOn: published, specialDomain: m.specialDomain)
            guard today >= eligible else {
                throw RegistryError.conflict(field: "id", reason: .credit(.earlyEndNotYet(from: eligible.description, months: m.specialDomain ? 12 : 6)))
            }
            try await CreditRepair.record(m, entity: "penalty", id: id, statement: s, today: today, by: p, on: tx)
            return m
        }
    }

    /// A second person decides the application: not whoever recorded the penalty. Granted, the
    /// publication ends today (a ledgered take-down); refused, with reasons, the party may apply again.
    public static func decideRepair(_ id: Int, approve: Bool?, note: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> PenaltyModel {
        try CreditLog.requireStaff(p, .decideEarlyEnd)
        let n = try CreditRepair.decision(approve: approve, note: note)
        return try await db.auditedTransaction { tx in
            let m = try await penalty(id, by: p, on: tx)
            guard m.state == State.published.rawValue, m.repairAppliedOn != nil else {
                throw RegistryError.conflict(field: "id", reason: .credit(.noEarlyEndApplication(penalty: id)))
            }
            guard p.label != m.recordedBy else {
                throw RegistryError.conflict(field: "id", reason: .credit(.recorderMayNotDecide(recordedBy: p.label)))
            }
            if approve! {
                m.state = State.repaired.rawValue
                m.repairedOn = today.description
                try await m.save(on: tx)
                try await CreditLog.event(owner: m.ownerID, "penalty", id, "repaired", day: today, note: n, by: p, on: tx)
                try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "penalty", ref: id, change: "repaired", day: today, by: p, on: tx)
            } else {
                m.repairAppliedOn = nil
                try await m.save(on: tx)
                try await CreditLog.event(owner: m.ownerID, "penalty", id, "repair_refused", day: today, note: n, by: p, on: tx)
            }
            return m
        }
    }

    /// Ends the display of every penalty whose last display day is before `today` (the daily run).
    /// The public pages already hide them from the day after; this records the take-down.
    static func expire(today: CalendarDay, on db: any Database) async throws -> [PenaltyModel] {
        let due = try await PenaltyModel.query(on: db).filter(\.$state == State.published.rawValue).filter(\.$displayUntil < today.description).all()
        for m in due {
            try await db.auditedTransaction { tx in
                m.state = State.expired.rawValue
                try await m.save(on: tx)
                try await CreditLog.event(owner: m.ownerID, "penalty", m.id!, "expired", day: today, on: tx)
                try await CreditLog.listChange(owner: try await OwnerModel.find(m.ownerID, on: tx)!, list: "penalty", ref: m.id!, change: "expired", day: today, on: tx)
            }
        }
        return due
    }

    /// A penalty the caller may read: staff of its region, or the owner it concerns.
    public static func penalty(_ id: Int, by p: Principal, on db: any Database) async throws -> PenaltyModel {
        try await CreditLog.visible(PenaltyModel.self, id, owner: \.ownerID, entity: .penalty, by: p, on: db)
    }

    public static func list(ownerID: Int?, state: String?, cursor: String?, limit: Int?, by p: Principal, on db: any Database) async throws -> Page<PenaltyModel> {
        guard p.may(.manageCredit) || p.may(.applyForCredit) else { throw RegistryError.forbidden(.credit(.roleMayNot(.readPenalties))) }
        var c = FieldChecker()
        let s: State? = c.choice("state", state, required: false)
        try c.finish()
        let q = PenaltyModel.query(on: db)
        if let s { q.filter(\.$state == s.rawValue) }
        return try await CreditLog.page(q, region: \.$regionCode, owner: \.$ownerID, ownerID: ownerID, cursor: cursor, limit: limit, by: p)
    }

    public static func attachments(of id: Int, by p: Principal, on db: any Database) async throws -> [(id: Int, filename: String, type: String)] {
        _ = try await penalty(id, by: p, on: db)
        return try await PenaltyAttachmentModel.query(on: db).filter(\.$penaltyID == id).field(\.$id).field(\.$penaltyID).field(\.$filename).field(\.$contentType)
            .all().map { ($0.id!, $0.filename, $0.contentType) }
    }

    public static func attachment(_ attachmentID: Int, of id: Int, by p: Principal, on db: any Database) async throws -> PenaltyAttachmentModel {
        _ = try await penalty(id, by: p, on: db)
        guard let f = try await PenaltyAttachmentModel.find(attachmentID, on: db), f.penaltyID == id else {
            throw RegistryError.notFound(.attachment, key: "\(attachmentID)")
        }
        return f
    }

    /// What the public sees of an owner on `today`: published penalties within their display period.
    public static func shown(ownerID: Int?, today: CalendarDay, limit: Int = 100, on db: any Database) async throws -> [PenaltyModel] {
        let q = PenaltyModel.query(on: db).filter(\.$state == State.published.rawValue)
            .filter(\.$publishedOn <= today.description).filter(\.$displayUntil >= today.description).sort(\.$id, .descending).limit(limit)
        if let ownerID { q.filter(\.$ownerID == ownerID) }
        return try await q.all()
    }
}
