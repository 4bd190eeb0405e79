import FluentKit
import SQLKit

/// 017: `derived_versions` records which version of the code derived the stored, recomputable
/// columns (each instrument's compliance base, next due date and due kind; the kept statistics
/// counts). When the rules engine changes its answer (issue #18), start-up re-derives them with the
/// current code (`DerivedData`) instead of a migration carrying a copy of the engine. No row yet
/// means "derived by an engine older than versioning": everything is re-derived once.
struct M017_CreateDerivedVersions: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("derived_versions")
            .field("name", .string, .identifier(auto: false))
            .field("version", .int, .required)
            .field("derived_at", .datetime, .required)
            // Who is deriving: a refresh marks its work done only if no change arrived meanwhile.
            .field("token", .string)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("derived_versions").delete()
    }
}
