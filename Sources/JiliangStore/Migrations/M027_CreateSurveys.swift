import FluentKit
import SQLKit

/// 027: the survey of users of mandatory instruments (使用单位摸排, notice-2022 §三; issue #19,
/// item 6): a bureau's survey of an industry in a region, one invitation per owner (known owners
/// invited, unregistered ones joining through the survey's public link with their credit code), and
/// the instruments each declared, so that progress (invited, answered, declared, filed) is counted
/// from rows, not kept as figures.
struct M027_CreateSurveys: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("surveys")
            .field("id", .int, .identifier(auto: true))
            .field("title", .string, .required)
            .field("industry", .string, .required)
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("opened_on", .string, .required)
            .field("closes_on", .string, .required)
            .field("opened_by", .string, .required)
            .field("state", .string, .required)  // open, closed
            .create()
        try await db.schema("survey_invitations")
            .field("id", .int, .identifier(auto: true))
            .field("survey_id", .int, .required, .references("surveys", "id"))
            .field("owner_id", .int, .required, .references("owners", "id"))
            .field("region_code", .string, .required)
            .field("token", .string, .required)
            .field("joined", .bool, .required)  // came through the public link, not invited
            .field("invited_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("chase_count", .int, .required)
            .field("last_chased_at", .datetime)
            .unique(on: "token")
            .unique(on: "survey_id", "owner_id")
            .create()
        try await db.schema("survey_instruments")
            .field("invitation_id", .int, .required, .references("survey_invitations", "id"))
            .field("instrument_id", .int, .required, .references("instruments", "id"))
            .unique(on: "instrument_id")
            .create()
        // An owner not yet registered asks to join through the survey's public link; the bureau
        // checks the request before anything enters the registry (review of issue #19).
        try await db.schema("survey_join_requests")
            .field("id", .int, .identifier(auto: true))
            .field("survey_id", .int, .required, .references("surveys", "id"))
            .field("name", .string, .required)
            .field("credit_code", .string, .required)
            .field("address", .string, .required)
            .field("region_code", .string, .required)
            .field("contact_phone", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("state", .string, .required)  // pending, accepted, rejected
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "survey_invitations_survey_region").on("survey_invitations").column("survey_id").column("region_code").run()
        try await sql.create(index: "survey_instruments_invitation").on("survey_instruments").column("invitation_id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["survey_join_requests", "survey_instruments", "survey_invitations", "surveys"] { try await db.schema(t).delete() }
    }
}
