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

    var db: any Database { store.db }
    var today: CalendarDay { config.today() }
    /// The caller's scope. Every caller sees everything until accounts and roles land (issue #3);
    /// all queries already take the scope, so that change is made here and nowhere else.
    var scope: AccessScope { RequestScope.current }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        _ = try await RegionModel.query(on: db).count()
        return .ok(.init(body: .json(.init(status: "ok", database: store.isPostgres ? "postgresql" : "sqlite"))))
    }
}

/// The scope of the request being handled, set by the middleware that authenticates it.
enum RequestScope {
    @TaskLocal static var current: AccessScope = .everything
}


/// Parses a `YYYY-MM-DD` query value, naming the parameter when it is not a date.
func parseDay(_ text: String?, field: String) throws -> CalendarDay? {
    guard let text else { return nil }
    guard let d = CalendarDay(text) else { throw RegistryError.invalid(field, "must be a date written YYYY-MM-DD, got '\(text)'") }
    return d
}

func parseRegion(_ text: String?, field: String = "region") throws -> RegionCode? {
    guard let text else { return nil }
    guard let r = RegionCode(text) else { throw RegistryError.invalid(field, "must be a 6-digit region code, got '\(text)'") }
    return r
}
