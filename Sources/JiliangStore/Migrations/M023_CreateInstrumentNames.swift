import FluentKit

/// 023: the instrument names that resolve to a catalogue sub-item when an import has no sub-item
/// column (issue #19, item 1): the names shipped with Jiliang (`seed`) and those an administrator
/// adds (`admin`). Names are stored normalized (`InstrumentNames.normalize`).
struct M023_CreateInstrumentNames: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("instrument_names")
            .field("name", .string, .identifier(auto: false))
            .field("sub_no", .int, .required, .references("catalogue_entries", "sub_no"))
            .field("origin", .string, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("instrument_names").delete()
    }
}
