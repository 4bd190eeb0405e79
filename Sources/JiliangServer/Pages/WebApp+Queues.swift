import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

extension WebApp {
    func filingQueue(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.reviewFilings) else { throw RegistryError.forbidden("reviewing filings") }
        let t = PageStrings.strings(language(request))
        var items: [[String: String]] = []
        for f in try await Filings.list(state: .submitted, instrumentID: nil, cursor: nil, limit: 200, scope: p.scope, on: db).items {
            let inst = try await Registry.instrument(f.instrumentID, scope: p.scope, on: db)
            items.append(["id": "\(f.id!)", "instrumentID": "\(f.instrumentID)", "instrument": "\(inst.name) \(inst.serialNo)",
                          "instrumentLink": Site.instrument(f.instrumentID), "approveAction": Site.filingDecision(f.id!, "approve"),
                          "returnAction": Site.filingDecision(f.id!, "return"),
                          "submittedAt": CalendarDay(instant: f.submittedAt).description, "submittedBy": f.submittedBy])
        }
        return render("filings", ["t": t, "items": items], title: t[.filings], request: request, caller: p)
    }

    func requestQueue(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.recordVerifications) else { throw RegistryError.forbidden("handling verification applications") }
        let t = PageStrings.strings(language(request))
        var items: [[String: String]] = []
        for r in try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 200, scope: p.scope, on: db).items
        where r.state == "applied" || r.state == "accepted" {
            let inst = try await InstrumentModel.find(r.instrumentID, on: db)
            items.append([
                "id": "\(r.id!)", "instrumentID": "\(r.instrumentID)", "instrument": "\(inst?.name ?? "") \(inst?.serialNo ?? "")", "mode": r.mode,
                "instrumentLink": Site.instrument(r.instrumentID), "acceptAction": Site.requestStep(r.id!, "accept"), "resultAction": Site.requestStep(r.id!, "result"),
                "state": r.state, "deadline": r.deadline ?? "", "canAccept": r.state == "applied" ? "1" : "", "canRecord": r.state == "accepted" ? "1" : "",
                "overdue": r.state == "accepted" && (r.deadline.flatMap(CalendarDay.init).map { today > $0 } ?? false) ? "1" : "",
            ].filter { !$0.value.isEmpty })
        }
        return render("requests", ["t": t, "items": items], title: t[.requests], request: request, caller: p)
    }
}
