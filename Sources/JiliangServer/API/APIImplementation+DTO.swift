import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore

/// Models stay inside; the generated DTOs cross the boundary (STYLE.md idiom 7).
extension APIImplementation {
    func dto(_ r: RegionModel) -> Components.Schemas.Region {
        .init(code: r.id!, name: r.name, level: .init(rawValue: r.level)!, parentCode: r.parentCode, operational: r.operational)
    }

    func dto(_ e: CatalogueEntryModel) -> Components.Schemas.CatalogueEntry {
        .init(
            subNo: e.id!, itemNo: e.itemNo, itemName: e.itemName, subName: e.subName, mode: e.mode.flatMap { .init(rawValue: $0) },
            form: e.form.flatMap { .init(rawValue: $0) }, scopeNote: e.scopeNote, regulation: e.regulation, source: e.source,
            confidence: .init(rawValue: e.confidence) ?? .unconfirmed)
    }

    func dto(_ m: RuleModel) -> Components.Schemas.Rule {
        .init(
            id: m.id!, subNo: m.subNo, version: m.version, effectiveFrom: m.effectiveFrom, effectiveUntil: m.effectiveUntil,
            condition: .init(meterType: m.meterType, dnAbove: m.dnAbove, dnMax: m.dnMax, q3Max: m.q3Max, medium: m.medium.flatMap { .init(rawValue: $0) }),
            form: .init(rawValue: m.form)!, cycleMonths: m.cycleMonths, serviceLifeMonths: m.serviceLifeMonths, source: m.source,
            confidence: .init(rawValue: m.confidence) ?? .unconfirmed)
    }

    func dto(_ o: OwnerModel) -> Components.Schemas.Owner {
        .init(
            id: o.id!, name: o.name, creditCode: o.creditCode, address: o.address, regionCode: o.regionCode, industry: o.industry,
            contactName: o.contactName, contactPhone: o.contactPhone, parentId: o.parentID)
    }

    func dto(_ i: InstitutionModel, scopes: [InstitutionDraft.Scope]) -> Components.Schemas.Institution {
        .init(
            id: i.id!, name: i.name, kind: i.kind, creditCode: i.creditCode, regionCode: i.regionCode, address: i.address,
            scopes: scopes.map {
                .init(subNo: $0.subNo, regionCode: $0.region.value, validFrom: $0.validFrom.description, validUntil: $0.validUntil.description)
            })
    }

    func dto(_ m: InstrumentModel, schedules: [ScheduleDue]?) -> Components.Schemas.Instrument {
        let status = m.status(on: today, window: config.dueSoonWindow)
        let code = (try? InstrumentCode(validating: m.code))?.grouped ?? m.code
        return .init(
            id: m.id!, code: m.code, codeGrouped: code, subNo: m.subNo, name: m.name, model: m.model, serialNo: m.serialNo,
            manufacturer: m.manufacturer, typeApprovalNo: m.typeApprovalNo, accuracyClass: m.accuracyClass,
            measuringRange: m.measuringRange, purpose: m.purpose, regionCode: m.regionCode, address: m.address, latitude: m.latitude,
            longitude: m.longitude, ownerId: m.ownerID, inServiceDate: m.inServiceDate, lifecycle: m.lifecycle,
            status: .init(rawValue: status.rawValue)!, nextDue: m.nextDue, dueKind: m.dueKind, meterType: m.meterType, dn: m.dn,
            q3: m.q3, medium: m.medium, batch: m.batch,
            attributes: m.attributes.map { _ in .init(additionalProperties: FamilyAttributes.read(m.attributes)) },
            schedules: (schedules ?? []).map { .init(kind: .init(rawValue: $0.kind.rawValue)!, name: $0.name, dueDate: $0.dueDate.description) })
    }

    func dto(_ r: VerificationRecordModel) -> Components.Schemas.Record {
        .init(
            id: r.id!, instrumentId: r.instrumentID, institutionId: r.institutionID, date: r.verifiedOn, kind: r.kind, result: r.result,
            certificateNo: r.certificateNo, resultNoticeNo: r.resultNoticeNo, readings: r.readings, validUntil: r.validUntil,
            ruleId: r.ruleID, corrects: r.correctsID, correctionReason: r.correctionReason, recordedBy: r.recordedBy,
            recordedAt: r.recordedAt, ledgerIndex: r.ledgerIndex)
    }

    func dto(_ j: JobModel) -> Components.Schemas.Job {
        .init(
            id: j.id!, kind: j.kind, state: .init(rawValue: j.state) ?? .queued, progressDone: j.progressDone,
            progressTotal: j.progressTotal, result: RefusalText.apiResult(j.result), error: RefusalText.jobFailure(j, .en))
    }

    func dto(_ w: WarningModel) -> Components.Schemas.Warning {
        .init(
            id: w.id!, instrumentId: w.instrumentID, ownerId: w.ownerID, regionCode: w.regionCode, kind: w.kind, dueKey: w.dueKey,
            message: NoticeText.text(w, .zh), raisedAt: w.raisedAt)
    }

    func dto(_ r: WarningRunModel) -> Components.Schemas.WarningRun {
        let counts = (try? JSONDecoder().decode([String: Int].self, from: Data(r.counts.utf8))) ?? [:]
        return .init(id: r.id!, asOf: r.asOf, found: r.found, raised: r.raised, counts: .init(additionalProperties: counts), alarm: r.alarm)
    }

    func dto(_ m: InboxMessageModel) -> Components.Schemas.InboxMessage {
        // Worded in Chinese, the product's language; the page words it in the reader's language.
        let shown = NoticeText.shown(m, .zh, publicBaseURL: config.publicBaseURL)
        return .init(id: m.id!, recipient: m.recipient, subject: shown.subject, body: shown.body, link: shown.link, createdAt: m.createdAt)
    }
}
