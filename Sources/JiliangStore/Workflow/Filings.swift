import FluentKit
import Foundation
import JiliangCore

/// The filing workflow (强检备案): an owner registers an instrument as a draft and submits it; the
/// bureau of its region approves it (the instrument becomes filed) or returns it with a reason;
/// the owner fixes the instrument and submits again. Every step is a row and an audit entry.
public enum Filings {
    public enum State: String, Sendable, CaseIterable { case submitted, approved, returned }

    /// Submits a draft instrument for filing.
    public static func submit(instrumentID: Int, by p: Principal, on db: any Database) async throws -> FilingModel {
        guard p.may(.fileInstruments) else { throw RegistryError.forbidden(.workflow(.mayNotSubmitFilings)) }
        return try await db.auditedTransaction { tx in
            let inst = try await Registry.instrument(instrumentID, scope: p.scope, on: tx)
            guard inst.lifecycle == LifecycleStatus.draft.rawValue else {
                throw RegistryError.conflict(field: "instrument_id", reason: .workflow(.instrumentNeedsNoFiling(instrumentID: instrumentID, status: inst.lifecycle)))
            }
            if try await FilingModel.query(on: tx).filter(\.$instrumentID == instrumentID).filter(\.$state == State.submitted.rawValue).count() > 0 {
                throw RegistryError.conflict(field: "instrument_id", reason: .workflow(.filingAwaitsDecision(instrumentID: instrumentID)))
            }
            let f = FilingModel()
            f.instrumentID = instrumentID
            f.ownerID = inst.ownerID
            f.regionCode = inst.regionCode
            f.state = State.submitted.rawValue
            f.submittedBy = p.actor
            f.submittedAt = Date()
            try await f.create(on: tx)
            return f
        }
    }

    /// The bureau's decision: approve (the instrument becomes filed) or return with a reason.
    public static func decide(_ id: Int, approve: Bool, reason: String?, by p: Principal, on db: any Database) async throws -> FilingModel {
        guard p.may(.reviewFilings) else { throw RegistryError.forbidden(.workflow(.mayNotDecideFilings)) }
        let why = reason?.trimmingCharactersInWhitespace() ?? ""
        if !approve, why.isEmpty { throw RegistryError.invalid("reason", .workflow(.returnReasonRequired)) }
        if FieldChecker.longer(reason ?? "", than: 500) { throw RegistryError.invalid("reason", .tooLong(max: 500)) }
        return try await db.auditedTransaction { tx in
            let f = try await filing(id, scope: p.scope, on: tx)
            guard f.state == State.submitted.rawValue else {
                throw RegistryError.conflict(field: "id", reason: .workflow(.filingAlreadyDecided(id: id, state: f.state)))
            }
            f.state = (approve ? State.approved : State.returned).rawValue
            f.decidedBy = p.actor
            f.decidedAt = Date()
            f.reason = why.isEmpty ? nil : why
            try await f.save(on: tx)
            if approve {
                let inst = try await Registry.lockedInstrument(f.instrumentID, scope: p.scope, on: tx)
                let counted = try await MetricCounts.snapshot([f.instrumentID], on: tx)
                try await StatusChanges.record(
                    inst, from: inst.lifecycle, to: LifecycleStatus.filed.rawValue,
                    reason: "filing \(id) approved", on: tx)
                inst.lifecycle = LifecycleStatus.filed.rawValue
                try await Registry.recomputeCompliance(of: inst, on: tx)
                try await MetricCounts.applyChange([f.instrumentID], before: counted, on: tx)
            }
            return f
        }
    }

    /// A filing the caller may see (its instrument is in the caller's scope), else not found.
    public static func filing(_ id: Int, scope: AccessScope, on db: any Database) async throws -> FilingModel {
        guard let f = try await FilingModel.find(id, on: db) else { throw RegistryError.notFound(.filing, key: "\(id)") }
        do { _ = try await Registry.instrument(f.instrumentID, scope: scope, on: db) } catch RegistryError.notFound {
            throw RegistryError.notFound(.filing, key: "\(id)")
        }
        return f
    }

    /// Filings in the caller's scope, newest first; `state` and `instrumentID` narrow them.
    public static func list(
        state: State?, instrumentID: Int?, cursor: String?, limit: Int?, scope: AccessScope, on db: any Database
    ) async throws -> Page<FilingModel> {
        let before = try Cursor.decode(cursor), n = try Cursor.limit(limit)
        let q = FilingModel.query(on: db).sort(\.$id, .descending).limit(n + 1)
        if let before { q.filter(\.$id < before) }
        if let state { q.filter(\.$state == state.rawValue) }
        if let instrumentID { q.filter(\.$instrumentID == instrumentID) }
        switch scope {
        case .everything: break
        case .region(let r): q.inSubtree(of: r, \.$regionCode)
        case .owners(let ids): q.filter(\.$ownerID ~~ ids)
        case .institution, .nothing: q.filter(\.$id == -1)  // filings are between owners and bureaus
        }
        return Registry.page(try await q.all(), n, id: { $0.id! })
    }
}
