import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

extension APIImplementation {
    // MARK: Filing (强检备案)

    func submitFiling(_ input: Operations.SubmitFiling.Input) async throws -> Operations.SubmitFiling.Output {
        .created(.init(body: .json(dto(try await Filings.submit(instrumentID: input.path.id, by: try caller(), on: db)))))
    }

    func listFilings(_ input: Operations.ListFilings.Input) async throws -> Operations.ListFilings.Output {
        let q = input.query
        let page = try await Filings.list(
            state: q.state.flatMap { Filings.State(rawValue: $0.rawValue) }, instrumentID: q.instrumentId, cursor: q.cursor, limit: q.limit,
            scope: try scope, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    func getFiling(_ input: Operations.GetFiling.Input) async throws -> Operations.GetFiling.Output {
        .ok(.init(body: .json(dto(try await Filings.filing(input.path.id, scope: try scope, on: db)))))
    }

    func approveFiling(_ input: Operations.ApproveFiling.Input) async throws -> Operations.ApproveFiling.Output {
        .ok(.init(body: .json(dto(try await Filings.decide(input.path.id, approve: true, reason: nil, by: try caller(), on: db)))))
    }

    func returnFiling(_ input: Operations.ReturnFiling.Input) async throws -> Operations.ReturnFiling.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .ok(.init(body: .json(dto(try await Filings.decide(input.path.id, approve: false, reason: b.reason, by: try caller(), on: db)))))
    }

    // MARK: Verification applications (检定申请)

    func applyForVerification(_ input: Operations.ApplyForVerification.Input) async throws -> Operations.ApplyForVerification.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let r = try await VerificationRequests.apply(
            instrumentID: b.instrumentId, institutionID: b.institutionId, mode: b.mode, note: b.note, today: today, by: try caller(), on: db)
        return .created(.init(body: .json(try await dto(r))))
    }

    func listVerificationRequests(_ input: Operations.ListVerificationRequests.Input) async throws -> Operations.ListVerificationRequests.Output {
        let q = input.query
        let page = try await VerificationRequests.list(
            state: q.state.flatMap { VerificationRequests.State(rawValue: $0.rawValue) }, institutionID: q.institutionId,
            overdueOn: q.overdue == true ? today : nil, cursor: q.cursor, limit: q.limit, scope: try scope, on: db)
        let calendar = try await VerificationRequests.workingCalendar(on: db)
        return .ok(.init(body: .json(.init(items: page.items.map { dto($0, calendar: calendar) }, nextCursor: page.nextCursor))))
    }

    func getVerificationRequest(_ input: Operations.GetVerificationRequest.Input) async throws -> Operations.GetVerificationRequest.Output {
        .ok(.init(body: .json(try await dto(try await VerificationRequests.request(input.path.id, scope: try scope, on: db)))))
    }

    func acceptVerificationRequest(_ input: Operations.AcceptVerificationRequest.Input) async throws -> Operations.AcceptVerificationRequest.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let r = try await VerificationRequests.accept(
            input.path.id, mode: b.mode, scheduledFor: b.scheduledFor, today: today, deadlines: config.verificationDeadlines, by: try caller(), on: db)
        return .ok(.init(body: .json(try await dto(r))))
    }

    func declineVerificationRequest(_ input: Operations.DeclineVerificationRequest.Input) async throws -> Operations.DeclineVerificationRequest.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .ok(.init(body: .json(try await dto(try await VerificationRequests.decline(input.path.id, reason: b.reason, by: try caller(), on: db)))))
    }

    func recordVerificationResult(_ input: Operations.RecordVerificationResult.Input) async throws -> Operations.RecordVerificationResult.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let p = try caller()
        let today = self.today
        // The instrument and institution come from the application, the recorder from the caller.
        let (r, m) = try await VerificationRequests.complete(
            input.path.id,
            record: { instrumentID, institutionID in
                try RecordDraft.parse(
                    instrumentID: instrumentID, institutionID: institutionID, date: b.date, kind: b.kind, result: b.result,
                    certificateNo: b.certificateNo, resultNoticeNo: b.resultNoticeNo, readings: b.readings, recordedBy: p.label,
                    corrects: nil, correctionReason: nil, today: today)
            }, today: today, by: p, on: db)
        return .created(.init(body: .json(.init(request: try await dto(r), record: dto(m)))))
    }

    // MARK: Working-day calendar (工作日历)

    func listCalendarDays(_ input: Operations.ListCalendarDays.Input) async throws -> Operations.ListCalendarDays.Output {
        _ = try scope
        return .ok(.init(body: .json(try await VerificationRequests.calendarDays(year: input.query.year, on: db).map(dto))))
    }

    func putCalendarDay(_ input: Operations.PutCalendarDay.Input) async throws -> Operations.PutCalendarDay.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let d = try await VerificationRequests.setCalendarDay(input.path.date, kind: b.kind, name: b.name, by: try caller(), on: db)
        return .ok(.init(body: .json(dto(d))))
    }

    func deleteCalendarDay(_ input: Operations.DeleteCalendarDay.Input) async throws -> Operations.DeleteCalendarDay.Output {
        try await VerificationRequests.removeCalendarDay(input.path.date, by: try caller(), on: db)
        return .noContent(.init())
    }

    // MARK: Mapping

    func dto(_ f: FilingModel) -> Components.Schemas.Filing {
        .init(
            id: f.id!, instrumentId: f.instrumentID, ownerId: f.ownerID, regionCode: f.regionCode, state: .init(rawValue: f.state)!,
            submittedBy: f.submittedBy, submittedAt: f.submittedAt, decidedBy: f.decidedBy, decidedAt: f.decidedAt, reason: f.reason)
    }

    func dto(_ r: VerificationRequestModel) async throws -> Components.Schemas.VerificationRequest {
        dto(r, calendar: try await VerificationRequests.workingCalendar(on: db))
    }

    func dto(_ r: VerificationRequestModel, calendar: WorkingCalendar) -> Components.Schemas.VerificationRequest {
        let deadline = r.deadline.flatMap(CalendarDay.init)
        let open = r.state == VerificationRequests.State.accepted.rawValue
        let left = deadline.map { calendar.workingDays(from: today, to: $0) }
        return .init(
            id: r.id!, instrumentId: r.instrumentID, ownerId: r.ownerID, institutionId: r.institutionID, mode: .init(rawValue: r.mode)!,
            state: .init(rawValue: r.state)!, note: r.note, appliedBy: r.appliedBy, appliedOn: r.appliedOn, acceptedOn: r.acceptedOn,
            scheduledFor: r.scheduledFor, deadline: r.deadline, workingDaysLeft: open ? left : nil,
            overdue: open && deadline.map { today > $0 } == true, completedOn: r.completedOn,
            late: r.completedOn.flatMap(CalendarDay.init).flatMap { done in deadline.map { done > $0 } }, recordId: r.recordID, reason: r.reason)
    }

    func dto(_ d: CalendarDayModel) -> Components.Schemas.CalendarDay {
        .init(date: d.id!, kind: .init(rawValue: d.kind)!, name: d.name, source: d.source)
    }
}
