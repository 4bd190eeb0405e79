import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The bureau's queue of submitted filings, each with its approve and return forms (`filings.mustache`).
struct FilingsView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var instrumentID: Int
        var instrument: String
        var instrumentLink: String
        var approveAction: String
        var returnAction: String
        var submittedAt: String
        var submittedBy: String
    }
    var items: [Row]

    static func build(by p: Principal, on db: any Database) async throws -> FilingsView {
        guard p.may(.reviewFilings) else { throw RegistryError.forbidden(.notAllowed(.reviewFilings)) }
        var items: [Row] = []
        for f in try await Filings.list(state: .submitted, instrumentID: nil, cursor: nil, limit: 200, scope: p.scope, on: db).items {
            let inst = try await Registry.instrument(f.instrumentID, scope: p.scope, on: db)
            items.append(Row(
                id: f.id!, instrumentID: f.instrumentID, instrument: "\(inst.name) \(inst.serialNo)", instrumentLink: Site.instrument(f.instrumentID),
                approveAction: Site.filingDecision(f.id!, "approve"), returnAction: Site.filingDecision(f.id!, "return"),
                submittedAt: CalendarDay(instant: f.submittedAt).description, submittedBy: f.submittedBy))
        }
        return FilingsView(items: items)
    }
}

/// The institution's open verification applications: accept the applied ones, record the result
/// of the accepted ones (`requests.mustache`).
struct RequestsView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var instrumentID: Int
        var instrument: String
        var mode: String
        var instrumentLink: String
        var acceptAction: String
        var resultAction: String
        var state: String
        /// Absent when the application has none yet.
        var deadline: String?
        var canAccept: Bool
        var canRecord: Bool
        /// Accepted and past its deadline.
        var overdue: Bool
    }
    var items: [Row]

    static func build(by p: Principal, today: CalendarDay, on db: any Database) async throws -> RequestsView {
        guard p.may(.recordVerifications) else { throw RegistryError.forbidden(.notAllowed(.recordVerifications)) }
        var items: [Row] = []
        for r in try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 200, scope: p.scope, on: db).items
        where r.state == "applied" || r.state == "accepted" {
            let inst = try await InstrumentModel.find(r.instrumentID, on: db)
            items.append(Row(
                id: r.id!, instrumentID: r.instrumentID, instrument: "\(inst?.name ?? "") \(inst?.serialNo ?? "")", mode: r.mode,
                instrumentLink: Site.instrument(r.instrumentID), acceptAction: Site.requestStep(r.id!, "accept"),
                resultAction: Site.requestStep(r.id!, "result"), state: r.state, deadline: r.deadline.flatMap { $0.isEmpty ? nil : $0 },
                canAccept: r.state == "applied", canRecord: r.state == "accepted",
                overdue: r.state == "accepted" && (r.deadline.flatMap(CalendarDay.init).map { today > $0 } ?? false)))
        }
        return RequestsView(items: items)
    }
}
