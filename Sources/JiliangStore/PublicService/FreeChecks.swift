import FluentKit
import FluentSQL
import Foundation
import JiliangCore
import SQLKit

/// Free checks for citizens. Institutions open sessions (slots) for household instruments —
/// blood-pressure meters, kitchen and body scales; Fujian's provincial institute does this on the
/// 20th of every month ("月月都有5·20") — and citizens book a place; utilities' customers ask for
/// their water, electricity or gas meter to be checked (你点我检). The institution records the result
/// and the citizen reads it with the booking code. No account: the code is the key.
public enum FreeChecks {
    public enum Kind: String, Sendable, CaseIterable { case household, meter }
    public enum State: String, Sendable, CaseIterable { case booked, done, cancelled }
    public enum Result: String, Sendable, CaseIterable {
        case pass
        case fail
    }
    /// The meters a utility customer may ask to be checked, and the utility that must run them.
    public enum Meter: String, Sendable, CaseIterable {
        case water, electricity, gas
        var utility: Industry {
            switch self {
            case .water: .waterUtility
            case .electricity: .powerUtility
            case .gas: .gasUtility
            }
        }
    }

    // MARK: Institutions

    public static func openSlot(
        institutionID: Int?, day: String?, time: String?, place: String?, items: String?, capacity: String?, today: CalendarDay,
        by p: Principal, on db: any Database
    ) async throws -> CheckSlotModel {
        guard p.may(.runFreeChecks) else { throw RegistryError.forbidden(.publicService(.mayNotOpenSessions)) }
        var c = FieldChecker()
        let institution = p.role == .instituteStaff ? p.institutionID : institutionID
        if institution == nil { c.fail("institution_id", .required) }
        let d = c.day("day", day)
        if let d, d < today { c.fail("day", .inThePast) }
        let t = c.text("time", time, max: 20)
        let pl = c.text("place", place, max: 200)
        let it = c.text("items", items, max: 200)
        let cap = c.int("capacity", capacity, range: 1...1000, required: true)
        try c.finish()
        return try await db.auditedTransaction { tx in
            guard try await InstitutionModel.find(institution!, on: tx) != nil else {
                throw RegistryError.invalid("institution_id", .registry(.noSuchInstitution(id: institution!)))
            }
            let s = CheckSlotModel()
            s.institutionID = institution!
            s.regionCode = try await RegionCopies.current("institutions", id: institution!, on: tx)  // as a move now would leave it
            s.day = d!.description
            s.time = t!
            s.place = pl!
            s.items = it!
            s.capacity = cap!
            s.booked = 0
            s.createdBy = p.actor
            try await s.create(on: tx)
            return s
        }
    }

    /// Sessions from `today` on with places left, soonest first (public).
    public static func openSlots(from today: CalendarDay, limit: Int = 50, on db: any Database) async throws -> [(CheckSlotModel, InstitutionModel)] {
        let slots = try await CheckSlotModel.query(on: db).filter(\.$day >= today.description).filter(.sql(unsafeRaw: "booked < capacity"))
            .sort(\.$day).sort(\.$id).limit(limit).all()
        guard !slots.isEmpty else { return [] }
        let institutions = Dictionary(
            uniqueKeysWithValues: try await InstitutionModel.query(on: db).filter(\.$id ~~ Array(Set(slots.map(\.institutionID)))).all().map { ($0.id!, $0) })
        return slots.compactMap { s in institutions[s.institutionID].map { (s, $0) } }
    }

    // MARK: Citizens

    /// Books a place; the count of booked places rises only while places are left, in one
    /// statement, so two citizens can never take the last place both.
    public static func book(
        slotID: Int?, item: String?, contactName: String?, contactPhone: String?, today: CalendarDay, on db: any Database
    ) async throws -> FreeCheckModel {
        var c = FieldChecker()
        if slotID == nil { c.fail("slot_id", .publicService(.chooseASession)) }
        let it = c.text("item", item, max: 100)
        let name = c.text("contact_name", contactName, max: 50, required: false)
        let phone = c.text("contact_phone", contactPhone, max: 30, required: false)
        try c.finish()
        return try await Audit.$actor.withValue(.system("public-site")) {
            try await db.auditedTransaction { tx in
                guard let slot = try await CheckSlotModel.find(slotID!, on: tx), slot.day >= today.description else {
                    throw RegistryError.invalid("slot_id", .publicService(.sessionNotOpen(id: slotID!)))
                }
                let sql = tx as! any SQLDatabase
                // The session's region as its row stands once it is taken (a move of its institution
                // waits for this, or has finished): the booking carries it (M041).
                struct Taken: Decodable { var region_code: String }
                guard let taken = try await sql.raw(
                    "UPDATE check_slots SET booked = booked + 1 WHERE id = \(bind: slot.id!) AND booked < capacity RETURNING region_code"
                ).first(decoding: Taken.self) else { throw RegistryError.conflict(field: "slot_id", reason: .publicService(.sessionFullyBooked)) }
                let m = newCheck(.household, institutionID: slot.institutionID, region: taken.region_code, item: it!, contactName: name, contactPhone: phone, today: today)
                m.slotID = slot.id
                try await m.create(on: tx)
                return m
            }
        }
    }

    /// A utility customer's request to have a meter checked at home (你点我检), addressed to the
    /// institution the citizen chose from the public list; the utility must be a registered one of
    /// the meter's kind.
    public static func requestMeterCheck(
        meter: String?, utilityCreditCode: String?, meterNo: String?, address: String?, institutionID: Int?,
        contactName: String?, contactPhone: String?, today: CalendarDay, on db: any Database
    ) async throws -> FreeCheckModel {
        var c = FieldChecker()
        let kind: Meter? = c.choice("meter", meter)
        let credit = c.creditCode("utility_credit_code", utilityCreditCode)
        let no = c.text("meter_no", meterNo, max: 50)
        let addr = c.text("address", address, max: 200)
        if institutionID == nil { c.fail("institution_id", .publicService(.chooseAnInstitution)) }
        let name = c.text("contact_name", contactName, max: 50)
        let phone = c.text("contact_phone", contactPhone, max: 30)
        try c.finish()
        return try await Audit.$actor.withValue(.system("public-site")) {
            try await db.auditedTransaction { tx in
                guard let utility = try await OwnerModel.query(on: tx).filter(\.$creditCode == credit!.value).first(),
                    utility.industry == kind!.utility.rawValue
                else {
                    throw RegistryError.invalid("utility_credit_code", .publicService(.noUtilityWithCode(meter: kind!.rawValue, code: credit!.value)))
                }
                guard try await InstitutionModel.find(institutionID!, on: tx) != nil else {
                    throw RegistryError.invalid("institution_id", .registry(.noSuchInstitution(id: institutionID!)))
                }
                let region = try await RegionCopies.current("institutions", id: institutionID!, on: tx)  // as a move now would leave it
                let m = newCheck(.meter, institutionID: institutionID!, region: region, item: kind!.rawValue, contactName: name, contactPhone: phone, today: today)
                m.utilityID = utility.id
                m.meterNo = no
                m.address = addr
                try await m.create(on: tx)
                return m
            }
        }
    }

    /// A booked check with a fresh booking code (80 random bits from the system CSPRNG).
    static func newCheck(_ kind: Kind, institutionID: Int, region: String, item: String, contactName: String?, contactPhone: String?, today: CalendarDay) -> FreeCheckModel {
        var rng = SystemRandomNumberGenerator()
        let m = FreeCheckModel()
        m.code = TrackingCode.issue(using: &rng).value
        m.kind = kind.rawValue
        m.institutionID = institutionID
        m.regionCode = region
        m.item = item
        m.contactName = contactName
        m.contactPhone = contactPhone
        m.state = State.booked.rawValue
        m.createdOn = today.description
        return m
    }

    /// What the citizen with the booking code sees (same answer for a malformed and an unknown code).
    public static func track(_ raw: String, on db: any Database) async throws -> (FreeCheckModel, CheckSlotModel?, InstitutionModel?) {
        guard let code = TrackingCode(typed: raw), let m = try await FreeCheckModel.query(on: db).filter(\.$code == code.value).first() else {
            throw RegistryError.notFound(.freeCheck, key: "")
        }
        let slot = try await m.slotID.asyncMap { try await CheckSlotModel.find($0, on: db) } ?? nil
        return (m, slot, try await InstitutionModel.find(m.institutionID, on: db))
    }

    // MARK: The institution's list and results

    public static func list(state: String?, by p: Principal, limit: Int = 200, on db: any Database) async throws -> [FreeCheckModel] {
        guard p.may(.runFreeChecks) else { throw RegistryError.forbidden(.publicService(.mayNotHandleFreeChecks)) }
        var c = FieldChecker()
        let s: State? = c.choice("state", state, required: false)
        try c.finish()
        let q = scoped(FreeCheckModel.query(on: db), p)
        if let s { q.filter(\.$state == s.rawValue) }
        return try await q.sort(\.$id).limit(limit).all()
    }

    public static func slots(by p: Principal, from today: CalendarDay, on db: any Database) async throws -> [CheckSlotModel] {
        guard p.may(.runFreeChecks) else { throw RegistryError.forbidden(.publicService(.mayNotHandleFreeChecks)) }
        let q = CheckSlotModel.query(on: db).filter(\.$day >= today.description)
        if p.role != .provinceAdmin { q.filter(\.$institutionID == (p.institutionID ?? -1)) }
        return try await q.sort(\.$day).limit(200).all()
    }

    static func scoped(_ q: QueryBuilder<FreeCheckModel>, _ p: Principal) -> QueryBuilder<FreeCheckModel> {
        p.role == .provinceAdmin ? q : q.filter(\.$institutionID == (p.institutionID ?? -1))
    }

    public static func record(_ id: Int, result: String?, note: String?, today: CalendarDay, by p: Principal, on db: any Database) async throws -> FreeCheckModel {
        guard p.may(.runFreeChecks) else { throw RegistryError.forbidden(.publicService(.mayNotRecordFreeChecks)) }
        var c = FieldChecker()
        let r: Result? = c.choice("result", result)
        let n = c.text("result_note", note, max: 500, required: false)
        try c.finish()
        return try await db.auditedTransaction { tx in
            guard let m = try await scoped(FreeCheckModel.query(on: tx), p).filter(\.$id == id).first() else {
                throw RegistryError.notFound(.freeCheck, key: "\(id)")
            }
            guard m.state == State.booked.rawValue else { throw RegistryError.conflict(field: "id", reason: .publicService(.freeCheckAlready(id: id, state: m.state))) }
            m.state = State.done.rawValue
            m.result = r!.rawValue
            m.resultNote = n
            m.doneOn = today.description
            m.recordedBy = p.actor
            try await m.save(on: tx)
            return m
        }
    }
}

extension Optional {
    func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let w): try await f(w)
        case .none: nil
        }
    }
}
