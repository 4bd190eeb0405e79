import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import MultipartKit
import NIOCore

/// Penalties with their evidence and publication, and the serious-dishonesty list's steps, as pages.
extension WebApp {
    func addPenaltyRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.penalties.path) { request, _ in try await page(request) { p in try await penaltiesPage(request, p, error: nil, values: [:]) } }
        router.post(Site.penalties.path) { request, _ in try await page(request) { p in try await recordPenalty(request, p) } }
        router.get(Site.penalty.path) { request, context in
            try await page(request) { p in try await penaltyPage(request, p, id: try context.parameters.require("id", as: Int.self), error: nil) }
        }
        router.get(Site.penaltyFile.path) { request, context in
            try await page(request) { p in
                let f = try await Penalties.attachment(try context.parameters.require("file", as: Int.self), of: try context.parameters.require("id", as: Int.self), by: p, on: db)
                // Stored only as PDF, JPEG or PNG (checked by their first bytes); served as an attachment.
                let name = f.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "evidence"
                return Response(
                    status: .ok,
                    headers: [.contentType: f.contentType, .contentDisposition: "attachment; filename*=UTF-8''\(name)", .init("X-Content-Type-Options")!: "nosniff",
                              .cacheControl: "private, no-store"],
                    body: .init(byteBuffer: .init(bytes: f.bytes)))
            }
        }
        router.post(Site.penaltyAction.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                return try await attempt({ try await penaltyPage(request, p, id: id, error: $0) }) {
                    switch context.parameters.get("action") {
                    case "publish": _ = try await Penalties.publish(id, rules: config.credit, today: today, by: p, on: db)
                    case "withdraw": _ = try await Penalties.withdraw(id, reason: f["reason"], today: today, by: p, on: db)
                    case "apply_repair":
                        _ = try await Penalties.applyForRepair(
                            id, statement: f["statement"], fulfilled: f["fulfilled"] == "yes", remedied: f["remedied"] == "yes", rules: config.credit,
                            today: today, by: p, on: db)
                    case "decide_repair":
                        _ = try await Penalties.decideRepair(
                            id, approve: f["approve"].map { $0 == "yes" }, note: f["note"].flatMap { $0.isEmpty ? nil : $0 }, today: today, by: p, on: db)
                    case "propose":
                        let l = try await Listings.propose(penaltyID: id, reason: f["reason"], today: today, by: p, on: db)
                        return redirect(Site.listing(l.id!) + "?flash=done")
                    default: throw RegistryError.notFound(entity: "page", key: context.parameters.get("action") ?? "")
                    }
                    return redirect(Site.penalty(id) + "?flash=done")
                }
            }
        }
        router.get(Site.listings.path) { request, _ in try await page(request) { p in try await listingsPage(request, p) } }
        router.get(Site.listing.path) { request, context in
            try await page(request) { p in try await listingPage(request, p, id: try context.parameters.require("id", as: Int.self), error: nil) }
        }
        router.post(Site.listingStep.path) { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                return try await attempt({ try await listingPage(request, p, id: id, error: $0) }) {
                    _ = try await Listings.step(
                        id, step: f["step"], text: f["text"], decision: f["decision"], approve: f["approve"].map { $0 == "yes" },
                        fulfilled: f["fulfilled"] == "yes", remedied: f["remedied"] == "yes", rules: config.credit, today: today, by: p, on: db)
                    return redirect(Site.listing(id) + "?flash=done")
                }
            }
        }
    }

    func penaltiesPage(_ request: Request, _ p: Principal, error: String?, values: [String: String]) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let page = try await Penalties.list(
            ownerID: nil, state: request.uri.queryParameters["state"].map(String.init).flatMap { $0.isEmpty ? nil : $0 },
            cursor: request.uri.queryParameters["cursor"].map(String.init), limit: 50, by: p, on: db)
        let names = try await ownerNames(Set(page.items.map(\.ownerID)))
        var model: [String: Any] = [
            "t": t, "error": error, "v": values, "isStaff": p.may(.manageCredit) && p.role != .owner,
            "penalties": page.items.map { m in penaltyRow(m, t, lang).merging(["owner": names[m.ownerID] ?? ""]) { a, _ in a } },
            "kinds": PenaltyKind.allCases.map { ["value": $0.rawValue, "label": PageStrings.penaltyKindLabel($0.rawValue, lang), "selected": values["kind"] == $0.rawValue ? "1" : ""].filter { !$0.value.isEmpty } },
            "summary": values["procedure"] == "summary", "naturalPerson": values["party_kind"] == "natural_person",
            "empty": page.items.isEmpty, "ownerID": values["owner_id"] ?? request.uri.queryParameters["owner"].map(String.init) ?? "",
        ]
        if let c = page.nextCursor { model["next"] = Site.penalties() + "?cursor=\(c)" }
        return render("penalties", model, title: t[.cr_penalties], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// The penalty form posts multipart/form-data: up to five evidence files of at most 5 MB each.
    func recordPenalty(_ request: Request, _ p: Principal) async throws -> Response {
        var fields: [String: String] = [:]
        var files: [Penalties.Attachment] = []
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = PublicSite.boundary(type) else {
            throw RegistryError.invalid("body", "the penalty form must be sent as multipart/form-data")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Penalties.maxAttachments * Penalties.maxAttachmentBytes + (256 << 10)) } catch {
            return try await penaltiesPage(request, p, error: "evidence: the upload is larger than \(Penalties.maxAttachments) × \(Penalties.maxAttachmentBytes >> 20) MB", values: [:])
                .with(status: .badRequest)
        }
        for part in try PublicSite.parts(body, boundary: boundary) {
            guard let name = part.name else { continue }
            if name == "evidence" {
                if part.body.readableBytes > 0 { files.append(.init(filename: Self.filename(part) ?? "evidence", bytes: Array(part.body.readableBytesView))) }
            } else {
                fields[name] = String(buffer: part.body)
            }
        }
        try checkCSRF(fields)
        return try await attempt({ try await penaltiesPage(request, p, error: $0, values: fields) }) {
            var draft = Penalties.Input(
                ownerID: fields["owner_id"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, decisionNo: fields["decision_no"], kind: fields["kind"],
                legalBasis: fields["legal_basis"], facts: fields["facts"], amountYuan: fields["amount_yuan"].flatMap { $0.isEmpty ? nil : $0 },
                heavy: fields["heavy"] == "yes", decidedOn: fields["decided_on"],
                restrictionUntil: fields["restriction_until"].flatMap { $0.isEmpty ? nil : $0 }, procedure: fields["procedure"],
                partyKind: fields["party_kind"], attachments: files)
            draft.specialDomain = fields["special_domain"] == "yes"
            let m = try await Penalties.record(draft, rules: config.credit, today: today, by: p, on: db)
            return redirect(Site.penalty(m.id!) + "?flash=done")
        }
    }

    func penaltyPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let m = try await Penalties.penalty(id, by: p, on: db)
        let owner = try await OwnerModel.find(m.ownerID, on: db)!
        let published = m.state == Penalties.State.published.rawValue ? m.publishedOn.flatMap { CalendarDay($0) } : nil
        let staff = p.may(.manageCredit) && p.role != .owner
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "error": error, "decision": m.decisionNo, "kind": PageStrings.penaltyKindLabel(m.kind, lang), "basis": m.legalBasis, "facts": m.facts,
            "procedure": t.lookup("cr_procedure_" + m.procedure) ?? m.procedure, "party": t.lookup("cr_party_" + m.partyKind) ?? m.partyKind,
            "amount": m.amountYuan.map { "\($0) 元" }, "heavy": m.heavy, "decided": m.decidedOn, "restriction": m.restrictionUntil, "publishBy": m.publishBy,
            "published": m.publishedOn, "until": m.displayUntil, "state": t.lookup("cr_" + m.state) ?? m.state, "withdrawn": m.withdrawnOn.map { "\($0) \(m.withdrawReason ?? "")" },
            "owner": owner.name, "ownerID": "\(owner.id!)", "ownerLink": Site.creditOwner(owner.id!), "credit": owner.creditCode,
            "files": try await Penalties.attachments(of: id, by: p, on: db).map { ["fid": "\($0.id)", "link": Site.penaltyFile(id, "\($0.id)"), "name": $0.filename, "type": $0.type] },
            "canPublish": staff && m.state == Penalties.State.recorded.rawValue && m.kind != PenaltyKind.warning.rawValue
                && m.procedure == PenaltyProcedure.ordinary.rawValue,
            "canWithdraw": staff && (m.state == Penalties.State.recorded.rawValue || m.state == Penalties.State.published.rawValue),
            "canPropose": staff && m.heavy && m.state != Penalties.State.withdrawn.rawValue,
            "specialDomain": m.specialDomain, "repairApplied": m.repairAppliedOn as Any, "repairStatement": m.repairStatement ?? "", "repairedOn": m.repairedOn as Any,
            "repairEligible": published.map { config.credit.publication.repairEligibleOn(publishedOn: $0, specialDomain: m.specialDomain).description } as Any,
            "canApplyRepair": p.role == .owner && m.state == Penalties.State.published.rawValue && m.repairAppliedOn == nil
                && published.map { today >= config.credit.publication.repairEligibleOn(publishedOn: $0, specialDomain: m.specialDomain) } == true,
            "canDecideRepair": staff && m.state == Penalties.State.published.rawValue && m.repairAppliedOn != nil && p.label != m.recordedBy,
            "history": try await historyRows("penalty", id, t),
            "publishAction": Site.penaltyAction(id, "publish"), "withdrawAction": Site.penaltyAction(id, "withdraw"), "proposeAction": Site.penaltyAction(id, "propose"),
            "applyRepairAction": Site.penaltyAction(id, "apply_repair"), "decideRepairAction": Site.penaltyAction(id, "decide_repair"),
        ]
        return render("penalty", model, title: m.decisionNo, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// The file name a browser gave an uploaded part (shown to staff, never used as a path).
    static func filename(_ part: MultipartPart) -> String? {
        guard let d = part.headers.first(name: "Content-Disposition"), let r = d.range(of: "filename=\"") else { return nil }
        let rest = d[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    func historyRows(_ entity: String, _ id: Int, _ t: PageText) async throws -> [[String: String]] {
        try await CreditEventModel.query(on: db).filter(\.$entity == entity).filter(\.$entityID == id).sort(\.$id).all().map {
            ["day": $0.day, "action": t.lookup("cr_" + $0.action) ?? $0.action, "actor": $0.actor, "note": $0.note ?? ""]
        }
    }

    func listingsPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let page = try await Listings.list(
            state: request.uri.queryParameters["state"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }, ownerID: nil,
            cursor: request.uri.queryParameters["cursor"].map(String.init), limit: 50, by: p, on: db)
        let names = try await ownerNames(Set(page.items.map(\.ownerID)))
        var model: [String: Any] = ["t": t, "listings": page.items.map { listingRow($0, t, names: names) }, "empty": page.items.isEmpty]
        if let c = page.nextCursor { model["next"] = Site.listings() + "?cursor=\(c)" }
        return render("listings", model, title: t[.cr_listings], request: request, caller: p)
    }

    /// A listing with the forms of the steps the caller may take now.
    func listingPage(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let m = try await Listings.listing(id, by: p, on: db)
        let owner = try await OwnerModel.find(m.ownerID, on: db)!
        let penalty = try await PenaltyModel.find(m.penaltyID, on: db)!
        let staff = p.may(.manageCredit) && p.role != .owner, party = p.role == .owner
        let state = Listings.State(rawValue: m.state)
        let windowOpen = m.objectionUntil.flatMap { CalendarDay($0) }.map { today <= $0 } ?? false
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "error": error, "owner": owner.name, "ownerID": "\(owner.id!)", "credit": owner.creditCode, "reason": m.reason,
            "penaltyID": "\(penalty.id!)", "penaltyLink": Site.penalty(penalty.id!), "stepAction": Site.listingStep(id), "penalty": penalty.decisionNo, "state": t.lookup("cr_" + m.state) ?? m.state, "stateCode": m.state,
            "proposed": "\(m.proposedOn) · \(m.proposedBy)", "notified": m.notifiedOn, "objectionUntil": m.objectionUntil, "objection": m.objection,
            "decided": m.decidedOn.map { "\($0) · \(m.decidedBy ?? "")" }, "decisionNote": m.decisionNote, "published": m.publishedOn,
            "repairEligible": m.repairEligibleOn, "removal": m.removalOn, "repairApplied": m.repairAppliedOn, "repairStatement": m.repairStatement,
            "ended": m.endedOn.map { "\($0) \(m.endReason ?? "")" },
            "canNotify": staff && state == .proposed,
            "canObject": party && state == .notified && m.objection == nil && windowOpen,
            "canDecide": staff && state == .notified && m.proposedBy != p.label,
            "proposerNote": staff && state == .notified && m.proposedBy == p.label,
            "canPublish": staff && state == .decided && !Listings.needsConsent(m),
            "consentNeeded": Listings.needsConsent(m) ? (m.decidedRegion ?? "") : nil as String?,
            "consented": m.consentOn.map { "\($0) · \(m.consentBy ?? "") \(m.consentNote ?? "")" } as Any,
            "canConsent": staff && Listings.needsConsent(m) && Listings.isUpperLevel(p, over: m.decidedRegion),
            "canApplyRepair": party && state == .listed && m.repairAppliedOn == nil,
            "canDecideRepair": staff && state == .listed && m.repairAppliedOn != nil,
            "history": try await historyRows("listing", id, t),
        ]
        return render("listing", model, title: "\(t[.cr_listings]) #\(id)", request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}
