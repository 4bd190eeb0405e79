import FluentKit
import Foundation
import JiliangCore

extension Registry {
    /// Appends a verification record (or a correction of one), computing its valid-until date from
    /// the rule in force on the verification date, and updates the instrument's compliance in the
    /// same transaction.
    public static func addRecord(_ d: RecordDraft, scope: AccessScope, on db: any Database) async throws -> VerificationRecordModel {
        try await db.auditedTransaction { tx in
            let inst = try await lockedInstrument(d.instrumentID, scope: scope, on: tx)
            let counted = try await MetricCounts.snapshot([d.instrumentID], on: tx)
            guard try await InstitutionModel.find(d.institutionID, on: tx) != nil else {
                throw RegistryError.invalid("institution_id", .registry(.noSuchInstitution(id: d.institutionID)))
            }
            let region = RegionCode(inst.regionCode)!
            let scopes = try await Registry.scopes(of: d.institutionID, on: tx)
            guard InstitutionDraft.covers(scopes, subNo: inst.subNo, region: region, on: d.date) else {
                throw RegistryError.invalid(
                    "institution_id",
                    .registry(.institutionNotAuthorised(institution: d.institutionID, subNo: inst.subNo, region: region.value, day: d.date.description)))
            }
            if let lifecycle = LifecycleStatus(rawValue: inst.lifecycle), lifecycle == .draft {
                throw RegistryError.conflict(field: "instrument_id", reason: .registry(.instrumentNotFiled))
            }
            let existing = try await VerificationRecordModel.query(on: tx).filter(\.$instrumentID == d.instrumentID).all()
            if let target = d.corrects {
                guard existing.contains(where: { $0.id == target }) else {
                    throw RegistryError.invalid("corrects", .registry(.notARecordOfInstrument(record: target, instrument: d.instrumentID)))
                }
                if existing.contains(where: { $0.correctsID == target }) {
                    throw RegistryError.conflict(field: "corrects", reason: .registry(.recordAlreadyCorrected(record: target)))
                }
            }
            let book = try await ruleBook(on: tx)
            let rule = book.rule(subNo: inst.subNo, attributes: attributes(of: inst), on: d.date)
            let entry = try await CatalogueEntryModel.find(inst.subNo, on: tx)?.entry
            let verified = entry?.mode?.requiresVerification ?? true
            if rule == nil, verified, entry?.form != .firstOnlyScrap, d.result == .pass, d.kind != .spotCheck {
                // Without a rule there is no due date; storing the pass would leave the instrument
                // without one (its status "rule missing", issue #18 item 2) and its record without a
                // cycle: the administrator adds the rule first.
                throw RegistryError.invalid("date", .registry(.noRuleInForce(subNo: inst.subNo, day: d.date.description)))
            }
            let facts = existing.map { fact($0, book: book) }.filter { $0.id != Int64(d.corrects ?? -1) }
            let firstPass = ComplianceEngine.effectiveRecords(facts).first { $0.result == .pass && $0.kind != .spotCheck }?.date
            let m = VerificationRecordModel()
            m.instrumentID = d.instrumentID
            m.regionCode = inst.regionCode  // read under the lock above
            m.institutionID = d.institutionID
            m.verifiedOn = d.date.description
            m.kind = d.kind.rawValue
            m.result = d.result.rawValue
            m.certificateNo = d.certificateNo
            m.resultNoticeNo = d.resultNoticeNo
            m.readings = d.readings
            m.ruleID = rule?.id
            m.validUntil = ComplianceEngine.validUntil(
                date: d.date, result: d.result, kind: d.kind, rule: rule,
                firstPassDate: firstPass.map { min($0, d.date) })?.description
            m.correctsID = d.corrects
            m.correctionReason = d.correctionReason
            m.recordedBy = d.recordedBy
            try await m.create(on: tx)
            // A passed verification puts a filed instrument into service.
            if inst.lifecycle == LifecycleStatus.filed.rawValue, d.result == .pass, d.kind != .spotCheck {
                try await StatusChanges.record(
                    inst, from: inst.lifecycle, to: LifecycleStatus.inService.rawValue,
                    day: d.date.description, reason: "verification record \(m.id!)", on: tx)
                inst.lifecycle = LifecycleStatus.inService.rawValue
                if inst.inServiceDate == nil { inst.inServiceDate = d.date.description }
            }
            try await recomputeCompliance(of: inst, book: book, on: tx)
            try await MetricCounts.applyChange([d.instrumentID], before: counted, on: tx)
            return m
        }
    }

    public static func record(_ id: Int, scope: AccessScope, on db: any Database) async throws -> VerificationRecordModel {
        guard let r = try await VerificationRecordModel.find(id, on: db) else {
            throw RegistryError.notFound(.verificationRecord, key: String(id))
        }
        _ = try await instrument(r.instrumentID, scope: scope, on: db)  // hides records outside the scope
        return r
    }

    public static func records(
        instrumentID: Int?, institutionID: Int?, cursor: String?, limit: Int?, scope: AccessScope, on db: any Database
    ) async throws -> Page<VerificationRecordModel> {
        let after = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = VerificationRecordModel.query(on: db).sort(\.$id).limit(n + 1)
        if let after { q.filter(\.$id > after) }
        if let i = instrumentID {
            _ = try await instrument(i, scope: scope, on: db)
            q.filter(\.$instrumentID == i)
        } else if scope != .everything {
            let visible = try await scoped(InstrumentModel.query(on: db), scope).all(\.$id)
            q.filter(\.$instrumentID ~~ visible)
        }
        if let i = institutionID { q.filter(\.$institutionID == i) }
        return page(try await q.all(), n, id: { $0.id! })
    }

    // MARK: Compliance

    static func attributes(of m: InstrumentModel) -> MeterAttributes {
        MeterAttributes(
            meterType: m.meterType.flatMap(MeterType.init), dn: m.dn, q3: m.q3, medium: m.medium.flatMap(GasMedium.init))
    }

    static func fact(_ r: VerificationRecordModel, book: RuleBook) -> VerificationFact {
        VerificationFact(
            id: Int64(r.id!), date: CalendarDay(r.verifiedOn)!, kind: VerificationKind(rawValue: r.kind)!,
            result: VerificationResult(rawValue: r.result)!, validUntil: r.validUntil.flatMap { CalendarDay($0) },
            corrects: r.correctsID.map(Int64.init), form: book.form(ofRule: r.ruleID))
    }

    static func evaluate(
        _ m: InstrumentModel, entry: CatalogueEntry?, book: RuleBook, records: [VerificationRecordModel], schedules: [ScheduleModel]
    ) -> ComplianceEvaluation {
        ComplianceEngine.evaluate(
            .init(
                lifecycle: LifecycleStatus(rawValue: m.lifecycle) ?? .draft,
                form: book.currentForm(subNo: m.subNo, attributes: attributes(of: m), catalogueForm: entry?.form), mode: entry?.mode,
                inServiceDate: m.inServiceDate.flatMap { CalendarDay($0) }, records: records.map { fact($0, book: book) },
                manualSchedules: schedules.map { ManualSchedule(name: $0.name, dueDate: CalendarDay($0.dueDate)!) }))
    }

    static func store(_ e: ComplianceEvaluation, in m: InstrumentModel) {
        m.complianceBase = e.base.rawValue
        m.nextDue = e.nextDue?.dueDate.description
        m.dueKind = e.nextDue?.kind.rawValue
    }

    /// Re-derives and saves the stored compliance of one instrument.
    /// `book`: the rule book when the caller already holds it (one read per write, not two).
    public static func recomputeCompliance(of m: InstrumentModel, book: RuleBook? = nil, on db: any Database) async throws {
        let entry = try await CatalogueEntryModel.find(m.subNo, on: db)?.entry
        let records = try await VerificationRecordModel.query(on: db).filter(\.$instrumentID == m.id!).all()
        let schedules = try await schedules(of: m.id!, on: db)
        let rules: RuleBook
        if let book { rules = book } else { rules = try await ruleBook(on: db) }
        store(evaluate(m, entry: entry, book: rules, records: records, schedules: schedules), in: m)
        try await m.save(on: db)
        // The owner's credit class counts overdue and failed instruments: recompute it soon.
        try await CreditLog.markStale(m.ownerID, on: db)
    }

    /// The full evaluation (all schedules) for display.
    public static func evaluation(of m: InstrumentModel, on db: any Database) async throws -> ComplianceEvaluation {
        let entry = try await CatalogueEntryModel.find(m.subNo, on: db)?.entry
        let records = try await VerificationRecordModel.query(on: db).filter(\.$instrumentID == m.id!).all()
        return evaluate(m, entry: entry, book: try await ruleBook(on: db), records: records, schedules: try await schedules(of: m.id!, on: db))
    }
}
