import FluentKit
import Foundation
import Hummingbird
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

extension APIImplementation {
    func signIn(_ input: Operations.SignIn.Input) async throws -> Operations.SignIn.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let s = try await Accounts.signIn(
            login: b.login, password: b.password, client: RequestCaller.client ?? "local", throttle: signInThrottle, on: db)
        RequestCaller.cookies?.set(sessionCookie(value: s.token, maxAge: Int(Accounts.sessionLifetime)))
        return .ok(.init(
            body: .json(.init(token: s.token, csrfToken: s.csrfToken, expiresAt: s.expiresAt, me: me(s.principal)))))
    }

    func signOut(_ input: Operations.SignOut.Input) async throws -> Operations.SignOut.Output {
        _ = try caller()
        guard let token = RequestCaller.sessionToken else {
            throw RegistryError.conflict(field: "authorization", reason: .request(.tokenHasNoSession))
        }
        try await Accounts.signOut(token: token, everywhere: input.query.everywhere ?? false, on: db)
        RequestCaller.cookies?.set(sessionCookie(value: "", maxAge: 0))
        return .noContent(.init())
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        .ok(.init(body: .json(me(try caller()))))
    }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        _ = try caller(may: .manageAccounts)
        return .ok(.init(body: .json(try await Accounts.users(on: db).map(dto))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let u = try await Accounts.createUser(
            .init(login: b.login, displayName: b.displayName, password: b.password, role: b.role, regionCode: b.regionCode,
                  institutionID: b.institutionId, ownerID: b.ownerId),
            by: try caller(), on: db)
        return .created(.init(body: .json(dto(u))))
    }

    func resetPassword(_ input: Operations.ResetPassword.Input) async throws -> Operations.ResetPassword.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        try await Accounts.resetPassword(userID: input.path.id, to: b.password, by: try caller(), on: db)
        return .noContent(.init())
    }

    func setUserDisabled(_ input: Operations.SetUserDisabled.Input) async throws -> Operations.SetUserDisabled.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .ok(.init(body: .json(dto(try await Accounts.setDisabled(userID: input.path.id, b.disabled, by: try caller(), on: db)))))
    }

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        _ = try caller(may: .manageAccounts)
        return .ok(.init(body: .json(try await Accounts.tokens(on: db).map(dto))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let (token, m) = try await Accounts.createToken(
            .init(name: b.name, role: b.role, regionCode: b.regionCode, institutionID: b.institutionId, ownerID: b.ownerId,
                  permissions: b.permissions),
            by: try caller(), on: db)
        return .created(.init(body: .json(.init(token: token, details: dto(m)))))
    }

    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        try await Accounts.revokeToken(input.path.id, by: try caller(), on: db)
        return .noContent(.init())
    }

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        _ = try caller(may: .readAudit)
        let q = input.query
        let since = try parseDay(q.since, field: "since").map { $0.startInstant }
        let page = try await Audit.list(
            actor: q.actor, entity: q.entity, entityID: q.entityId, since: since, cursor: q.cursor, limit: q.limit, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    // MARK: Mapping

    func sessionCookie(value: String, maxAge: Int) -> String {
        Cookie(name: AuthMiddleware<AppRequestContext>.cookieName, value: value, maxAge: maxAge, path: "/",
               secure: config.secureCookies, httpOnly: true, sameSite: .lax).description
    }

    func me(_ p: Principal) -> Components.Schemas.Me {
        .init(
            kind: .init(rawValue: p.kind.rawValue)!, id: p.id, label: p.label, role: .init(rawValue: p.role.rawValue)!,
            regionCode: p.region?.value, institutionId: p.institutionID, ownerIds: p.ownerIDs, permissions: p.permissions.sorted().map(\.rawValue))
    }

    func dto(_ u: UserModel) -> Components.Schemas.User {
        .init(
            id: u.id!, login: u.login, displayName: u.displayName, role: .init(rawValue: u.role) ?? .owner, regionCode: u.regionCode,
            institutionId: u.institutionID, ownerId: u.ownerID, locked: (u.lockedUntil ?? .distantPast) > Date(), disabled: u.disabled)
    }

    func dto(_ t: APITokenModel) -> Components.Schemas.APIToken {
        .init(
            id: t.id!, name: t.name, role: .init(rawValue: t.role) ?? .owner, regionCode: t.regionCode, institutionId: t.institutionID,
            ownerId: t.ownerID, permissions: t.permissions.split(separator: " ").map(String.init), createdBy: t.createdBy,
            createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revoked: t.revokedAt != nil)
    }

    func dto(_ e: AuditEntryModel) -> Components.Schemas.AuditEntry {
        .init(id: e.id!, at: e.at, actor: e.actor, action: e.action, entity: e.entity, entityId: e.entityID, before: e.before, after: e.after)
    }
}
