import Crypto
import FluentKit
import Foundation
import HummingbirdBcrypt
import JiliangCore
import SQLKit

/// Accounts, sign-in, sessions and API tokens. Passwords are bcrypt-hashed; session and API
/// tokens are 256 random bits shown once and stored as SHA-256, so a leaked database holds no
/// usable credential. Every sign-in (good or bad) and every account change goes to the audit log.
public enum Accounts {
    /// Failed sign-ins in a row after which the account's organisation is told (and again after
    /// every further 20); see `SignInThrottle` for how guessing is slowed.
    public static let warnAfterFailures = 5
    public static let sessionLifetime: TimeInterval = 12 * 3600
    /// bcrypt work factor (2^cost rounds): about 0.1 s per hash on this machine kind.
    public static var bcryptCost: UInt8 { 10 }

    public struct SignIn: Sendable {
        public var token: String
        public var csrfToken: String
        public var expiresAt: Date
        public var principal: Principal
    }

    /// Why a sign-in failed, as a fact; the Server words it (`RefusalText.signIn`).
    public enum SignInError: Error, Equatable, Sendable {
        /// An unknown login, a disabled account or a wrong password: one answer for all three.
        case wrongCredentials
        /// Too many failed tries from this client or for this login: try again after that many seconds.
        case throttled(retryAfter: Int)
    }

    // MARK: Users

    public struct NewUser: Sendable {
        public var login: String?
        public var displayName: String?
        public var password: String?
        public var role: String?
        public var regionCode: String?
        public var institutionID: Int?
        public var ownerID: Int?
        public init(
            login: String?, displayName: String?, password: String?, role: String?, regionCode: String? = nil,
            institutionID: Int? = nil, ownerID: Int? = nil
        ) {
            self.login = login
            self.displayName = displayName
            self.password = password
            self.role = role
            self.regionCode = regionCode
            self.institutionID = institutionID
            self.ownerID = ownerID
        }
    }

    /// Creates an account. A bureau may only create owner accounts for owners in its region
    /// (inviting owners); everything else needs `manageAccounts`.
    public static func createUser(_ u: NewUser, by actor: Principal, on db: any Database) async throws -> UserModel {
        var c = FieldChecker()
        let login = c.text("login", u.login, max: 64)
        if let login, !login.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }) {
            c.fail("login", .account(.loginCharacters))
        }
        let name = c.text("display_name", u.displayName, max: 100)
        let password = u.password ?? ""
        if password.count < 10 { c.fail("password", .tooShort(min: 10)) }
        let role: Role? = c.choice("role", u.role)
        try c.finish()
        // Who may create this role comes first, then the attachment: a caller who may not create
        // the account learns nothing about which owners exist (issue #17).
        guard actor.may(.manageAccounts) || (role == .owner && actor.may(.manageOwners)) else {
            throw RegistryError.forbidden(.account(.mayNotCreateAccounts(role!)))
        }
        // A taken login is answered at once (checked again inside the transaction) — before the
        // attachment is: a caller allowed to create accounts may learn that a login is taken, as
        // it could by naming any owner of its own.
        if try await UserModel.query(on: db).filter(\.$login == login!.lowercased()).count() > 0 {
            throw RegistryError.conflict(field: "login", reason: .account(.loginTaken(login!.lowercased())))
        }
        // Hashed before the write transaction: bcrypt is slow on purpose, and SQLite's one writer
        // must not wait for it.
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        // A bureau inviting an owner attaches it to an owner it can see; one outside its region
        // answers like one that does not exist.
        let attachScope: AccessScope = actor.may(.manageAccounts) ? .everything : actor.scope
        // One transaction: the login's check, the account and its audit entry (AuditMiddleware).
        return try await Audit.$actor.withValue(actor) {
            try await db.auditedTransaction { tx in
                let m = UserModel()
                m.login = login!.lowercased()
                m.displayName = name!
                m.role = role!.rawValue
                try await attach(role!, region: u.regionCode, institutionID: u.institutionID, ownerID: u.ownerID, ownerScope: attachScope, on: tx) { r, i, o in
                    m.regionCode = r
                    m.institutionID = i
                    m.ownerID = o
                }
                if try await UserModel.query(on: tx).filter(\.$login == m.login).count() > 0 {
                    throw RegistryError.conflict(field: "login", reason: .account(.loginTaken(m.login)))
                }
                m.passwordHash = hash
                m.failedLogins = 0
                m.disabled = false
                try await m.create(on: tx)
                return m
            }
        }
    }

    /// Checks the role's attachment: bureau staff need a region, institute staff an institution,
    /// an owner account an owner.
    static func attach(
        _ role: Role, region: String?, institutionID: Int?, ownerID: Int?, ownerScope: AccessScope = .everything, on db: any Database,
        _ set: (String?, Int?, Int?) -> Void
    ) async throws {
        switch role {
        case .provinceAdmin: set(nil, nil, nil)
        case .bureauStaff:
            guard let region, RegionCode(region) != nil, try await RegionModel.find(region, on: db) != nil else {
                throw RegistryError.invalid("region_code", .account(.bureauStaffNeedRegion))
            }
            set(region, nil, nil)
        case .instituteStaff:
            guard let institutionID, try await InstitutionModel.find(institutionID, on: db) != nil else {
                throw RegistryError.invalid("institution_id", .account(.instituteStaffNeedInstitution))
            }
            set(nil, institutionID, nil)
        case .owner:
            guard let ownerID, (try? await Registry.owner(ownerID, scope: ownerScope, on: db)) != nil else {
                throw RegistryError.invalid("owner_id", .account(.ownerAccountNeedsOwner))
            }
            set(nil, nil, ownerID)
        }
    }

    /// Sets a new password (an administrator resetting it), unlocks the account and ends its sessions.
    public static func resetPassword(userID: Int, to password: String?, by actor: Principal, on db: any Database) async throws {
        guard actor.may(.manageAccounts) else { throw RegistryError.forbidden(.account(.mayNotResetPasswords)) }
        guard let password, password.count >= 10 else { throw RegistryError.invalid("password", .tooShort(min: 10)) }
        guard let u = try await UserModel.find(userID, on: db) else { throw RegistryError.notFound(.user, key: "\(userID)") }
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        try await Audit.$actor.withValue(actor) {
            try await db.auditedTransaction { tx in
                u.passwordHash = hash
                u.failedLogins = 0
                u.lockedUntil = nil
                try await u.save(on: tx)
                try await endSessions(of: userID, on: tx)
                try await Audit.record(actor, action: "reset_password", entity: "user", id: "\(userID)", on: tx)
            }
        }
    }

    /// Disables or enables an account; disabling ends its sessions. Nobody disables themselves.
    public static func setDisabled(userID: Int, _ disabled: Bool, by actor: Principal, on db: any Database) async throws -> UserModel {
        guard actor.may(.manageAccounts) else { throw RegistryError.forbidden(.account(.mayNotDisableAccounts)) }
        guard let u = try await UserModel.find(userID, on: db) else { throw RegistryError.notFound(.user, key: "\(userID)") }
        if actor.kind == .user, actor.id == userID, disabled {
            throw RegistryError.conflict(field: "id", reason: .account(.cannotDisableYourself))
        }
        try await Audit.$actor.withValue(actor) {
            try await db.auditedTransaction { tx in
                u.disabled = disabled
                try await u.save(on: tx)
                if disabled { try await endSessions(of: userID, on: tx) }
            }
        }
        return u
    }

    public static func users(on db: any Database) async throws -> [UserModel] {
        try await UserModel.query(on: db).sort(\.$id).all()
    }

    // MARK: Sign-in and sessions

    /// Signs in with a password. Failures are counted by `throttle` (per client and login, per
    /// login, per client) and both are audited. An unknown login, a disabled account and a wrong
    /// password get the same answer after the same bcrypt work; a throttled try is answered before
    /// any account is looked up, so it too is the same for every login.
    public static func signIn(
        login: String, password: String, client: String = "local", throttle: SignInThrottle, now: Date = Date(), on db: any Database
    ) async throws -> SignIn {
        // No login is longer than 64 characters: a longer one is kept to that (bounded throttle keys).
        let name = String(login.trimmingCharactersInWhitespace().lowercased().prefix(64))
        if case .wait(let seconds, let first) = throttle.admit(client: client, login: name, now: now) {
            // One audit entry per wait, not one per refused try (a flood would be a flood of rows).
            if first { try await Audit.record(.anonymous, action: "sign_in_throttled", entity: "user", id: name, on: db) }
            throw SignInError.throttled(retryAfter: seconds)
        }
        guard let u = try await UserModel.query(on: db).filter(\.$login == name).first(), !u.disabled else {
            _ = Bcrypt.verify(password, hash: dummyHash)  // same time as a real check: logins cannot be probed
            throttle.failed(client: client, login: name, now: now)
            // The same kind of write as a real account's failure, so that the two take alike.
            try await db.auditedTransaction { tx in
                try await (tx as! any SQLDatabase).raw("UPDATE users SET failed_logins = failed_logins WHERE id = -1").run()
                try await Audit.record(.anonymous, action: "sign_in_failed", entity: "user", id: name, on: tx)
            }
            throw SignInError.wrongCredentials
        }
        guard Bcrypt.verify(password, hash: u.passwordHash) else {
            throttle.failed(client: client, login: name, now: now)
            let failures = u.failedLogins + 1  // set, not added, inside: the transaction may run twice
            try await db.auditedTransaction { tx in
                u.failedLogins = failures
                try await u.save(on: tx)
                try await Audit.record(.anonymous, action: "sign_in_failed", entity: "user", id: "\(u.id!)", on: tx)
                if failures == warnAfterFailures || failures > warnAfterFailures && (failures - warnAfterFailures) % 20 == 0 {
                    try await warnOfFailedSignIns(u, client: client, now: now, on: tx)
                }
            }
            throw SignInError.wrongCredentials
        }
        throttle.succeeded(client: client, login: name)
        let token = newToken(prefix: "jls_"), csrf = newToken(prefix: "")
        let expires = now.addingTimeInterval(sessionLifetime)
        let principal = try await self.principal(for: u, on: db)
        try await db.auditedTransaction { tx in
            u.failedLogins = 0
            u.lockedUntil = nil
            try await u.save(on: tx)
            // Built inside: a transaction run again must not meet a model it already created.
            let s = SessionModel()
            s.tokenHash = digest(token)
            s.userID = u.id!
            s.csrfToken = csrf
            s.createdAt = now
            s.expiresAt = expires
            try await s.create(on: tx)
            try await Audit.record(principal, action: "sign_in", entity: "user", id: "\(u.id!)", on: tx)
        }
        return SignIn(token: token, csrfToken: csrf, expiresAt: expires, principal: principal)
    }

    /// The caller behind a session token, if the session is live; with the session's CSRF token.
    public static func session(token: String, now: Date = Date(), on db: any Database) async throws -> (Principal, csrf: String)? {
        guard let s = try await SessionModel.query(on: db).filter(\.$tokenHash == digest(token)).first(),
            s.revokedAt == nil, s.expiresAt > now,
            let u = try await UserModel.find(s.userID, on: db), !u.disabled
        else { return nil }
        return (try await principal(for: u, on: db), s.csrfToken)
    }

    public static func signOut(token: String, everywhere: Bool, on db: any Database) async throws {
        guard let s = try await SessionModel.query(on: db).filter(\.$tokenHash == digest(token)).first() else { return }
        guard let u = try await UserModel.find(s.userID, on: db) else { return }
        let actor = try await principal(for: u, on: db)
        try await db.auditedTransaction { tx in
            if everywhere {
                try await endSessions(of: s.userID, on: tx)
            } else {
                s.revokedAt = Date()
                try await s.save(on: tx)
            }
            try await Audit.record(actor, action: everywhere ? "sign_out_everywhere" : "sign_out", entity: "user", id: "\(s.userID)", on: tx)
        }
    }

    static func endSessions(of userID: Int, on db: any Database) async throws {
        try await SessionModel.query(on: db).filter(\.$userID == userID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: Date()).update()
    }

    /// The principal of a user: its role, region, institution or owners (a market organiser's
    /// traders included).
    public static func principal(for u: UserModel, on db: any Database) async throws -> Principal {
        let role = Role(rawValue: u.role) ?? .owner
        var owners: [Int] = []
        if let o = u.ownerID {
            owners = [o] + (try await OwnerModel.query(on: db).filter(\.$parentID == o).all(\.$id))
        }
        return Principal(
            kind: .user, id: u.id!, label: u.login, role: role, region: u.regionCode.flatMap(RegionCode.init),
            institutionID: u.institutionID, ownerIDs: owners)
    }

    // MARK: API tokens

    public struct NewToken: Sendable {
        public var name: String?
        public var role: String?
        public var regionCode: String?
        public var institutionID: Int?
        public var ownerID: Int?
        public var permissions: [String]?
        public init(name: String?, role: String?, regionCode: String? = nil, institutionID: Int? = nil, ownerID: Int? = nil, permissions: [String]? = nil) {
            self.name = name
            self.role = role
            self.regionCode = regionCode
            self.institutionID = institutionID
            self.ownerID = ownerID
            self.permissions = permissions
        }
    }

    /// Creates an API token; the plain token is returned once and never stored.
    public static func createToken(_ t: NewToken, by actor: Principal, now: Date = Date(), on db: any Database) async throws -> (token: String, model: APITokenModel) {
        guard actor.may(.manageAccounts) else { throw RegistryError.forbidden(.account(.mayNotCreateTokens)) }
        var c = FieldChecker()
        let name = c.text("name", t.name, max: 100)
        let role: Role? = c.choice("role", t.role)
        var permissions = Set<Permission>()
        for p in t.permissions ?? [] {
            guard let perm = Permission(rawValue: p) else {
                c.fail("permissions", .notOneOf(Permission.allCases.map(\.rawValue), got: p))
                continue
            }
            permissions.insert(perm)
        }
        // A list that names nothing grants nothing: a token must be given at least one permission
        // (an empty form used to yield every permission of the role — issue #17, item 9). Leaving
        // the list out altogether (API clients) asks for the role's permissions, as documented.
        if let given = t.permissions, given.isEmpty { c.fail("permissions", .account(.noPermissionChosen)) }
        if let role, !permissions.isSubset(of: role.permissions) {
            c.fail("permissions", .account(.permissionsBeyondRole(role)))
        }
        try c.finish()
        var attachment: (String?, Int?, Int?) = (nil, nil, nil)
        try await attach(role!, region: t.regionCode, institutionID: t.institutionID, ownerID: t.ownerID, on: db) { attachment = ($0, $1, $2) }
        let token = newToken(prefix: "jlt_")
        let granted = (permissions.isEmpty ? role!.permissions : permissions).sorted().map(\.rawValue).joined(separator: " ")
        let fixed = attachment
        let m = try await db.auditedTransaction { tx in
            // Built inside: a transaction run again must not meet a model it already created.
            let m = APITokenModel()
            m.name = name!
            m.role = role!.rawValue
            (m.regionCode, m.institutionID, m.ownerID) = fixed
            m.tokenHash = digest(token)
            m.permissions = granted
            m.createdBy = actor.actor
            m.createdAt = now
            try await m.create(on: tx)
            try await Audit.record(actor, action: "create", entity: "api_token", id: "\(m.id!)", after: ["name": m.name, "role": m.role, "permissions": m.permissions], on: tx)
            return m
        }
        return (token, m)
    }

    public static func principal(apiToken: String, now: Date = Date(), on db: any Database) async throws -> Principal? {
        guard let m = try await APITokenModel.query(on: db).filter(\.$tokenHash == digest(apiToken)).first(), m.revokedAt == nil,
            let role = Role(rawValue: m.role)
        else { return nil }
        if m.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {  // at most one write a minute per token
            // Best effort, never a wait: while another writer holds SQLite's lock (an import) the
            // request goes on and a later one notes the use.
            let id = m.id!
            try? await db.writeTransaction(replayable: false, busyTimeoutMs: 0) { tx in
                try await (tx as! any SQLDatabase).update(APITokenModel.schema).set("last_used_at", to: SQLBind(now)).where("id", .equal, id).run()
            }
        }
        var owners: [Int] = []
        if let o = m.ownerID { owners = [o] + (try await OwnerModel.query(on: db).filter(\.$parentID == o).all(\.$id)) }
        return Principal(
            kind: .token, id: m.id!, label: m.name, role: role, region: m.regionCode.flatMap(RegionCode.init), institutionID: m.institutionID,
            ownerIDs: owners, permissions: Set(m.permissions.split(separator: " ").compactMap { Permission(rawValue: String($0)) }))
    }

    public static func revokeToken(_ id: Int, by actor: Principal, on db: any Database) async throws {
        guard actor.may(.manageAccounts) else { throw RegistryError.forbidden(.account(.mayNotRevokeTokens)) }
        guard let m = try await APITokenModel.find(id, on: db) else { throw RegistryError.notFound(.apiToken, key: "\(id)") }
        guard m.revokedAt == nil else { return }
        try await db.auditedTransaction { tx in
            m.revokedAt = Date()
            try await m.save(on: tx)
            try await Audit.record(actor, action: "revoke", entity: "api_token", id: "\(id)", on: tx)
        }
    }

    public static func tokens(on db: any Database) async throws -> [APITokenModel] {
        try await APITokenModel.query(on: db).sort(\.$id).all()
    }

    // MARK: Helpers

    /// 256 random bits, base64url, with a prefix that tells a session token from an API token
    /// (and lets secret scanners recognise leaked ones).
    /// A random token for other uses (the sign-in form's CSRF value).
    public static func randomToken() -> String { newToken(prefix: "") }

    static func newToken(prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return prefix + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A bcrypt hash of nothing useful, verified against when the login does not exist.
    static let dummyHash = Bcrypt.hash("jiliang-no-such-user", cost: bcryptCost)
}

extension Accounts {
    /// Tells the account's organisation that someone keeps failing to sign in as it: an owner
    /// account's owner inbox, a bureau account's region inbox, otherwise the administrators'.
    /// (The account itself has no inbox; the person sees it where their organisation's mail goes.)
    static func warnOfFailedSignIns(_ u: UserModel, client: String, now: Date, on db: any Database) async throws {
        let recipient = if let owner = u.ownerID { "owner:\(owner)" } else if let region = u.regionCode { "region:\(region)" } else { "admin" }
        try await Notices.send(.failedSignIns(login: u.login, failures: u.failedLogins, client: client), to: recipient, now: now, on: db)
    }
}
