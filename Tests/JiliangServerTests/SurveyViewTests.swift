import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The surveys area's view models, built from the store without HTTP (issue #20, item 5).
@Suite struct SurveyViewTests {
    static let today = CalendarDay("2026-11-26")!
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    @Test func theListAndOneSurveyAsTheBureauSeesThem() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let station = try await Fixtures.owner(1, industry: .fuelStation, on: db)
            _ = try await Fixtures.owner(2, industry: .fuelStation, on: db)
            // Before any survey: an empty list, and the form's defaults (the caller's county, 30 days).
            var list = try await SurveysView.build(by: Self.gulou, lang: .zh, today: Self.today, error: nil, form: nil, on: db)
            #expect(list.empty && list.surveys.isEmpty && list.v["region_code"] == "350102" && list.v["closes_on"] == "2026-12-26")
            #expect(list.industries.contains { $0.value == "fuel_station" && $0.label == "加油站" && !$0.selected })
            let (s, invited) = try await Surveys.open(
                title: "鼓楼区加油站摸排", industry: "fuel_station", region: "350102", closesOn: "2026-12-31", today: Self.today, by: Self.gulou, on: db)
            #expect(invited == 2)
            list = try await SurveysView.build(by: Self.gulou, lang: .en, today: Self.today, error: nil, form: nil, on: db)
            #expect(list.surveys == [.init(
                link: Site.survey(s.id!), title: "鼓楼区加油站摸排", industry: "Fuel station", region: "350102", closes: "2026-12-31",
                state: PageKey.sv_open.en, invited: 2, answered: 0, declared: 0, filed: 0)])
            // A form posted back with an error keeps what was typed.
            let again = try await SurveysView.build(
                by: Self.gulou, lang: .zh, today: Self.today, error: "title: is required",
                form: OpenSurveyForm(title: "", industry: "market", region_code: "350102", closes_on: "2026-12-01"), on: db)
            #expect(again.error == "title: is required" && again.v["closes_on"] == "2026-12-01" && again.industries.first { $0.selected }?.value == "market")

            // One survey: both owners silent, nobody asked to join yet; after a chase, the count said.
            let view = try await SurveyView.build(s.id!, by: Self.gulou, lang: .zh, chased: 2, publicBaseURL: "https://jl.example", on: db)
            #expect(view.isOpen && view.total.invited == 2 && view.total.answered == 0 && view.total.coverage == "0.0%")
            #expect(view.total.region == PageKey.sv_total.zh && view.regions.map(\.region) == ["鼓楼区"])
            #expect(view.silent.map(\.name).sorted() == [station.name, try await OwnerModel.find(2, on: db)?.name ?? ""].sorted() && view.hasSilent)
            #expect(view.chased == String(format: PageKey.sv_chased.zh, 2) && !view.hasRequests)
            #expect(view.joinLink == "https://jl.example/p/surveys/\(s.id!)/join" && view.chaseAction == Site.surveyChase(s.id!))
            // A unit asks to join: its request comes with the action that decides it.
            let r = try await Surveys.requestToJoin(
                surveyID: s.id!, name: "新开加油站", creditCode: Fixtures.creditCode(9).value, address: "新路1号", region: "鼓楼区",
                contactPhone: "13800000009", today: Self.today, on: db)
            let withRequest = try await SurveyView.build(s.id!, by: Self.gulou, lang: .en, chased: nil, publicBaseURL: "", on: db)
            #expect(withRequest.requests.map(\.decideAction) == [Site.surveyRequest(s.id!, r.id!)] && withRequest.chased == nil)
        }
    }

    @Test func anOwnerHasNoSurveysPage() async throws {
        try await TestDatabase.withStore { store in
            let owner = try await Fixtures.owner(on: store.db)
            let p = Principal(kind: .user, id: 9, label: "owner", role: .owner, ownerIDs: [owner.id!])
            await #expect(throws: RegistryError.self) {
                try await SurveysView.build(by: p, lang: .zh, today: Self.today, error: nil, form: nil, on: store.db)
            }
        }
    }
}
