import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

extension WebApp {
    // MARK: Administration

    /// Accounts: administrators see and manage all; bureau staff see and invite the owner accounts
    /// of owners in their region.
    func usersPage(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        guard p.may(.manageAccounts) || p.may(.manageOwners) else { throw RegistryError.forbidden("managing accounts") }
        let t = PageStrings.strings(language(request))
        var users = try await Accounts.users(on: db)
        if !p.may(.manageAccounts) {
            let visible = Set(try await Registry.owners(.init(), cursor: nil, limit: 500, scope: p.scope, on: db).items.compactMap(\.id))
            users = users.filter { $0.role == Role.owner.rawValue && $0.ownerID.map(visible.contains) == true }
        }
        let items = users.map { u -> [String: String] in
            [
                "id": "\(u.id!)", "login": u.login, "name": u.displayName, "role": Role(rawValue: u.role)?.chineseName ?? u.role,
                "attached": u.regionCode ?? u.institutionID.map { "institution \($0)" } ?? u.ownerID.map { "owner \($0)" } ?? "",
                "locked": (u.lockedUntil ?? .distantPast) > Date() ? "1" : "", "canReset": p.may(.manageAccounts) ? "1" : "",
                "disabled": u.disabled ? "1" : "", "toggle": u.disabled ? "enable" : "disable", "toggleLabel": u.disabled ? t[.enable] : t[.disable],
                "passwordAction": Site.userPassword(u.id!), "toggleAction": Site.userToggle(u.id!, u.disabled ? "enable" : "disable"),
            ].filter { !$0.value.isEmpty }
        }
        let roles = (p.may(.manageAccounts) ? Role.allCases : [.owner]).map { ["value": $0.rawValue, "label": $0.chineseName] }
        var model: [String: Any] = ["t": t, "items": items, "roles": roles]
        if let error { model["error"] = error }
        return render("users", model, title: t[.users], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func tokensPage(_ request: Request, _ p: Principal, newToken: String?, error: String?) async throws -> Response {
        guard p.may(.manageAccounts) else { throw RegistryError.forbidden("managing API tokens") }
        let t = PageStrings.strings(language(request))
        let items = try await Accounts.tokens(on: db).map { m -> [String: String] in
            [
                "id": "\(m.id!)", "revokeAction": Site.tokenRevoke(m.id!), "name": m.name, "role": Role(rawValue: m.role)?.chineseName ?? m.role, "permissions": m.permissions,
                "lastUsed": m.lastUsedAt.map { CalendarDay(instant: $0).description } ?? "", "revoked": m.revokedAt != nil ? "1" : "",
            ].filter { !$0.value.isEmpty }
        }
        var model: [String: Any] = [
            "t": t, "items": items, "roles": Role.allCases.map { ["value": $0.rawValue, "label": $0.chineseName] },
            "permissions": Permission.allCases.map(\.rawValue),
        ]
        if let newToken { model["newToken"] = newToken }
        if let error { model["error"] = error }
        return render("tokens", model, title: t[.tokens], request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func auditPage(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.readAudit) else { throw RegistryError.forbidden("reading the audit log") }
        let t = PageStrings.strings(language(request))
        let q = request.uri.queryParameters
        func text(_ k: String) -> String? { q[Substring(k)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let since = try text("since").map { s -> CalendarDay in
            guard let d = CalendarDay(s) else { throw RegistryError.invalid("since", "must be a date written YYYY-MM-DD") }
            return d
        }
        let page = try await Audit.list(
            actor: text("actor"), entity: text("entity"), entityID: text("entity_id"), since: since?.startInstant, cursor: text("cursor"), limit: 100, on: db)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = CalendarDay.chinaTimeZone
        let items = page.items.map {
            ["at": formatter.string(from: $0.at), "actor": $0.actor, "action": $0.action, "entity": $0.entity, "entityID": $0.entityID ?? "",
             "after": String(($0.after ?? "").prefix(300))]
        }
        var model: [String: Any] = [
            "t": t, "items": items, "actor": text("actor") ?? "", "entity": text("entity") ?? "", "entityID": text("entity_id") ?? "",
            "since": since?.description ?? "",
        ]
        if let c = page.nextCursor {
            model["next"] = Site.audit() + "?cursor=\(c)&actor=\(formEncoded(text("actor") ?? ""))&entity=\(formEncoded(text("entity") ?? ""))"
                + "&entity_id=\(formEncoded(text("entity_id") ?? ""))&since=\(since?.description ?? "")"
        }
        return render("audit", model, title: t[.auditLog], request: request, caller: p)
    }

    func calendarPage(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("maintaining the working-day calendar") }
        let t = PageStrings.strings(language(request))
        let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) } ?? today.year
        let items = try await VerificationRequests.calendarDays(year: year, on: db).map {
            ["date": $0.id!, "deleteAction": Site.calendarDelete($0.id!), "kind": $0.kind == "holiday" ? t[.holiday] : t[.workday], "name": $0.name]
        }
        return render(
            "calendar", ["t": t, "items": items, "year": "\(year)", "coverage": try await calendarCoverage(t)], title: t[.calendar], request: request, caller: p)
    }
}
