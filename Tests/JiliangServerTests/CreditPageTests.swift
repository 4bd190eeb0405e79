import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// The credit pages: who may open what, the penalty form's bad input (multipart, evidence checked
/// by its bytes), and what the public site shows of a business's honesty.
@Suite struct CreditPageTests {
    typealias Browser = PageTests.Browser

    /// A multipart form post with the session's cookies.
    static func postMultipart(_ b: Browser, _ uri: String, fields: [String: String], files: [(String, String, [UInt8])]) async throws -> TestResponse {
        let boundary = "----jiliang\(UInt32.random(in: 0...UInt32.max))"
        var body = ByteBuffer()
        for (k, v) in fields { body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n") }
        for (name, filename, bytes) in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            body.writeBytes(bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        headers[.cookie] = b.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        return try await b.client.execute(uri: uri, method: .post, headers: headers, body: body)
    }

    @Test func pagesFollowTheAccessRules() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let owner = try #require(try await OwnerModel.find(ids.owner, on: store.db))
            let gulou = Principal(kind: .user, id: 1, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            let p = try await Penalties.record(
                .init(ownerID: owner.id, decisionNo: "罚-页面-1", kind: "fine", legalBasis: "计量法", facts: "作弊", amountYuan: "3000", heavy: false, decidedOn: "2026-11-20"),
                today: CalendarDay("2026-11-26")!, by: gulou, on: store.db)
            let b = Browser(client)
            // an institute has no credit pages
            _ = try await b.signIn("institute")
            #expect(try await b.get("/app/credit").status == .forbidden)
            // another city's bureau does not see the penalty
            _ = try await b.signIn("xiamen")
            #expect(try await b.get("/app/penalties/\(p.id!)").status == .notFound)
            #expect(try await b.get("/app/credit/owners/\(owner.id!)").status == .notFound)
            // the owner sees its own penalty, without staff actions, and never its class
            _ = try await b.signIn("owner")
            let own = try await b.get("/app/penalties/\(p.id!)")
            #expect(own.status == .ok && own.text.contains("罚-页面-1") && !own.text.contains("id=\"publish\""))
            #expect(try await b.get("/app/credit/owners/\(owner.id!)").status == .forbidden)
            let refused = try await b.post("/app/penalties/\(p.id!)/publish", ["csrf": b.csrf(from: own)])
            #expect(refused.status == .forbidden)
            #expect(try await PenaltyModel.find(p.id!, on: store.db)?.state == "recorded")
            // the bureau sees the class with the internal-reference note
            _ = try await b.signIn("gulou")
            let staff = try await b.get("/app/credit/owners/\(owner.id!)")
            #expect(staff.status == .ok && staff.text.contains("id=\"internal-note\"") && staff.text.contains("id=\"credit-class\""))
        }
    }

    @Test func thePenaltyFormNamesBadInputAndChecksEvidence() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            let form = try await b.get("/app/penalties?owner=\(ids.owner)")
            let csrf = b.csrf(from: form)
            // a script disguised as a PDF, an empty decision number, a bad date: each named, nothing stored
            let bad = try await Self.postMultipart(
                b, "/app/penalties",
                fields: ["csrf": csrf, "owner_id": "\(ids.owner)", "decision_no": "", "kind": "fine", "amount_yuan": "500", "legal_basis": "计量法", "facts": "x",
                         "decided_on": "2026-02-30"],
                files: [("evidence", "decision.pdf", Array("<script>alert(1)</script>".utf8))])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("decision_no") && bad.text.contains("decided_on") && bad.text.contains("evidence[1]"), "\(bad.text.prefix(2000))")
            #expect(try await PenaltyModel.query(on: store.db).count() == 0)
            // without the session's CSRF token: refused
            let forged = try await Self.postMultipart(
                b, "/app/penalties", fields: ["owner_id": "\(ids.owner)", "decision_no": "X", "kind": "warning", "legal_basis": "a", "facts": "b", "decided_on": "2026-11-20"],
                files: [])
            #expect(forged.status == .forbidden)
            // good input with a PNG: stored, downloadable as an attachment
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]
            let ok = try await Self.postMultipart(
                b, "/app/penalties",
                fields: ["csrf": csrf, "owner_id": "\(ids.owner)", "decision_no": "罚-2", "kind": "warning", "legal_basis": "计量法", "facts": "未检", "decided_on": "2026-11-20"],
                files: [("evidence", "现场.png", png)])
            #expect(ok.status == .seeOther, "\(ok.text.prefix(1000))")
            let m = try #require(try await PenaltyModel.query(on: store.db).first())
            let page = try await b.get("/app/penalties/\(m.id!)")
            #expect(page.text.contains("现场.png") && !page.text.contains("id=\"publish\""))  // a warning is never published
            let fid = try #require(try await PenaltyAttachmentModel.query(on: store.db).first()?.id)
            let file = try await b.get("/app/penalties/\(m.id!)/files/\(fid)")
            #expect(file.headers[.contentType] == "image/png" && file.headers[.contentDisposition]?.hasPrefix("attachment") == true)
        }
    }

    /// Ending a publication early on the page (issue #18, item 9): the owner applies once eligible;
    /// the officer who recorded the penalty gets no decision form; a second person grants it and the
    /// public business page no longer lists it.
    @Test func thePartyAppliesToEndThePublicationAndASecondPersonDecides() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            _ = try await Accounts.createUser(
                .init(login: "gulou2", displayName: "gulou2", password: DemoAccounts.password, role: Role.bureauStaff.rawValue, regionCode: "350102"),
                by: .system("tests"), on: store.db)
            let owner = try #require(try await OwnerModel.find(ids.owner, on: store.db))
            let gulou = Principal(kind: .user, id: 1, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            let p = try await Penalties.record(
                .init(ownerID: owner.id, decisionNo: "罚-修复-1", kind: "fine", legalBasis: "计量法", facts: "作弊", amountYuan: "60000", heavy: false, decidedOn: "2026-04-20"),
                today: CalendarDay("2026-04-25")!, by: gulou, on: store.db)
            _ = try await Penalties.publish(p.id!, today: CalendarDay("2026-05-26")!, by: gulou, on: store.db)  // eligible from 2026-11-26, the app's today
            let b = Browser(client)
            _ = try await b.signIn("owner")
            let page = try await b.get("/app/penalties/\(p.id!)")
            #expect(page.text.contains("id=\"apply-repair\"") && page.text.contains("id=\"repair-eligible\">2026-11-26<"))
            let missing = try await b.post("/app/penalties/\(p.id!)/apply_repair", ["csrf": b.csrf(from: page), "statement": "已整改", "fulfilled": "yes"])
            #expect(missing.status == .badRequest && missing.text.contains("remedied"))
            let applied = try await b.post("/app/penalties/\(p.id!)/apply_repair", ["csrf": b.csrf(from: page), "statement": "已整改", "fulfilled": "yes", "remedied": "yes"])
            #expect(applied.status == .seeOther)
            _ = try await b.signIn("gulou")
            #expect(!(try await b.get("/app/penalties/\(p.id!)").text.contains("id=\"decide-repair\"")))  // the recorder does not decide
            _ = try await b.signIn("gulou2")
            let decide = try await b.get("/app/penalties/\(p.id!)")
            #expect(decide.text.contains("id=\"decide-repair\"") && decide.text.contains("已整改"))
            let granted = try await b.post("/app/penalties/\(p.id!)/decide_repair", ["csrf": b.csrf(from: decide), "approve": "yes"])
            #expect(granted.status == .seeOther)
            #expect(try await PenaltyModel.find(p.id!, on: store.db)?.state == "repaired")
            let business = try await client.send(.get, "/p/b/\(owner.creditCode)", as: .anonymous)
            #expect(!business.text.contains("罚-修复-1"))
        }
    }

    @Test func thePublicSiteShowsOnlyWhatIsPublished() async throws {
        try await withApp { store, client in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(owner: owner, on: db)
            let today = CalendarDay("2026-11-26")!
            let me = Principal(kind: .user, id: 9, label: "o", role: .owner, ownerIDs: [owner.id!])
            let gulou = Principal(kind: .user, id: 1, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            let c = try await Commitments.sign(ownerID: owner.id, signerName: "王五", signerTitle: "经理", today: today, by: me, on: db)
            let p = try await Penalties.record(
                .init(ownerID: owner.id, decisionNo: "罚-公示-1", kind: "fine", legalBasis: "计量法", facts: "作弊", amountYuan: "3000", heavy: false, decidedOn: "2026-11-20"),
                today: today, by: gulou, on: db)
            // MUT: the instrument page (what a scan opens) and the business page
            let scan = try await client.send(.get, "/p/i/\(scale.code)", as: .anonymous)
            let business = try await client.send(.get, "/p/b/\(owner.creditCode)", as: .anonymous)
            // the commitment shows; the unpublished penalty does not
            #expect(scan.text.contains("id=\"honesty-commitment\"") && !scan.text.contains("honesty-penalties"))
            #expect(business.text.contains("/p/commitments/\(c.id!)") && !business.text.contains("罚-公示-1"))
            #expect(try await client.send(.get, "/p/commitments/\(c.id!)", as: .anonymous).text.contains("王五"))
            // once published, the business page lists it
            _ = try await Penalties.publish(p.id!, today: today, by: gulou, on: db)
            let after = try await client.send(.get, "/p/b/\(owner.creditCode)", as: .anonymous)
            #expect(after.text.contains("罚-公示-1") && after.text.contains("id=\"honesty-penalties\""))
            // a withdrawn commitment's letter is gone from the public site
            _ = try await Commitments.end(c.id!, as: "withdrawn", reason: nil, today: today, by: me, on: db)
            #expect(try await client.send(.get, "/p/commitments/\(c.id!)", as: .anonymous).status == .notFound)
            // the public lists answer, searchable, and never show staff data such as the class
            let lists = [try await client.send(.get, "/p/honest?q=测试", as: .anonymous), try await client.send(.get, "/p/dishonest?q=\(owner.creditCode)", as: .anonymous)]
            #expect(lists.allSatisfy { $0.status == .ok && $0.text.contains("id=\"empty\"") && !$0.text.contains("credit-class") })
        }
    }

    @Test func aRoundPageShowsTitlesWithoutEmptyRevocations() async throws {
        try await withApp { store, client in
            let ids = try await PageTests.demoAccounts(store)
            let db = store.db
            let staff = Principal(kind: .user, id: 1, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            let me = Principal(kind: .user, id: 2, label: "owner", role: .owner, ownerIDs: [ids.owner])
            let r = try await Demonstration.openRound(regionCode: "350102", sector: "market", title: "示范", criteria: "器具 | 60\n公平秤 | 40", passScore: "80",
                                                      validMonths: "36", opensOn: "2026-11-01", closesOn: "2026-12-31", by: staff, on: db)
            let a = try await Demonstration.apply(roundID: r.id!, ownerID: ids.owner, statement: "申请", today: CalendarDay("2026-11-26")!, by: me, on: db)
            _ = try await Demonstration.score(a.id!, points: ["60", "40"], evidence: ["证书", "现场"], today: CalendarDay("2026-11-26")!, by: staff, on: db)
            _ = try await Demonstration.publish(r.id!, today: CalendarDay("2026-11-26")!, by: staff, on: db)
            let b = Browser(client)
            _ = try await b.signIn("gulou")
            let page = try await b.get("/app/demo-rounds/\(r.id!)")
            #expect(page.status == .ok && page.text.contains("授予称号") && page.text.contains("2029-11-25"))
            #expect(!page.text.contains("已撤销称号"))
            // the penalty form preselects one kind, not all of them
            let form = try await b.get("/app/penalties?owner=\(ids.owner)")
            #expect(form.text.components(separatedBy: "selected>").count - 1 <= 1)
            // the owner's round page offers no scoring, the bureau's does not offer applying
            _ = try await b.signIn("owner")
            let own = try await b.get("/app/demo-rounds/\(r.id!)")
            #expect(own.status == .ok && !own.text.contains("score-form") && !own.text.contains("id=\"apply-form\""))
        }
    }
}
