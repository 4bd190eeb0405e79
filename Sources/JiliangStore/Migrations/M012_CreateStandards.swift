import FluentKit

/// 012: social public measurement standards (社会公用计量标准) with the sub-items and regions they
/// serve, the construction targets per administrative level, and the monthly report runs (issue #4).
struct M012_CreateStandards: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("measurement_standards")
            .field("id", .int, .identifier(auto: true))
            .field("institution_id", .int, .required, .references("institutions", "id"))
            .field("name", .string, .required)
            .field("certificate_no", .string, .required)
            .field("valid_from", .string, .required)
            .field("valid_until", .string, .required)
            .field("measuring_range", .string, .required)
            .field("uncertainty", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "certificate_no")
            .create()
        try await db.schema("standard_items")
            .field("id", .int, .identifier(auto: true))
            .field("standard_id", .int, .required, .references("measurement_standards", "id"))
            .field("sub_no", .int, .required)
            .unique(on: "standard_id", "sub_no")
            .create()
        try await db.schema("standard_regions")
            .field("id", .int, .identifier(auto: true))
            .field("standard_id", .int, .required, .references("measurement_standards", "id"))
            .field("region_code", .string, .required)
            .unique(on: "standard_id", "region_code")
            .create()
        try await db.schema("standard_targets")
            .field("id", .int, .identifier(auto: true))
            .field("level", .string, .required)  // province, city, county
            .field("sub_no", .int, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "level", "sub_no")
            .create()
        try await db.schema("report_runs")
            .field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required)  // utility-monthly
            .field("region_code", .string, .required)
            .field("period_start", .string, .required)
            .field("period_end", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "kind", "region_code", "period_start")
            .create()
    }

    func revert(on db: any Database) async throws {
        for t in ["report_runs", "standard_targets", "standard_regions", "standard_items", "measurement_standards"] { try await db.schema(t).delete() }
    }
}
