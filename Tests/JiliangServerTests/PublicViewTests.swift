import FluentKit
import Foundation
import Hummingbird
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The public site's view models and forms, built from the store without HTTP (issue #20, item 5).
@Suite struct PublicViewTests {
    static let today = CalendarDay("2026-11-26")!

    @Test func theInstitutesWithTheirCurrentAuthorisations() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await Fixtures.institution("福州市计量所", subNos: [2, 10], on: db)
            let zh = try await PublicInstitutionsView.build(lang: .zh, today: Self.today, on: db)
            let lab = try #require(zh.institutions.first { $0.name == "福州市计量所" })
            #expect(lab.kind == PublicKey.legal.zh && lab.address == "测试地址" && lab.hasScopes)
            #expect(lab.scopes.count == 2 && lab.scopes.allSatisfy { $0.until == "2035-12-31" && !$0.item.isEmpty && !$0.region.isEmpty })
            let en = try await PublicInstitutionsView.build(lang: .en, today: Self.today, on: db)
            #expect(en.institutions.first { $0.name == "福州市计量所" }?.kind == PublicKey.legal.en)
            // Past its authorisations an institute is still listed, without scopes.
            let later = try await PublicInstitutionsView.build(lang: .zh, today: CalendarDay("2036-01-01")!, on: db)
            #expect(later.institutions.first { $0.name == "福州市计量所" }.map { !$0.hasScopes && $0.scopes.isEmpty } == true)
        }
    }

    @Test func theCampaignsAndAQuizAnswered() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            // The seeded campaigns, newest first, titled in the reader's language.
            let list = try await PublicCampaignsView.build(lang: .zh, on: db)
            #expect(list.campaigns.map(\.slug) == ["world-metrology-day-2027", "consumer-day-2027", "quality-month-2026"])
            #expect(list.campaigns.last?.dates == "2026-09-01 – 2026-09-30" && list.campaigns.first?.dates == "2027-05-20")
            let en = try await PublicCampaignsView.build(lang: .en, on: db)
            #expect(en.campaigns.first?.title.hasPrefix("5.20 World Metrology Day") == true)

            // Before an answer: the questions, nothing checked, no score and no verdicts.
            let page = try await PublicCampaignView.build(slug: "consumer-day-2027", lang: .zh, score: nil, error: nil, on: db)
            #expect(page.hasQuiz && page.questions.count == 3 && page.score == nil && !page.paragraphs.isEmpty)
            #expect(page.questions.map(\.n) == ["1", "2", "3"] && page.questions.allSatisfy { $0.verdict == nil && !$0.options.contains(where: \.checked) })

            // The quiz as posted: q<id> fields; the first answered right, the second wrong, the third not at all.
            let (_, questions) = try await Campaigns.campaign(slug: "consumer-day-2027", on: db)
            let body = "q\(questions[0].id!)=\(questions[0].answer)&q\(questions[1].id!)=\(questions[1].answer == 0 ? 1 : 0)&other=x"
            let form = try URLEncodedFormDecoder().decode(PublicQuizForm.self, from: body)
            #expect(form.answers.count == 2 && form.answers[questions[0].id!] == "\(questions[0].answer)")
            #expect(throws: RegistryError.self) { try URLEncodedFormDecoder().decode(PublicQuizForm.self, from: "qabc=1") }
            let (_, _, score) = try await Campaigns.score(slug: "consumer-day-2027", answers: form.answers, on: db)
            let answered = try await PublicCampaignView.build(slug: "consumer-day-2027", lang: .zh, score: score, error: nil, on: db)
            #expect(answered.score == "1 / 3")
            #expect(answered.questions.map(\.verdict) == [PublicKey.right.zh, PublicKey.wrong.zh, PublicKey.wrong.zh])
            #expect(answered.questions.map(\.tone) == ["ok", "bad", "bad"])
            #expect(answered.questions[0].options.filter(\.checked).map(\.value) == ["\(questions[0].answer)"])
            #expect(answered.questions[2].options.allSatisfy { !$0.checked } && answered.questions[2].explanation == questions[2].explanation)
        }
    }

    @Test func theSurveyFormsRowsAsPosted() throws {
        let form = try URLEncodedFormDecoder().decode(
            PublicDeclareForm.self, from: "name_1=%E7%94%B5%E5%AD%90%E7%A7%A4&serial_1=&address_1=S1&purpose_1=trade_settlement&purpose_2=safety&name_3=+")
        #expect(form.rows.count == PublicSite.surveyFormRows)
        #expect(form.rows[0] == .init(name: "电子秤", serial: "", address: "S1", in_service: nil, purpose: "trade_settlement") && form.rows[0].isFilled)
        // A purpose alone, or blanks, fill nothing.
        #expect(!form.rows[1].isFilled && !form.rows[2].isFilled && form.rows[2].name == " ")
        let join = try URLEncodedFormDecoder().decode(PublicJoinForm.self, from: "name=%E6%96%B0%E5%BA%97&credit_code=&region=x")
        #expect(join.values == ["name": "新店", "credit_code": "", "region": "x"])
    }
}
