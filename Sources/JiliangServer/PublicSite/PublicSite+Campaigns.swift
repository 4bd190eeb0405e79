import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

extension PublicSite {
    func campaignsPage(_ request: Request) async throws -> Response {
        let lang = language(request)
        let t = PublicStrings.strings(lang)
        let rows = try await Campaigns.published(on: db).map {
            ["slug": $0.slug, "title": lang == .zh ? $0.title : $0.titleEn, "dates": $0.startsOn == $0.endsOn ? $0.startsOn : "\($0.startsOn) – \($0.endsOn)"]
        }
        return render("public-campaigns", ["t": t, "campaigns": rows], title: t[.campaigns], request: request, cache: 300)
    }

    func campaignPage(_ request: Request, slug: String, score: (Campaigns.Score, [QuizQuestionModel])?, status: HTTPResponse.Status = .ok, error: String? = nil) async throws -> Response {
        let lang = language(request)
        let t = PublicStrings.strings(lang)
        let (c, questions) = try await Campaigns.campaign(slug: slug, on: db)
        let body = lang == .zh || c.bodyEn.isEmpty ? c.body : c.bodyEn
        let qs = questions.enumerated().map { (n, q) -> [String: Any] in
            let given = score?.0.answers[n]
            var row: [String: Any] = [
                "id": "\(q.id!)", "n": "\(n + 1)", "question": q.question,
                "options": Campaigns.options(q).enumerated().map { (k, o) in
                    ["value": "\(k)", "label": o, "checked": given?.given == k ? "1" : ""].filter { !$0.value.isEmpty }
                },
            ]
            if let given {
                row["verdict"] = given.right ? t[.right] : t[.wrong]
                row["tone"] = given.right ? "ok" : "bad"
                row["explanation"] = q.explanation
            }
            return row
        }
        var model: [String: Any] = [
            "t": t, "slug": c.slug, "title": lang == .zh ? c.title : c.titleEn, "paragraphs": body.split(separator: "\n").map { ["p": String($0)] },
            "dates": c.startsOn == c.endsOn ? c.startsOn : "\(c.startsOn) – \(c.endsOn)", "questions": qs, "hasQuiz": !qs.isEmpty,
        ]
        if let score { model["score"] = "\(score.0.correct) / \(score.0.total)" }
        if let error { model["error"] = error }
        return render("public-campaign", model, title: lang == .zh ? c.title : c.titleEn, request: request, status: status, cache: score == nil && error == nil ? 300 : nil)
    }

    func answerQuiz(_ request: Request, slug: String) async throws -> Response {
        let f = try await urlencoded(request)
        var answers: [Int: String] = [:]
        for (k, v) in f where k.hasPrefix("q") {
            guard let id = Int(k.dropFirst()) else { throw RegistryError.invalid(k, "is not a question of this quiz") }
            answers[id] = v
        }
        do {
            let (_, questions, score) = try await Campaigns.score(slug: slug, answers: answers, on: db)
            return try await campaignPage(request, slug: slug, score: (score, questions))
        } catch let e as ValidationFailure {
            return try await campaignPage(request, slug: slug, score: nil, status: .badRequest, error: e.description)
        }
    }
}
