import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// The staff side of the public service (issue #20's pattern): the bureau's complaint queue
/// (assign, reply, close, the citizen's photo), the institution's free checks (open sessions,
/// record results) and the administrator's campaigns. Typed views in `PublicServiceViews`.
struct PublicServiceController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.complaints.path) { request, context in
            let q = request.uri.queryParameters
            let state = q["state"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let lang = app.language(request)
            let view = try await ComplaintsView.build(
                by: context.principal, lang: lang, today: app.today, state: state, cursor: q["cursor"].map(String.init), on: db)
            return app.render("complaints", view: view, title: PageStrings.strings(lang)[.complaints], request: request, caller: context.principal)
        }
        router.get(Site.complaint.path) { request, context in
            try await complaint(request, context.principal, id: try context.parameters.require("id", as: Int.self), error: nil)
        }
        router.get(Site.complaintPhoto.path) { _, context in
            let photo = try await Complaints.photo(of: try context.parameters.require("id", as: Int.self), by: context.principal, on: db)
            // Only JPEG and PNG are ever stored (checked by their first bytes); never sniffed as anything else.
            return Response(
                status: .ok, headers: [.contentType: photo.contentType, .init("X-Content-Type-Options")!: "nosniff", .cacheControl: "private, no-store"],
                body: .init(byteBuffer: .init(bytes: photo.bytes)))
        }
        router.post(Site.complaintAction.path) { request, context in
            let p = context.principal
            let id = try context.parameters.require("id", as: Int.self)
            let f = try await app.form(ComplaintActionForm.self, request)
            return try await app.attempt(request, { try await complaint(request, p, id: id, error: $0) }) {
                switch context.parameters.get("action") {
                case "assign": _ = try await Complaints.assign(id, to: f.assignee, by: p, on: db)
                case "reply": _ = try await Complaints.reply(id, text: f.reply, by: p, on: db)
                case "close": _ = try await Complaints.close(id, outcome: f.outcome, today: app.today, by: p, on: db)
                default: throw RegistryError.notFound(.page, key: context.parameters.get("action") ?? "")
                }
                return app.redirect(Site.complaint(id) + "?flash=done")
            }
        }
        router.get(Site.campaigns.path) { request, context in try await campaigns(request, context.principal, error: nil, form: nil) }
        router.post(Site.campaigns.path) { request, context in
            let p = context.principal
            let f = try await app.form(CampaignForm.self, request)
            do {
                _ = try await Campaigns.create(
                    slug: f.slug, event: f.event, title: f.title, titleEn: f.title_en, body: f.body, bodyEn: f.body_en,
                    startsOn: f.starts_on, endsOn: f.ends_on, by: p, on: db)
            } catch let e as ValidationFailure {
                return try await campaigns(request, p, error: RefusalText.words(e, app.language(request)), form: f)
            } catch let e as RegistryError {
                if case .forbidden = e { throw e }
                return try await campaigns(request, p, error: RefusalText.words(e, app.language(request)), form: f)
            }
            return app.redirect(Site.campaigns() + "?flash=done")
        }
        router.get(Site.checks.path) { request, context in try await checks(request, context.principal, error: nil) }
        router.post(Site.checkSlots.path) { request, context in
            let p = context.principal
            let f = try await app.form(CheckSlotForm.self, request)
            do {
                _ = try await FreeChecks.openSlot(
                    institutionID: f.institution_id.flatMap { Int($0) }, day: f.day, time: f.time, place: f.place, items: f.items,
                    capacity: f.capacity, today: app.today, by: p, on: db)
            } catch let e as ValidationFailure {
                return try await checks(request, p, error: RefusalText.words(e, app.language(request)))
            } catch let e as RegistryError {
                if case .invalid = e { return try await checks(request, p, error: RefusalText.words(e, app.language(request))) }
                throw e
            }
            return app.redirect(Site.checks() + "?flash=done")
        }
        router.post(Site.checkResult.path) { request, context in
            let p = context.principal
            let f = try await app.form(CheckResultForm.self, request)
            do {
                _ = try await FreeChecks.record(
                    try context.parameters.require("id", as: Int.self), result: f.result, note: f.result_note, today: app.today, by: p, on: db)
            } catch let e as ValidationFailure {
                return try await checks(request, p, error: RefusalText.words(e, app.language(request)))
            }
            return app.redirect(Site.checks() + "?flash=done")
        }
    }

    func complaint(_ request: Request, _ p: Principal, id: Int, error: String?) async throws -> Response {
        let lang = app.language(request)
        let view = try await ComplaintView.build(id, by: p, lang: lang, today: app.today, error: error, on: db)
        return app.render(
            "complaint", view: view, title: "\(PageStrings.strings(lang)[.complaints]) #\(id)", request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }

    func campaigns(_ request: Request, _ p: Principal, error: String?, form: CampaignForm?) async throws -> Response {
        let view = try await CampaignsAdminView.build(by: p, error: error, form: form, on: db)
        return app.render(
            "campaigns-admin", view: view, title: PageStrings.strings(app.language(request))[.campaignsAdmin], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }

    func checks(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let lang = app.language(request)
        let view = try await ChecksView.build(by: p, lang: lang, today: app.today, error: error, on: db)
        return app.render(
            "checks", view: view, title: PageStrings.strings(lang)[.freeChecks], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}

/// A step on a complaint: the field its action reads (assign: `assignee`, reply: `reply`, close: `outcome`).
struct ComplaintActionForm: Decodable, Sendable {
    var assignee: String?
    var reply: String?
    var outcome: String?
}

/// The form that publishes a campaign (field names as posted).
struct CampaignForm: Decodable, Sendable {
    var slug: String?
    var event: String?
    var title: String?
    var title_en: String?
    var body: String?
    var body_en: String?
    var starts_on: String?
    var ends_on: String?

    /// The posted fields by name, shown again with the error.
    var values: [String: String] {
        let fields: [(String, String?)] = [
            ("slug", slug), ("event", event), ("title", title), ("title_en", title_en), ("body", body), ("body_en", body_en),
            ("starts_on", starts_on), ("ends_on", ends_on),
        ]
        return Dictionary(uniqueKeysWithValues: fields.compactMap { name, value in value.map { (name, $0) } })
    }
}

/// The form that opens a free-check session (the institution is chosen by the administrator only).
struct CheckSlotForm: Decodable, Sendable {
    var institution_id: String?
    var day: String?
    var time: String?
    var place: String?
    var items: String?
    var capacity: String?
}

/// A free check's result.
struct CheckResultForm: Decodable, Sendable {
    var result: String?
    var result_note: String?
}
