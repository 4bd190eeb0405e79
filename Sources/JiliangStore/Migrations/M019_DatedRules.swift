import FluentKit
import JiliangCore
import SQLKit

/// 019: verification rules in force only from their regulation's date (issue #18, item 14). Adds
/// `effective_until` (a rule whose conditions a later regulation changed ends the day before it:
/// JJG 162-2019, in force 2020-03-31, added "Q3 ≤ 16 m³/h" to the water-meter rotation rules), and
/// brings a registry seeded before — every rule effective from 1990-01-01 — to the dated rules of
/// `rules.csv`: each seeded row takes the dates, version, source and confidence of the latest
/// version of its rule, and the earlier versions are added. Rules an administrator added are left
/// as they are. Past records keep the rule and valid-until they were computed with (issue #2).
struct M019_DatedRules: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE verification_rules ADD COLUMN effective_until TEXT").run()
        // A fresh registry is seeded after the migrations, from the dated file itself.
        guard try await RuleModel.query(on: db).count() > 0 else { return }
        try await Self.dateSeededRules(try Seed.rows("rules").map(Seed.rule), on: db)
    }

    /// What makes two rows the same rule (apart from its dates and version).
    struct Key: Hashable {
        var subNo: Int
        var condition: String
        var form: VerificationForm
        var cycle: Int?
        var life: Int?
        init(_ r: VerificationRule) {
            subNo = r.subNo
            let c = r.condition
            condition = [c.meterType?.rawValue ?? "", c.dnMin.map(String.init) ?? "", c.dnMax.map(String.init) ?? "",
                         c.q3Max.map { String($0) } ?? "", c.medium?.rawValue ?? ""].joined(separator: "|")
            form = r.form
            cycle = r.cycleMonths
            life = r.serviceLifeMonths
        }
    }

    static func dateSeededRules(_ seeded: [VerificationRule], on db: any Database) async throws {
        // Rules of catalogue rows not yet in the registry (added since) are seeded after the
        // migrations, with their rows (`Seed.rules`); inserting them here would break the foreign key.
        let catalogue = Set(try await (db as! any SQLDatabase).raw("SELECT sub_no FROM catalogue_entries").all().map { try $0.decode(column: "sub_no", as: Int.self) })
        let dated = seeded.filter { catalogue.contains($0.subNo) }
        let existing = try await RuleModel.query(on: db).all()
        let seededDay = "1990-01-01"
        for (key, versions) in Dictionary(grouping: dated, by: Key.init) {
            let ordered = versions.sorted { ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version) }
            var rest = ordered
            // The row seeded before this migration (1990, version 1, no end) is the rule's latest version.
            if let seeded = existing.first(where: { Key($0.rule) == key && $0.effectiveFrom == seededDay && $0.version == 1 && $0.effectiveUntil == nil }) {
                let latest = rest.removeLast()
                seeded.apply(latest)
                try await seeded.save(on: db)
            }
            for r in rest where !existing.contains(where: { Key($0.rule) == key && $0.effectiveFrom == r.effectiveFrom.description }) {
                let m = RuleModel()
                m.apply(r)
                try await m.create(on: db)
            }
        }
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE verification_rules DROP COLUMN effective_until").run()
    }
}
