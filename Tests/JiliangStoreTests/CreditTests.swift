import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import SQLKit
import Testing

/// Honest metrology and credit on SQLite and PostgreSQL: commitments, demonstration rounds,
/// penalties and their publication, the serious-dishonesty list's due process, credit classes,
/// the daily run and the ledger — with the access rules and bad input of each.
@Suite struct CreditTests {
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let secondPerson = Principal(kind: .user, id: 903, label: "gulou.chief", role: .bureauStaff, region: Fixtures.county)
    static let otherBureau = Principal(kind: .user, id: 902, label: "siming", role: .bureauStaff, region: Fixtures.otherCounty)
    static let institute = Principal(kind: .user, id: 904, label: "lab", role: .instituteStaff, institutionID: 1)
    /// The city bureau above 鼓楼区: consents to listings the county decides (issue #18, item 10).
    static let city = Principal(kind: .user, id: 905, label: "fuzhou", role: .bureauStaff, region: RegionCode("350100")!)
    static func ownerCaller(_ o: OwnerModel) -> Principal { Principal(kind: .user, id: 800 + o.id!, label: "owner\(o.id!)", role: .owner, ownerIDs: [o.id!]) }
    static let day = CalendarDay("2026-11-27")!

    static func penalty(_ owner: OwnerModel, _ no: String, kind: String = "fine", amount: String? = "5000", heavy: Bool = false, decided: String = "2026-11-20",
                        procedure: String? = nil, party: String? = nil, files: [Penalties.Attachment] = [], on db: any Database) async throws -> PenaltyModel {
        try await Penalties.record(
            .init(ownerID: owner.id, decisionNo: no, kind: kind, legalBasis: "《计量法》第二十六条", facts: "使用未经检定的电子秤", amountYuan: amount, heavy: heavy,
                  decidedOn: decided, procedure: procedure, partyKind: party, attachments: files),
            today: day, by: bureau, on: db)
    }

    @Test func commitmentIsSignedShownAndEnded() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let station = try await Fixtures.owner(1, industry: .fuelStation, on: db)
            let other = try await Fixtures.owner(2, on: db)
            let me = Self.ownerCaller(station)
            // bad input names the fields; staff cannot sign for an owner; an owner cannot sign for another
            await #expect(throws: ValidationFailure.self) { try await Commitments.sign(ownerID: station.id, signerName: " ", signerTitle: nil, today: Self.day, by: me, on: db) }
            await #expect(throws: RegistryError.forbidden(.credit(.roleMayNot(.signCommitment)))) {
                try await Commitments.sign(ownerID: station.id, signerName: "张三", signerTitle: "站长", today: Self.day, by: Self.bureau, on: db)
            }
            await #expect(throws: RegistryError.self) { try await Commitments.sign(ownerID: other.id, signerName: "张三", signerTitle: "站长", today: Self.day, by: me, on: db) }
            // MUT
            let c = try await Commitments.sign(ownerID: station.id, signerName: "张三", signerTitle: "站长", today: Self.day, by: me, on: db)
            #expect(c.sector == "fuel_station" && c.body.contains("加油机") && c.complaintPhone == "12315" && c.state == "active")
            // the letter keeps its text when the administrator changes the template
            _ = try await Commitments.saveTemplate(sector: "fuel_station", title: "新承诺书", body: "新的文本", by: .system("tests"), on: db)
            #expect(try await Commitments.commitment(c.id!, by: me, on: db).body.contains("加油机"))
            await #expect(throws: RegistryError.self) { try await Commitments.saveTemplate(sector: "market", title: "x", body: "y", by: Self.bureau, on: db) }
            // one at a time
            await #expect(throws: RegistryError.self) { try await Commitments.sign(ownerID: station.id, signerName: "李四", signerTitle: "经理", today: Self.day, by: me, on: db) }
            #expect(try await Commitments.active(ownerID: station.id!, on: db)?.id == c.id)
            // the other owner and the other county see nothing of it
            await #expect(throws: RegistryError.self) { try await Commitments.commitment(c.id!, by: Self.ownerCaller(other), on: db) }
            await #expect(throws: RegistryError.self) { try await Commitments.commitment(c.id!, by: Self.otherBureau, on: db) }
            // a breach needs a reason and staff; the owner cannot record one
            await #expect(throws: ValidationFailure.self) { try await Commitments.end(c.id!, as: "breached", reason: nil, today: Self.day, by: Self.bureau, on: db) }
            await #expect(throws: RegistryError.self) { try await Commitments.end(c.id!, as: "breached", reason: "作弊", today: Self.day, by: me, on: db) }
            let ended = try await Commitments.end(c.id!, as: "breached", reason: "加油机作弊", today: Self.day, by: Self.bureau, on: db)
            #expect(ended.state == "breached" && ended.endReason == "加油机作弊")
            #expect(try await Commitments.active(ownerID: station.id!, on: db) == nil)
            await #expect(throws: RegistryError.self) { try await Commitments.end(c.id!, as: "withdrawn", reason: nil, today: Self.day, by: me, on: db) }
            let steps = try await CreditEventModel.query(on: db).filter(\.$entity == "commitment").sort(\.$id).all()
            #expect(steps.map(\.action) == ["signed", "breached"] && steps[1].actor.contains("gulou"))
        }
    }

    @Test func penaltyIsPublishedForItsPeriodAndLedgered() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            // bad input: every field named, nothing stored
            let bad = Penalties.Input(ownerID: shop.id, decisionNo: "", kind: "fine", legalBasis: "x", facts: "y", amountYuan: "-3", heavy: false,
                                      decidedOn: "2026-13-01", attachments: [.init(filename: "evil.html", bytes: Array("<script>".utf8))])
            do {
                _ = try await Penalties.record(bad, today: Self.day, by: Self.bureau, on: db)
                Issue.record("bad input was accepted")
            } catch let e as ValidationFailure {
                #expect(Set(e.errors.map(\.field)) == ["decision_no", "amount_yuan", "decided_on", "evidence[1]"])
            }
            #expect(try await PenaltyModel.query(on: db).count() == 0)
            // outside the bureau's region, an owner or an institute: refused
            await #expect(throws: RegistryError.self) {
                try await Penalties.record(.init(ownerID: shop.id, decisionNo: "X1", kind: "fine", legalBasis: "x", facts: "y", amountYuan: "10", heavy: false, decidedOn: "2026-11-20"),
                                           today: Self.day, by: Self.otherBureau, on: db)
            }
            await #expect(throws: RegistryError.self) {
                try await Penalties.record(.init(ownerID: shop.id, decisionNo: "X1", kind: "fine", legalBasis: "x", facts: "y", amountYuan: "10", heavy: false, decidedOn: "2026-11-20"),
                                           today: Self.day, by: Self.ownerCaller(shop), on: db)
            }
            // MUT: a fine with a PDF of evidence, 20 working days to publish
            let pdf = Array("%PDF-1.4 decision".utf8)
            let p = try await Self.penalty(shop, "榕鼓市监罚〔2026〕1号", amount: "60000", files: [.init(filename: "决定书.pdf", bytes: pdf)], on: db)
            #expect(p.publishBy == "2026-12-18" && p.state == "recorded" && !p.heavy)
            await #expect(throws: RegistryError.self) { try await Self.penalty(shop, "榕鼓市监罚〔2026〕1号", on: db) }  // same decision number
            let files = try await Penalties.attachments(of: p.id!, by: Self.ownerCaller(shop), on: db)
            #expect(files.map(\.type) == ["application/pdf"])
            #expect(try await Penalties.attachment(files[0].id, of: p.id!, by: Self.bureau, on: db).bytes == Data(pdf))
            await #expect(throws: RegistryError.self) { try await Penalties.attachments(of: p.id!, by: Self.otherBureau, on: db) }
            // not public before publication
            #expect(try await Penalties.shown(ownerID: shop.id, today: Self.day, on: db).isEmpty)
            let published = try await Penalties.publish(p.id!, today: Self.day, by: Self.bureau, on: db)
            #expect(published.displayUntil == "2029-11-26")  // not below Fujian's organisation threshold (50,000): three years
            await #expect(throws: RegistryError.self) { try await Penalties.publish(p.id!, today: Self.day, by: Self.bureau, on: db) }
            #expect(try await Penalties.shown(ownerID: shop.id, today: CalendarDay("2029-11-26")!, on: db).count == 1)
            #expect(try await Penalties.shown(ownerID: shop.id, today: CalendarDay("2029-11-27")!, on: db).isEmpty)
            // a warning is recorded but never published
            let w = try await Self.penalty(shop, "榕鼓市监罚〔2026〕2号", kind: "warning", amount: nil, on: db)
            #expect(w.publishBy == nil)
            await #expect(throws: RegistryError.self) { try await Penalties.publish(w.id!, today: Self.day, by: Self.bureau, on: db) }
            // a low fine shows for three months; the daily run takes it down the day after
            let low = try await Self.penalty(shop, "榕鼓市监罚〔2026〕3号", amount: "800", on: db)
            _ = try await Penalties.publish(low.id!, today: Self.day, by: Self.bureau, on: db)
            #expect(try await PenaltyModel.find(low.id!, on: db)?.displayUntil == "2027-02-26")
            #expect(try await CreditDaily.run(today: CalendarDay("2027-02-26")!, on: db).expiredPenalties == 0)
            #expect(try await CreditDaily.run(today: CalendarDay("2027-02-27")!, on: db).expiredPenalties == 1)
            #expect(try await InboxMessageModel.query(on: db).filter(\.$recipient == "region:350102").all().contains { if case .penaltyDisplayEnded? = $0.decodedNotice { true } else { false } })
            // withdrawal of the revoked decision
            await #expect(throws: ValidationFailure.self) { try await Penalties.withdraw(p.id!, reason: "", today: Self.day, by: Self.bureau, on: db) }
            _ = try await Penalties.withdraw(p.id!, reason: "复议撤销", today: Self.day, by: Self.bureau, on: db)
            #expect(try await Penalties.shown(ownerID: shop.id, today: Self.day, on: db).isEmpty)
            // every public change is ledgered, and the audit finds the rows intact
            let changes = try await (db as! any SQLDatabase).raw("SELECT change FROM credit_list_changes ORDER BY id").all().map { try $0.decode(column: "change", as: String.self) }
            #expect(changes == ["published", "published", "expired", "withdrawn"])
            let ledger = Ledger(store: store, configuration: try LedgerConfiguration(signer: TestLedger.key, batchSize: 100))
            #expect(try await ledger.sequenceAll() >= 4)
            #expect(try await ledger.audit().findings.isEmpty)
            try await (db as! any SQLDatabase).raw("UPDATE credit_list_changes SET change = 'repaired' WHERE change = 'withdrawn'").run()
            #expect(try await ledger.audit().findings.count == 1)
        }
    }

    /// Issue #18, items 7 and 8: a summary-procedure decision (简易程序) is recorded but never
    /// published (SAMR Order 45 art. 2), and the procedure is only for a warning or a small fine
    /// (行政处罚法 art. 51); the low-fine period depends on the party's kind (闽市监规〔2024〕3号).
    @Test func procedureAndPartyDecidePublication() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let onTheSpot = try await Self.penalty(shop, "当罚1", amount: "150", procedure: "summary", party: "natural_person", on: db)
            #expect(onTheSpot.procedure == "summary" && onTheSpot.publishBy == nil)
            do {
                _ = try await Penalties.publish(onTheSpot.id!, today: Self.day, by: Self.bureau, on: db)
                Issue.record("a summary-procedure decision was published")
            } catch let RegistryError.conflict(field, _) {
                #expect(field == "procedure")
            }
            // Too large for the summary procedure, a kind it does not allow, an unknown value: named fields, nothing stored.
            for (amount, kind, procedure, party, field) in [
                ("201", "fine", "summary", "natural_person", "procedure"), ("3001", "fine", "summary", "organisation", "procedure"),
                (nil, "confiscation", "summary", "organisation", "procedure"), ("100", "fine", "on_the_spot", "organisation", "procedure"),
                ("100", "fine", "ordinary", "company", "party_kind"),
            ] as [(String?, String, String, String, String)] {
                do {
                    _ = try await Self.penalty(shop, "当罚-\(field)-\(amount ?? kind)-\(party)", kind: kind, amount: amount, procedure: procedure, party: party, on: db)
                    Issue.record("accepted \(amount ?? "-") \(kind) \(procedure) \(party)")
                } catch let e as ValidationFailure {
                    #expect(e.errors.map(\.field) == [field])
                }
            }
            #expect(try await PenaltyModel.query(on: db).count() == 1)
            // The same 20,000-yuan fine: 36 months for a natural person, 3 for an organisation.
            let person = try await Self.penalty(shop, "罚-自然人", amount: "20000", party: "natural_person", on: db)
            let company = try await Self.penalty(shop, "罚-组织", amount: "20000", on: db)
            #expect(try await Penalties.publish(person.id!, today: Self.day, by: Self.bureau, on: db).displayUntil == "2029-11-26")
            #expect(try await Penalties.publish(company.id!, today: Self.day, by: Self.bureau, on: db).displayUntil == "2027-02-26")
        }
    }

    /// Issue #18, item 9 (SAMR Order 45 art. 14; 市场监督管理信用修复管理办法 art. 6): after 6 months
    /// on display (12 in the food, drug and special-equipment fields) the party applies to end the
    /// publication early; a second person decides; granted, the page is taken down and ledgered.
    @Test func publicationEndsEarlyOnThePartysApplication() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let party = Self.ownerCaller(shop)
            let p = try await Self.penalty(shop, "罚-修复", amount: "60000", on: db)
            _ = try await Penalties.publish(p.id!, today: Self.day, by: Self.bureau, on: db)  // 2026-11-27
            var special = Penalties.Input(
                ownerID: shop.id, decisionNo: "罚-特种设备", kind: "fine", legalBasis: "x", facts: "y", amountYuan: "60000", heavy: false, decidedOn: "2026-11-20")
            special.specialDomain = true
            let s = try await Penalties.record(special, today: Self.day, by: Self.bureau, on: db)
            _ = try await Penalties.publish(s.id!, today: Self.day, by: Self.bureau, on: db)
            func apply(_ id: Int, on day: String, by who: Principal = party) async throws -> PenaltyModel {
                try await Penalties.applyForRepair(id, statement: "已缴纳罚款并整改", fulfilled: true, remedied: true, today: CalendarDay(day)!, by: who, on: db)
            }
            // The day before eligibility, 6 and 12 months from publication (2026-11-27): refused.
            for (id, day) in [(p.id!, "2027-05-26"), (s.id!, "2027-11-26"), (s.id!, "2027-05-27")] {
                do {
                    _ = try await apply(id, on: day)
                    Issue.record("applied on \(day) for \(id)")
                } catch let RegistryError.conflict(_, reason) {
                    if case .credit(.earlyEndNotYet) = reason {} else { Issue.record("refused for another reason: \(reason)") }
                }
            }
            // Staff do not apply for the party; the party attests both conditions.
            await #expect(throws: RegistryError.self) { _ = try await apply(p.id!, on: "2027-05-27", by: Self.bureau) }
            do {
                _ = try await Penalties.applyForRepair(p.id!, statement: "x", fulfilled: false, remedied: true, today: CalendarDay("2027-05-27")!, by: party, on: db)
                Issue.record("accepted without fulfilment")
            } catch let e as ValidationFailure {
                #expect(e.errors.map(\.field) == ["fulfilled"])
            }
            _ = try await apply(p.id!, on: "2027-05-27")
            _ = try await apply(s.id!, on: "2027-11-27")
            await #expect(throws: RegistryError.self) { _ = try await apply(p.id!, on: "2027-05-28") }  // one application at a time
            // Whoever recorded the penalty does not decide; a refusal needs reasons and allows a new application.
            await #expect(throws: RegistryError.self) {
                _ = try await Penalties.decideRepair(p.id!, approve: true, note: nil, today: CalendarDay("2027-06-01")!, by: Self.bureau, on: db)
            }
            await #expect(throws: ValidationFailure.self) {
                _ = try await Penalties.decideRepair(s.id!, approve: false, note: nil, today: CalendarDay("2027-12-01")!, by: Self.secondPerson, on: db)
            }
            let refused = try await Penalties.decideRepair(s.id!, approve: false, note: "整改未完成", today: CalendarDay("2027-12-01")!, by: Self.secondPerson, on: db)
            #expect(refused.state == "published" && refused.repairAppliedOn == nil)
            let granted = try await Penalties.decideRepair(p.id!, approve: true, note: "符合条件", today: CalendarDay("2027-06-01")!, by: Self.secondPerson, on: db)
            #expect(granted.state == "repaired" && granted.repairedOn == "2027-06-01")
            let shown = try await Penalties.shown(ownerID: shop.id, today: CalendarDay("2027-06-01")!, on: db)
            #expect(shown.map(\.id) == [s.id])
            let changes = try await (db as! any SQLDatabase).raw("SELECT change, actor FROM credit_list_changes WHERE ref_id = \(bind: p.id!) ORDER BY id").all()
                .map { "\(try $0.decode(column: "change", as: String.self)) \(try $0.decode(column: "actor", as: String.self))" }
            #expect(changes.count == 2 && changes[1].hasPrefix("repaired") && changes[1].contains("gulou.chief"))
            let steps = try await CreditEventModel.query(on: db).filter(\.$entity == "penalty").filter(\.$entityID == p.id!).sort(\.$id).all().map(\.action)
            #expect(steps == ["recorded", "published", "repair_applied", "repaired"])
        }
    }

    /// Migration 018 on rows stored before it: a published 20,000-yuan fine shown for 36 months under
    /// the old 10,000 threshold is a low fine for an organisation and ends 3 months after publication.
    @Test func migration018ShortensLowFinesAlreadyPublished() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let fine = try await Self.penalty(shop, "罚-旧", amount: "20000", on: db)
            _ = try await Penalties.publish(fine.id!, today: Self.day, by: Self.bureau, on: db)
            let big = try await Self.penalty(shop, "罚-大", amount: "60000", on: db)
            _ = try await Penalties.publish(big.id!, today: Self.day, by: Self.bureau, on: db)
            let sql = db as! any SQLDatabase
            try await sql.raw("UPDATE penalties SET display_until = '2029-11-26'").run()  // as stored under the old threshold
            try await sql.raw("ALTER TABLE penalties DROP COLUMN party_kind").run()
            try await sql.raw("ALTER TABLE penalties DROP COLUMN \"procedure\"").run()
            try await M018_PenaltyProcedureAndParty().prepare(on: db)
            #expect(try await PenaltyModel.find(fine.id!, on: db)?.displayUntil == "2027-02-26")
            #expect(try await PenaltyModel.find(big.id!, on: db)?.displayUntil == "2029-11-26")
            #expect(try await PenaltyModel.find(fine.id!, on: db)?.procedure == "ordinary")
        }
    }

    /// Issue #18, item 10: the bureau above may refuse a listing decided below it (with reasons): the
    /// party is then not listed. A listing decided at the provincial level needs no consent.
    @Test func theUpperLevelMayRefuseAListing() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let afterWindow = CalendarDay("2026-12-12")!
            func decided(_ no: String, by decider: Principal) async throws -> ListingModel {
                let heavy = try await Self.penalty(shop, no, kind: "suspension", amount: nil, on: db)
                let l = try await Listings.propose(penaltyID: heavy.id, reason: "停业整顿", today: Self.day, by: Self.bureau, on: db)
                _ = try await Listings.notify(l.id!, today: Self.day, by: Self.bureau, on: db)
                return try await Listings.decide(l.id!, list: true, note: nil, today: afterWindow, by: decider, on: db)
            }
            let county = try await decided("罚-拒", by: Self.secondPerson)
            await #expect(throws: ValidationFailure.self) { try await Listings.consent(county.id!, agree: false, note: nil, today: afterWindow, by: Self.city, on: db) }
            let refused = try await Listings.consent(county.id!, agree: false, note: "证据不足", today: afterWindow, by: Self.city, on: db)
            #expect(refused.state == "not_listed" && refused.consentNote == "证据不足")
            await #expect(throws: RegistryError.self) { try await Listings.publish(county.id!, today: afterWindow, by: Self.bureau, on: db) }
            let admin = Principal(kind: .user, id: 906, label: "fujian", role: .provinceAdmin)
            let provincial = try await decided("罚-省", by: admin)
            #expect(provincial.decidedRegion == nil && !Listings.needsConsent(provincial))
            #expect(try await Listings.publish(provincial.id!, today: afterWindow, by: admin, on: db).state == "listed")
        }
    }

    @Test func listingFollowsDueProcessToRepair() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let me = Self.ownerCaller(shop)
            let light = try await Self.penalty(shop, "罚1", on: db)
            let heavy = try await Self.penalty(shop, "罚2", kind: "fine", amount: "200000", heavy: true, on: db)
            // only a heavy penalty grounds a listing
            await #expect(throws: RegistryError.self) { try await Listings.propose(penaltyID: light.id, reason: "x", today: Self.day, by: Self.bureau, on: db) }
            await #expect(throws: ValidationFailure.self) { try await Listings.propose(penaltyID: nil, reason: nil, today: Self.day, by: Self.bureau, on: db) }
            await #expect(throws: RegistryError.self) { try await Listings.propose(penaltyID: heavy.id, reason: "x", today: Self.day, by: Self.otherBureau, on: db) }
            let l = try await Listings.propose(penaltyID: heavy.id, reason: "多次使用作弊秤", today: Self.day, by: Self.bureau, on: db)
            await #expect(throws: RegistryError.self) { try await Listings.propose(penaltyID: heavy.id, reason: "again", today: Self.day, by: Self.bureau, on: db) }
            // no decision before notice
            await #expect(throws: RegistryError.self) { try await Listings.decide(l.id!, list: true, note: nil, today: Self.day, by: Self.secondPerson, on: db) }
            let n = try await Listings.notify(l.id!, today: Self.day, by: Self.bureau, on: db)
            #expect(n.objectionUntil == "2026-12-11")
            #expect(try await InboxMessageModel.query(on: db).filter(\.$recipient == "owner:\(shop.id!)").count() == 1)
            // within the window: no decision, unless the party objects
            await #expect(throws: RegistryError.self) {
                try await Listings.decide(l.id!, list: true, note: nil, today: CalendarDay("2026-12-11")!, by: Self.secondPerson, on: db)
            }
            // only the party objects, and within the window
            await #expect(throws: RegistryError.self) { try await Listings.object(l.id!, text: "x", today: Self.day, by: Self.bureau, on: db) }
            await #expect(throws: RegistryError.self) { try await Listings.object(l.id!, text: "迟到的异议", today: CalendarDay("2026-12-12")!, by: me, on: db) }
            _ = try await Listings.object(l.id!, text: "已整改，请求从轻", today: CalendarDay("2026-12-11")!, by: me, on: db)
            // the proposer may not decide; a second person may, once the objection is on file
            await #expect(throws: RegistryError.self) { try await Listings.decide(l.id!, list: true, note: nil, today: CalendarDay("2026-12-11")!, by: Self.bureau, on: db) }
            _ = try await Listings.decide(l.id!, list: true, note: "异议不成立", today: CalendarDay("2026-12-11")!, by: Self.secondPerson, on: db)
            #expect(try await !Listings.isListed(ownerID: shop.id!, today: CalendarDay("2026-12-14")!, on: db))  // decided, not yet published
            // Decided by the county: the bureau above consents first (issue #18, item 10) — not the
            // county itself, nor another city's bureau.
            await #expect(throws: RegistryError.self) { try await Listings.publish(l.id!, today: CalendarDay("2026-12-14")!, by: Self.bureau, on: db) }
            await #expect(throws: RegistryError.self) {
                try await Listings.consent(l.id!, agree: true, note: nil, today: CalendarDay("2026-12-13")!, by: Self.secondPerson, on: db)
            }
            await #expect(throws: RegistryError.self) {
                try await Listings.consent(l.id!, agree: true, note: nil, today: CalendarDay("2026-12-13")!, by: Self.otherBureau, on: db)
            }
            let agreed = try await Listings.consent(l.id!, agree: true, note: "同意", today: CalendarDay("2026-12-13")!, by: Self.city, on: db)
            #expect(agreed.consentBy == "fuzhou" && agreed.consentOn == "2026-12-13" && agreed.decidedRegion == "350102")
            let published = try await Listings.publish(l.id!, today: CalendarDay("2026-12-14")!, by: Self.bureau, on: db)
            #expect(published.repairEligibleOn == "2027-12-14" && published.removalOn == "2029-12-14")
            #expect(try await Listings.isListed(ownerID: shop.id!, today: CalendarDay("2026-12-14")!, on: db))
            #expect(try await Listings.shown(ownerID: nil, search: "测试市场", today: CalendarDay("2027-01-01")!, on: db).count == 1)
            #expect(try await Listings.shown(ownerID: nil, search: "别家", today: CalendarDay("2027-01-01")!, on: db).isEmpty)
            // the other owner and the other county see nothing; the party sees its own
            let other = try await Fixtures.owner(2, on: db)
            await #expect(throws: RegistryError.self) { try await Listings.listing(l.id!, by: Self.ownerCaller(other), on: db) }
            await #expect(throws: RegistryError.self) { try await Listings.listing(l.id!, by: Self.otherBureau, on: db) }
            #expect(try await Listings.list(state: nil, ownerID: nil, cursor: nil, limit: nil, by: me, on: db).items.map(\.id) == [l.id])
            #expect(try await Listings.list(state: nil, ownerID: nil, cursor: nil, limit: nil, by: Self.otherBureau, on: db).items.isEmpty)
            // repair: not the day before the anniversary; on it, with both conditions attested
            await #expect(throws: RegistryError.self) {
                try await Listings.applyForRepair(l.id!, statement: "已履行", fulfilled: true, remedied: true, today: CalendarDay("2027-12-13")!, by: me, on: db)
            }
            do {
                _ = try await Listings.applyForRepair(l.id!, statement: "", fulfilled: false, remedied: true, today: CalendarDay("2027-12-14")!, by: me, on: db)
                Issue.record("accepted without the conditions")
            } catch let e as ValidationFailure { #expect(Set(e.errors.map(\.field)) == ["statement", "fulfilled"]) }
            // the daily run told the party when it became eligible, once
            #expect(try await CreditDaily.run(today: CalendarDay("2027-12-14")!, on: db).reminders >= 1)
            #expect(try await CreditDaily.run(today: CalendarDay("2027-12-15")!, on: db).reminders == 0)
            _ = try await Listings.applyForRepair(l.id!, statement: "罚款已缴清，设备已更换", fulfilled: true, remedied: true, today: CalendarDay("2027-12-14")!, by: me, on: db)
            await #expect(throws: ValidationFailure.self) { try await Listings.decideRepair(l.id!, approve: false, note: nil, today: CalendarDay("2027-12-20")!, by: Self.secondPerson, on: db) }
            let repaired = try await Listings.decideRepair(l.id!, approve: true, note: "符合修复条件", today: CalendarDay("2027-12-20")!, by: Self.secondPerson, on: db)
            #expect(repaired.state == "repaired")
            #expect(try await !Listings.isListed(ownerID: shop.id!, today: CalendarDay("2027-12-20")!, on: db))
            let steps = try await CreditEventModel.query(on: db).filter(\.$entity == "listing").sort(\.$id).all()
            #expect(steps.map(\.action) == ["proposed", "notified", "objected", "decided", "consented", "published", "repair_applied", "repaired"])
            #expect(steps.allSatisfy { !$0.actor.isEmpty && !$0.day.isEmpty })
        }
    }

    @Test func listingEndsAtThePeriodAndALaterHeavyPenaltyBlocksRepair() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let heavy = try await Self.penalty(shop, "罚9", kind: "suspension", amount: nil, on: db)
            #expect(heavy.heavy)  // heavy by its nature
            let l = try await Listings.propose(penaltyID: heavy.id, reason: "停业整顿", today: Self.day, by: Self.bureau, on: db)
            _ = try await Listings.notify(l.id!, today: Self.day, by: Self.bureau, on: db)
            let afterWindow = CalendarDay("2026-12-12")!
            _ = try await Listings.decide(l.id!, list: true, note: nil, today: afterWindow, by: Self.secondPerson, on: db)
            _ = try await Listings.consent(l.id!, agree: true, note: nil, today: afterWindow, by: Self.city, on: db)
            _ = try await Listings.publish(l.id!, today: afterWindow, by: Self.secondPerson, on: db)
            // a further heavy penalty after listing rules out repair
            _ = try await Penalties.record(
                .init(ownerID: shop.id, decisionNo: "罚10", kind: "fine", legalBasis: "x", facts: "再犯", amountYuan: "300000", heavy: true, decidedOn: "2027-03-01"),
                today: CalendarDay("2027-03-02")!, by: Self.bureau, on: db)
            await #expect(throws: RegistryError.self) {
                try await Listings.applyForRepair(l.id!, statement: "s", fulfilled: true, remedied: true, today: CalendarDay("2028-01-01")!, by: Self.ownerCaller(shop), on: db)
            }
            // removed by the daily run on the third anniversary, not the day before
            #expect(try await CreditDaily.run(today: CalendarDay("2029-12-11")!, on: db).removedListings == 0)
            #expect(try await Listings.isListed(ownerID: shop.id!, today: CalendarDay("2029-12-11")!, on: db))
            #expect(try await !Listings.isListed(ownerID: shop.id!, today: CalendarDay("2029-12-12")!, on: db))
            #expect(try await CreditDaily.run(today: CalendarDay("2029-12-12")!, on: db).removedListings == 1)
            #expect(try await ListingModel.find(l.id!, on: db)?.state == "removed")
            // the party and the bureau are told, once
            #expect(try await InboxMessageModel.query(on: db).filter(\.$recipient == "owner:\(shop.id!)").all().filter { if case .listingRemoved? = $0.decodedNotice { true } else { false } }.count == 1)
            #expect(try await CreditDaily.run(today: CalendarDay("2029-12-13")!, on: db).removedListings == 0)
            #expect(try await InboxMessageModel.query(on: db).filter(\.$recipient == "owner:\(shop.id!)").all().filter { if case .listingRemoved? = $0.decodedNotice { true } else { false } }.count == 1)
        }
    }

    @Test func demonstrationRoundAwardsAndALaterPenaltyRevokes() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let market = try await Fixtures.owner(1, on: db)
            let weak = try await Fixtures.owner(2, on: db)
            let hospital = try await Fixtures.owner(3, industry: .hospital, on: db)
            // the checklist: lines of "criterion | weight" adding up to 100
            do {
                _ = try Demonstration.parseCriteria("器具 | 60\n台账 | 30")
                Issue.record("weights of 90 accepted")
            } catch let e as ValidationFailure { #expect(e.errors == [FieldError("criteria", .credit(.weightsDoNotAddUp(total: 90)))]) }
            do {
                _ = try Demonstration.parseCriteria("器具 60")
                Issue.record("a line without a weight accepted")
            } catch let e as ValidationFailure { #expect(e.errors == [FieldError("criteria", .credit(.criterionLineUnreadable(line: 1, got: "器具 60")))]) }
            await #expect(throws: RegistryError.self) {
                try await Demonstration.openRound(regionCode: "350203", sector: "market", title: "t", criteria: nil, passScore: nil, validMonths: nil,
                                                  opensOn: "2026-11-01", closesOn: "2026-12-31", by: Self.bureau, on: db)
            }
            let r = try await Demonstration.openRound(
                regionCode: "350102", sector: "market", title: "2026年度诚信计量示范单位", criteria: "器具备案与检定 | 50\n公平秤 | 30\n无投诉 | 20",
                passScore: "80", validMonths: "36", opensOn: "2026-11-01", closesOn: "2026-12-31", by: Self.bureau, on: db)
            #expect(Demonstration.criteria(of: r).map(\.weight) == [50, 30, 20])
            // a default checklist when none is given
            let d = try await Demonstration.openRound(regionCode: nil, sector: "hospital", title: "医疗", criteria: nil, passScore: nil, validMonths: nil,
                                                      opensOn: "2026-11-01", closesOn: "2026-12-31", by: Self.bureau, on: db)
            #expect(Demonstration.criteria(of: d).reduce(0) { $0 + $1.weight } == 100)
            // applications: the owner itself, of the sector, within the dates, once
            await #expect(throws: RegistryError.self) { try await Demonstration.apply(roundID: r.id!, ownerID: hospital.id, statement: "s", today: Self.day, by: Self.ownerCaller(hospital), on: db) }
            await #expect(throws: RegistryError.self) { try await Demonstration.apply(roundID: r.id!, ownerID: market.id, statement: "s", today: CalendarDay("2027-01-01")!, by: Self.ownerCaller(market), on: db) }
            await #expect(throws: RegistryError.self) { try await Demonstration.apply(roundID: r.id!, ownerID: market.id, statement: "s", today: Self.day, by: Self.bureau, on: db) }
            let a = try await Demonstration.apply(roundID: r.id!, ownerID: market.id, statement: "全部器具按期检定，设公平秤", today: Self.day, by: Self.ownerCaller(market), on: db)
            let b = try await Demonstration.apply(roundID: r.id!, ownerID: weak.id, statement: "申请", today: Self.day, by: Self.ownerCaller(weak), on: db)
            await #expect(throws: RegistryError.self) { try await Demonstration.apply(roundID: r.id!, ownerID: market.id, statement: "again", today: Self.day, by: Self.ownerCaller(market), on: db) }
            #expect(try await Demonstration.applications(roundID: r.id!, by: Self.ownerCaller(market), on: db).map(\.id) == [a.id])
            // not published before every application is scored
            await #expect(throws: RegistryError.self) { try await Demonstration.publish(r.id!, today: Self.day, by: Self.bureau, on: db) }
            do {
                _ = try await Demonstration.score(a.id!, points: ["50", "31", "20"], evidence: ["台账", "", "无"], today: Self.day, by: Self.bureau, on: db)
                Issue.record("points above the weight accepted")
            } catch let e as ValidationFailure { #expect(Set(e.errors.map(\.field)) == ["points[2]", "evidence[2]"]) }
            await #expect(throws: RegistryError.self) { try await Demonstration.score(a.id!, points: ["50", "30", "20"], evidence: ["a", "b", "c"], today: Self.day, by: Self.ownerCaller(market), on: db) }
            // a city's round is run by the city: the county sees it but neither scores nor publishes it
            let city = Principal(kind: .user, id: 905, label: "fuzhou", role: .bureauStaff, region: RegionCode("350100")!)
            let cityRound = try await Demonstration.openRound(regionCode: "350100", sector: "market", title: "市级", criteria: nil, passScore: nil, validMonths: nil,
                                                              opensOn: "2026-11-01", closesOn: "2026-12-31", by: city, on: db)
            let ca = try await Demonstration.apply(roundID: cityRound.id!, ownerID: market.id, statement: "市级申请", today: Self.day, by: Self.ownerCaller(market), on: db)
            #expect(try await Demonstration.rounds(by: Self.bureau, on: db).contains { $0.id == cityRound.id })
            let full = Demonstration.criteria(of: cityRound).map { "\($0.weight)" }
            await #expect(throws: RegistryError.forbidden(.credit(.roleMayNot(.runRound(region: "350100"))))) {
                try await Demonstration.score(ca.id!, points: full, evidence: full.map { _ in "e" }, today: Self.day, by: Self.bureau, on: db)
            }
            await #expect(throws: RegistryError.self) { try await Demonstration.publish(cityRound.id!, today: Self.day, by: Self.bureau, on: db) }
            _ = try await Demonstration.score(a.id!, points: ["40", "30", "20"], evidence: ["检定证书齐全", "公平秤在用", "无投诉记录"], today: Self.day, by: Self.bureau, on: db)
            let rescored = try await Demonstration.score(a.id!, points: ["45", "30", "20"], evidence: ["补充证书", "公平秤在用", "无投诉记录"], today: Self.day, by: Self.secondPerson, on: db)
            #expect(rescored.total == 95)
            #expect(try await Demonstration.scores(a.id!, on: db)[0]?.evidence == "补充证书")
            _ = try await Demonstration.score(b.id!, points: ["30", "20", "10"], evidence: ["部分", "有", "有投诉"], today: Self.day, by: Self.bureau, on: db)
            _ = try await Demonstration.publish(r.id!, today: Self.day, by: Self.bureau, on: db)
            let awarded = try await DemoApplicationModel.find(a.id!, on: db)!
            #expect(awarded.state == "awarded" && awarded.validUntil == "2029-11-26")
            #expect(try await DemoApplicationModel.find(b.id!, on: db)?.state == "not_awarded")
            #expect(try await Demonstration.units(search: "测试市场1", today: Self.day, on: db).map(\.1.id) == [market.id])
            // a later violation takes the title away with the reason
            _ = try await Self.penalty(market, "罚100", on: db)
            let lost = try await DemoApplicationModel.find(a.id!, on: db)!
            #expect(lost.state == "revoked")
            guard case .penalty(let decisionNo, _)? = SystemReason(stored: lost.revokeReason) else { Issue.record("\(lost.revokeReason ?? "")"); return }
            #expect(decisionNo.contains("罚100"))
            #expect(try await Demonstration.units(search: nil, today: Self.day, on: db).isEmpty)
        }
    }

    @Test func creditClassComesFromTheFactsAndIsStaffOnly() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let lab = try await Fixtures.institution(on: db)
            // four instruments: two verified long ago (now overdue), one failed, one valid
            let old1 = try await Fixtures.instrument(serial: "A", owner: shop, on: db)
            let old2 = try await Fixtures.instrument(serial: "B", owner: shop, on: db)
            let failed = try await Fixtures.instrument(serial: "C", owner: shop, on: db)
            let fresh = try await Fixtures.instrument(serial: "D", owner: shop, on: db)
            for i in [old1, old2, failed, fresh] { try await (db as! any SQLDatabase).raw("UPDATE instruments SET lifecycle = 'in_service' WHERE id = \(bind: i.id!)").run() }
            _ = try await Fixtures.record(old1, institution: lab, date: "2024-01-10", on: db)
            _ = try await Fixtures.record(old2, institution: lab, date: "2024-01-11", on: db)
            _ = try await Fixtures.record(failed, institution: lab, date: "2026-10-01", result: .fail, on: db)
            _ = try await Fixtures.record(fresh, institution: lab, date: "2026-10-02", on: db)
            // MUT
            let (facts, a) = try await CreditScores.assess(ownerID: shop.id!, today: Self.day, by: Self.bureau, on: db)
            #expect(facts.instrumentsInUse == 4 && facts.failedInUse == 1 && facts.verifications == 2 && facts.verificationFailures == 1)  // the 2024 records are older than two years
            #expect(facts.overdueOrUnfiled == 2)
            #expect(a.score == 100 - 20 - 10)  // half overdue (−20), one failed in use (−10); 2 verifications are too few to rate
            #expect(a.creditClass == .c)
            // staff only, in their region
            await #expect(throws: RegistryError.self) { try await CreditScores.assess(ownerID: shop.id!, today: Self.day, by: Self.ownerCaller(shop), on: db) }
            await #expect(throws: RegistryError.self) { try await CreditScores.assess(ownerID: shop.id!, today: Self.day, by: Self.otherBureau, on: db) }
            await #expect(throws: RegistryError.self) { try await CreditScores.assess(ownerID: shop.id!, today: Self.day, by: Self.institute, on: db) }
            #expect(try await CreditScores.list(creditClass: "c", cursor: nil, limit: nil, by: Self.bureau, on: db).items.map(\.owner.id) == [shop.id])
            #expect(try await CreditScores.list(creditClass: nil, cursor: nil, limit: nil, by: Self.otherBureau, on: db).items.isEmpty)
            await #expect(throws: ValidationFailure.self) { try await CreditScores.list(creditClass: "E", cursor: nil, limit: nil, by: Self.bureau, on: db) }
            // a new fact marks the score stale; the worker's pass recomputes it
            _ = try await Self.penalty(shop, "罚1", on: db)
            #expect(try await CreditScoreModel.find(shop.id!, on: db)?.stale == true)
            #expect(try await CreditScores.recomputeStale(today: Self.day, on: db) == 1)
            let stored = try await CreditScoreModel.find(shop.id!, on: db)!
            #expect(stored.score == 60 && stored.creditClass == "C" && !stored.stale && stored.contributions.contains("penalties"))
            // the daily run covers every owner, including those never assessed
            let quiet = try await Fixtures.owner(2, on: db)
            #expect(try await CreditDaily.runIfDue(today: Self.day, on: db) != nil)
            #expect(try await CreditDaily.runIfDue(today: Self.day, on: db) == nil)  // once a day
            #expect(try await CreditScoreModel.find(quiet.id!, on: db)?.creditClass == "A")
        }
    }
}

extension CreditTests {
    /// The administrator's checklist per sector is what a round starts from; rounds keep theirs.
    @Test func theProvinceChecklistIsTheRoundsDefault() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            #expect(try await Demonstration.defaultCriteria(.optician, on: db).reduce(0) { $0 + $1.weight } == 100)  // seeded
            await #expect(throws: RegistryError.self) { try await Demonstration.saveChecklist(sector: "optician", criteria: "a | 100", by: Self.bureau, on: db) }
            await #expect(throws: ValidationFailure.self) { try await Demonstration.saveChecklist(sector: "optician", criteria: "a | 50", by: .system("tests"), on: db) }
            await #expect(throws: ValidationFailure.self) { try await Demonstration.saveChecklist(sector: "barbers", criteria: "a | 100", by: .system("tests"), on: db) }
            _ = try await Demonstration.saveChecklist(sector: "optician", criteria: "验配数据准确 | 70\n持证上岗 | 30", by: .system("tests"), on: db)
            let r = try await Demonstration.openRound(regionCode: "350102", sector: "optician", title: "眼镜", criteria: nil, passScore: nil, validMonths: nil,
                                                      opensOn: "2026-11-01", closesOn: "2026-12-31", by: Self.bureau, on: db)
            #expect(Demonstration.criteria(of: r).map(\.label) == ["验配数据准确", "持证上岗"])
            _ = try await Demonstration.saveChecklist(sector: "optician", criteria: "新细则 | 100", by: .system("tests"), on: db)
            #expect(Demonstration.criteria(of: try await DemoRoundModel.find(r.id!, on: db)!).count == 2)  // the open round keeps its own
        }
    }

    /// A verification record or an upheld complaint marks the owner's stored class for recomputation.
    @Test func registryFactsMarkTheClassStale() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(1, on: db)
            let lab = try await Fixtures.institution(on: db)
            let scale = try await Fixtures.instrument(owner: shop, on: db)
            try await (db as! any SQLDatabase).raw("UPDATE instruments SET lifecycle = 'in_service' WHERE id = \(bind: scale.id!)").run()
            _ = try await CreditScores.recomputeAll(today: Self.day, on: db)
            #expect(try await CreditScoreModel.find(shop.id!, on: db)?.stale == false)
            _ = try await Fixtures.record(scale, institution: lab, date: "2026-11-01", result: .fail, on: db)
            #expect(try await CreditScoreModel.find(shop.id!, on: db)?.stale == true)
            _ = try await CreditScores.recomputeStale(today: Self.day, on: db)
            #expect(try await CreditScoreModel.find(shop.id!, on: db)?.contributions.contains("failed_in_use") == true)
            let c = try await Complaints.submit(.init(businessCreditCode: shop.creditCode, category: "short_weight", text: "少秤"), today: Self.day, on: db)
            _ = try await Complaints.reply(c.id!, text: "已查实", by: Self.bureau, on: db)
            _ = try await Complaints.close(c.id!, outcome: "upheld", today: Self.day, by: Self.bureau, on: db)
            #expect(try await CreditScoreModel.find(shop.id!, on: db)?.stale == true)
            _ = try await CreditScores.recomputeStale(today: Self.day, on: db)
            let facts = try JSONDecoder().decode(CreditFacts.self, from: Data(try await CreditScoreModel.find(shop.id!, on: db)!.facts.utf8))
            #expect(facts.complaintsUpheld == 1 && facts.failedInUse == 1)
        }
    }
}
