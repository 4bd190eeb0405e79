import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The credit area's view models, built from the store without HTTP (issue #20, item 5).
@Suite struct CreditViewTests {
    static let day = CalendarDay("2026-11-27")!
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let secondPerson = Principal(kind: .user, id: 903, label: "gulou.chief", role: .bureauStaff, region: Fixtures.county)

    /// A listing's page offers each caller the due-process steps it may take now, and no others.
    @Test func aListingOffersEachCallerItsSteps() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(on: db)
            let party = Principal(kind: .user, id: 800, label: "owner", role: .owner, ownerIDs: [shop.id!])
            let penalty = try await Penalties.record(
                .init(ownerID: shop.id, decisionNo: "罚-名单-1", kind: "fine", legalBasis: "计量法", facts: "作弊", amountYuan: "200000", heavy: true,
                      decidedOn: "2026-11-20"),
                today: Self.day, by: Self.bureau, on: db)
            let l = try await Listings.propose(penaltyID: penalty.id, reason: "多次使用作弊秤", today: Self.day, by: Self.bureau, on: db)

            // Proposed: staff may notify the party, nothing else yet.
            var view = try await ListingView.build(l.id!, by: Self.bureau, lang: .zh, today: Self.day, error: nil, on: db)
            #expect(view.canNotify && !view.canDecide && !view.proposerNote && !view.canObject && !view.canPublish && !view.canConsent)
            #expect(view.stateCode == "proposed" && view.state == PageKey.cr_proposed.zh && view.owner == shop.name && view.credit == shop.creditCode)
            #expect(view.penalty == "罚-名单-1" && view.penaltyLink == Site.penalty(penalty.id!) && view.stepAction == Site.listingStep(l.id!))
            #expect(view.proposed == "2026-11-27 · gulou" && view.notified == nil && view.objectionUntil == nil && view.consentNeeded == nil)
            #expect(view.history.map(\.action) == [PageKey.cr_proposed.zh] && view.history.map(\.note) == ["多次使用作弊秤"])

            // Notified: the proposer is told a second person decides; the second person may decide.
            _ = try await Listings.notify(l.id!, today: Self.day, by: Self.bureau, on: db)
            view = try await ListingView.build(l.id!, by: Self.bureau, lang: .en, today: Self.day, error: nil, on: db)
            #expect(view.proposerNote && !view.canDecide && !view.canNotify && view.state == PageKey.cr_notified.en)
            #expect(view.notified == "2026-11-27" && view.objectionUntil == "2026-12-11" && view.history.count == 2)
            let second = try await ListingView.build(l.id!, by: Self.secondPerson, lang: .zh, today: Self.day, error: "text: is required", on: db)
            #expect(second.canDecide && !second.proposerNote && second.error == "text: is required")

            // The party objects within the window only, and decides nothing.
            let own = try await ListingView.build(l.id!, by: party, lang: .zh, today: Self.day, error: nil, on: db)
            #expect(own.canObject && !own.canDecide && !own.canNotify && !own.proposerNote)
            let late = try await ListingView.build(l.id!, by: party, lang: .zh, today: CalendarDay("2026-12-12")!, error: nil, on: db)
            #expect(!late.canObject)
        }
    }

    /// The penalties list: rows with the owner's name, the kinds with the posted one selected, the
    /// owner field from the owner page's link unless a form was posted.
    @Test func thePenaltiesListEchoesTheForm() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let shop = try await Fixtures.owner(on: db)
            let m = try await Penalties.record(
                .init(ownerID: shop.id, decisionNo: "罚-列表-1", kind: "fine", legalBasis: "计量法", facts: "作弊", amountYuan: "3000", heavy: false,
                      decidedOn: "2026-11-20"),
                today: Self.day, by: Self.bureau, on: db)
            let list = try await PenaltiesView.build(
                by: Self.bureau, lang: .zh, state: nil, cursor: nil, owner: "\(shop.id!)", error: nil, values: [:], on: db)
            #expect(list.isStaff && !list.empty && list.ownerID == "\(shop.id!)" && list.next == nil)
            #expect(list.penalties.map(\.link) == [Site.penalty(m.id!)] && list.penalties.first?.owner == shop.name && list.penalties.first?.amount == "3000")
            #expect(!list.kinds.contains { $0.selected } && !list.summary)
            let again = try await PenaltiesView.build(
                by: Self.bureau, lang: .zh, state: "", cursor: nil, owner: nil, error: "decision_no: is required",
                values: ["owner_id": "42", "kind": "warning", "procedure": "summary"], on: db)
            #expect(again.ownerID == "42" && again.kinds.filter(\.selected).map(\.value) == ["warning"] && again.summary && again.v["kind"] == "warning")
        }
    }
}
