import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The staff side of the public service as forms: label sheets from the instrument list, the
/// bureau's complaint queue from assignment to close, the institution's free-check sessions.
@Suite struct PublicServiceStaffPageTests {
    typealias Browser = PageTests.Browser

    @Test func labelSheetsFollowTheListFilterAndScope() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let owner = try #require(try await OwnerModel.find(ids.owner, on: store.db))
            for n in 0..<30 { _ = try await Fixtures.instrument(serial: "L\(n)", owner: owner, on: store.db) }
            let other = try await Fixtures.owner(7, region: Fixtures.otherCounty, on: store.db)
            _ = try await Fixtures.instrument(serial: "X1", owner: other, region: Fixtures.otherCounty, on: store.db)
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            // MUT
            let html = try await b.get("/app/labels?region=350102")
            let pdf = try await b.get("/app/labels.pdf?region=350102")
            // validate: thirty labels of the bureau's county, each QR code opening the public page
            #expect(html.status == .ok && html.text.contains("id=\"label-count\">30<"))
            #expect(html.text.components(separatedBy: "<svg").count - 1 == 30)
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let bytes = Array(pdf.body.readableBytesView)
            #expect(bytes.starts(with: Array("%PDF-".utf8)))
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).pdf")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let info = try await ChildProcess.run("/usr/bin/pdfinfo", [file.path]).text
            #expect(info.split(separator: "\n").contains { $0.hasPrefix("Pages:") && $0.hasSuffix(" 2") })  // 30 labels = 24 + 6
            // the Xiamen instrument is outside the bureau's scope: not printed even when asked for
            let outside = try await b.get("/app/labels?region=350203")
            #expect(outside.text.contains("id=\"label-count\">0<"))
            // a bad filter is named
            let bad = try await b.get("/app/labels.pdf?region=35")
            #expect(bad.status == .badRequest && bad.text.contains("region"))
        }
    }

    @Test func theBureauHandlesAComplaintFromItsQueue() async throws {
        try await withApp(today: "2026-11-27") { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let owner = try #require(try await OwnerModel.find(ids.owner, on: store.db))
            let c = try await Complaints.submit(.init(businessCreditCode: owner.creditCode, category: "short_weight", text: "缺斤少两", contact: "13100000000"),
                                                today: CalendarDay("2026-11-27")!, on: store.db)
            let b = Browser(client)
            _ = try await b.signIn("xiamen")
            #expect(try await b.get("/app/complaints/\(c.id!)").status == .notFound)  // another city's bureau
            _ = try await b.signIn("institute")
            #expect(try await b.get("/app/complaints").status == .forbidden)
            _ = try await b.signIn("gulou")
            let queue = try await b.get("/app/complaints")
            #expect(queue.status == .ok && queue.text.contains("/app/complaints/\(c.id!)"))
            let page = try await b.get("/app/complaints/\(c.id!)")
            #expect(page.text.contains("13100000000"))  // the handling bureau sees the contact
            let csrf = b.csrf(from: page)
            // MUT
            let wrong = try await b.post("/app/complaints/\(c.id!)/assign", ["csrf": csrf, "assignee": "xiamen"])
            let assigned = try await b.post("/app/complaints/\(c.id!)/assign", ["csrf": csrf, "assignee": "gulou"])
            let early = try await b.post("/app/complaints/\(c.id!)/close", ["csrf": csrf, "outcome": "upheld"])
            let emptyReply = try await b.post("/app/complaints/\(c.id!)/reply", ["csrf": csrf, "reply": " "])
            let replied = try await b.post("/app/complaints/\(c.id!)/reply", ["csrf": csrf, "reply": "已查处，责令整改"])
            let closed = try await b.post("/app/complaints/\(c.id!)/close", ["csrf": csrf, "outcome": "upheld"])
            let noToken = try await b.post("/app/complaints/\(c.id!)/reply", ["reply": "forged"])
            // validate
            #expect(wrong.status == .badRequest && wrong.text.contains("assignee"))
            #expect(assigned.status == .seeOther && replied.status == .seeOther && closed.status == .seeOther)
            #expect(early.status == .badRequest && emptyReply.status == .badRequest && emptyReply.text.contains("reply"))
            #expect(noToken.status == .forbidden)
            let (m, events) = try await Complaints.track(c.trackingCode, on: store.db)
            #expect(m.state == "closed" && m.outcome == "upheld" && m.reply == "已查处，责令整改" && m.assignedTo == "gulou")
            #expect(events.map(\.action) == ["received", "assigned", "replied", "closed"])
            let audited = try await AuditEntryModel.query(on: store.db).filter(\.$entity == "complaints").filter(\.$actor ~~ "gulou").count()
            #expect(audited == 3)
        }
    }

    @Test func theInstitutionOpensSessionsAndRecordsResults() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let b = Browser(client)
            _ = try await b.signIn("institute")
            let page = try await b.get("/app/checks")
            #expect(page.status == .ok)
            let csrf = b.csrf(from: page)
            let bad = try await b.post("/app/checks/slots", ["csrf": csrf, "day": "2026-13-01", "time": "09:00", "place": "所里", "items": "血压计", "capacity": "10"])
            #expect(bad.status == .badRequest && bad.text.contains("day"))
            let opened = try await b.post("/app/checks/slots", ["csrf": csrf, "day": "2026-12-20", "time": "09:00", "place": "所里", "items": "血压计", "capacity": "10"])
            #expect(opened.status == .seeOther)
            let slot = try #require(try await CheckSlotModel.query(on: store.db).first())
            let booking = try await FreeChecks.book(slotID: slot.id, item: "血压计", contactName: "赵六", contactPhone: nil, today: CalendarDay("2026-11-26")!, on: store.db)
            let list = try await b.get("/app/checks")
            #expect(list.text.contains("赵六") && list.text.contains("/app/checks/\(booking.id!)/result"))
            let recorded = try await b.post("/app/checks/\(booking.id!)/result", ["csrf": csrf, "result": "pass", "result_note": "示值误差合格"])
            #expect(recorded.status == .seeOther)
            let seen = try await client.send(.get, "/p/checks/\(booking.code)", as: .anonymous)
            #expect(seen.status == .ok && seen.text.contains("id=\"result\"") && seen.text.contains("示值误差合格") && !seen.text.contains("赵六"))
            _ = try await b.signIn("owner")
            #expect(try await b.get("/app/checks").status == .forbidden)
        }
    }
}

@Suite struct CampaignAdminPageTests {
    @Test func theAdministratorPublishesACampaignAndBadInputIsNamed() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            _ = try await Accounts.createUser(
                .init(login: "admin", displayName: "admin", password: DemoAccounts.password, role: "province_admin"), by: .system("tests"), on: store.db)
            let b = PageTests.Browser(client)
            _ = try await b.signIn("gulou")
            #expect(try await b.get("/app/admin/campaigns").status == .forbidden)
            _ = try await b.signIn("admin")
            let page = try await b.get("/app/admin/campaigns")
            #expect(page.status == .ok && page.text.contains("world-metrology-day-2027"))
            let csrf = b.csrf(from: page)
            var form = ["csrf": csrf, "slug": "World Day", "event": "5.20", "title": "2028 世界计量日", "title_en": "World Metrology Day 2028",
                        "body": "5月20日免费检定。", "body_en": "", "starts_on": "2028-05-20", "ends_on": "2028-05-19"]
            let bad = try await b.post("/app/admin/campaigns", form)
            #expect(bad.status == .badRequest && bad.text.contains("slug") && bad.text.contains("ends_on"))
            form["slug"] = "world-metrology-day-2028"
            form["ends_on"] = "2028-05-20"
            #expect(try await b.post("/app/admin/campaigns", form).status == .seeOther)
            let again = try await b.post("/app/admin/campaigns", form)
            #expect(again.status == .badRequest && again.text.contains("已被其他活动使用"))
            let published = try await client.send(.get, "/p/campaigns/world-metrology-day-2028", as: .anonymous)
            #expect(published.status == .ok && published.text.contains("2028 世界计量日"))
        }
    }
}
