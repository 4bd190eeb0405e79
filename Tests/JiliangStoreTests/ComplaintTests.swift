import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Complaints from filing to close, on SQLite and PostgreSQL: the deadline in working days, the
/// bureau's scope, the order of the steps, repeated-complaint warnings and bad input.
@Suite struct ComplaintTests {
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let otherBureau = Principal(kind: .user, id: 902, label: "siming", role: .bureauStaff, region: Fixtures.otherCounty)

    /// Received on a Friday; the deadline counts working days after it, skipping weekends and the
    /// calendar's holidays and counting its make-up working days.
    @Test(arguments: [
        ("2026-11-27", 15, [String](), [String](), "2026-12-18"),
        ("2026-11-27", 15, ["2026-12-01"], [], "2026-12-21"),
        ("2026-11-27", 15, [], ["2026-12-05"], "2026-12-17"),  // a Saturday worked in exchange
        ("2026-11-27", 1, [], [], "2026-11-30"),  // Friday + 1 working day = Monday
        ("2026-11-29", 1, [], [], "2026-11-30"),  // received on a Sunday
        ("2028-02-28", 2, [], [], "2028-03-01"),  // over the leap day (29 Feb 2028 is a Tuesday)
    ])
    func deadlineIsCountedInWorkingDays(received: String, days: Int, holidays: [String], workdays: [String], expected: String) async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            for h in holidays { _ = try await VerificationRequests.setCalendarDay(h, kind: "holiday", name: "假日", by: .system("tests"), on: db) }
            for w in workdays { _ = try await VerificationRequests.setCalendarDay(w, kind: "workday", name: "调休", by: .system("tests"), on: db) }
            // MUT
            let m = try await Complaints.submit(
                .init(businessCreditCode: owner.creditCode, category: "short_weight", text: "少了二两"), rules: .init(deadlineWorkingDays: days),
                today: CalendarDay(received)!, on: db)
            // validate
            #expect(m.deadline == expected)
            #expect(m.receivedOn == received)
        }
    }

    @Test func followsAComplaintFromFilingToClose() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(owner: owner, on: db)
            _ = try await Accounts.createUser(
                .init(login: "handler", displayName: "承办人", password: "a-long-password-1", role: "bureau_staff", regionCode: "350102"), by: .system("tests"), on: db)
            _ = try await Accounts.createUser(
                .init(login: "xiamen", displayName: "厦门", password: "a-long-password-1", role: "bureau_staff", regionCode: "350203"), by: .system("tests"), on: db)
            let today = CalendarDay("2026-11-27")!
            // MUT: a citizen files with a photo and a contact
            let filed = try await Complaints.submit(
                .init(instrumentCode: InstrumentCode(validating: scale.code).grouped.lowercased(), category: "tampering", text: "铅封被破坏", contact: "13900000000",
                      photo: .init(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])),
                today: today, on: db)
            #expect(filed.trackingCode.count == TrackingCode.length && filed.subject == "instrument" && filed.instrumentID == scale.id && filed.hasPhoto)
            // the other county's bureau neither lists nor opens it
            #expect(try await Complaints.list(state: nil, overdueOn: nil, cursor: nil, limit: nil, by: Self.otherBureau, on: db).items.isEmpty)
            await #expect(throws: RegistryError.self) { try await Complaints.complaint(filed.id!, by: Self.otherBureau, on: db) }
            // nor may an owner or an institute see the queue
            let ownerCaller = Principal(kind: .user, id: 5, label: "o", role: .owner, ownerIDs: [owner.id!])
            await #expect(throws: RegistryError.forbidden(.notAllowed(.handleComplaints))) {
                try await Complaints.list(state: nil, overdueOn: nil, cursor: nil, limit: nil, by: ownerCaller, on: db)
            }
            #expect(try await Complaints.list(state: "received", overdueOn: nil, cursor: nil, limit: nil, by: Self.bureau, on: db).items.map(\.id) == [filed.id])
            #expect(try await Complaints.photo(of: filed.id!, by: Self.bureau, on: db).contentType == "image/png")
            // a handler outside the region is refused, naming the field
            await #expect(throws: RegistryError.invalid("assignee", .publicService(.notAComplaintHandler(login: "xiamen", region: "350102")))) {
                try await Complaints.assign(filed.id!, to: "xiamen", by: Self.bureau, on: db)
            }
            _ = try await Complaints.assign(filed.id!, to: "handler", by: Self.bureau, on: db)
            // closing before replying is refused
            await #expect(throws: RegistryError.self) { try await Complaints.close(filed.id!, outcome: "upheld", today: today, by: Self.bureau, on: db) }
            _ = try await Complaints.reply(filed.id!, text: "已现场检查，责令整改。", by: Self.bureau, on: db)
            let closed = try await Complaints.close(filed.id!, outcome: "upheld", today: today.adding(days: 3), by: Self.bureau, on: db)
            #expect(closed.state == "closed" && closed.outcome == "upheld" && closed.closedOn == "2026-11-30")
            await #expect(throws: RegistryError.self) { try await Complaints.reply(filed.id!, text: "again", by: Self.bureau, on: db) }
            // the citizen follows it with the code, typed in groups and lower case
            let (tracked, events) = try await Complaints.track(TrackingCode(typed: filed.trackingCode)!.grouped.lowercased(), on: db)
            #expect(tracked.state == "closed" && tracked.reply == "已现场检查，责令整改。")
            #expect(events.map(\.action) == ["received", "assigned", "replied", "closed"])
            // a wrong code and a malformed one get the same answer
            for bad in ["0000-0000-0000-0000", "not a code", ""] {
                await #expect(throws: RegistryError.notFound(.complaint, key: "")) { try await Complaints.track(bad, on: db) }
            }
            // the citizen's contact stays out of the audit log
            let audit = try await AuditEntryModel.query(on: db).filter(\.$entity == "complaints").all()
            #expect(!audit.isEmpty && audit.allSatisfy { !($0.after ?? "").contains("13900000000") && !($0.before ?? "").contains("13900000000") })
        }
    }

    @Test func theThirdComplaintAboutABusinessWarnsItsBureau() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            func file(_ day: String) async throws {
                _ = try await Complaints.submit(.init(businessCreditCode: owner.creditCode, category: "short_weight", text: "短秤"), today: CalendarDay(day)!, on: db)
            }
            func warnings() async throws -> Int {
                try await InboxMessageModel.query(on: db).filter(\.$recipient == "region:350102").all()
                    .filter { if case .repeatedComplaints? = $0.decodedNotice { true } else { false } }.count
            }
            try await file("2026-06-01")  // outside the 90-day window of the later ones
            try await file("2026-10-01")
            try await file("2026-11-01")
            #expect(try await warnings() == 0)
            try await file("2026-11-20")  // third within 90 days
            #expect(try await warnings() == 1)
            try await file("2026-11-21")
            try await file("2026-11-22")
            #expect(try await warnings() == 1)
            try await file("2026-11-23")  // sixth within the window
            #expect(try await warnings() == 2)
        }
    }

    @Test func badInputIsNamedAndNothingIsStored() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let today = CalendarDay("2026-11-27")!
            let cases: [(Complaints.Submission, String)] = [
                (.init(category: "short_weight", text: "x"), "instrument_code"),
                (.init(instrumentCode: "350102-AAAA-AAAA-AAAA-0", category: "short_weight", text: "x"), "instrument_code"),
                (.init(businessCreditCode: "91350102MA00000001", category: "short_weight", text: "x"), "business_credit_code"),
                (.init(businessCreditCode: owner.creditCode, category: "bribery", text: "x"), "category"),
                (.init(businessCreditCode: owner.creditCode, category: "other", text: String(repeating: "长", count: 2001)), "text"),
                (.init(businessCreditCode: owner.creditCode, category: "other", text: "x", photo: .init(bytes: Array("GIF89a".utf8))), "photo"),
                (.init(businessCreditCode: owner.creditCode, category: "other", text: "x",
                       photo: .init(bytes: [0xFF, 0xD8, 0xFF] + Array(repeating: 0, count: Complaints.maxPhotoBytes))), "photo"),
            ]
            for (submission, field) in cases {
                do {
                    _ = try await Complaints.submit(submission, today: today, on: db)
                    Issue.record("accepted bad input for \(field)")
                } catch let e as ValidationFailure {
                    #expect(e.errors.map(\.field).contains(field), "\(e)")
                } catch let e as RegistryError {
                    guard case .invalid(let v) = e else { Issue.record("\(e)"); continue }
                    #expect(v.errors.map(\.field) == [field])
                }
            }
            #expect(try await ComplaintModel.query(on: db).count() == 0)
            #expect(try await ComplaintPhotoModel.query(on: db).count() == 0)
        }
    }
}
