import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Free checks (sessions, bookings up to capacity, meter requests, results) and campaign quizzes,
/// on SQLite and PostgreSQL.
@Suite struct FreeCheckAndQuizTests {
    @Test func bookingsStopAtCapacityAndTheInstitutionRecordsResults() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let lab = try await Fixtures.institution(on: db)
            let otherLab = try await Fixtures.institution("另一个计量所", on: db)
            let staff = Principal(kind: .user, id: 7, label: "lab", role: .instituteStaff, institutionID: lab.id)
            let otherStaff = Principal(kind: .user, id: 8, label: "other", role: .instituteStaff, institutionID: otherLab.id)
            let today = CalendarDay("2026-11-27")!
            // a session in the past, and bad capacity, are refused with the field named
            await #expect(throws: ValidationFailure.self) {
                try await FreeChecks.openSlot(institutionID: nil, day: "2026-11-20", time: "09:00", place: "省计量院", items: "血压计", capacity: "2", today: today, by: staff, on: db)
            }
            do {
                _ = try await FreeChecks.openSlot(institutionID: nil, day: "2026-12-20", time: "09:00", place: "省计量院", items: "血压计", capacity: "0", today: today, by: staff, on: db)
                Issue.record("capacity 0 accepted")
            } catch let e as ValidationFailure { #expect(e.errors.map(\.field) == ["capacity"]) }
            // owners cannot open sessions
            await #expect(throws: RegistryError.self) {
                try await FreeChecks.openSlot(institutionID: lab.id, day: "2026-12-20", time: "09:00", place: "x", items: "x", capacity: "2", today: today,
                                              by: Principal(kind: .user, id: 9, label: "o", role: .owner, ownerIDs: [1]), on: db)
            }
            // MUT
            let slot = try await FreeChecks.openSlot(
                institutionID: otherLab.id, day: "2026-12-20", time: "09:00-11:30", place: "省计量院一楼", items: "血压计", capacity: "2", today: today, by: staff, on: db)
            #expect(slot.institutionID == lab.id)  // institute staff open sessions for their own institution only
            let a = try await FreeChecks.book(slotID: slot.id, item: "电子血压计", contactName: "李四", contactPhone: nil, today: today, on: db)
            let b = try await FreeChecks.book(slotID: slot.id, item: "水银血压计", contactName: nil, contactPhone: nil, today: today, on: db)
            await #expect(throws: RegistryError.conflict(field: "slot_id", reason: .publicService(.sessionFullyBooked))) {
                try await FreeChecks.book(slotID: slot.id, item: "血压计", contactName: nil, contactPhone: nil, today: today, on: db)
            }
            #expect(try await CheckSlotModel.find(slot.id, on: db)?.booked == 2)
            #expect(try await FreeChecks.openSlots(from: today, on: db).isEmpty)  // full sessions are not offered
            #expect(try await FreeCheckModel.query(on: db).count() == 2)
            #expect(a.code != b.code && TrackingCode(typed: a.code) != nil)
            // another institution's staff cannot record a result for it
            await #expect(throws: RegistryError.notFound(.freeCheck, key: "\(a.id!)")) {
                try await FreeChecks.record(a.id!, result: "pass", note: nil, today: today, by: otherStaff, on: db)
            }
            _ = try await FreeChecks.record(a.id!, result: "fail", note: "示值误差超差，建议更换", today: CalendarDay("2026-12-20")!, by: staff, on: db)
            await #expect(throws: RegistryError.self) { try await FreeChecks.record(a.id!, result: "pass", note: nil, today: today, by: staff, on: db) }
            // the citizen reads it with the code
            let (seen, seenSlot, institution) = try await FreeChecks.track(TrackingCode(typed: a.code)!.grouped, on: db)
            #expect(seen.state == "done" && seen.result == "fail" && seen.resultNote == "示值误差超差，建议更换" && seen.doneOn == "2026-12-20")
            #expect(seenSlot?.id == slot.id && institution?.id == lab.id)
            await #expect(throws: RegistryError.self) { try await FreeChecks.track("ZZZZ-ZZZZ-ZZZZ-ZZZZ", on: db) }
        }
    }

    @Test func meterRequestsNeedAUtilityOfThatKind() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let lab = try await Fixtures.institution(on: db)
            let water = try await Fixtures.owner(1, industry: .waterUtility, on: db)
            let market = try await Fixtures.owner(2, on: db)
            let today = CalendarDay("2026-11-27")!
            func request(_ meter: String, _ credit: String) async throws -> FreeCheckModel {
                try await FreeChecks.requestMeterCheck(
                    meter: meter, utilityCreditCode: credit, meterNo: "W-123", address: "鼓楼区某小区1-101", institutionID: lab.id,
                    contactName: "张三", contactPhone: "13700000000", today: today, on: db)
            }
            await #expect(throws: RegistryError.self) { try await request("gas", water.creditCode) }  // a water utility, not gas
            await #expect(throws: RegistryError.self) { try await request("water", market.creditCode) }
            do { _ = try await request("steam", water.creditCode); Issue.record("accepted") } catch let e as ValidationFailure {
                #expect(e.errors.map(\.field) == ["meter"])
            }
            let m = try await request("water", water.creditCode)
            #expect(m.kind == "meter" && m.utilityID == water.id && m.state == "booked" && m.slotID == nil)
            #expect(try await FreeCheckModel.query(on: db).count() == 1)
        }
    }

    @Test func quizzesAreScoredAgainstTheirAnswers() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (campaign, questions) = try await Campaigns.campaign(slug: "world-metrology-day-2027", on: db)
            #expect(questions.count == 4 && campaign.event == "5.20")
            // all right, all wrong, one unanswered
            let right = Dictionary(uniqueKeysWithValues: questions.map { ($0.id!, "\($0.answer)") })
            let wrong = Dictionary(uniqueKeysWithValues: questions.map { ($0.id!, "\(($0.answer + 1) % Campaigns.options($0).count)") })
            var partial = right
            partial[questions[0].id!] = nil
            // MUT
            let scores = try await [right, wrong, partial].asyncMap { try await Campaigns.score(slug: campaign.slug, answers: $0, on: db).2 }
            // validate
            #expect(scores.map(\.correct) == [4, 0, 3] && scores.allSatisfy { $0.total == 4 })
            #expect(scores[2].answers[0].given == nil && !scores[2].answers[0].right)
            let (attempts, mean) = try await Campaigns.participation(campaignID: campaign.id!, on: db)
            #expect(attempts == 3 && mean == 7.0 / 3)
            // an option that does not exist, or another quiz's question, is bad input and not counted
            var outOfRange = right
            outOfRange[questions[1].id!] = "9"
            await #expect(throws: ValidationFailure.self) { try await Campaigns.score(slug: campaign.slug, answers: outOfRange, on: db) }
            let other = try await Campaigns.campaign(slug: "consumer-day-2027", on: db).1
            await #expect(throws: ValidationFailure.self) { try await Campaigns.score(slug: campaign.slug, answers: [other[0].id!: "0"], on: db) }
            #expect(try await Campaigns.participation(campaignID: campaign.id!, on: db).attempts == 3)
            await #expect(throws: RegistryError.notFound(.campaign, key: "no-such-campaign")) { try await Campaigns.campaign(slug: "no-such-campaign", on: db) }
        }
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await f(e)) }
        return out
    }
}
