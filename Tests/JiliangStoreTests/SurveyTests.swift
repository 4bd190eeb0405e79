import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The survey of users (使用单位摸排; notice-2022 §三; issue #19, item 6): from invitation to filed drafts.
@Suite struct SurveyTests {
    /// The link token and kind of a survey notice (nil for any other message).
    static func invitation(_ n: Notice?) -> (token: String, reminder: Bool)? {
        if case .survey(_, _, _, let token, let reminder)? = n { (token, reminder) } else { nil }
    }

    static let today = CalendarDay("2026-11-26")!
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let xiamen = Principal(kind: .user, id: 8, label: "xiamen", role: .bureauStaff, region: RegionCode("350200")!)

    func raw(_ name: String, _ serial: String) -> RawInstrument {
        var r = RawInstrument()
        r.name = name
        r.serialNo = serial
        r.address = "某加油站"
        r.inServiceDate = "2026-03-01"
        r.purpose = "trade_settlement"
        r.regionCode = "350102"
        return r
    }

    @Test func fromInvitationToFiledDrafts() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            // Two fuel stations in 鼓楼区 (one with a phone), one market (another industry), one station in Xiamen.
            let a = try await Fixtures.owner(1, industry: .fuelStation, on: db)
            a.contactPhone = "13800000001"
            try await a.save(on: db)
            let b = try await Fixtures.owner(2, industry: .fuelStation, on: db)
            b.contactPhone = nil
            try await b.save(on: db)
            _ = try await Fixtures.owner(3, industry: .market, on: db)
            _ = try await Fixtures.owner(4, region: RegionCode("350203")!, industry: .fuelStation, on: db)
            let (s, invited) = try await Surveys.open(
                title: "鼓楼区加油站摸排", industry: "加油站", region: "350102", closesOn: "2026-12-31", today: Self.today,
                by: Self.gulou, on: db)
            #expect(invited == 2)
            // Each invited owner has the invitation in its inbox; the one with a phone also an SMS.
            let inbox = try await InboxMessageModel.query(on: db).filter(\.$recipient == "owner:\(a.id!)").all()
            // The message is kept as facts (the survey, its deadline, the owner's link token), worded when read.
            #expect(inbox.count == 1 && Self.invitation(inbox[0].decodedNotice)?.reminder == false)
            let sms = try await OutboxMessageModel.query(on: db).all()
            #expect(sms.count == 1 && sms[0].address == "13800000001" && sms[0].decodedNotice == inbox[0].decodedNotice)
            let token = try #require(Self.invitation(inbox[0].decodedNotice)?.token)
            #expect(token.count == 16)
            // A bad row is named by row and field, and nothing is stored.
            var bad = raw("燃油加油机", "")
            bad.inServiceDate = "2026-13-01"
            let refused = await #expect(throws: ValidationFailure.self) {
                try await Surveys.declare(token: token, rows: [raw("燃油加油机", "F-1"), bad], today: Self.today, on: db)
            }
            #expect(refused?.errors.map(\.field).contains("rows[2].serial_no") == true)
            #expect(try await InstrumentModel.query(on: db).count() == 0)
            // Declared: drafts with filings submitted; the invitation is answered.
            let made = try await Surveys.declare(token: token, rows: [raw("燃油加油机", "F-1"), raw("燃油加油机", "F-2")], today: Self.today, on: db)
            #expect(made.count == 2 && made.allSatisfy { $0.lifecycle == "draft" && $0.ownerID == a.id! && $0.subNo == 10 })
            let filings = try await FilingModel.query(on: db).all()
            #expect(filings.count == 2 && filings.allSatisfy { $0.state == "submitted" })
            var p = try await Surveys.progress(s, scope: Self.gulou.scope, on: db)
            #expect(p.total.invited == 2 && p.total.answered == 1 && p.total.declared == 2 && p.total.filed == 0 && p.total.coverage == 0.5)
            // The bureau approves one filing: it counts as filed.
            _ = try await Filings.decide(filings[0].id!, approve: true, reason: nil, by: Self.gulou, on: db)
            p = try await Surveys.progress(s, scope: Self.gulou.scope, on: db)
            #expect(p.total.filed == 1 && p.total.filingRate == 0.5 && p.regions.map(\.region) == ["350102"])
            // The silent one is chased: a reminder in its inbox; the count kept.
            #expect(try await Surveys.silent(s, scope: Self.gulou.scope, on: db).map(\.owner.id) == [b.id])
            #expect(try await Surveys.chase(s.id!, by: Self.gulou, on: db) == 1)
            let reminders = try await InboxMessageModel.query(on: db).filter(\.$recipient == "owner:\(b.id!)").all()
            #expect(reminders.count == 2 && reminders.contains { Self.invitation($0.decodedNotice)?.reminder == true })
            // An unregistered station asks to join through the public link: nothing is registered
            // until the bureau accepts; then it is, with its own link by SMS.
            let request = try await Surveys.requestToJoin(
                surveyID: s.id!, name: "鼓楼区新开加油站", creditCode: Fixtures.creditCode(9).value, address: "新路1号", region: "鼓楼区",
                contactPhone: "13800000009", today: Self.today, on: db)
            #expect(try await OwnerModel.query(on: db).filter(\.$creditCode == Fixtures.creditCode(9).value).first() == nil)
            #expect(try await Surveys.pendingRequests(s, scope: Self.gulou.scope, on: db).map(\.id) == [request.id])
            await #expect(throws: RegistryError.self) {  // another region's bureau cannot decide it
                try await Surveys.decide(request: request.id!, of: s.id!, accept: true, today: Self.today, by: Self.xiamen, on: db)
            }
            _ = try await Surveys.decide(request: request.id!, of: s.id!, accept: true, today: Self.today, by: Self.gulou, on: db)
            // Decided once: a second accept is a conflict, and sends nothing again.
            await #expect(throws: RegistryError.self) {
                try await Surveys.decide(request: request.id!, of: s.id!, accept: false, today: Self.today, by: Self.gulou, on: db)
            }
            let sms9 = try #require(try await OutboxMessageModel.query(on: db).filter(\.$address == "13800000009").first())
            let joinedToken = try #require(Self.invitation(sms9.decodedNotice)?.token)
            _ = try await Surveys.declare(token: joinedToken, rows: [raw("燃油加油机", "N-1")], today: Self.today, on: db)
            p = try await Surveys.progress(s, scope: Self.gulou.scope, on: db)
            #expect(p.total.invited == 3 && p.total.answered == 2 && p.total.declared == 3)
            // A request naming a registered unit gets the same answer; accepted, the unit is invited
            // at its registered contacts, never at the phone the request gave.
            let squat = try await Surveys.requestToJoin(
                surveyID: s.id!, name: "冒名", creditCode: a.creditCode, address: "y", region: "鼓楼区", contactPhone: "13900000666", today: Self.today, on: db)
            // Asking twice (a refresh) keeps one pending request.
            let again = try await Surveys.requestToJoin(
                surveyID: s.id!, name: "冒名", creditCode: a.creditCode, address: "y", region: "鼓楼区", contactPhone: "13900000666", today: Self.today, on: db)
            #expect(again.id == squat.id)
            _ = try await Surveys.decide(request: squat.id!, of: s.id!, accept: true, today: Self.today, by: Self.gulou, on: db)
            #expect(try await OutboxMessageModel.query(on: db).filter(\.$address == "13900000666").count() == 0)
            #expect(try await OutboxMessageModel.query(on: db).filter(\.$address == "13800000001").count() == 2)
            // Outside the survey's region, or without a phone, a request is refused with the field.
            await #expect(throws: RegistryError.self) {
                try await Surveys.requestToJoin(
                    surveyID: s.id!, name: "x", creditCode: Fixtures.creditCode(10).value, address: "y", region: "350203", contactPhone: "1", today: Self.today, on: db)
            }
            await #expect(throws: ValidationFailure.self) {
                try await Surveys.requestToJoin(
                    surveyID: s.id!, name: "x", creditCode: Fixtures.creditCode(10).value, address: "y", region: "鼓楼区", contactPhone: "", today: Self.today, on: db)
            }
            // Another region's bureau does not see the survey; a wrong or expired link is not found.
            await #expect(throws: RegistryError.self) { try await Surveys.survey(s.id!, scope: Self.xiamen.scope, on: db) }
            await #expect(throws: RegistryError.self) { try await Surveys.invitation(token: "0000-0000-0000-0000", today: Self.today, on: db) }
            await #expect(throws: RegistryError.self) { try await Surveys.invitation(token: token, today: CalendarDay("2027-01-01")!, on: db) }
            // Closed: the link no longer works.
            _ = try await Surveys.close(s.id!, by: Self.gulou, on: db)
            await #expect(throws: RegistryError.self) { try await Surveys.invitation(token: token, today: Self.today, on: db) }
        }
    }

    @Test(arguments: [
        ("", "加油站", "350102", "2026-12-31", "title"), ("x", "飞船", "350102", "2026-12-31", "industry"),
        ("x", "加油站", "350203", "2026-12-31", "region_code"), ("x", "加油站", "350102", "2026-11-26", "closes_on"),
    ])
    func badSurveysAreNamed(title: String, industry: String, region: String, closes: String, field: String) async throws {
        try await TestDatabase.withStore { store in
            do {
                _ = try await Surveys.open(
                    title: title, industry: industry, region: region, closesOn: closes, today: Self.today, by: Self.gulou, on: store.db)
                Issue.record("accepted")
            } catch let e as ValidationFailure {
                #expect(e.errors.map(\.field) == [field])
            } catch let e as RegistryError {
                #expect(e.description.contains(field))
            }
        }
    }

    /// The owner uploads its own roll through its link: no credit-code or county column needed,
    /// the new instruments counted for the survey in the import's own transaction, a re-upload
    /// counting nothing twice, and an upload that adds nothing leaving the invitation unanswered.
    @Test func anOwnerUploadsItsRollThroughItsLink() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let a = try await Fixtures.owner(1, industry: .fuelStation, on: db)
            let (s, _) = try await Surveys.open(
                title: "摸排", industry: "fuel_station", region: "350102", closesOn: "2026-12-31", today: Self.today, by: Self.gulou, on: db)
            let inv = try #require(try await SurveyInvitationModel.query(on: db).filter(\.$ownerID == a.id!).first())
            let empty = Array("器具名称,出厂编号,安装地点,用途,启用日期\n".utf8)
            let none = try await Surveys.declareUpload(token: inv.token, bytes: empty, today: Self.today, on: db)
            #expect(none.inserted == 0)
            #expect(try await Surveys.progress(s, scope: Self.gulou.scope, on: db).total.answered == 0)
            let roll = Array("器具名称,出厂编号,安装地点,用途,启用日期\n燃油加油机,U-1,1号岛,贸易结算,2026-03-01\n燃油加油机,U-2,2号岛,贸易结算,2026-03-01\n".utf8)
            let r = try await Surveys.declareUpload(token: inv.token, bytes: roll, today: Self.today, on: db)
            #expect(r.inserted == 2 && r.errors.isEmpty, "\(r.errors)")
            let again = try await Surveys.declareUpload(token: inv.token, bytes: roll, today: Self.today, on: db)
            #expect(again.inserted == 0 && again.alreadyPresent == 2)
            let p = try await Surveys.progress(s, scope: Self.gulou.scope, on: db).total
            #expect(p.answered == 1 && p.declared == 2)
            #expect(try await FilingModel.query(on: db).count() == 2)
        }
    }
}
