import FluentKit
import Foundation
import JiliangCore

/// Sign-in accounts for the demo province, one per role, so that `make run` can be tried at once.
/// They exist only where the demo province was loaded; a real deployment creates its first
/// administrator with `jiliang user add`.
public enum DemoAccounts {
    /// The demo password (printed at start-up and in the README). Demo data only.
    public static let password = "jiliang-demo-2026"

    public struct Account: Sendable, CustomStringConvertible {
        public var login: String
        public var role: Role
        public var note: String
        public var description: String { "\(login) / \(DemoAccounts.password)  (\(role.chineseName) \(role.rawValue): \(note))" }
    }

    /// Creates the accounts that are missing and lists them all.
    @discardableResult
    public static func ensure(on db: any Database) async throws -> [Account] {
        let admin = Principal.system("demo accounts")
        let fuzhou = "350100", gulou = "350102"
        var institute = try await InstitutionModel.query(on: db).filter(\.$regionCode == fuzhou).sort(\.$id).first()
        if institute == nil { institute = try await InstitutionModel.query(on: db).sort(\.$id).first() }
        let owner = try await OwnerModel.query(on: db).filter(\.$regionCode == gulou).filter(\.$parentID == nil).sort(\.$id).first()
        var wanted: [(Account, Accounts.NewUser)] = [
            (Account(login: "admin", role: .provinceAdmin, note: "福建省"),
             .init(login: "admin", displayName: "省局管理员", password: password, role: Role.provinceAdmin.rawValue)),
            (Account(login: "fuzhou", role: .bureauStaff, note: "福州市 350100"),
             .init(login: "fuzhou", displayName: "福州市局", password: password, role: Role.bureauStaff.rawValue, regionCode: fuzhou)),
            (Account(login: "gulou", role: .bureauStaff, note: "鼓楼区 350102"),
             .init(login: "gulou", displayName: "鼓楼区局", password: password, role: Role.bureauStaff.rawValue, regionCode: gulou)),
        ]
        if let institute {
            wanted.append((Account(login: "institute", role: .instituteStaff, note: institute.name),
                .init(login: "institute", displayName: institute.name, password: password, role: Role.instituteStaff.rawValue, institutionID: institute.id)))
        }
        if let owner {
            wanted.append((Account(login: "owner", role: .owner, note: owner.name),
                .init(login: "owner", displayName: owner.name, password: password, role: Role.owner.rawValue, ownerID: owner.id)))
        }
        for (_, u) in wanted where try await UserModel.query(on: db).filter(\.$login == u.login!).count() == 0 {
            _ = try await Accounts.createUser(u, by: admin, on: db)
        }
        return wanted.map(\.0)
    }
}
