import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

/// The three roll uploads share one request body: CSV, XLSX or any bytes — the file's bytes decide.
extension Components.RequestBodies.RollFile {
    var file: HTTPBody {
        switch self {
        case .csv(let b), .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(let b), .binary(let b): b
        }
    }
}

extension APIImplementation {
    func importInstruments(_ input: Operations.ImportInstruments.Input) async throws -> Operations.ImportInstruments.Output {
        let p = try caller(may: .importInstruments)
        let body = input.body.file
        let bytes: [UInt8]
        // The largest upload accepted (a million-row CSV is about 200 MB): `bodyLimits.import`.
        let most = config.bodyLimits.import
        do { bytes = Array(try await Data(collecting: body, upTo: most)) } catch {
            throw RegistryError.invalid("body", .request(.fileTooLarge(megabytes: most >> 20, setting: "serve --import-max-mb")))
        }
        guard !bytes.isEmpty else { throw RegistryError.invalid("body", .request(.fileEmpty)) }
        let q = input.query
        var options = try await ImportJobs.options(
            dryRun: q.dryRun ?? false, sheet: q.sheet, profile: q.profile, map: q.map ?? [], verifiedBy: q.verifiedBy, by: p, on: db)
        options.maxRows = config.importMaxRows
        try InstrumentImport.checkHeader(of: bytes, options: options)
        let mode = InstrumentImport.Mode(rawValue: q.mode?.rawValue ?? "all_or_nothing")!
        let job = try await ImportJobs.enqueue(bytes: bytes, mode: mode, options: options, by: p, on: db)
        return .accepted(.init(body: .json(dto(job))))
    }

    func importOwners(_ input: Operations.ImportOwners.Input) async throws -> Operations.ImportOwners.Output {
        let body = input.body.file
        let q = input.query
        let job = try await importParties(.owners, body: body, mode: q.mode?.rawValue, dryRun: q.dryRun ?? false, sheet: q.sheet)
        return .accepted(.init(body: .json(dto(job))))
    }

    func importInstitutions(_ input: Operations.ImportInstitutions.Input) async throws -> Operations.ImportInstitutions.Output {
        let body = input.body.file
        let q = input.query
        let job = try await importParties(.institutions, body: body, mode: q.mode?.rawValue, dryRun: q.dryRun ?? false, sheet: q.sheet)
        return .accepted(.init(body: .json(dto(job))))
    }

    /// An owner or institution roll, queued as a job (issue #19, item 5).
    func importParties(_ kind: PartyImport.Kind, body: HTTPBody, mode: String?, dryRun: Bool, sheet: String?) async throws -> JobModel {
        let p = try caller()
        try PartyImport.authorise(kind, p)
        let most = config.bodyLimits.import
        let bytes: [UInt8]
        do { bytes = Array(try await Data(collecting: body, upTo: most)) } catch {
            throw RegistryError.invalid("body", .request(.fileTooLarge(megabytes: most >> 20, setting: "serve --import-max-mb")))
        }
        guard !bytes.isEmpty else { throw RegistryError.invalid("body", .request(.fileEmpty)) }
        let options = InstrumentImport.Options(dryRun: dryRun, sheet: sheet)
        do { try PartyImport(kind: kind, sheet: sheet).checkHeader(of: bytes) } catch { throw RegistryError.invalid("body", error.refusal) }
        return try await ImportJobs.enqueue(
            bytes: bytes, mode: InstrumentImport.Mode(rawValue: mode ?? "all_or_nothing") ?? .allOrNothing, options: options, party: kind, by: p, on: db)
    }

    func listImportProfiles(_ input: Operations.ListImportProfiles.Input) async throws -> Operations.ListImportProfiles.Output {
        .ok(.init(body: .json(try await ImportProfiles.list(by: try caller(), on: db).map(dto))))
    }

    func saveImportProfile(_ input: Operations.SaveImportProfile.Input) async throws -> Operations.SaveImportProfile.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        // The document says at least one character; leave a field out for "none".
        if b.sheet == "" { throw RegistryError.invalid("sheet", .request(.emptySheetName)) }
        if b.verifiedBy == "" { throw RegistryError.invalid("verified_by", .request(.emptyVerifiedBy)) }
        let options = InstrumentImport.Options(sheet: b.sheet, mapping: b.mapping?.additionalProperties ?? [:], verifiedBy: b.verifiedBy)
        let saved = try await ImportProfiles.save(name: input.path.name, options: options, by: try caller(), on: db)
        return .ok(.init(body: .json(dto(saved))))
    }

    func dto(_ p: ImportProfiles.Profile) -> Components.Schemas.ImportProfile {
        .init(
            name: p.name, mapping: .init(additionalProperties: p.options.mapping), sheet: p.options.sheet, verifiedBy: p.options.verifiedBy,
            savedBy: p.savedBy, savedAt: p.savedAt)
    }

    func visibleJob(_ id: Int) async throws -> JobModel {
        try await ImportJobs.job(id, visibleTo: try caller(), running: store.runningJobs, on: db)
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        .ok(.init(body: .json(dto(try await visibleJob(input.path.id)))))
    }

    func getJobErrors(_ input: Operations.GetJobErrors.Input) async throws -> Operations.GetJobErrors.Output {
        let j = try await visibleJob(input.path.id)
        guard let csv = ImportJobs.errors(of: j).map({ RefusalText.errorsCSV($0, false) }) else {
            throw RegistryError.conflict(field: "id", reason: .request(.noReportYet(job: j.id!, state: j.state)))
        }
        return .ok(.init(body: .csv(HTTPBody(csv))))
    }

    // MARK: Warnings

    func listWarnings(_ input: Operations.ListWarnings.Input) async throws -> Operations.ListWarnings.Output {
        let q = input.query
        let page = try await Warnings.list(
            region: try parseRegion(q.region), kind: q.kind?.rawValue, ownerID: q.ownerId, cursor: q.cursor, limit: q.limit,
            scope: scope, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    func listWarningRuns(_ input: Operations.ListWarningRuns.Input) async throws -> Operations.ListWarningRuns.Output {
        _ = try caller(may: .runWarnings)
        let runs = try await Warnings.runs(limit: try Cursor.limit(input.query.limit), on: db)
        return .ok(.init(body: .json(runs.map(dto))))
    }

    func runWarnings(_ input: Operations.RunWarnings.Input) async throws -> Operations.RunWarnings.Output {
        _ = try caller(may: .runWarnings)
        let day = try parseDay(input.query.asOf, field: "as_of") ?? today
        let outcome = try await WarningRunner(dueSoonWindow: config.dueSoonWindow).run(asOf: day, on: db)
        guard let run = try await WarningRunModel.find(outcome.runID, on: db) else { throw RegistryError.notFound(.warningRun, key: "\(outcome.runID)") }
        return .ok(.init(body: .json(dto(run))))
    }

    func listInbox(_ input: Operations.ListInbox.Input) async throws -> Operations.ListInbox.Output {
        let q = input.query
        guard try caller().mayRead(inbox: q.recipient) else { throw RegistryError.notFound(.inbox, key: q.recipient) }
        let page = try await Warnings.inbox(recipient: q.recipient, cursor: q.cursor, limit: q.limit, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }
}
