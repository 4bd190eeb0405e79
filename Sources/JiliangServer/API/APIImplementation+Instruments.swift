import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

extension APIImplementation {
    func listInstruments(_ input: Operations.ListInstruments.Input) async throws -> Operations.ListInstruments.Output {
        let q = input.query
        let filter = Registry.InstrumentFilter(
            region: try parseRegion(q.region), subNo: q.subNo, itemNo: q.itemNo,
            status: q.status.flatMap { ComplianceStatus(rawValue: $0.rawValue) }, ownerID: q.ownerId,
            dueBefore: try parseDay(q.dueBefore, field: "due_before"),
            sort: q.sort.flatMap { InstrumentSort(rawValue: $0.rawValue) } ?? .registration)
        let page = try await Registry.instruments(
            filter, today: today, window: config.dueSoonWindow, cursor: q.cursor, limit: q.limit, scope: scope, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map { dto($0, schedules: nil) }, nextCursor: page.nextCursor))))
    }

    func instrumentDraft(_ b: Components.Schemas.InstrumentInput) async throws -> InstrumentDraft {
        var raw = RawInstrument(fields: try Self.fields(of: b))
        // The family's own fields come as an object; unknown keys reach the draft, which names them.
        raw.attributes = b.attributes?.additionalProperties ?? [:]
        return try InstrumentDraft.parse(raw, context: try await Registry.context(on: db))
    }

    /// A body's fields by name as text — the API names an instrument's fields as the import's
    /// canonical columns do (`RawInstrument.columns`), so one description maps both.
    static func fields(of body: some Encodable) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(body)) as? [String: Any] ?? [:]
        return object.compactMapValues { value -> String? in
            switch value {
            case let s as String: s
            case let n as NSNumber: n.stringValue
            default: nil
            }
        }
    }

    func createInstrument(_ input: Operations.CreateInstrument.Input) async throws -> Operations.CreateInstrument.Output {
        let p = try caller(may: .fileInstruments)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        var rng = SystemRandomNumberGenerator()
        // An owner's instrument is stored as a draft (`Registry.createInstrument`), filed when the
        // bureau approves its filing (POST /instruments/{id}/filing).
        let d = try await instrumentDraft(b)
        let m = try await Registry.createInstrument(d, scope: p.scope, on: db, generator: &rng)
        return .created(.init(body: .json(try await detailed(m))))
    }

    func getInstrument(_ input: Operations.GetInstrument.Input) async throws -> Operations.GetInstrument.Output {
        .ok(.init(body: .json(try await detailed(try await Registry.instrument(input.path.id, scope: scope, on: db)))))
    }

    func getInstrumentByCode(_ input: Operations.GetInstrumentByCode.Input) async throws -> Operations.GetInstrumentByCode.Output {
        .ok(.init(body: .json(try await detailed(try await Registry.instrument(code: input.path.code, scope: scope, on: db)))))
    }

    func updateInstrument(_ input: Operations.UpdateInstrument.Input) async throws -> Operations.UpdateInstrument.Output {
        let p = try caller(may: .fileInstruments)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let d = try await instrumentDraft(b)
        let m = try await Registry.updateInstrument(input.path.id, d, scope: p.scope, on: db)
        return .ok(.init(body: .json(try await detailed(m))))
    }

    func addSchedule(_ input: Operations.AddSchedule.Input) async throws -> Operations.AddSchedule.Output {
        _ = try caller(may: .fileInstruments)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        _ = try await Registry.addSchedule(
            instrumentID: input.path.id, name: b.name, dueDate: b.dueDate, intervalMonths: b.intervalMonths, scope: scope, on: db)
        return .created(.init(body: .json(try await detailed(try await Registry.instrument(input.path.id, scope: scope, on: db)))))
    }

    /// The instrument with every schedule, as the detail endpoints return it.
    func detailed(_ m: InstrumentModel) async throws -> Components.Schemas.Instrument {
        dto(m, schedules: try await Registry.evaluation(of: m, on: db).schedules)
    }

    // MARK: Verification records

    func listRecords(_ input: Operations.ListRecords.Input) async throws -> Operations.ListRecords.Output {
        let q = input.query
        let page = try await Registry.records(
            instrumentID: q.instrumentId, institutionID: q.institutionId, cursor: q.cursor, limit: q.limit, scope: scope, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    func createRecord(_ input: Operations.CreateRecord.Input) async throws -> Operations.CreateRecord.Output {
        let p = try caller(may: .recordVerifications)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let d = try RecordDraft.parse(
            instrumentID: b.instrumentId, institutionID: b.institutionId, date: b.date, kind: b.kind?.rawValue,
            result: b.result?.rawValue, certificateNo: b.certificateNo, resultNoticeNo: b.resultNoticeNo, readings: b.readings,
            recordedBy: b.recordedBy, corrects: b.corrects, correctionReason: b.correctionReason, today: today)
        if let own = p.institutionID, d.institutionID != own {
            throw RegistryError.forbidden(.request(.recordingForAnotherInstitution))
        }
        return .created(.init(body: .json(dto(try await Registry.addRecord(d, scope: scope, on: db)))))
    }

    func getRecord(_ input: Operations.GetRecord.Input) async throws -> Operations.GetRecord.Output {
        .ok(.init(body: .json(dto(try await Registry.record(input.path.id, scope: scope, on: db)))))
    }
}
