import FluentKit
import Foundation
import JiliangCore
import JiliangTelemetry
import SQLKit

/// The detectors' thresholds per region (issue #21, item 4): a region keeps only the settings it
/// changed; an instrument is judged by its county's, else its city's, else the province's, else
/// the defaults (`ThresholdSettings`). Set by the province's administrators (reference data, as
/// the catalogue is), read by whoever reviews alerts.
extension Telemetry {
    /// One region's thresholds as they apply: each setting's value and the region it comes from
    /// (nil: the default).
    public struct EffectiveThresholds: Sendable {
        public var region: String
        public var values: [(name: String, value: Double, from: String?)]
        /// What the region itself set (the rest it inherits).
        public var own: [String: Double]
        public var setBy: String?
        public var setAt: Date?
    }

    /// Every region's own settings, by region code.
    public static func regionSettings(on db: any Database) async throws -> [String: [String: Double]] {
        struct Row: Decodable { var region_code: String; var settings: String }
        let rows = try await (db as! any SQLDatabase).select().columns("region_code", "settings").from("telemetry_thresholds").all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.region_code, (try? JSONDecoder().decode([String: Double].self, from: Data($0.settings.utf8))) ?? [:]) })
    }

    /// The thresholds for a region as they apply, with where each comes from. Reviewers see their
    /// own region and those above and below it; another region answers as unknown.
    public static func thresholds(region code: String, by p: Principal, on db: any Database) async throws -> EffectiveThresholds {
        guard p.may(.reviewAlerts) else { throw RegistryError.forbidden(.notAllowed(.reviewAlerts)) }
        let region = try await knownRegion(code, seenBy: p, on: db)
        let all = try await regionSettings(on: db)
        var chain: [RegionCode] = [region]
        while let up = chain.last?.parent { chain.append(up) }
        let defaults = Thresholds()
        let values = ThresholdSettings.all.map { s -> (String, Double, String?) in
            for r in chain { if let v = all[r.value]?[s.name] { return (s.name, v, r.value) } }
            return (s.name, s.value(defaults), nil)
        }
        struct Meta: Decodable { var set_by: String; var set_at: Date }
        let meta = try await (db as! any SQLDatabase).select().columns("set_by", "set_at").from("telemetry_thresholds")
            .where("region_code", .equal, SQLBind(region.value)).first(decoding: Meta.self)
        return EffectiveThresholds(region: region.value, values: values, own: all[region.value] ?? [:], setBy: meta?.set_by, setAt: meta?.set_at)
    }

    /// Replaces a region's own settings (an empty set: the region inherits everything again).
    /// Each setting is checked by name and bounds; the change is audited with before and after.
    public static func setThresholds(
        region code: String, settings: [String: Double], by p: Principal, now: Date = Date(), on db: any Database
    ) async throws -> EffectiveThresholds {
        guard p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.manageReference)) }
        let region = try await knownRegion(code, seenBy: p, on: db)
        var c = FieldChecker()
        for e in ThresholdSettings.check(settings) { c.fail("settings.\(e.field)", e.reason) }
        try c.finish()
        let text = String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self)
        try await db.auditedTransaction { tx in
            let sql = tx as! any SQLDatabase
            let before = try await regionSettings(on: tx)[region.value]
            if settings.isEmpty {
                try await sql.delete(from: "telemetry_thresholds").where("region_code", .equal, SQLBind(region.value)).run()
            } else {
                // An upsert: two administrators saving at once both succeed, the later one winning.
                try await sql.insert(into: "telemetry_thresholds").columns("region_code", "settings", "set_by", "set_at")
                    .values(SQLBind(region.value), SQLBind(text), SQLBind(p.label), SQLBind(now))
                    .onConflict(with: ["region_code"]) { $0.set(excludedValueOf: "settings").set(excludedValueOf: "set_by").set(excludedValueOf: "set_at") }
                    .run()
            }
            try await Audit.record(
                p, action: "telemetry.thresholds.set", entity: "telemetry_thresholds", id: region.value,
                after: ["before": before.map { String(decoding: (try? JSONEncoder.sorted.encode($0)) ?? Data(), as: UTF8.self) } ?? "{}", "after": text],
                on: tx)
        }
        return try await thresholds(region: region.value, by: p, on: db)
    }

    /// A region in the registry that the caller may look at: its own, or above or below it.
    static func knownRegion(_ code: String, seenBy p: Principal, on db: any Database) async throws -> RegionCode {
        guard let region = RegionCode(code), try await RegionModel.find(region.value, on: db) != nil else {
            throw RegistryError.notFound(.region, key: code)
        }
        if case .region(let mine) = p.scope, !(mine.contains(region) || region.contains(mine)) { throw RegistryError.notFound(.region, key: code) }
        return region
    }

    /// The thresholds for an instrument's region, or — for a caller with no region (the
    /// province's staff) — the province's own settings over the defaults.
    static func thresholds(for region: RegionCode?, on db: any Database) async throws -> Thresholds {
        let all = try await regionSettings(on: db)
        if let region { return ThresholdSettings.resolve(region, all) }
        let province = all.keys.compactMap(RegionCode.init).first { $0.level == .province }
        return ThresholdSettings.resolve(province, all)
    }
}
