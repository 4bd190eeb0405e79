import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The administration area's view models, built from the store without HTTP (issue #20, item 5).
@Suite struct AdminViewTests {
    static let admin = Principal(kind: .user, id: 1, label: "boss", role: .provinceAdmin)
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    @Test func theAdministratorSeesEveryAccountAndABureauItsOwnersAccounts() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let near = try await Fixtures.owner(1, on: db)
            let far = try await Fixtures.owner(2, region: Fixtures.otherCounty, on: db)
            _ = try await Accounts.createUser(
                .init(login: "li.si", displayName: "李四", password: "long enough password", role: "bureau_staff", regionCode: "350102"),
                by: .system("tests"), on: db)
            _ = try await Accounts.createUser(
                .init(login: "shop", displayName: "鑫盛", password: "another long one", role: "owner", ownerID: near.id!), by: .system("tests"), on: db)
            _ = try await Accounts.createUser(
                .init(login: "far", displayName: "远方", password: "another long one", role: "owner", ownerID: far.id!), by: .system("tests"), on: db)
            // The administrator: every account, each with its reset and disable forms; every role to create.
            let all = try await UsersView.build(by: Self.admin, lang: .zh, error: nil, on: db)
            let logins = all.items.map(\.login)
            #expect(["li.si", "shop", "far"].allSatisfy { logins.contains($0) } && all.items.allSatisfy(\.canReset) && all.error == nil)
            #expect(all.roles.map(\.value) == Role.allCases.map(\.rawValue))
            let liSi = try #require(all.items.first { $0.login == "li.si" })
            #expect(liSi.attached == "350102" && !liSi.disabled && !liSi.locked && liSi.toggleLabel == PageKey.disable.zh)
            #expect(liSi.toggleAction == Site.userToggle(liSi.id, "disable") && liSi.passwordAction == Site.userPassword(liSi.id))
            // A bureau: only the owner accounts of its county, no reset, and only owner accounts to create.
            let mine = try await UsersView.build(by: Self.gulou, lang: .en, error: "password: too short", on: db)
            #expect(mine.items.map(\.login) == ["shop"] && !mine.items[0].canReset && mine.items[0].attached == "owner \(near.id!)")
            #expect(mine.roles.map(\.value) == [Role.owner.rawValue] && mine.error == "password: too short")
            // Neither the bureau nor an owner reads the audit log or keeps the calendar.
            await #expect(throws: RegistryError.self) {
                try await AuditView.build(actor: nil, entity: nil, entityID: nil, since: nil, cursor: nil, by: Self.gulou, on: db)
            }
            await #expect(throws: RegistryError.self) {
                try await CalendarView.build(year: 2026, by: Self.gulou, lang: .zh, today: CalendarDay("2026-11-26")!, on: db)
            }
        }
    }

    @Test func theAuditLogFiltersAndRefusesABadDate() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await Accounts.createUser(
                .init(login: "li.si", displayName: "李四", password: "long enough password", role: "bureau_staff", regionCode: "350102"),
                by: .system("tests"), on: db)
            // Empty filters are no filters; the form echoes what was given.
            let users = try await AuditView.build(actor: "", entity: "users", entityID: "", since: "2020-01-01", cursor: "", by: Self.admin, on: db)
            #expect(users.entity == "users" && users.actor == "" && users.since == "2020-01-01" && users.next == nil)
            #expect(users.items.contains { $0.action == "create" && $0.after.contains("li.si") })
            #expect(!users.items.contains { $0.after.contains("passwordHash") })
            #expect(users.items.allSatisfy { $0.entity == "users" })
            await #expect(throws: RegistryError.self) {
                try await AuditView.build(actor: nil, entity: nil, entityID: nil, since: "yesterday", cursor: nil, by: Self.admin, on: db)
            }
        }
    }
}
