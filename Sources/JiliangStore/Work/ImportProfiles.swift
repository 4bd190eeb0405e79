import FluentKit
import Foundation
import JiliangCore
import SQLKit

/// Named import profiles (issue #19, item 2): how files from one source are read. Bureau staff and
/// administrators use them (owners do not: their own rolls are read by their headers); a profile
/// belongs to the region of whoever saved it first — others may use it but only that region (or
/// the province) may replace it. Saving is audited. A profile keeps the mapping, the sheet and the
/// institution — never the mode or a preview flag, which belong to each upload.
public enum ImportProfiles {
    public struct Profile: Sendable, Equatable {
        public var name: String
        public var options: InstrumentImport.Options
        public var savedBy: String
        public var savedAt: Date
    }

    static func mayUse(_ p: Principal) throws {
        guard p.may(.importInstruments), p.may(.manageOwners) else { throw RegistryError.forbidden(.importing(.mayNotUseProfiles)) }
    }

    public static func list(by p: Principal, on db: any Database) async throws -> [Profile] {
        try mayUse(p)
        return try await (db as! any SQLDatabase).raw("SELECT name, options, saved_by, saved_at FROM import_profiles ORDER BY name").all().map(profile)
    }

    /// The profile named `name`; unknown names are a clear error naming the field.
    public static func find(_ name: String, by p: Principal, on db: any Database) async throws -> Profile {
        try mayUse(p)
        let key = name.trimmingCharactersInWhitespace()
        guard let row = try await (db as! any SQLDatabase).raw("SELECT name, options, saved_by, saved_at FROM import_profiles WHERE name = \(bind: key)").first() else {
            // A parameter of the upload, not the resource requested: a 400 naming it.
            throw RegistryError.invalid("profile", .importing(.noSuchProfile(key)))
        }
        return try profile(row)
    }

    /// Saves (or replaces) a profile from an import's options. The mapping is checked the way an
    /// import checks it, so a saved profile always reads.
    @discardableResult
    public static func save(name: String?, options: InstrumentImport.Options, by p: Principal, on db: any Database) async throws -> Profile {
        try mayUse(p)
        var c = FieldChecker()
        let n = c.text("name", name, max: 60)
        _ = c.text("sheet", options.sheet, max: 31, required: false)
        _ = c.text("verified_by", options.verifiedBy, max: 100, required: false)
        if options.mapping.count > 100 { c.fail("mapping", .importing(.tooManyMappedColumns(max: 100))) }
        for (header, field) in options.mapping {
            if header.trimmingCharactersInWhitespace().isEmpty || header.count > 200 { c.fail("mapping", .importing(.mappedHeaderLength)) }
            if !field.isEmpty && !RawInstrument.columns.contains(where: { $0.name == field }) {
                c.fail("mapping", .importing(.columnMappedToNonField(header: String(header.prefix(40)), field: String(field.prefix(40)))))
            }
        }
        try c.finish()
        var kept = InstrumentImport.Options(sheet: options.sheet, mapping: options.mapping, verifiedBy: options.verifiedBy)
        kept.maxRows = InstrumentImport.defaultMaxRows
        let json = String(decoding: try JSONEncoder().encode(kept), as: UTF8.self)
        let now = Date()
        try await db.auditedTransaction { tx in
            let sql = tx as! any SQLDatabase
            let existing = try await sql.raw("SELECT region_code FROM import_profiles WHERE name = \(bind: n!)").first()
            let region = p.region?.value
            if let existing, p.role != .provinceAdmin {
                let owner = try existing.decode(column: "region_code", as: String?.self)
                guard owner == region else {
                    throw RegistryError.conflict(field: "name", reason: .importing(.profileOfAnotherRegion(n!)))
                }
            }
            try await sql.raw("DELETE FROM import_profiles WHERE name = \(bind: n!)").run()
            try await sql.raw(
                "INSERT INTO import_profiles (name, options, saved_by, saved_at, region_code) VALUES (\(bind: n!), \(bind: json), \(bind: p.actor), \(bind: now), \(bind: region))"
            ).run()
            let existed = existing != nil
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
