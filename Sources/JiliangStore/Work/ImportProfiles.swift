import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Named import profiles (issue #19, item 2): how files from one source are read. Anyone who may
/// import may use and save them; saving is audited. A profile keeps the mapping, the sheet and the
/// institution — never the mode or a preview flag, which belong to each upload.
public enum ImportProfiles {
    public struct Profile: Sendable, Equatable {
        public var name: String
        public var options: InstrumentImport.Options
        public var savedBy: String
        public var savedAt: Date
    }

    public static func list(by p: Principal, on db: any Database) async throws -> [Profile] {
        guard p.may(.importInstruments) else { throw RegistryError.forbidden("importing instruments") }
        return try await (db as! any SQLDatabase).raw("SELECT name, options, saved_by, saved_at FROM import_profiles ORDER BY name").all().map(profile)
    }

    /// The profile named `name`; unknown names are a clear error naming the field.
    public static func find(_ name: String, by p: Principal, on db: any Database) async throws -> Profile {
        guard p.may(.importInstruments) else { throw RegistryError.forbidden("importing instruments") }
        let key = name.trimmingCharactersInWhitespace()
        guard let row = try await (db as! any SQLDatabase).raw("SELECT name, options, saved_by, saved_at FROM import_profiles WHERE name = \(bind: key)").first() else {
            throw RegistryError.notFound(entity: "import profile", key: key)
        }
        return try profile(row)
    }

    /// Saves (or replaces) a profile from an import's options. The mapping is checked the way an
    /// import checks it, so a saved profile always reads.
    @discardableResult
    public static func save(name: String?, options: InstrumentImport.Options, by p: Principal, on db: any Database) async throws -> Profile {
        guard p.may(.importInstruments) else { throw RegistryError.forbidden("importing instruments") }
        var c = FieldChecker()
        let n = c.text("name", name, max: 60)
        for (header, field) in options.mapping where !field.isEmpty && !RawInstrument.columns.contains(where: { $0.name == field }) {
            c.fail("mapping", "column \(header): \(field) is not a field of an import")
        }
        try c.finish()
        var kept = InstrumentImport.Options(sheet: options.sheet, mapping: options.mapping, verifiedBy: options.verifiedBy)
        kept.maxRows = InstrumentImport.defaultMaxRows
        let json = String(decoding: try JSONEncoder().encode(kept), as: UTF8.self)
        let now = Date()
        try await db.auditedTransaction { tx in
            let sql = tx as! any SQLDatabase
            let existed = try await sql.raw("SELECT name FROM import_profiles WHERE name = \(bind: n!)").first() != nil
            try await sql.raw("DELETE FROM import_profiles WHERE name = \(bind: n!)").run()
            try await sql.raw(
                "INSERT INTO import_profiles (name, options, saved_by, saved_at) VALUES (\(bind: n!), \(bind: json), \(bind: p.actor), \(bind: now))"
            ).run()
            try await Audit.record(Audit.actor, action: existed ? "update" : "create", entity: "import_profiles", id: n!, after: ["options": json], on: tx)
        }
        return Profile(name: n!, options: kept, savedBy: p.actor, savedAt: now)
    }

    /// An upload's options over a profile's: what the upload says wins, column by column.
    public static func merged(_ upload: InstrumentImport.Options, over profile: InstrumentImport.Options) -> InstrumentImport.Options {
        var o = upload
        o.mapping = profile.mapping.merging(upload.mapping) { _, mine in mine }
        o.sheet = upload.sheet ?? profile.sheet
        o.verifiedBy = upload.verifiedBy ?? profile.verifiedBy
        return o
    }

    private static func profile(_ row: any SQLRow) throws -> Profile {
        Profile(
            name: try row.decode(column: "name", as: String.self),
            options: try JSONDecoder().decode(InstrumentImport.Options.self, from: Data(try row.decode(column: "options", as: String.self).utf8)),
            savedBy: try row.decode(column: "saved_by", as: String.self), savedAt: try row.decode(column: "saved_at", as: Date.self))
    }
}
