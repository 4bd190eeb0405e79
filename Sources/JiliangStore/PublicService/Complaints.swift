import FluentKit
import Foundation
import JiliangCore

/// Citizens' complaints and reports (投诉举报). A citizen files one about an instrument (by its
/// lifelong code) or a business (by its unified social credit code), without an account, and gets a
/// tracking code to follow it. The bureau of the subject's region assigns it to a handler, replies
/// and closes it with an outcome, within a deadline counted in working days. Several complaints
/// about one business in a short time raise a warning in the bureau's inbox.
public enum Complaints {
    public enum State: String, Sendable, CaseIterable { case received, assigned, replied, closed }
    public enum Category: String, Sendable, CaseIterable {
        /// 缺斤少两 — short weight or measure.
        case shortWeight = "short_weight"
        /// 未检定或超期使用 — unverified or overdue instrument in use.
        case unverified
        /// 作弊 — a tampered instrument (cheating device, altered seal).
        case tampering
        case other
    }
    public enum Outcome: String, Sendable, CaseIterable {
        case upheld
        case notUpheld = "not_upheld"
    }

    /// The handling rules. The deadline is not confirmed from a primary source for metrology
    /// complaints in Fujian (SAMR Order 20 sets several periods); keep it configurable.
    public struct Rules: Sendable, Equatable {
        public var deadlineWorkingDays: Int
        public var repeatThreshold: Int
        public var repeatWindowDays: Int
        public init(deadlineWorkingDays: Int = 15, repeatThreshold: Int = 3, repeatWindowDays: Int = 90) {
            self.deadlineWorkingDays = deadlineWorkingDays
            self.repeatThreshold = repeatThreshold
            self.repeatWindowDays = repeatWindowDays
        }
    }

    public struct Photo: Sendable {
        public var bytes: [UInt8]
        public init(bytes: [UInt8]) { self.bytes = bytes }
    }

    public struct Submission: Sendable {
        public var instrumentCode: String?
        public var businessCreditCode: String?
        public var category: String?
        public var text: String?
        public var contact: String?
        public var photo: Photo?
        public init(instrumentCode: String? = nil, businessCreditCode: String? = nil, category: String? = nil, text: String? = nil, contact: String? = nil, photo: Photo? = nil) {
            self.instrumentCode = instrumentCode
            self.businessCreditCode = businessCreditCode
            self.category = category
            self.text = text
            self.contact = contact
            self.photo = photo
        }
    }

    public static let maxPhotoBytes = 2 << 20

    /// The image type from the file's first bytes (never from its name or declared type): JPEG or
    /// PNG only, so nothing a browser might run is ever stored or served back.
    public static func photoType(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        return nil
    }

    public static func submit(_ s: Submission, rules: Rules = .init(), today: CalendarDay, on db: any Database) async throws -> ComplaintModel {
        var c = FieldChecker()
        let code = c.text("instrument_code", s.instrumentCode, max: 40, required: false)
        let credit = c.creditCode("business_credit_code", s.businessCreditCode, required: false)
        if code == nil, credit == nil, s.businessCreditCode?.trimmingCharactersInWhitespace().isEmpty ?? true {
            c.fail("instrument_code", .publicService(.subjectRequired))
        }
        var instrumentCode: InstrumentCode?
        if let code {
            do { instrumentCode = try InstrumentCode(validating: code) } catch { c.fail("instrument_code", .notAnInstrumentCode(got: code)) }
        }
        let category: Category? = c.choice("category", s.category)
        let text = c.text("text", s.text, max: 2000)
        let contact = c.text("contact", s.contact, max: 100, required: false)
        var sniffed: String?
        if let photo = s.photo, !photo.bytes.isEmpty {
            if photo.bytes.count > maxPhotoBytes {
                c.fail("photo", .publicService(.photoTooLarge(kb: photo.bytes.count / 1024, maxMB: maxPhotoBytes / 1024 / 1024)))
            } else if let t = photoType(photo.bytes) {
                sniffed = t
            } else {
                c.fail("photo", .publicService(.photoNotAPicture))
            }
        }
        try c.finish()

        // Subject first (outside the write): an unknown code or business is the citizen's typo.
        var owner: OwnerModel?
        var instrument: InstrumentModel?
        if let instrumentCode {
            guard let i = try await InstrumentModel.query(on: db).filter(\.$code == instrumentCode.value).first() else {
                throw RegistryError.invalid("instrument_code", .publicService(.noInstrumentWithCode(code: instrumentCode.grouped)))
            }
            instrument = i
            owner = try await OwnerModel.find(i.ownerID, on: db)
        } else if let credit {
            owner = try await OwnerModel.query(on: db).filter(\.$creditCode == credit.value).first()
            if owner == nil { throw RegistryError.invalid("business_credit_code", .publicService(.noBusinessWithCode(code: credit.value))) }
        }
        guard let owner else { throw RegistryError.invalid("business_credit_code", .publicService(.businessNotRegistered)) }
        let region = instrument?.regionCode ?? owner.regionCode
        let (about, photoKind) = (instrument, sniffed)

        var rng = SystemRandomNumberGenerator()
        let tracking = TrackingCode.issue(using: &rng)
        return try await Audit.$actor.withValue(.system("public-site")) {
            try await db.auditedTransaction { tx in
                let calendar = try await VerificationRequests.workingCalendar(on: tx)
                let m = ComplaintModel()
                m.trackingCode = tracking.value
                m.subject = about == nil ? "business" : "instrument"
                m.instrumentID = about?.id
                m.ownerID = owner.id!
                m.regionCode = region
                m.category = category!.rawValue
                m.text = text!
                m.citizenContact = contact
                m.hasPhoto = photoKind != nil
                m.state = State.received.rawValue
                m.receivedOn = today.description
                m.deadline = calendar.adding(workingDays: rules.deadlineWorkingDays, to: today).description
                m.createdAt = Date()
                try await m.create(on: tx)
                if let photoKind, let photo = s.photo {
                    let p = ComplaintPhotoModel()
                    p.complaintID = m.id!
                    p.regionCode = m.regionCode
                    p.contentType = photoKind
                    p.bytes = Data(photo.bytes)
                    try await p.create(on: tx)
                }
                try await event(m, "received", note: nil, on: tx)
                try await warnOnRepeats(owner: owner, rules: rules, today: today, on: tx)
                return m
            }
        }
    }

    /// The n-th complaint about one business within the window (n = threshold, 2 × threshold, …)
    /// puts a warning in the inbox of the business's bureau.
    static func warnOnRepeats(owner: OwnerModel, rules: Rules, today: CalendarDay, on db: any Database) async throws {
        let since = today.adding(days: -rules.repeatWindowDays).description
        let n = try await ComplaintModel.query(on: db).filter(\.$ownerID == owner.id!).filter(\.$receivedOn > since).count()
        guard rules.repeatThreshold > 0, n >= rules.repeatThreshold, n % rules.repeatThreshold == 0 else { return }
        try await Notices.send(
            .repeatedComplaints(owner: owner.name, creditCode: owner.creditCode, complaints: n, days: rules.repeatWindowDays),
            to: "region:\(owner.regionCode)", on: db)
    }

    static func event(_ complaint: ComplaintModel, _ action: String, note: String?, on db: any Database) async throws {
        let e = ComplaintEventModel()
        e.complaintID = complaint.id!
        e.regionCode = complaint.regionCode
        e.at = Date()
        e.actor = Audit.actor.actor
        e.action = action
        e.note = note
        try await e.create(on: db)
    }

    /// What the citizen with the tracking code sees. A malformed code and an unknown one get the
    /// same answer, so the page is no oracle for valid codes.
    public static func track(_ raw: String, on db: any Database) async throws -> (ComplaintModel, [ComplaintEventModel]) {
        guard let code = TrackingCode(typed: raw), let m = try await ComplaintModel.query(on: db).filter(\.$trackingCode == code.value).first() else {
            throw RegistryError.notFound(.complaint, key: "")
        }
        let events = try await ComplaintEventModel.query(on: db).filter(\.$complaintID == m.id!).sort(\.$id).all()
        return (m, events)
    }

    // MARK: The bureau's side

    /// The complaints in the caller's region (province administrators: all), oldest deadline first.
    public static func list(
        state: String?, overdueOn: CalendarDay?, cursor: String?, limit: Int?, by p: Principal, on db: any Database
    ) async throws -> Page<ComplaintModel> {
        guard p.may(.handleComplaints) else { throw RegistryError.forbidden(.notAllowed(.handleComplaints)) }
        var c = FieldChecker()
        let s: State? = c.choice("state", state, required: false)
        try c.finish()
        let after = try Cursor.decode(cursor)
        let q = scoped(ComplaintModel.query(on: db), p)
        if let s { q.filter(\.$state == s.rawValue) }
        if let overdueOn { q.filter(\.$state != State.closed.rawValue).filter(\.$deadline < overdueOn.description) }
        if let after { q.filter(\.$id > after) }
        let n = min(max(limit ?? 50, 1), 200)
        let rows = try await q.sort(\.$id).limit(n + 1).all()
        return Page(items: Array(rows.prefix(n)), nextCursor: rows.count > n ? Cursor.encode(rows[n - 1].id!) : nil)
    }

    static func scoped(_ q: QueryBuilder<ComplaintModel>, _ p: Principal) -> QueryBuilder<ComplaintModel> {
        switch p.scope {
        case .everything: return q
        case .region(let r): return q.inSubtree(of: r, \.$regionCode)
        default: return q.filter(\.$id == -1)
        }
    }

    public static func complaint(_ id: Int, by p: Principal, on db: any Database) async throws -> (ComplaintModel, [ComplaintEventModel], hasPhoto: Bool) {
        guard p.may(.handleComplaints) else { throw RegistryError.forbidden(.notAllowed(.handleComplaints)) }
        guard let m = try await scoped(ComplaintModel.query(on: db), p).filter(\.$id == id).first() else {
            throw RegistryError.notFound(.complaint, key: "\(id)")
        }
        let events = try await ComplaintEventModel.query(on: db).filter(\.$complaintID == id).sort(\.$id).all()
        return (m, events, m.hasPhoto)
    }

    public static func photo(of id: Int, by p: Principal, on db: any Database) async throws -> ComplaintPhotoModel {
        _ = try await complaint(id, by: p, on: db)
        guard let photo = try await ComplaintPhotoModel.query(on: db).filter(\.$complaintID == id).first() else {
            throw RegistryError.notFound(.photo, key: "\(id)")
        }
        return photo
    }

    /// Assigns a handler: a staff member of the complaint's region who may handle complaints.
    public static func assign(_ id: Int, to login: String?, by p: Principal, on db: any Database) async throws -> ComplaintModel {
        let who = login?.trimmingCharactersInWhitespace() ?? ""
        guard !who.isEmpty else { throw RegistryError.invalid("assignee", .publicService(.assigneeRequired)) }
        return try await db.auditedTransaction { tx in
            let (m, _, _) = try await complaint(id, by: p, on: tx)
            guard m.state != State.closed.rawValue else { throw RegistryError.conflict(field: "id", reason: .publicService(.complaintClosed(id: id))) }
            guard let u = try await UserModel.query(on: tx).filter(\.$login == who).first(), !u.disabled,
                let role = Role(rawValue: u.role), role.permissions.contains(.handleComplaints),
                role == .provinceAdmin || (u.regionCode.flatMap(RegionCode.init).map { $0.contains(RegionCode(m.regionCode)!) } ?? false)
            else {
                throw RegistryError.invalid("assignee", .publicService(.notAComplaintHandler(login: who, region: m.regionCode)))
            }
            m.assignedTo = u.login
            if m.state == State.received.rawValue { m.state = State.assigned.rawValue }
            try await m.save(on: tx)
            try await event(m, "assigned", note: nil, on: tx)
            return m
        }
    }

    /// The reply the citizen reads on the tracking page.
    public static func reply(_ id: Int, text: String?, by p: Principal, on db: any Database) async throws -> ComplaintModel {
        var c = FieldChecker()
        let t = c.text("reply", text, max: 2000)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let (m, _, _) = try await complaint(id, by: p, on: tx)
            guard m.state != State.closed.rawValue else { throw RegistryError.conflict(field: "id", reason: .publicService(.complaintClosed(id: id))) }
            m.reply = t
            m.state = State.replied.rawValue
            if m.assignedTo == nil { m.assignedTo = p.label }
            try await m.save(on: tx)
            try await event(m, "replied", note: t, on: tx)
            return m
        }
    }

    /// Closes a replied complaint with its outcome (upheld complaints count against the business's credit).
    public static func close(_ id: Int, outcome: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> ComplaintModel {
        var c = FieldChecker()
        let o: Outcome? = c.choice("outcome", outcome)
        try c.finish()
        return try await db.auditedTransaction { tx in
            let (m, _, _) = try await complaint(id, by: p, on: tx)
            guard m.state == State.replied.rawValue else {
                throw RegistryError.conflict(
                    field: "id", reason: .publicService(m.state == State.closed.rawValue ? .complaintAlreadyClosed(id: id) : .complaintNotReplied(id: id)))
            }
            m.state = State.closed.rawValue
            m.outcome = o!.rawValue
            m.closedOn = today.description
            try await m.save(on: tx)
            try await event(m, "closed", note: o!.rawValue, on: tx)
            if o == .upheld { try await CreditLog.markStale(m.ownerID, on: tx) }  // upheld complaints count in the credit class
            return m
        }
    }
}
