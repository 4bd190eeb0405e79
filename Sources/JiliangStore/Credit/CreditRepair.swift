import FluentKit
import JiliangCore

/// What a penalty's early end of publication (提前停止公示) and a listing's credit repair (信用修复)
/// share: the party's application (a statement, attesting that the obligations are fulfilled and
/// the consequences removed) and the staff's decision (approve, or refuse with reasons). Each
/// side keeps its own rules on *when* it may be applied for and who decides.
protocol CreditRepairable: Model {
    var ownerID: Int { get }
    var repairStatement: String? { get set }
    var repairAppliedOn: String? { get set }
}

extension PenaltyModel: CreditRepairable {}
extension ListingModel: CreditRepairable {}

enum CreditRepair {
    /// The application's own fields, checked before anything is read: its statement.
    static func statement(_ statement: String?, fulfilled: Bool, remedied: Bool) throws -> String? {
        var c = FieldChecker()
        let s = c.text("statement", statement, max: 4000)
        if !fulfilled { c.fail("fulfilled", .credit(.confirmObligationsFulfilled)) }
        if !remedied { c.fail("remedied", .credit(.confirmConsequencesRemoved)) }
        try c.finish()
        return s
    }

    /// Keeps an application whose timing the caller has checked, and logs it in the owner's
    /// credit history (`entity` is "penalty" or "listing").
    static func record<M: CreditRepairable>(
        _ m: M, entity: String, id: Int, statement: String?, today: CalendarDay, by p: Principal, on tx: any Database
    ) async throws {
        m.repairStatement = statement
        m.repairAppliedOn = today.description
        try await m.save(on: tx)
        try await CreditLog.event(owner: m.ownerID, entity, id, "repair_applied", day: today, note: statement, by: p, on: tx)
    }

    /// The decision's fields: approve or refuse, with a note required when refused.
    static func decision(approve: Bool?, note: String?) throws -> String? {
        var c = FieldChecker()
        if approve == nil { c.fail("decision", .credit(.approveOrRefuse)) }
        let n = c.text("note", note, max: 4000, required: approve == false)
        try c.finish()
        return n
    }
}
