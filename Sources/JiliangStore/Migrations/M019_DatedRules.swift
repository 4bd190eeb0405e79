import FluentKit
import Foundation
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
        guard try await (db as! any SQLDatabase).raw("SELECT id FROM verification_rules LIMIT 1").first() != nil else { return }
        // The shipped rules file is reference data, not code: a registry that has yet to run 019 is
        // brought to the dated rules of the release it upgrades to, as `Seed` does for new rows.
        try await Self.dateSeededRules(try Seed.rows("rules").map(Seed.rule), on: db)
    }

    /// What makes two rows the same rule (apart from its dates and version).
    struct Key: Hashable {
        var subNo: Int
        var condition: String
        var form: String
        var cycle: Int?
        var life: Int?
        init(subNo: Int, meterType: String?, dnMin: Int?, dnMax: Int?, q3Max: Double?, medium: String?, form: String, cycle: Int?, life: Int?) {
            self.subNo = subNo
            condition = [meterType ?? "", dnMin.map(String.init) ?? "", dnMax.map(String.init) ?? "", q3Max.map { String($0) } ?? "", medium ?? ""]
                .joined(separator: "|")
            self.form = form
            self.cycle = cycle
            self.life = life
        }
        init(_ r: VerificationRule) {
            let c = r.condition
            self.init(subNo: r.subNo, meterType: c.meterType?.rawValue, dnMin: c.dnMin, dnMax: c.dnMax, q3Max: c.q3Max, medium: c.medium?.rawValue,
                      form: r.form.rawValue, cycle: r.cycleMonths, life: r.serviceLifeMonths)
        }
        init(_ r: Row) {
            self.init(subNo: r.sub_no, meterType: r.meter_type, dnMin: r.dn_above, dnMax: r.dn_max, q3Max: r.q3_max, medium: r.medium,
                      form: r.form, cycle: r.cycle_months, life: r.service_life_months)
        }
    }

    /// `verification_rules` as it stands at 019, read and written in SQL: the migration must not
    /// depend on today's `RuleModel`, which a later migration may give a column this one never had.
    struct Row: Decodable {
        var id: Int
        var sub_no: Int
        var version: Int
        var effective_from: String
        var effective_until: String?
        var meter_type: String?
        var dn_above: Int?
        var dn_max: Int?
        var q3_max: Double?
        var medium: String?
        var form: String
        var cycle_months: Int?
        var service_life_months: Int?
    }

    static func dateSeededRules(_ seeded: [VerificationRule], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // Rules of catalogue rows not yet in the registry (added since) are seeded after the
        // migrations, with their rows (`Seed.rules`); inserting them here would break the foreign key.
        let catalogue = Set(try await sql.raw("SELECT sub_no FROM catalogue_entries").all().map { try $0.decode(column: "sub_no", as: Int.self) })
        let dated = seeded.filter { catalogue.contains($0.subNo) }
        var existing = try await sql.raw("""
            SELECT id, sub_no, version, effective_from, effective_until, meter_type, dn_above, dn_max, q3_max, medium, form, cycle_months,
                   service_life_months FROM verification_rules
            """).all(decoding: Row.self)
        let seededDay = "1990-01-01"
        for (key, versions) in Dictionary(grouping: dated, by: Key.init) {
            let ordered = versions.sorted { ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version) }
            var rest = ordered
            // The row seeded before this migration (1990, version 1, no end) is the rule's latest version.
            if let o = existing.firstIndex(where: { Key($0) == key && $0.effective_from == seededDay && $0.version == 1 && $0.effective_until == nil }) {
                let old = existing[o]
                let latest = rest.removeLast()
                // The row is that version now: an earlier version from 1990 is not "already there".
                existing[o].effective_from = latest.effectiveFrom.description
                try await sql.raw("""
                    UPDATE verification_rules SET version = \(bind: latest.version), effective_from = \(bind: latest.effectiveFrom.description),
                      effective_until = \(bind: latest.effectiveUntil?.description), source = \(bind: latest.source),
                      confidence = \(bind: latest.confidence.rawValue) WHERE id = \(bind: old.id)
                    """).run()
            }
            for r in rest where !existing.contains(where: { Key($0) == key && $0.effective_from == r.effectiveFrom.description }) {
                let c = r.condition
                try await sql.raw("""
                    INSERT INTO verification_rules (sub_no, version, effective_from, effective_until, meter_type, dn_above, dn_max, q3_max,
                      medium, form, cycle_months, service_life_months, source, confidence, created_at)
                    VALUES (\(bind: r.subNo), \(bind: r.version), \(bind: r.effectiveFrom.description), \(bind: r.effectiveUntil?.description),
                      \(bind: c.meterType?.rawValue), \(bind: c.dnMin), \(bind: c.dnMax), \(bind: c.q3Max), \(bind: c.medium?.rawValue),
                      \(bind: r.form.rawValue), \(bind: r.cycleMonths), \(bind: r.serviceLifeMonths), \(bind: r.source),
                      \(bind: r.confidence.rawValue), \(bind: Date()))
                    """).run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE verification_rules DROP COLUMN effective_until").run()
    }
}
