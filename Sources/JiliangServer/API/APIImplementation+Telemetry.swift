import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import JiliangTelemetry
import OpenAPIRuntime

/// Smart supervision's API (issue #21): thin — `Telemetry` in the store does the work and the
/// scoping; refusals are worded in English here, line by line for a batch.
extension APIImplementation {
    func listTelemetryDevices(_ input: Operations.ListTelemetryDevices.Input) async throws -> Operations.ListTelemetryDevices.Output {
        let page = try await Telemetry.devicesPage(cursor: input.query.cursor, limit: try Cursor.limit(input.query.limit), scope: scope, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    func registerTelemetryDevice(_ input: Operations.RegisterTelemetryDevice.Input) async throws -> Operations.RegisterTelemetryDevice.Output {
        let p = try caller(may: .submitReadings)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let m = try await Telemetry.register(
            name: b.name, instrumentID: b.instrumentId, kind: b.kind.rawValue, softwareID: b.softwareId, pulseEquivalent: b.pulseEquivalent,
            gatewayTokenID: b.gatewayTokenId, by: p, on: db)
        return .created(.init(body: .json(dto(m))))
    }

    func ingestReadings(_ input: Operations.IngestReadings.Input) async throws -> Operations.IngestReadings.Output {
        let p = try caller(may: .submitReadings)
        // NDJSON, labelled as such or as plain text (what curl and simple gateways send), or
        // protobuf for volume (proto/telemetry.proto).
        let body: HTTPBody
        var binary = false
        switch input.body {
        case .applicationXNdjson(let b): body = b
        case .plainText(let b): body = b
        case .applicationXProtobuf(let b):
            body = b
            binary = true
        }
        let most = config.bodyLimits.upload
        var bytes: [UInt8]
        do { bytes = Array(try await Data(collecting: body, upTo: most)) } catch {
            throw RegistryError.invalid("body", .request(.fileTooLarge(megabytes: most >> 20)))
        }
        if input.headers.contentEncoding == .gzip {
            do { bytes = try Gunzip.inflate(bytes, limit: most) } catch Gunzip.Failure.tooLarge {
                throw RegistryError.invalid("body", .request(.fileTooLarge(megabytes: most >> 20)))
            } catch {
                throw RegistryError.invalid("body", .telemetry(.notGzip))
            }
        }
        guard !bytes.isEmpty else { throw RegistryError.invalid("body", .request(.fileEmpty)) }
        let now = Date()
        let limits = NDJSONBatch.Limits()
        let batch: NDJSONBatch
        if binary {
            do { batch = try ProtobufBatch.parse(bytes, receivedAt: now, limits: limits) } catch { throw RegistryError.invalid("body", .telemetry(.notProtobuf)) }
        } else {
            batch = NDJSONBatch.parse(bytes, receivedAt: now, limits: limits)
        }
        let r = try await Telemetry.ingest(batch, by: p, receivedAt: now, on: db)
        return .ok(.init(body: .json(.init(
            // Staff see what the batch led to; a supervised party's gateway is not told.
            accepted: r.accepted, duplicates: r.duplicates, findings: p.may(.readRegistry) && p.role != .owner ? r.findings : nil,
            errors: r.errors.map { .init(line: $0.line, field: $0.field, message: RefusalText.words($0.reason, .en)) }))))
    }

    func listTelemetryFindings(_ input: Operations.ListTelemetryFindings.Input) async throws -> Operations.ListTelemetryFindings.Output {
        let page = try await Telemetry.findingsPage(
            deviceID: input.query.deviceId, cursor: input.query.cursor, limit: try Cursor.limit(input.query.limit), scope: scope, on: db)
        let items: [Components.Schemas.TelemetryFinding] = page.items.map { f in
            .init(
                id: f.id!, deviceId: f.deviceID, instrumentId: f.instrumentID, detector: f.detector, firstSeq: Int(f.firstSeq), at: f.at,
                seqs: f.seqs.split(separator: ",").compactMap { Int($0) },
                evidence: .init(additionalProperties: (try? JSONDecoder().decode([String: String].self, from: Data(f.evidence.utf8))) ?? [:]),
                state: .init(rawValue: f.state) ?? .open)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.nextCursor))))
    }

    func listTelemetryDaily(_ input: Operations.ListTelemetryDaily.Input) async throws -> Operations.ListTelemetryDaily.Output {
        var c = FieldChecker()
        let to = input.query.to.map { c.day("to", $0) } ?? today
        let from = input.query.from.map { c.day("from", $0) } ?? to.map { $0.adding(days: -30) }
        if let from, let to, from > to || from.days(until: to) > 3_660 { c.fail("from", .telemetry(.dayRange(maxDays: 3_660))) }
        try c.finish()
        let rows = try await Telemetry.daily(deviceID: input.path.id, from: from!, to: to!, scope: try caller(may: .readRegistry).scope, on: db)
        return .ok(.init(body: .json(rows.map {
            .init(deviceId: $0.deviceID, day: $0.day, _type: $0.type, count: $0.count, valueSum: $0.valueSum, valueMin: $0.valueMin, valueMax: $0.valueMax,
                  amountSum: $0.amountSum)
        })))
    }

    // MARK: Tanks and thresholds

    func listTelemetryTanks(_ input: Operations.ListTelemetryTanks.Input) async throws -> Operations.ListTelemetryTanks.Output {
        .ok(.init(body: .json(try await Telemetry.tanks(scope: try caller(may: .submitReadings).scope, on: db).map(dto))))
    }

    func registerTelemetryTank(_ input: Operations.RegisterTelemetryTank.Input) async throws -> Operations.RegisterTelemetryTank.Output {
        let p = try caller(may: .submitReadings)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let tank = try await Telemetry.registerTank(
            gaugeID: b.gaugeId, tank: b.tank, capacityTable: b.capacityTable.map { .init(mm: $0.mm, litres: $0.litres) },
            nozzles: b.nozzles.map { ($0.deviceId, $0.nozzle) }, by: p, on: db)
        return .created(.init(body: .json(dto(tank))))
    }

    func getTelemetryThresholds(_ input: Operations.GetTelemetryThresholds.Input) async throws -> Operations.GetTelemetryThresholds.Output {
        .ok(.init(body: .json(dto(try await Telemetry.thresholds(region: input.path.region, by: try caller(), on: db)))))
    }

    func setTelemetryThresholds(_ input: Operations.SetTelemetryThresholds.Input) async throws -> Operations.SetTelemetryThresholds.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let t = try await Telemetry.setThresholds(region: input.path.region, settings: b.settings.additionalProperties, by: try caller(), on: db)
        return .ok(.init(body: .json(dto(t))))
    }

    func dto(_ t: Telemetry.Tank) -> Components.Schemas.TelemetryTank {
        .init(
            id: t.id, gaugeId: t.gaugeID, tank: t.tank, capacityTable: t.capacityTable.points.map { .init(mm: $0.mm, litres: $0.litres) },
            nozzles: t.nozzles.map { .init(deviceId: $0.dispenserID, nozzle: $0.nozzle) }, anchorSeq: t.anchorSeq.map(Int.init))
    }

    func dto(_ t: Telemetry.EffectiveThresholds) -> Components.Schemas.TelemetryThresholds {
        .init(
            region: t.region, values: t.values.map { .init(name: $0.name, value: $0.value, from: $0.from) }, own: .init(additionalProperties: t.own),
            setBy: t.setBy, setAt: t.setAt)
    }

    // MARK: Alerts and their review

    func listTelemetryAlerts(_ input: Operations.ListTelemetryAlerts.Input) async throws -> Operations.ListTelemetryAlerts.Output {
        let q = input.query
        let state = q.state.flatMap { AlertState(rawValue: $0.rawValue) } ?? .open
        let page = try await Telemetry.alerts(state: state, cursor: q.cursor, limit: try Cursor.limit(q.limit), today: today, by: try caller(), on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    func getTelemetryAlert(_ input: Operations.GetTelemetryAlert.Input) async throws -> Operations.GetTelemetryAlert.Output {
        .ok(.init(body: .json(dto(try await Telemetry.alert(input.path.id, today: today, by: try caller(), on: db)))))
    }

    func decideTelemetryAlert(_ input: Operations.DecideTelemetryAlert.Input) async throws -> Operations.DecideTelemetryAlert.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let a = try await Telemetry.decide(input.path.id, decision: b.decision.rawValue, reason: b.reason, today: today, by: try caller(), on: db)
        return .ok(.init(body: .json(dto(a))))
    }

    func listInspectionTasks(_ input: Operations.ListInspectionTasks.Input) async throws -> Operations.ListInspectionTasks.Output {
        let page = try await Telemetry.inspectionTasks(cursor: input.query.cursor, limit: try Cursor.limit(input.query.limit), by: try caller(), on: db)
        return .ok(.init(body: .json(.init(
            items: page.items.map {
                .init(id: $0.id!, regionCode: $0.regionCode, instrumentId: $0.instrumentID, ownerId: $0.ownerID, origin: $0.origin, originId: $0.originID,
                      state: .open, openedAt: $0.openedAt)
            }, nextCursor: page.nextCursor))))
    }

    func dto(_ a: TelemetryAlert) -> Components.Schemas.TelemetryAlert {
        let f = a.finding
        return .init(
            id: f.id!, priority: a.priority, severity: .init(rawValue: (a.detector?.severity ?? .medium).name) ?? .medium, detector: f.detector,
            state: .init(rawValue: f.state) ?? .open, at: f.at, deviceId: a.device.id!, deviceName: a.device.name, instrumentId: a.instrument.id!,
            instrumentCode: a.instrument.code, instrumentName: a.instrument.name, instrumentStatus: a.status.rawValue, ownerId: a.owner.id!,
            ownerName: a.owner.name, creditClass: a.creditClass.flatMap { .init(rawValue: $0.rawValue) },
            seqs: f.seqs.split(separator: ",").compactMap { Int($0) },
            evidence: .init(additionalProperties: Telemetry.FrozenEvidence(text: f.frozenEvidence)?.evidence
                ?? (try? JSONDecoder().decode([String: String].self, from: Data(f.evidence.utf8))) ?? [:]),
            decidedBy: f.decidedBy, decidedAt: f.decidedAt, decisionReason: f.decisionReason, evidenceHash: f.frozenEvidence.map(Telemetry.digest),
            frozenEvidence: f.frozenEvidence, inspectionTaskId: a.taskID)
    }

    func dto(_ m: TelemetryDeviceModel) -> Components.Schemas.TelemetryDevice {
        .init(
            id: m.id!, name: m.name, instrumentId: m.instrumentID, kind: m.kind, softwareId: m.softwareID, pulseEquivalent: m.pulseEquivalent,
            registeredBy: m.registeredBy, registeredAt: m.registeredAt, lastSeenAt: m.lastSeenAt, gatewayTokenId: m.gatewayTokenID)
    }
}
