import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

/// The survey of users (使用单位摸排; issue #19, item 6) for the bureau's systems; the owners answer
/// on the public pages.
extension APIImplementation {
    func listSurveys(_ input: Operations.ListSurveys.Input) async throws -> Operations.ListSurveys.Output {
        let p = try caller(may: .manageOwners)
        var out: [Components.Schemas.Survey] = []
        for s in try await Surveys.list(scope: p.scope, on: db) { out.append(try await dto(s, scope: p.scope)) }
        return .ok(.init(body: .json(out)))
    }

    func openSurvey(_ input: Operations.OpenSurvey.Input) async throws -> Operations.OpenSurvey.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let p = try caller()
        let (s, _) = try await Surveys.open(
            title: b.title, industry: b.industry, region: b.regionCode, closesOn: b.closesOn, today: today,
            by: p, on: db)
        return .created(.init(body: .json(try await dto(s, scope: p.scope))))
    }

    func getSurvey(_ input: Operations.GetSurvey.Input) async throws -> Operations.GetSurvey.Output {
        let p = try caller(may: .manageOwners)
        return .ok(.init(body: .json(try await dto(try await Surveys.survey(input.path.id, scope: p.scope, on: db), scope: p.scope))))
    }

    func chaseSurvey(_ input: Operations.ChaseSurvey.Input) async throws -> Operations.ChaseSurvey.Output {
        let n = try await Surveys.chase(input.path.id, by: try caller(), on: db)
        return .ok(.init(body: .json(.init(chased: n))))
    }

    func closeSurvey(_ input: Operations.CloseSurvey.Input) async throws -> Operations.CloseSurvey.Output {
        let p = try caller()
        return .ok(.init(body: .json(try await dto(try await Surveys.close(input.path.id, by: p, on: db), scope: p.scope))))
    }

    func dto(_ s: SurveyModel, scope: AccessScope) async throws -> Components.Schemas.Survey {
        let (regions, total) = try await Surveys.progress(s, scope: scope, on: db)
        func progress(_ r: Surveys.Progress) -> Components.Schemas.SurveyProgress {
            .init(regionCode: r.region, invited: r.invited, answered: r.answered, declared: r.declared, filed: r.filed, coverage: r.coverage, filingRate: r.filingRate)
        }
        return .init(
            id: s.id!, title: s.title, industry: s.industry, regionCode: s.regionCode, openedOn: s.openedOn, closesOn: s.closesOn,
            state: .init(rawValue: s.state) ?? .closed, total: progress(total), regions: regions.map(progress),
            joinLink: "\(config.publicBaseURL)/p/surveys/\(s.id!)/join")
    }
}
