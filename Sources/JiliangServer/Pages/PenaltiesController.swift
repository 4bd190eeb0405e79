import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import MultipartKit
import NIOCore

/// Penalties with their evidence and publication, and the serious-dishonesty list's steps, as
/// pages (mounted by `CreditController`; typed views in `PenaltyViews`).
struct PenaltiesController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.penalties.path) { request, context in try await list(request, context.principal, error: nil, values: [:]) }
        router.post(Site.penalties.path) { request, context in try await record(request, context.principal) }
        router.get(Site.penalty.path) { request, context in
            try await penalty(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        router.get(Site.penaltyFile.path) { _, context in
            let f = try await Penalties.attachment(
                try context.parameters.require("file", as: Int.self), of: try context.parameters.require("id", as: Int.self), by: context.principal, on: db)
            // Stored only as PDF, JPEG or PNG (checked by their first bytes); served as an attachment.
            let name = f.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "evidence"
            return Response(
                status: .ok,
                headers: [.contentType: f.contentType, .contentDisposition: "attachment; filename*=UTF-8''\(name)", .init("X-Content-Type-Options")!: "nosniff",
                          .cacheControl: "private, no-store"],
                body: .init(byteBuffer: .init(bytes: f.bytes)))
        }
        router.post(Site.penaltyAction.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            let action = context.parameters.get("action")
            let f = try await app.form(PenaltyActionForm.self, request)
            let rules = app.config.credit, today = app.today
            return try await app.attempt(request, { try await penalty(request, p, id: id, error: $0) }) {
                switch action {
                case "publish": _ = try await Penalties.publish(id, rules: rules, today: today, by: p, on: db)
                case "withdraw": _ = try await Penalties.withdraw(id, reason: f.reason, today: today, by: p, on: db)
                case "apply_repair":
                    _ = try await Penalties.applyForRepair(
                        id, statement: f.statement, fulfilled: f.fulfilled == "yes", remedied: f.remedied == "yes", rules: rules,
                        today: today, by: p, on: db)
                case "decide_repair":
                    _ = try await Penalties.decideRepair(
                        id, approve: f.approve.map { $0 == "yes" }, note: f.note.flatMap { $0.isEmpty ? nil : $0 }, today: today, by: p, on: db)
                case "propose":
                    let l = try await Listings.propose(penaltyID: id, reason: f.reason, today: today, by: p, on: db)
                    return app.redirect(Site.listing(l.id!) + "?flash=done")
                default: throw RegistryError.notFound(.page, key: action ?? "")
                }
                return app.redirect(Site.penalty(id) + "?flash=done")
            }
        }
        router.get(Site.listings.path) { request, context in
            let lang = app.language(request)
            let view = try await ListingsView.build(
                by: context.principal, lang: lang, state: request.uri.queryParameters["state"].map(String.init),
                cursor: request.uri.queryParameters["cursor"].map(String.init), on: db)
            return app.render("listings", view: view, title: PageStrings.strings(lang)[.cr_listings], request: request, caller: context.principal)
        }
        router.get(Site.listing.path) { request, context in
            try await listing(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        router.post(Site.listingStep.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            let f = try await app.form(ListingStepForm.self, request)
            return try await app.attempt(request, { try await listing(request, p, id: id, error: $0) }) {
                _ = try await Listings.step(
                    id, step: f.step, text: f.text, decision: f.decision, approve: f.approve.map { $0 == "yes" },
                    fulfilled: f.fulfilled == "yes", remedied: f.remedied == "yes", rules: app.config.credit, today: app.today, by: p, on: db)
                return app.redirect(Site.listing(id) + "?flash=done")
            }
        }
    }

    func list(_ request: Request, _ p: Principal, error: String?, values: [String: String]) async throws -> Response {
        let lang = app.language(request)
        let view = try await PenaltiesView.build(
            by: p, lang: lang, state: request.uri.queryParameters["state"].map(String.init), cursor: request.uri.queryParameters["cursor"].map(String.init),
            owner: request.uri.queryParameters["owner"].map(String.init), error: error, values: values, on: db)
        return app.render(
            "penalties", view: view, title: PageStrings.strings(lang)[.cr_penalties], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    /// The penalty form posts multipart/form-data: up to five evidence files of at most 5 MB each.
    /// `FormCSRFMiddleware` lets it through to this reader, which checks the token among the fields.
    func record(_ request: Request, _ p: Principal) async throws -> Response {
        var fields: [String: String] = [:]
        var files: [Penalties.Attachment] = []
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = PublicSite.boundary(type) else {
            throw RegistryError.invalid("body", .request(.sendAsMultipart))
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Penalties.maxAttachments * Penalties.maxAttachmentBytes + (256 << 10)) } catch {
            return try await list(request, p, error: "evidence: the upload is larger than \(Penalties.maxAttachments) × \(Penalties.maxAttachmentBytes >> 20) MB", values: [:])
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
        try app.checkCSRF(fields)
        let values = fields, attachments = files
        return try await app.attempt(request, { try await list(request, p, error: $0, values: values) }) {
            var draft = Penalties.Input(
                ownerID: values["owner_id"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, decisionNo: values["decision_no"], kind: values["kind"],
                legalBasis: values["legal_basis"], facts: values["facts"], amountYuan: values["amount_yuan"].flatMap { $0.isEmpty ? nil : $0 },
                heavy: values["heavy"] == "yes", decidedOn: values["decided_on"],
                restrictionUntil: values["restriction_until"].flatMap { $0.isEmpty ? nil : $0 }, procedure: values["procedure"],
                partyKind: values["party_kind"], attachments: attachments)
            draft.specialDomain = values["special_domain"] == "yes"
            let m = try await Penalties.record(draft, rules: app.config.credit, today: app.today, by: p, on: db)
            return app.redirect(Site.penalty(m.id!) + "?flash=done")
        }
    }

    func penalty(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let view = try await PenaltyView.build(
            id, by: p, lang: app.language(request), rules: app.config.credit, today: app.today, error: error, on: db)
        return app.render("penalty", view: view, title: view.decision, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func listing(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let view = try await ListingView.build(id, by: p, lang: app.language(request), today: app.today, error: error, on: db)
        return app.render(
            "listing", view: view, title: "\(PageStrings.strings(app.language(request))[.cr_listings]) #\(id)", request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }

    /// The file name a browser gave an uploaded part (shown to staff, never used as a path).
    static func filename(_ part: MultipartPart) -> String? {
        guard let d = part.headers.first(name: "Content-Disposition"), let r = d.range(of: "filename=\"") else { return nil }
        let rest = d[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// A step on a penalty (its action is in the path): the fields its forms post.
struct PenaltyActionForm: Decodable, Sendable {
    var reason: String?
    var statement: String?
    var fulfilled: String?
    var remedied: String?
    var approve: String?
    var note: String?
}

/// A due-process step on a listing: its name and the fields its forms post.
struct ListingStepForm: Decodable, Sendable {
    var step: String?
    var text: String?
    var decision: String?
    var approve: String?
    var fulfilled: String?
    var remedied: String?
}
