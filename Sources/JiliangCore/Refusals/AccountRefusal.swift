/// What accounts, API tokens, sign-in and sessions refuse.
public enum AccountRefusal: Sendable, Hashable, Codable {
    /// A login may contain only ASCII letters, digits and `. _ - @`.
    case loginCharacters
    case loginTaken(String)
    /// The caller may not create accounts of this role (a bureau invites owner accounts only).
    case mayNotCreateAccounts(Role)
    case bureauStaffNeedRegion
    case instituteStaffNeedInstitution
    /// An owner account is attached to an existing owner the caller may see.
    case ownerAccountNeedsOwner
    case mayNotResetPasswords
    case mayNotDisableAccounts
    case cannotDisableYourself
    case mayNotCreateTokens
    case mayNotRevokeTokens
    /// A permission list that names nothing grants nothing (issue #17, item 9).
    case noPermissionChosen
    /// A token holds only permissions of its role (`Role.permissions`).
    case permissionsBeyondRole(Role)
}
