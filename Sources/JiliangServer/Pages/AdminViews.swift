import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// Accounts (`users.mustache`): administrators see and manage all; bureau staff see and invite the
/// owner accounts of owners in their region.
struct UsersView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var login: String
        var name: String
        var role: String
        /// The region, institution or owner the account belongs to ("" for an administrator).
        var attached: String
        var locked: Bool
        var disabled: Bool
        /// Administrators only: reset the password, disable or enable.
        var canReset: Bool
        var toggleLabel: String
        var passwordAction: String
        var toggleAction: String
    }
    var items: [Row]
    /// The roles the caller may create.
    var roles: [OptionView]
    var error: String?

    static func build(by p: Principal, lang: PageStrings.Language, error: String?, now: Date = Date(), on db: any Database) async throws -> UsersView {
        guard p.may(.manageAccounts) || p.may(.manageOwners) else { throw RegistryError.forbidden(.notAllowed(.manageAccounts)) }
        let t = PageStrings.strings(lang)
        var users = try await Accounts.users(on: db)
        if !p.may(.manageAccounts) {
            let visible = Set(try await Registry.owners(.init(), cursor: nil, limit: 500, scope: p.scope, on: db).items.compactMap(\.id))
            users = users.filter { $0.role == Role.owner.rawValue && $0.ownerID.map(visible.contains) == true }
        }
        let items = users.map { u in
            Row(
                id: u.id!, login: u.login, name: u.displayName, role: Role(rawValue: u.role)?.chineseName ?? u.role,
                attached: u.regionCode ?? u.institutionID.map { "institution \($0)" } ?? u.ownerID.map { "owner \($0)" } ?? "",
                locked: (u.lockedUntil ?? .distantPast) > now, disabled: u.disabled, canReset: p.may(.manageAccounts),
                toggleLabel: u.disabled ? t[.enable] : t[.disable], passwordAction: Site.userPassword(u.id!),
                toggleAction: Site.userToggle(u.id!, u.disabled ? "enable" : "disable"))
        }
        let roles = (p.may(.manageAccounts) ? Role.allCases : [.owner]).map { OptionView(value: $0.rawValue, label: $0.chineseName, selected: false) }
        return UsersView(items: items, roles: roles, error: error)
    }
}

/// API tokens (`tokens.mustache`): listed without their secret, which is shown once on creation.
struct TokensView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var revokeAction: String
        var name: String
        var role: String
        var permissions: String
        var lastUsed: String
        var revoked: Bool
    }
    var items: [Row]
    var roles: [OptionView]
    /// Every permission a token may be limited to (the form's checkboxes).
    var permissions: [String]
    /// The token just made, shown this once.
    var newToken: String?
    var error: String?

    static func build(by p: Principal, newToken: String?, error: String?, on db: any Database) async throws -> TokensView {
        guard p.may(.manageAccounts) else { throw RegistryError.forbidden(.notAllowed(.manageAccounts)) }
        let items = try await Accounts.tokens(on: db).map { m in
            Row(
                id: m.id!, revokeAction: Site.tokenRevoke(m.id!), name: m.name, role: Role(rawValue: m.role)?.chineseName ?? m.role,
                permissions: m.permissions, lastUsed: m.lastUsedAt.map { CalendarDay(instant: $0).description } ?? "", revoked: m.revokedAt != nil)
        }
        return TokensView(
            items: items, roles: Role.allCases.map { OptionView(value: $0.rawValue, label: $0.chineseName, selected: false) },
            permissions: Permission.allCases.map(\.rawValue), newToken: newToken, error: error)
    }
}

/// The audit log with its filters (`audit.mustache`), 100 entries a page, newest first.
struct AuditView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var at: String
        var actor: String
        var action: String
        var entity: String
        var entityID: String
        /// The record after the change, cut to 300 characters.
        var after: String
    }
    var items: [Row]
    /// The filters as given (for the form).
    var actor: String
    var entity: String
    var entityID: String
    var since: String
    /// The next page with the same filters.
    var next: String?

    /// The filters are the query's values as given; an empty one is no filter.
    static func build(
        actor: String?, entity: String?, entityID: String?, since: String?, cursor: String?, by p: Principal, on db: any Database
    ) async throws -> AuditView {
        guard p.may(.readAudit) else { throw RegistryError.forbidden(.notAllowed(.readAudit)) }
        func given(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let byActor = given(actor), ofEntity = given(entity), withID = given(entityID)
        let day = try given(since).map { s -> CalendarDay in
            guard let d = CalendarDay(s) else { throw RegistryError.invalid("since", .notADate(got: s)) }
            return d
        }
        let page = try await Audit.list(
            actor: byActor, entity: ofEntity, entityID: withID, since: day?.startInstant, cursor: given(cursor), limit: 100, on: db)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = CalendarDay.chinaTimeZone
        let items = page.items.map {
            Row(
                at: formatter.string(from: $0.at), actor: $0.actor, action: $0.action, entity: $0.entity, entityID: $0.entityID ?? "",
                after: String(($0.after ?? "").prefix(300)))
        }
        let filters: String = "&actor=\(encoded(byActor ?? ""))&entity=\(encoded(ofEntity ?? ""))"
            + "&entity_id=\(encoded(withID ?? ""))&since=\(day?.description ?? "")"
        let next = page.nextCursor.map { c -> String in Site.audit() + "?cursor=\(c)" + filters }
        return AuditView(
            items: items, actor: byActor ?? "", entity: ofEntity ?? "", entityID: withID ?? "", since: day?.description ?? "", next: next)
    }

    /// A query value, percent-encoded (as `WebApp.formEncoded`).
    static func encoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }
}

/// The working-day calendar's years and sources, and the warning when next year is missing (on the
/// calendar page and the reference page).
struct CalendarCoverageView: Encodable, Sendable, Equatable {
    struct Year: Encodable, Sendable, Equatable {
        var year: String
        var days: String
        var sources: String
    }
    var years: [Year]
    var nextYearMissing: Bool
    var warning: String

    static func build(lang: PageStrings.Language, today: CalendarDay, on db: any Database) async throws -> CalendarCoverageView {
        let t = PageStrings.strings(lang)
        let c = try await VerificationRequests.calendarCoverage(today: today, on: db)
        return CalendarCoverageView(
            years: c.years.map {
                Year(year: "\($0.year)", days: "\($0.days)", sources: $0.sources.isEmpty ? t[.calendarByHand] : $0.sources.joined(separator: "；"))
            },
            nextYearMissing: c.nextYearMissing, warning: String(format: t[.calendarNextMissing], c.missingYear, c.missingYear))
    }
}

/// One year of the working-day calendar: its holidays and working weekends (`calendar.mustache`).
struct CalendarView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var date: String
        var deleteAction: String
        var kind: String
        var name: String
    }
    var items: [Row]
    var year: String
    var coverage: CalendarCoverageView

    static func build(year: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, on db: any Database) async throws -> CalendarView {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let t = PageStrings.strings(lang)
        let items = try await VerificationRequests.calendarDays(year: year, on: db).map {
            Row(date: $0.id!, deleteAction: Site.calendarDelete($0.id!), kind: $0.kind == "holiday" ? t[.holiday] : t[.workday], name: $0.name)
        }
        return CalendarView(items: items, year: "\(year)", coverage: try await CalendarCoverageView.build(lang: lang, today: today, on: db))
    }
}
