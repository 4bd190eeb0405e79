import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Loads the reference data shipped with the app (Fujian regions, the catalogue and its rules).
/// Idempotent: rows already present are left as they are, so the administrator's later edits and
/// new rule versions survive a restart.
public enum Seed {
    public static func resourceText(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "seed") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "seed/\(name).csv"])
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func rows(_ name: String) throws -> [[String: String]] {
        var reader = CSVReader(utf8: Array(try resourceText(name).utf8))
        guard let header = reader.next()?.fields else { return [] }
        return reader.map { row in
            Dictionary(uniqueKeysWithValues: zip(header, row.fields + Array(repeating: "", count: max(0, header.count - row.fields.count))))
        }
    }

    public static func referenceData(on db: any Database) async throws {
        try await regions(on: db)
        try await catalogue(on: db)
        try await rules(on: db)
        try await instrumentNames(on: db)
        try await holidays(on: db)
        try await campaigns(on: db)
        try await commitmentTemplates(on: db)
    }

    struct SeedCredit: Decodable {
        struct Template: Decodable { var sector, title, body: String }
        var templates: [Template]
        var criteria: [String: [Demonstration.Criterion]]
    }

    static func creditSeed() throws -> SeedCredit {
        guard let url = Bundle.module.url(forResource: "credit", withExtension: "json", subdirectory: "seed") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "seed/credit.json"])
        }
        return try JSONDecoder().decode(SeedCredit.self, from: Data(contentsOf: url))
    }

    /// The commitment letters and demonstration checklists per sector (the administrator edits them
    /// later), each only into an empty table.
    static func commitmentTemplates(on db: any Database) async throws {
        if try await DemoChecklistModel.query(on: db).count() == 0 {
            for (sector, criteria) in try creditSeed().criteria {
                let m = DemoChecklistModel()
                m.id = sector
                m.criteria = String(decoding: try JSONEncoder().encode(criteria), as: UTF8.self)
                m.updatedAt = Date()
                m.updatedBy = "seed"
                try await m.create(on: db)
            }
        }
        guard try await CommitmentTemplateModel.query(on: db).count() == 0 else { return }
        for t in try creditSeed().templates {
            let m = CommitmentTemplateModel()
            m.id = t.sector
            m.title = t.title
            m.body = t.body
            m.updatedAt = Date()
            m.updatedBy = "seed"
            try await m.create(on: db)
        }
    }

    struct SeedCampaign: Decodable {
        struct Question: Decodable {
            var q: String
            var options: [String]
            var answer: Int
            var why: String
        }
        var slug, event, title, title_en, body, body_en, starts_on, ends_on: String
        var quiz: [Question]
    }

    /// The first campaign pages and quizzes (3.15, 5.20, quality month), only into an empty table.
    static func campaigns(on db: any Database) async throws {
        guard try await CampaignModel.query(on: db).count() == 0 else { return }
        guard let url = Bundle.module.url(forResource: "campaigns", withExtension: "json", subdirectory: "seed") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "seed/campaigns.json"])
        }
        for c in try JSONDecoder().decode([SeedCampaign].self, from: Data(contentsOf: url)) {
            let m = CampaignModel()
            m.slug = c.slug
            m.event = c.event
            m.title = c.title
            m.titleEn = c.title_en
            m.body = c.body
            m.bodyEn = c.body_en
            m.startsOn = c.starts_on
            m.endsOn = c.ends_on
            m.published = true
            try await m.create(on: db)
            for (i, q) in c.quiz.enumerated() {
                let qm = QuizQuestionModel()
                qm.campaignID = m.id!
                qm.position = i + 1
                qm.question = q.q
                qm.options = String(decoding: try JSONEncoder().encode(q.options), as: UTF8.self)
                qm.answer = q.answer
                qm.explanation = q.why
                try await qm.create(on: db)
            }
        }
    }

    /// The State Council's public holidays and make-up working days (国务院办公厅关于…部分节假日安排的
    /// 通知) for the years shipped, into the working-day calendar (issue #19, item 7). Each year
    /// loads once: a day already there (entered by hand) is kept, and a day the administrator deletes
    /// later is not brought back by a restart.
    static func holidays(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let byYear = Dictionary(grouping: try rows("holidays-cn"), by: { String($0["date"]!.prefix(4)) })
        for (year, days) in byYear.sorted(by: { $0.key < $1.key }) {
            let marker = "holidays:\(year)"
            guard try await sql.raw("SELECT name FROM reference_loads WHERE name = \(bind: marker)").first() == nil else { continue }
            // Audited as the shipped reference data, not as whoever started the server.
            try await Audit.$actor.withValue(.system("reference data: \(marker)")) {
              try await db.auditedTransaction { tx in
                for d in days {
                    guard let day = CalendarDay(d["date"]!), try await CalendarDayModel.find(day.description, on: tx) == nil else { continue }
                    let m = CalendarDayModel()
                    m.id = day.description
                    m.kind = d["kind"] == "work" ? WorkingCalendar.DayKind.workday.rawValue : WorkingCalendar.DayKind.holiday.rawValue
                    m.name = d["name"]!
                    m.source = d["source"]
                    try await m.create(on: tx)
                }
                try await (tx as! any SQLDatabase).raw("INSERT INTO reference_loads (name, loaded_at) VALUES (\(bind: marker), \(bind: Date()))").run()
              }
            }
        }
    }

    static func regions(on db: any Database) async throws {
        guard try await RegionModel.query(on: db).count() == 0 else { return }
        for r in try rows("regions-fujian") {
            // 金门县 is listed by the statistics bureau but administered by the Taiwan authorities.
            try await RegionModel(
                code: r["code"]!, name: r["name"]!, level: r["level"]!,
                parentCode: r["parent_code"]!.isEmpty ? nil : r["parent_code"], operational: r["code"] != "350527"
            ).create(on: db)
        }
    }

    static func catalogue(on db: any Database) async throws {
        let existing = Set(try await CatalogueEntryModel.query(on: db).all().compactMap(\.id))
        for file in ["catalogue", "catalogue-unconfirmed"] {
            for r in try rows(file) {
                guard let sub = Int(r["sub_no"]!), !existing.contains(sub) else { continue }
                let m = CatalogueEntryModel()
                m.apply(
                    CatalogueEntry(
                        itemNo: Int(r["item_no"]!)!, itemName: r["item_name"]!, subNo: sub, subName: r["sub_name"]!,
                        mode: SupervisionMode(rawValue: r["mode"]!), form: VerificationForm(rawValue: r["verification_form"]!),
                        scopeNote: r["scope_note"]!, regulation: [r["jjg"]!, r["cycle_or_life"]!].filter { !$0.isEmpty }.joined(separator: "；"),
                        source: r["source"]!, confidence: Confidence(rawValue: r["confidence"]!) ?? .unconfirmed))
                try await m.create(on: db)
            }
        }
    }

    /// Adds the seeded rules not yet present (a fresh registry gets them all; a running one the rules
    /// of catalogue rows added since). A rule is present when one with the same sub-item, condition,
    /// form, cycle or life and effective date exists. Rules are never changed here: a later change to
    /// a seeded rule is a new version (or a migration, as 019 dated the first ones).
    static func rules(on db: any Database) async throws {
        let existing = Set(try await RuleModel.query(on: db).all().map { RuleKey($0.rule) })
        let catalogue = Set(try await CatalogueEntryModel.query(on: db).all().compactMap(\.id))
        for r in try rows("rules").map(rule) where catalogue.contains(r.subNo) && !existing.contains(RuleKey(r)) {
            let m = RuleModel()
            m.apply(r)
            try await m.create(on: db)
        }
    }

    /// Adds the shipped instrument names not yet present (an administrator's names and changes stay):
    /// names of catalogue rows that exist only.
    static func instrumentNames(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let existing = Set(try await sql.raw("SELECT name FROM instrument_names").all().map { try $0.decode(column: "name", as: String.self) })
        let catalogue = Set(try await CatalogueEntryModel.query(on: db).all().compactMap(\.id))
        for r in try rows("instrument-names") {
            let name = InstrumentNames.normalize(r["name"]!)
            guard let sub = Int(r["sub_no"]!), catalogue.contains(sub), !existing.contains(name) else { continue }
            try await sql.raw("INSERT INTO instrument_names (name, sub_no, origin) VALUES (\(bind: name), \(bind: sub), 'seed')").run()
        }
    }

    /// What makes two rule rows the same rule version, apart from its id, number and texts.
    struct RuleKey: Hashable {
        var rule: M019_DatedRules.Key
        var effectiveFrom: CalendarDay
        init(_ r: VerificationRule) {
            rule = .init(r)
            effectiveFrom = r.effectiveFrom
        }
    }

    /// A row of the seeded rules (`rules.csv`).
    static func rule(_ r: [String: String]) -> VerificationRule {
        VerificationRule(
            id: 0, subNo: Int(r["sub_no"]!)!, version: Int(r["version"]!) ?? 1, effectiveFrom: CalendarDay(r["effective_from"]!)!,
            effectiveUntil: CalendarDay(r["effective_until"] ?? ""),
            condition: MeterCondition(
                meterType: MeterType(rawValue: r["meter_type"]!), dnAbove: Int(r["dn_above"]!),
                dnMax: Int(r["dn_max"]!), q3Max: Double(r["q3_max"]!), medium: GasMedium(rawValue: r["medium"]!)),
            form: VerificationForm(rawValue: r["form"]!)!, cycleMonths: Int(r["cycle_months"]!),
            serviceLifeMonths: Int(r["service_life_months"]!), source: r["source"]!,
            confidence: Confidence(rawValue: r["confidence"]!) ?? .unconfirmed)
    }
}
