import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The filing and verification workflows of issue #3 through the API, each step by the role
/// that takes it.
@Suite struct WorkflowTests {
    static func token(_ store: Store, _ t: Accounts.NewToken) async throws -> TestAuth {
        .bearer(try await Accounts.createToken(t, by: .system("tests"), on: store.db).token)
    }

    @Test func anOwnerFilesTheBureauReturnsItThenApprovesIt() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            let owner = try await Self.token(store, .init(name: "owner", role: "owner", ownerID: ids.owner))
            let gulou = try await Self.token(store, .init(name: "gulou", role: "bureau_staff", regionCode: "350102"))
            let xiamen = try await Self.token(store, .init(name: "xiamen", role: "bureau_staff", regionCode: "350200"))
            var body: [String: Any] = [
                "sub_no": 2, "name": "电子计价秤", "serial_no": "OWN-1", "purpose": "trade_settlement", "region_code": "350102",
                "address": "B区2号摊", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-11-01", "status": "in_service",
            ]
            let made = try await client.send(.post, "/api/v1/instruments", json: body, as: owner)
            #expect(made.status == .created && made.json["lifecycle"] as? String == "draft" && made.json["status"] as? String == "not_filed", "\(made.text)")
            let id = made.json["id"] as! Int
            // The owner cannot file it by itself.
            body["status"] = "filed"
            #expect(try await client.send(.put, "/api/v1/instruments/\(id)", json: body, as: owner).status == .forbidden)
            let submitted = try await client.send(.post, "/api/v1/instruments/\(id)/filing", as: owner)
            #expect(submitted.status == .created && submitted.json["state"] as? String == "submitted", "\(submitted.text)")
            let filing = submitted.json["id"] as! Int
            #expect(try await client.send(.post, "/api/v1/instruments/\(id)/filing", as: owner).status == .conflict)
            // Another city's bureau neither sees nor decides it; the owner cannot approve it.
            #expect(try await client.send(.get, "/api/v1/filings/\(filing)", as: xiamen).status == .notFound)
            #expect(try await client.send(.post, "/api/v1/filings/\(filing)/approve", as: xiamen).status == .notFound)
            #expect(try await client.send(.post, "/api/v1/filings/\(filing)/approve", as: owner).status == .forbidden)
            let queue = try await client.send(.get, "/api/v1/filings?state=submitted", as: gulou)
            #expect((queue.json["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [filing])
            // Returning needs a reason, which the owner then reads.
            let noReason = try await client.send(.post, "/api/v1/filings/\(filing)/return", json: ["reason": " "], as: gulou)
            #expect(noReason.status == .badRequest && noReason.problemFields == ["reason"])
            let returned = try await client.send(.post, "/api/v1/filings/\(filing)/return", json: ["reason": "出厂编号与铭牌不符"], as: gulou)
            #expect(returned.json["state"] as? String == "returned")
            let seen = try await client.send(.get, "/api/v1/filings?instrument_id=\(id)", as: owner)
            #expect((seen.json["items"] as? [[String: Any]])?.first?["reason"] as? String == "出厂编号与铭牌不符")
            // Fixed and submitted again; approved: the instrument is filed and its status follows.
            body["status"] = "draft"
            body["serial_no"] = "OWN-1A"
            #expect(try await client.send(.put, "/api/v1/instruments/\(id)", json: body, as: owner).status == .ok)
            let again = try await client.send(.post, "/api/v1/instruments/\(id)/filing", as: owner).json["id"] as! Int
            let approved = try await client.send(.post, "/api/v1/filings/\(again)/approve", as: gulou)
            #expect(approved.json["state"] as? String == "approved" && (approved.json["decided_by"] as? String)?.hasSuffix("gulou") == true)
            let inst = try await client.send(.get, "/api/v1/instruments/\(id)", as: owner)
            #expect(inst.json["lifecycle"] as? String == "filed" && inst.json["status"] as? String != "not_filed", "\(inst.text)")
            #expect(try await client.send(.post, "/api/v1/filings/\(again)/approve", as: gulou).status == .conflict)
        }
    }

    @Test func theInstituteAcceptsWithAWorkingDayDeadlineAndRecordsTheResult() async throws {
        // Thursday 26 November 2026; a made-up holiday on Monday 30 November moves the deadline.
        try await withApp(today: "2026-11-26") { store, client in
            let ids = try await APIFlowTests.seed(client)
            let owner = try await Self.token(store, .init(name: "owner", role: "owner", ownerID: ids.owner))
            let institute = try await Self.token(store, .init(name: "lab", role: "institute_staff", institutionID: ids.institution))
            let stranger = try await Fixtures.institution("别的所", on: store.db)
            let otherLab = try await Self.token(store, .init(name: "other", role: "institute_staff", institutionID: stranger.id!))
            let unauthorised = try await client.send(.post, "/api/v1/institutions", json: [
                "name": "无资质机构", "kind": "authorised", "region_code": "350100", "address": "A", "scopes": [],
            ]).json["id"] as! Int
            let refused = try await client.send(.post, "/api/v1/verification-requests", json: [
                "instrument_id": ids.instrument, "institution_id": unauthorised, "mode": "laboratory",
            ], as: owner)
            #expect(refused.status == .badRequest && refused.problemFields == ["institution_id"])
            let badMode = try await client.send(.post, "/api/v1/verification-requests", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "mode": "by post",
            ], as: owner)
            #expect(badMode.status == .badRequest && badMode.problemFields == ["mode"])
            let applied = try await client.send(.post, "/api/v1/verification-requests", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "mode": "laboratory", "note": "周一送检",
            ], as: owner)
            #expect(applied.status == .created && applied.json["state"] as? String == "applied", "\(applied.text)")
            let id = applied.json["id"] as! Int
            #expect(try await client.send(.post, "/api/v1/verification-requests", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "mode": "on_site",
            ], as: owner).status == .conflict)
            let holiday = try await client.send(.put, "/api/v1/calendar-days/2026-11-30", json: ["kind": "holiday", "name": "测试假日"])
            #expect(holiday.status == .ok, "\(holiday.text)")
            // Only the institution it is addressed to handles it.
            #expect(try await client.send(.post, "/api/v1/verification-requests/\(id)/accept", json: [:], as: otherLab).status == .notFound)
            #expect(try await client.send(.post, "/api/v1/verification-requests/\(id)/accept", json: [:], as: owner).status == .forbidden)
            let accepted = try await client.send(.post, "/api/v1/verification-requests/\(id)/accept", json: ["scheduled_for": "2026-11-27"], as: institute)
            // 7 working days after Thu 26 Nov: Fri 27, (Mon 30 off), Tue 1 … Wed 2, Thu 3, Fri 4, Mon 7, Tue 8.
            #expect(accepted.json["deadline"] as? String == "2026-12-08", "\(accepted.text)")
            #expect(accepted.json["working_days_left"] as? Int == 7 && accepted.json["overdue"] as? Bool == false)
            let result = try await client.send(.post, "/api/v1/verification-requests/\(id)/result", json: [
                "date": "2026-11-26", "kind": "first", "result": "pass", "certificate_no": "JD2026-77",
            ], as: institute)
            #expect(result.status == .created, "\(result.text)")
            let record = result.json["record"] as? [String: Any]
            #expect(record?["certificate_no"] as? String == "JD2026-77" && record?["recorded_by"] as? String == "lab")
            #expect((result.json["request"] as? [String: Any])?["state"] as? String == "completed")
            let inst = try await client.send(.get, "/api/v1/instruments/\(ids.instrument)", as: owner)
            #expect(inst.json["status"] as? String == "valid" && inst.json["lifecycle"] as? String == "in_service")
            #expect(try await client.send(.post, "/api/v1/verification-requests/\(id)/result", json: [
                "date": "2026-11-26", "kind": "first", "result": "pass", "certificate_no": "JD2026-78",
            ], as: institute).status == .conflict)
        }
    }

    @Test func anAcceptedApplicationPastItsDeadlineIsFlaggedOverdue() async throws {
        try await withApp(today: "2026-12-10") { store, client in
            let ids = try await APIFlowTests.seed(client)
            let r = try await client.send(.post, "/api/v1/verification-requests", json: [
                "instrument_id": ids.instrument, "institution_id": ids.institution, "mode": "on_site",
            ])
            let id = r.json["id"] as! Int
            #expect(try await client.send(.post, "/api/v1/verification-requests/\(id)/accept", json: [:]).status == .ok)
            // Accepted ten working days before today's Thursday 10 December: the deadline was yesterday… or today?
            let m = try await VerificationRequestModel.find(id, on: store.db)!
            m.acceptedOn = "2026-11-25"
            m.deadline = "2026-12-09"
            try await m.save(on: store.db)
            let overdue = try await client.send(.get, "/api/v1/verification-requests?overdue=true")
            let item = (overdue.json["items"] as? [[String: Any]])?.first
            #expect(item?["id"] as? Int == id && item?["overdue"] as? Bool == true && item?["working_days_left"] as? Int == -1, "\(overdue.text)")
            m.deadline = "2026-12-10"  // the deadline day itself is not overdue
            try await m.save(on: store.db)
            let onTheDay = try await client.send(.get, "/api/v1/verification-requests/\(id)")
            #expect(onTheDay.json["overdue"] as? Bool == false && onTheDay.json["working_days_left"] as? Int == 0)
            let declined = try await client.send(.post, "/api/v1/verification-requests/\(id)/decline", json: ["reason": "设备故障"])
            #expect(declined.json["state"] as? String == "declined")
        }
    }

    @Test func theHolidayCalendarIsTheAdministratorsAndChecksItsInput() async throws {
        try await withApp { store, client in
            let gulou = try await Self.token(store, .init(name: "gulou", role: "bureau_staff", regionCode: "350102"))
            #expect(try await client.send(.put, "/api/v1/calendar-days/2027-01-01", json: ["kind": "holiday", "name": "元旦"], as: gulou).status == .forbidden)
            let badDate = try await client.send(.put, "/api/v1/calendar-days/2027-02-30", json: ["kind": "holiday", "name": "x"])
            #expect(badDate.status == .badRequest && badDate.problemFields == ["date"])
            let badKind = try await client.send(.put, "/api/v1/calendar-days/2027-01-01", json: ["kind": "party", "name": ""])
            #expect(badKind.status == .badRequest && Set(badKind.problemFields) == ["kind", "name"])
            #expect(try await client.send(.put, "/api/v1/calendar-days/2027-01-01", json: ["kind": "holiday", "name": "元旦"]).status == .ok)
            #expect(try await client.send(.put, "/api/v1/calendar-days/2027-02-07", json: ["kind": "workday", "name": "春节调休"]).status == .ok)
            let year = try await client.send(.get, "/api/v1/calendar-days?year=2027", as: gulou)
            #expect(year.jsonArray.map { $0["date"] as? String } == ["2027-01-01", "2027-02-07"])
            #expect(try await client.send(.delete, "/api/v1/calendar-days/2027-01-01").status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/calendar-days/2027-01-01").status == .notFound)
        }
    }
}
