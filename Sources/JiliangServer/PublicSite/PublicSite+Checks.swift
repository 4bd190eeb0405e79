import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

extension PublicSite {
    func checksPage(_ request: Request, error: String?, status: HTTPResponse.Status, values: [String: String] = [:]) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let slots = try await FreeChecks.openSlots(from: today, on: db).map { (s, i) -> [String: String] in
            ["id": "\(s.id!)", "day": s.day, "time": s.time, "place": s.place, "items": s.items, "institution": i.name, "left": "\(s.capacity - s.booked)",
             "selected": values["slot_id"] == "\(s.id!)" ? "1" : ""].filter { !$0.value.isEmpty }
        }
        let institutions = try await InstitutionModel.query(on: db).sort(\.$name).all().map {
            ["id": "\($0.id!)", "name": $0.name, "selected": values["institution_id"] == "\($0.id!)" ? "1" : ""].filter { !$0.value.isEmpty }
        }
        let meters = FreeChecks.Meter.allCases.map {
            ["value": $0.rawValue, "label": (t.lookup($0.rawValue) ?? $0.rawValue), "selected": values["meter"] == $0.rawValue ? "1" : ""].filter { !$0.value.isEmpty }
        }
        var model: [String: Any] = ["t": t, "slots": slots, "noSlots": slots.isEmpty, "institutions": institutions, "meters": meters, "v": values]
        if let error { model["error"] = error }
        return render("public-checks", model, title: t[.checksTitle], request: request, status: status)
    }

    func booked(_ request: Request, _ m: FreeCheckModel) -> Response {
        let t = PublicStrings.strings(language(request))
        let code = TrackingCode(typed: m.code)!
        return render(
            "public-filed", ["t": t, "heading": t[.booked], "label": t[.bookingCode], "code": code.grouped, "keep": t[.keepBooking], "link": "/p/checks/\(code.value)"],
            title: t[.booked], request: request, status: .created)
    }

    func bookCheck(_ request: Request) async throws -> Response {
        let f = try await urlencoded(request)
        do {
            let m = try await FreeChecks.book(
                slotID: f["slot_id"].flatMap { Int($0) }, item: f["item"], contactName: f["contact_name"], contactPhone: f["contact_phone"], today: today, on: db)
            return booked(request, m)
        } catch let e as ValidationFailure {
            return try await checksPage(request, error: e.description, status: .badRequest, values: f)
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await checksPage(request, error: e.description, status: e.isConflict ? .conflict : .badRequest, values: f)
        }
    }

    func requestMeterCheck(_ request: Request) async throws -> Response {
        let f = try await urlencoded(request)
        do {
            let m = try await FreeChecks.requestMeterCheck(
                meter: f["meter"], utilityCreditCode: f["utility_credit_code"], meterNo: f["meter_no"], address: f["address"],
                institutionID: f["institution_id"].flatMap { Int($0) }, contactName: f["contact_name"], contactPhone: f["contact_phone"], today: today, on: db)
            return booked(request, m)
        } catch let e as ValidationFailure {
            return try await checksPage(request, error: e.description, status: .badRequest, values: f)
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await checksPage(request, error: e.description, status: .badRequest, values: f)
        }
    }

    func trackCheck(_ request: Request) async throws -> Response {
        let raw = request.uri.queryParameters["code"].map(String.init) ?? ""
        guard let code = TrackingCode(typed: raw) else { return miss(try await checkNotFound(request)) }
        return redirect("/p/checks/\(code.value)")
    }

    func checkNotFound(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        return render("public-message", ["t": t, "heading": t[.notFound], "message": t[.notFoundBooking]], title: t[.checkTitle], request: request, status: .notFound)
    }

    func checkPage(_ request: Request, code: String) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let m: FreeCheckModel, slot: CheckSlotModel?, institution: InstitutionModel?
        do { (m, slot, institution) = try await FreeChecks.track(code, on: db) } catch let e as RegistryError {
            guard case .notFound = e else { throw e }
            return miss(try await checkNotFound(request))
        }
        let stateKey = ["booked": "stateBooked", "done": "stateDone", "cancelled": "stateCancelled"][m.state] ?? "stateBooked"
        var model: [String: Any] = [
            "t": t, "code": TrackingCode(typed: m.code)?.grouped ?? m.code, "state": (t.lookup(stateKey) ?? stateKey), "stateCode": m.state,
            "item": m.kind == FreeChecks.Kind.meter.rawValue ? (t.lookup(m.item) ?? m.item) : m.item, "institution": institution?.name ?? "",
        ]
        if let slot { model["session"] = "\(slot.day) \(slot.time) · \(slot.place)" }
        if let r = m.result {
            model["result"] = r == "pass" ? t[.resultPass] : t[.resultFail]
            model["tone"] = r == "pass" ? "ok" : "bad"
        }
        if let n = m.resultNote { model["note"] = n }
        if let d = m.doneOn { model["doneOn"] = d }
        return render("public-check", model, title: t[.checkTitle], request: request)
    }
}

extension RegistryError {
    var isConflict: Bool { if case .conflict = self { true } else { false } }
}
