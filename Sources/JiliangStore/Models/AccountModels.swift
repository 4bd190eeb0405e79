import FluentKit
import Foundation

/// A person who signs in: province administrator, bureau staff, institute staff or an owner's user.
public final class UserModel: Model, @unchecked Sendable {
    public static let schema = "users"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "login") public var login: String
    @Field(key: "display_name") public var displayName: String
    /// bcrypt (HummingbirdBcrypt), never the password.
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "role") public var role: String
    @OptionalField(key: "region_code") public var regionCode: String?
    @OptionalField(key: "institution_id") public var institutionID: Int?
    @OptionalField(key: "owner_id") public var ownerID: Int?
    @Field(key: "failed_logins") public var failedLogins: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "disabled") public var disabled: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    public init() {}
}

/// A signed-in session. The cookie holds a random token; the table holds only its SHA-256, so a
/// copy of the database cannot be replayed as sessions.
public final class SessionModel: Model, @unchecked Sendable {
    public static let schema = "sessions"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "user_id") public var userID: Int
    /// Sent back in a header on every state-changing request made with the cookie.
    @Field(key: "csrf_token") public var csrfToken: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    public init() {}
}

/// A machine client's credential (an institute's LIMS, a device gateway): scoped like a user,
/// with a subset of its role's permissions; stored hashed, shown once, revocable.
public final class APITokenModel: Model, @unchecked Sendable {
    public static let schema = "api_tokens"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "role") public var role: String
    @OptionalField(key: "region_code") public var regionCode: String?
    @OptionalField(key: "institution_id") public var institutionID: Int?
    @OptionalField(key: "owner_id") public var ownerID: Int?
    /// Space-separated `Permission` raw values.
    @Field(key: "permissions") public var permissions: String
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    public init() {}
}

/// One line of the append-only audit log: every write and every sign-in, with who, when, what,
/// and the record before and after (JSON).
public final class AuditEntryModel: Model, @unchecked Sendable {
    public static let schema = "audit_log"
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "at") public var at: Date
    @Field(key: "actor") public var actor: String
    @Field(key: "action") public var action: String
    @Field(key: "entity") public var entity: String
    @OptionalField(key: "entity_id") public var entityID: String?
    @OptionalField(key: "before") public var before: String?
    @OptionalField(key: "after") public var after: String?
    public init() {}
}
