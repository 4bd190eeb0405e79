import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

/// Administration: accounts (administrators manage all; a bureau invites owner accounts), API
/// tokens, the audit log, the working-day calendar, and the reference data a new installation
/// must check (issue #19, item 7).
struct AdminController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        // Accounts
        router.get(Site.users.path) { request, context in try await users(request, context.principal, error: nil) }
        router.post(Site.users.path) { request, context in
            let p = context.principal
            let f = try await app.form(NewUserForm.self, request)
            return try await app.attempt(request, alsoNotFound: true, { try await users(request, p, error: $0) }) {
                _ = try await Accounts.createUser(
                    .init(login: f.login, displayName: f.display_name, password: f.password, role: f.role,
                          regionCode: f.region_code.flatMap { $0.isEmpty ? nil : $0 }, institutionID: f.institution_id.flatMap { Int($0) },
                          ownerID: f.owner_id.flatMap { Int($0) }),
                    by: p, on: db)
                return app.redirect(Site.users() + "?flash=done")
            }
        }
        router.post(Site.userPassword.path) { request, context in
            let f = try await app.form(PasswordForm.self, request)
            try await Accounts.resetPassword(userID: try context.parameters.require("id", as: Int.self), to: f.password, by: context.principal, on: db)
            return app.redirect(Site.users() + "?flash=done")
        }
        router.post(Site.userToggle.path) { _, context in
            let toggle = context.parameters.get("toggle")
            guard toggle == "disable" || toggle == "enable" else { throw RegistryError.notFound(.page, key: toggle ?? "") }
            _ = try await Accounts.setDisabled(
                userID: try context.parameters.require("id", as: Int.self), toggle == "disable", by: context.principal, on: db)
            return app.redirect(Site.users() + "?flash=done")
        }

        // API tokens
        router.get(Site.tokens.path) { request, context in try await tokens(request, context.principal, newToken: nil, error: nil) }
        router.post(Site.tokens.path) { request, context in
            let p = context.principal
            // Checkboxes repeat the same name: read every "permission" value.
            let fields = try await app.formFields(request)
            let f = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            let permissions = fields.filter { $0.0 == "permission" }.map(\.1)
            return try await app.attempt(request, alsoNotFound: true, { try await tokens(request, p, newToken: nil, error: $0) }) {
                let made = try await Accounts.createToken(
                    .init(name: f["name"], role: f["role"], regionCode: f["region_code"].flatMap { $0.isEmpty ? nil : $0 },
                          institutionID: f["institution_id"].flatMap { Int($0) }, ownerID: f["owner_id"].flatMap { Int($0) },
                          permissions: permissions),
                    by: p, on: db)
                return try await tokens(request, p, newToken: made.token, error: nil)
            }
        }
        router.post(Site.tokenRevoke.path) { _, context in
            try await Accounts.revokeToken(try context.parameters.require("id", as: Int.self), by: context.principal, on: db)
            return app.redirect(Site.tokens() + "?flash=done")
        }

        // The audit log
        router.get(Site.audit.path) { request, context in
            let q = request.uri.queryParameters
            let view = try await AuditView.build(
                actor: q["actor"].map(String.init), entity: q["entity"].map(String.init), entityID: q["entity_id"].map(String.init),
                since: q["since"].map(String.init), cursor: q["cursor"].map(String.init), by: context.principal, on: db)
            return app.render(
                "audit", view: view, title: PageStrings.strings(app.language(request))[.auditLog], request: request, caller: context.principal)
        }

        // The working-day calendar
        router.get(Site.calendar.path) { request, context in
            let lang = app.language(request)
            let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) } ?? app.today.year
            let view = try await CalendarView.build(year: year, by: context.principal, lang: lang, today: app.today, on: db)
            return app.render("calendar", view: view, title: PageStrings.strings(lang)[.calendar], request: request, caller: context.principal)
        }
        router.post(Site.calendar.path) { request, context in
            let f = try await app.form(CalendarDayForm.self, request)
            _ = try await VerificationRequests.setCalendarDay(f.date ?? "", kind: f.kind, name: f.name, by: context.principal, on: db)
            return app.redirect(Site.calendar() + "?flash=done")
        }
        router.post(Site.calendarDelete.path) { _, context in
            try await VerificationRequests.removeCalendarDay(context.parameters.get("date") ?? "", by: context.principal, on: db)
            return app.redirect(Site.calendar() + "?flash=done")
        }

        // The reference data to check on day one
        router.get(Site.reference.path) { request, context in
            let lang = app.language(request)
            let view = try await ReferenceView.build(by: context.principal, lang: lang, today: app.today, config: app.config, on: db)
            return app.render("reference", view: view, title: PageStrings.strings(lang)[.reference], request: request, caller: context.principal)
        }
    }

    func users(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let lang = app.language(request)
        let view = try await UsersView.build(by: p, lang: lang, error: error, on: db)
        return app.render(
            "users", view: view, title: PageStrings.strings(lang)[.users], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func tokens(_ request: Request, _ p: Principal, newToken: String?, error: String?) async throws -> Response {
        let view = try await TokensView.build(by: p, newToken: newToken, error: error, on: db)
        return app.render(
            "tokens", view: view, title: PageStrings.strings(app.language(request))[.tokens], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }
}

extension AdminController {
    /// A new account (field names as posted).
    struct NewUserForm: Decodable, Sendable {
        var login: String?
        var display_name: String?
        var password: String?
        var role: String?
        var region_code: String?
        var institution_id: String?
        var owner_id: String?
    }

    /// A password reset.
    struct PasswordForm: Decodable, Sendable {
        var password: String?
    }

    /// A holiday or a working weekend of the calendar.
    struct CalendarDayForm: Decodable, Sendable {
        var date: String?
        var kind: String?
        var name: String?
    }
}
