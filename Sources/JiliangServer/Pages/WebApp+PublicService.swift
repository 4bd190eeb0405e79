import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The staff side of the public service: the bureau's complaint queue (assign, reply, close) and
/// the institution's free checks (open sessions, record results).
extension WebApp {
    func addPublicServiceRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.labels.path) { request, _ in try await page(request) { p in try await labelsPage(request, p) } }
        router.get(Site.labelsPDF.path) { request, _ in try await page(request) { p in try await labelsPDF(request, p) } }
        router.get(Site.complaints.path) { request, _ in try await page(request) { p in try await complaintQueue(request, p) } }
        router.get(Site.complaint.path) { request, context in
            try await page(request) { p in try await complaintPage(request, p, id: try context.parameters.require("id", as: Int.self), error: nil) }
        }
        router.get(Site.complaintPhoto.path) { request, context in
            try await page(request) { p in
                let photo = try await Complaints.photo(of: try context.parameters.require("id", as: Int.self), by: p, on: db)
                // Only JPEG and PNG are ever stored (checked by their first bytes); never sniffed as anything else.
                return Response(status: .ok, headers: [.contentType: photo.contentType, .init("X-Content-Type-Options")!: "nosniff", .cacheControl: "private, no-store"],
                                body: .init(byteBuffer: .init(bytes: photo.bytes)))
            }
        }
        router.post(Site.complaintAction.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                do {
                    switch context.parameters.get("action") {
                    case "assign": _ = try await Complaints.assign(id, to: f["assignee"], by: p, on: db)
                    case "reply": _ = try await Complaints.reply(id, text: f["reply"], by: p, on: db)
                    case "close": _ = try await Complaints.close(id, outcome: f["outcome"], today: today, by: p, on: db)
                    default: throw RegistryError.notFound(entity: "page", key: context.parameters.get("action") ?? "")
                    }
                } catch let e as ValidationFailure {
                    return try await complaintPage(request, p, id: id, error: e.description)
                } catch let e as RegistryError {
                    switch e {
                    case .invalid, .conflict: return try await complaintPage(request, p, id: id, error: e.description)
                    default: throw e
                    }
                }
                return redirect(Site.complaint(id) + "?flash=done")
            }
        }
        router.get(Site.campaigns.path) { request, _ in try await page(request) { p in try await campaignsAdmin(request, p, error: nil, values: [:]) } }
        router.post(Site.campaigns.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                do {
                    _ = try await Campaigns.create(
                        slug: f["slug"], event: f["event"], title: f["title"], titleEn: f["title_en"], body: f["body"], bodyEn: f["body_en"],
                        startsOn: f["starts_on"], endsOn: f["ends_on"], by: p, on: db)
                } catch let e as ValidationFailure {
                    return try await campaignsAdmin(request, p, error: e.description, values: f)
                } catch let e as RegistryError {
                    if case .forbidden = e { throw e }
                    return try await campaignsAdmin(request, p, error: e.description, values: f)
                }
                return redirect(Site.campaigns() + "?flash=done")
            }
        }
        router.get(Site.checks.path) { request, _ in try await page(request) { p in try await checksPage(request, p, error: nil) } }
        router.post(Site.checkSlots.path) { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                do {
                    _ = try await FreeChecks.openSlot(
                        institutionID: f["institution_id"].flatMap { Int($0) }, day: f["day"], time: f["time"], place: f["place"], items: f["items"],
                        capacity: f["capacity"], today: today, by: p, on: db)
                } catch let e as ValidationFailure {
                    return try await checksPage(request, p, error: e.description)
                } catch let e as RegistryError {
                    if case .invalid = e { return try await checksPage(request, p, error: e.description) }
                    throw e
                }
                return redirect(Site.checks() + "?flash=done")
            }
        }
        router.post(Site.checkResult.path) { request, context in
            try await page(request) { p in
                let f = try await form(request)
                do {
                    _ = try await FreeChecks.record(try context.parameters.require("id", as: Int.self), result: f["result"], note: f["result_note"], today: today, by: p, on: db)
                } catch let e as ValidationFailure {
                    return try await checksPage(request, p, error: e.description)
                }
                return redirect(Site.checks() + "?flash=done")
            }
        }
    }

    func complaintQueue(_ request: Request, _ p: Principal) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let state = request.uri.queryParameters["state"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let page = try await Complaints.list(state: state, overdueOn: nil, cursor: request.uri.queryParameters["cursor"].map(String.init), limit: 50, by: p, on: db)
        let owners = try await ownerNames(Set(page.items.map(\.ownerID)))
        let rows = page.items.map { c -> [String: String] in
            var row = ["id": "\(c.id!)", "link": Site.complaint(c.id!), "received": c.receivedOn, "deadline": c.deadline, "state": t.lookup(c.state) ?? c.state, "owner": owners[c.ownerID] ?? "",
                       "text": String(c.text.prefix(60)), "assignee": c.assignedTo ?? "—"]
            if c.state != Complaints.State.closed.rawValue, let d = CalendarDay(c.deadline), d < today { row["overdue"] = "1" }
            return row
        }
        let states = Complaints.State.allCases.map { ["value": $0.rawValue, "label": (t.lookup($0.rawValue) ?? $0.rawValue), "selected": $0.rawValue == state ? "1" : ""].filter { !$0.value.isEmpty } }
        var model: [String: Any] = ["t": t, "complaints": rows, "states": states, "empty": rows.isEmpty]
        if let c = page.nextCursor { model["next"] = Site.complaints() + "?cursor=\(c)&state=\(state ?? "")" }
        return render("complaints", model, title: t[.complaints], request: request, caller: p)
    }

    func complaintPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let (c, events, hasPhoto) = try await Complaints.complaint(id, by: p, on: db)
        let owner = try await OwnerModel.find(c.ownerID, on: db)
        var model: [String: Any] = [
            "t": t, "id": "\(id)", "state": t.lookup(c.state) ?? c.state, "received": c.receivedOn, "deadline": c.deadline, "category": c.category,
            "text": c.text, "owner": owner?.name ?? "", "ownerID": "\(c.ownerID)", "open": c.state != Complaints.State.closed.rawValue,
            "ownerLink": Site.owner(c.ownerID), "assignAction": Site.complaintAction(id, "assign"), "replyAction": Site.complaintAction(id, "reply"),
            "closeAction": Site.complaintAction(id, "close"),
            "canClose": c.state == Complaints.State.replied.rawValue,
            "events": events.map { ["at": CalendarDay(instant: $0.at).description, "action": t.lookup($0.action) ?? $0.action, "actor": $0.actor, "note": $0.note ?? ""] },
        ]
        if let i = c.instrumentID {
            model["instrumentID"] = "\(i)"
            model["instrumentLink"] = Site.instrument(i)
        }
        if let contact = c.citizenContact { model["contact"] = contact }
        if let a = c.assignedTo { model["assignee"] = a }
        if let r = c.reply { model["reply"] = r }
        if let o = c.outcome { model["outcome"] = t.lookup(o) ?? o }
        if hasPhoto { model["photo"] = Site.complaintPhoto(id) }
        if c.state != Complaints.State.closed.rawValue, let d = CalendarDay(c.deadline), d < today { model["overdue"] = true }
        if let error { model["error"] = error }
        return render("complaint", model, title: "\(t[.complaints]) #\(id)", request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func campaignsAdmin(_ request: Request, _ p: Principal, error: String?, values: [String: String]) async throws -> Response {
        guard p.may(.manageCampaigns) else { throw RegistryError.forbidden("publishing campaigns") }
        let t = PageStrings.strings(language(request))
        var rows: [[String: String]] = []
        for c in try await CampaignModel.query(on: db).sort(\.$startsOn, .descending).all() {
            let (attempts, mean) = try await Campaigns.participation(campaignID: c.id!, on: db)
            var row = ["slug": c.slug, "title": c.title, "event": c.event, "dates": "\(c.startsOn) – \(c.endsOn)", "attempts": "\(attempts)"]
            if let mean { row["mean"] = String(format: "%.1f", mean) }
            rows.append(row)
        }
        var model: [String: Any] = ["t": t, "campaigns": rows, "events": Campaigns.Event.allCases.map { ["value": $0.rawValue] }, "v": values]
        if let error { model["error"] = error }
        return render("campaigns-admin", model, title: t[.campaignsAdmin], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func checksPage(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let slots = try await FreeChecks.slots(by: p, from: today, on: db).map {
            ["day": $0.day, "time": $0.time, "place": $0.place, "items": $0.items, "capacity": "\($0.capacity)", "booked": "\($0.booked)"]
        }
        let checks = try await FreeChecks.list(state: nil, by: p, on: db).map { c -> [String: String] in
            var row = ["id": "\(c.id!)", "resultAction": Site.checkResult(c.id!), "kind": c.kind, "item": c.item, "state": c.state, "created": c.createdOn,
                       "contact": [c.contactName, c.contactPhone, c.meterNo, c.address].compactMap { $0 }.joined(separator: " · ")]
            if c.state == FreeChecks.State.booked.rawValue { row["open"] = "1" }
            if let r = c.result { row["result"] = t.lookup(r) ?? r }
            return row
        }
        var model: [String: Any] = [
            "t": t, "slots": slots, "checks": checks, "noChecks": checks.isEmpty, "isAdmin": p.role == .provinceAdmin,
        ]
        if p.role == .provinceAdmin { model["institutions"] = try await InstitutionModel.query(on: db).sort(\.$name).all().map { ["id": "\($0.id!)", "name": $0.name] } }
        if let error { model["error"] = error }
        return render("checks", model, title: t[.freeChecks], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}
