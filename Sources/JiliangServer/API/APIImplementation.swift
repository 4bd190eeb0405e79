import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

/// The `/api/v1` handlers generated from openapi.yaml. Each is thin: parse, call a `Registry`
/// function with the database and the caller's scope, map the result to the generated DTO.
struct APIImplementation: APIProtocol {
    let store: Store
    let config: AppConfiguration
    let ledger: Ledger
    let signInThrottle: SignInThrottle

    var db: any Database { store.db }
    var today: CalendarDay { config.today() }
    /// The caller; a request without one is refused (401).
    func caller() throws -> Principal {
        guard let p = RequestCaller.principal else { throw RegistryError.unauthenticated }
        return p
    }

    /// The caller, who must hold `permission` (otherwise 403, naming it).
    func caller(may permission: Permission) throws -> Principal {
        let p = try caller()
        guard p.may(permission) else { throw RegistryError.forbidden(.notAllowed(permission)) }
        return p
    }

    /// What the caller may see; every registry query takes it.
    var scope: AccessScope {
        get throws { try caller(may: .readRegistry).scope }
    }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        _ = try await RegionModel.query(on: db).count()
        return .ok(.init(body: .json(.init(status: "ok", database: store.isPostgres ? "postgresql" : "sqlite"))))
    }
}

/// Parses a `YYYY-MM-DD` query value, naming the parameter when it is not a date.
func parseDay(_ text: String?, field: String) throws -> CalendarDay? {
    guard let text else { return nil }
    guard let d = CalendarDay(text) else { throw RegistryError.invalid(field, .notADate(got: text)) }
    return d
}

func parseRegion(_ text: String?, field: String = "region") throws -> RegionCode? {
    guard let text else { return nil }
    guard let r = RegionCode(text) else { throw RegistryError.invalid(field, .notARegionCode(got: text)) }
    return r
}
