import FluentKit

/// 025: named import profiles (issue #19, item 2): how the files from one source are read — the
/// column mapping, the sheet, the institution that verified the roll — saved from a preview so the
/// next file from the same bureau imports without correcting the mapping again.
struct M025_CreateImportProfiles: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("import_profiles")
            .field("name", .string, .identifier(auto: false))
            .field("options", .string, .required)  // InstrumentImport.Options as JSON
            .field("saved_by", .string, .required)
            .field("region_code", .string)  // the saver's region (nil: the province); others may use it, not replace it
            .field("saved_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("import_profiles").delete()
    }
}
