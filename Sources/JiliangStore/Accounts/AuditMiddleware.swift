import FluentKit
import Foundation
import JiliangCore

/// Writes an audit entry for every create, update and delete of an audited model, in the same
/// database (and so the same transaction) as the change itself. Registered once per model in
/// `Store` (`auditedModels`): no handler or registry function can forget to audit. Bulk paths that
/// bypass models (the import, the warning run) write one summary entry each themselves.
struct AuditMiddleware<M: Model>: AsyncModelMiddleware {
    func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        try await Audit.log(Audit.actor, "create", model, before: nil, on: db)
    }

    func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        var before: String?
        if let id = model.id, let stored = try await M.find(id, on: db) { before = Audit.json(stored) }
        try await next.update(model, on: db)
        try await Audit.log(Audit.actor, "update", model, before: before, on: db)
    }

    func delete(model: M, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        let before = Audit.json(model)
        try await next.delete(model, force: force, on: db)
        try await Audit.write(Audit.actor, action: "delete", entity: M.schema, id: model.id.map { "\($0)" }, before: before, after: nil, on: db)
    }
}

extension Audit {
    /// Who is acting in the current task: set by the server per request, by the command line and
    /// by the job worker. Left unset, writes are attributed to "unattributed", which the tests forbid.
    @TaskLocal public static var actor: Principal = .system("unattributed")

    /// Fields never copied into the log (models encode under their Swift property names).
    static let redacted: Set<String> = ["passwordHash", "tokenHash", "csrfToken", "password_hash", "token_hash", "csrf_token",
                                            // a survey invitation's link is a bearer credential (issue #19, review)
                                            "token",
                                            // citizens' personal data stays in its own row, not in the log
                                            "citizenContact", "contactName", "contactPhone"]
}

extension Store {
    /// Every model whose changes are audited.
    static func registerAuditing(on databases: Databases, id: DatabaseID?) {
        databases.middleware.use(AuditMiddleware<RegionModel>(), on: id)
        databases.middleware.use(AuditMiddleware<CatalogueEntryModel>(), on: id)
        databases.middleware.use(AuditMiddleware<RuleModel>(), on: id)
        databases.middleware.use(AuditMiddleware<OwnerModel>(), on: id)
        databases.middleware.use(AuditMiddleware<InstitutionModel>(), on: id)
        databases.middleware.use(AuditMiddleware<InstitutionScopeModel>(), on: id)
        databases.middleware.use(AuditMiddleware<InstrumentModel>(), on: id)
        databases.middleware.use(AuditMiddleware<ScheduleModel>(), on: id)
        databases.middleware.use(AuditMiddleware<VerificationRecordModel>(), on: id)
        databases.middleware.use(AuditMiddleware<UserModel>(), on: id)
        databases.middleware.use(AuditMiddleware<FilingModel>(), on: id)
        databases.middleware.use(AuditMiddleware<VerificationRequestModel>(), on: id)
        databases.middleware.use(AuditMiddleware<CalendarDayModel>(), on: id)
        databases.middleware.use(AuditMiddleware<ComplaintModel>(), on: id)
        databases.middleware.use(AuditMiddleware<CheckSlotModel>(), on: id)
        databases.middleware.use(AuditMiddleware<FreeCheckModel>(), on: id)
        databases.middleware.use(AuditMiddleware<CampaignModel>(), on: id)
        databases.middleware.use(AuditMiddleware<QuizQuestionModel>(), on: id)
        databases.middleware.use(AuditMiddleware<StandardModel>(), on: id)
        databases.middleware.use(AuditMiddleware<StandardItemModel>(), on: id)
        databases.middleware.use(AuditMiddleware<StandardRegionModel>(), on: id)
        databases.middleware.use(AuditMiddleware<StandardTargetModel>(), on: id)
        databases.middleware.use(AuditMiddleware<SurveyModel>(), on: id)
        databases.middleware.use(AuditMiddleware<SurveyInvitationModel>(), on: id)
        databases.middleware.use(AuditMiddleware<SurveyJoinRequestModel>(), on: id)
        databases.middleware.use(AuditMiddleware<TelemetryDeviceModel>(), on: id)
    }
}
