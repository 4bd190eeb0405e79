import ArgumentParser
import Foundation
import JiliangCore
import JiliangStore

/// `jiliang user …`: accounts from the server's command line — above all the first administrator
/// of a new installation.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage sign-in accounts", subcommands: [UserAdd.self])
}

struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create an account; the password is read from JILIANG_PASSWORD or the first line of standard input")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Sign-in name (letters, digits, . _ - @)") var login: String
    @Option(help: "Name shown in the application") var name: String?
    @Option(help: "province_admin, bureau_staff, institute_staff or owner") var role: String
    @Option(help: "Region code of a bureau (bureau_staff)") var region: String?
    @Option(help: "Institution id (institute_staff)") var institution: Int?
    @Option(help: "Owner id (owner)") var owner: Int?

    func run() async throws {
        // Not an argument: arguments end up in shell history and process lists.
        guard let password = ProcessInfo.processInfo.environment["JILIANG_PASSWORD"] ?? readLine(strippingNewline: true), !password.isEmpty else {
            throw ValidationError("give the password in JILIANG_PASSWORD or on standard input")
        }
        let u = Accounts.NewUser(
            login: login, displayName: name ?? login, password: password, role: role, regionCode: region, institutionID: institution, ownerID: owner)
        let created = try await db.withStore { store in try await Accounts.createUser(u, by: .system("command line"), on: store.db) }
        print("created account \(created.login) (id \(created.id!), \(created.role))")
    }
}
