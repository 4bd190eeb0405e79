import FluentKit
import Foundation
import JiliangCore

/// Public campaign pages (3.15 consumer-rights day, 5.20 World Metrology Day, quality month in
/// September) with knowledge quizzes. The province administrator publishes them; the public reads
/// them and takes the quiz, whose scores are kept without any personal data.
public enum Campaigns {
    public enum Event: String, Sendable, CaseIterable {
        case consumerDay = "3.15"
        case metrologyDay = "5.20"
        case qualityMonth = "quality-month"
        case other
    }

    public static func published(on db: any Database) async throws -> [CampaignModel] {
        try await CampaignModel.query(on: db).filter(\.$published == true).sort(\.$startsOn, .descending).all()
    }

    public static func campaign(slug: String, on db: any Database) async throws -> (CampaignModel, [QuizQuestionModel]) {
        guard let c = try await CampaignModel.query(on: db).filter(\.$slug == slug).filter(\.$published == true).first() else {
            throw RegistryError.notFound(.campaign, key: slug)
        }
        let questions = try await QuizQuestionModel.query(on: db).filter(\.$campaignID == c.id!).sort(\.$position).all()
        return (c, questions)
    }

    public static func options(_ q: QuizQuestionModel) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(q.options.utf8))) ?? []
    }

    public struct Score: Sendable, Equatable {
        public var correct: Int
        public var total: Int
        /// Per question: the answer given (nil: none) and whether it was right.
        public var answers: [(given: Int?, right: Bool)]
        public static func == (a: Score, b: Score) -> Bool { a.correct == b.correct && a.total == b.total }
    }

    /// Scores a quiz: `answers` maps a question id to the chosen option's index (from the form's
    /// text). Unanswered questions count as wrong; an answer to another campaign's question or an
    /// option that does not exist is bad input.
    public static func score(slug: String, answers: [Int: String], on db: any Database) async throws -> (CampaignModel, [QuizQuestionModel], Score) {
        let (c, questions) = try await campaign(slug: slug, on: db)
        guard !questions.isEmpty else { throw RegistryError.conflict(field: "slug", reason: .publicService(.campaignHasNoQuiz)) }
        let ids = Set(questions.map { $0.id! })
        var checker = FieldChecker()
        for key in answers.keys where !ids.contains(key) { checker.fail("q\(key)", .publicService(.notAQuestionOfThisQuiz)) }
        var given: [(Int?, Bool)] = []
        for q in questions {
            let n = options(q).count
            let raw = answers[q.id!]
            let choice = raw.flatMap { checker.int("q\(q.id!)", $0, range: 0...max(n - 1, 0)) }
            given.append((choice, choice == q.answer))
        }
        try checker.finish()
        let score = Score(correct: given.filter(\.1).count, total: questions.count, answers: given)
        let campaignID = c.id!
        try await Audit.$actor.withValue(.system("public-site")) {
            try await db.auditedTransaction { tx in
                let a = QuizAttemptModel()
                a.campaignID = campaignID
                a.score = score.correct
                a.total = score.total
                a.createdAt = Date()
                try await a.create(on: tx)
            }
        }
        return (c, questions, score)
    }

    /// Participation: attempts and the mean score (for the campaign's report).
    public static func participation(campaignID: Int, on db: any Database) async throws -> (attempts: Int, meanScore: Double?) {
        let rows = try await QuizAttemptModel.query(on: db).filter(\.$campaignID == campaignID).all()
        guard !rows.isEmpty else { return (0, nil) }
        return (rows.count, Double(rows.map(\.score).reduce(0, +)) / Double(rows.count))
    }

    public static func create(
        slug: String?, event: String?, title: String?, titleEn: String?, body: String?, bodyEn: String?, startsOn: String?, endsOn: String?,
        by p: Principal, on db: any Database
    ) async throws -> CampaignModel {
        guard p.may(.manageCampaigns) else { throw RegistryError.forbidden(.notAllowed(.manageCampaigns)) }
        var c = FieldChecker()
        let s = c.text("slug", slug, max: 60)
        if let s, !s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) || s.first?.isLetter != true {
            c.fail("slug", .publicService(.slugNotAnAddress))
        }
        let e: Event? = c.choice("event", event)
        let t = c.text("title", title, max: 200)
        let te = c.text("title_en", titleEn, max: 200)
        let b = c.text("body", body, max: 20000)
        let be = c.text("body_en", bodyEn, max: 20000, required: false)
        let from = c.day("starts_on", startsOn)
        let to = c.day("ends_on", endsOn)
        if let from, let to, to < from { c.fail("ends_on", .publicService(.campaignEndsBeforeItStarts)) }
        try c.finish()
        return try await db.auditedTransaction { tx in
            if try await CampaignModel.query(on: tx).filter(\.$slug == s!.lowercased()).first() != nil {
                throw RegistryError.conflict(field: "slug", reason: .publicService(.campaignAddressTaken(slug: s!.lowercased())))
            }
            let m = CampaignModel()
            m.slug = s!.lowercased()
            m.event = e!.rawValue
            m.title = t!
            m.titleEn = te!
            m.body = b!
            m.bodyEn = be ?? ""
            m.startsOn = from!.description
            m.endsOn = to!.description
            m.published = true
            try await m.create(on: tx)
            return m
        }
    }
}
