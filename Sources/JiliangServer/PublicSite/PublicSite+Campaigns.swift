import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

extension PublicSite {
    func campaignsPage(_ request: Request) async throws -> Response {
        let lang = language(request)
        let view = try await PublicCampaignsView.build(lang: lang, on: db)
        return render("public-campaigns", view: view, title: PublicStrings.strings(lang)[.campaigns], request: request, cache: 300)
    }

    func campaignPage(
        _ request: Request, slug: String, score: Campaigns.Score?, status: HTTPResponse.Status = .ok, error: String? = nil
    ) async throws -> Response {
        let view = try await PublicCampaignView.build(slug: slug, lang: language(request), score: score, error: error, on: db)
        return render("public-campaign", view: view, title: view.title, request: request, status: status, cache: score == nil && error == nil ? 300 : nil)
    }

    func answerQuiz(_ request: Request, slug: String) async throws -> Response {
        let f = try await form(PublicQuizForm.self, request)
        do {
            let (_, _, score) = try await Campaigns.score(slug: slug, answers: f.answers, on: db)
            return try await campaignPage(request, slug: slug, score: score)
        } catch let e as ValidationFailure {
            return try await campaignPage(request, slug: slug, score: nil, status: .badRequest, error: RefusalText.words(e, language(request)))
        }
    }
}

/// A quiz's answers: one field `q<question id>` per question, its value the chosen option's index.
/// A field named `q…` that is not a question id is bad input; other fields are ignored.
struct PublicQuizForm: Decodable, Sendable {
    var answers: [Int: String]

    init(answers: [Int: String]) { self.answers = answers }

    init(from decoder: any Decoder) throws {
        var answers: [Int: String] = [:]
        for (k, v) in try [String: String](from: decoder) where k.hasPrefix("q") {
            guard let id = Int(k.dropFirst()) else { throw RegistryError.invalid(k, .publicService(.notAQuestionOfThisQuiz)) }
            answers[id] = v
        }
        self.answers = answers
    }
}

/// The published campaigns (`public-campaigns.mustache`).
struct PublicCampaignsView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var slug: String
        var title: String
        var dates: String
    }
    var campaigns: [Row]

    static func dates(_ c: CampaignModel) -> String { c.startsOn == c.endsOn ? c.startsOn : "\(c.startsOn) – \(c.endsOn)" }

    static func build(lang: PageStrings.Language, on db: any Database) async throws -> PublicCampaignsView {
        let rows = try await Campaigns.published(on: db).map { Row(slug: $0.slug, title: lang == .zh ? $0.title : $0.titleEn, dates: dates($0)) }
        return PublicCampaignsView(campaigns: rows)
    }
}

/// One campaign with its quiz, and after an answer the score and a verdict per question (`public-campaign.mustache`).
struct PublicCampaignView: PageView {
    struct Option: Encodable, Sendable, Equatable {
        var value: String
        var label: String
        var checked: Bool
    }
    struct Question: Encodable, Sendable, Equatable {
        var id: String
        var n: String
        var question: String
        var options: [Option]
        /// After an answer: right or wrong, its tone and why.
        var verdict: String?
        var tone: String?
        var explanation: String?
    }
    struct Paragraph: Encodable, Sendable, Equatable {
        var p: String
    }
    var slug: String
    var title: String
    var paragraphs: [Paragraph]
    var dates: String
    var questions: [Question]
    var hasQuiz: Bool
    /// "correct / total" after an answer.
    var score: String?
    var error: String?

    static func build(
        slug: String, lang: PageStrings.Language, score: Campaigns.Score?, error: String?, on db: any Database
    ) async throws -> PublicCampaignView {
        let t = PublicStrings.strings(lang)
        let (c, questions) = try await Campaigns.campaign(slug: slug, on: db)
        let body = lang == .zh || c.bodyEn.isEmpty ? c.body : c.bodyEn
        let qs = questions.enumerated().map { (n, q) -> Question in
            let given = score?.answers[n]
            return Question(
                id: "\(q.id!)", n: "\(n + 1)", question: q.question,
                options: Campaigns.options(q).enumerated().map { (k, o) in Option(value: "\(k)", label: o, checked: given?.given == k) },
                verdict: given.map { $0.right ? t[.right] : t[.wrong] }, tone: given.map { $0.right ? "ok" : "bad" },
                explanation: given.map { _ in q.explanation })
        }
        return PublicCampaignView(
            slug: c.slug, title: lang == .zh ? c.title : c.titleEn, paragraphs: body.split(separator: "\n").map { Paragraph(p: String($0)) },
            dates: PublicCampaignsView.dates(c), questions: qs, hasQuiz: !qs.isEmpty,
            score: score.map { "\($0.correct) / \($0.total)" }, error: error)
    }
}
