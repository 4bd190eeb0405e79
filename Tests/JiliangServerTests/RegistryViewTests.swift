import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The registry's view models — the dashboard and the instrument page — built from the store
/// without HTTP (issue #20, item 5).
@Suite struct RegistryViewTests {
    static let today = CalendarDay("2026-11-26")!
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    @Test func theDashboardOfABureau() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let overdue = try await Fixtures.instrument(serial: "overdue", owner: owner, on: db)
            _ = try await Fixtures.record(overdue, institution: lab, date: "2025-10-01", on: db)  // valid until 2026-09-30
            let valid = try await Fixtures.instrument(serial: "valid", owner: owner, on: db)
            _ = try await Fixtures.record(valid, institution: lab, date: "2026-10-01", on: db)  // valid until 2027-09-30
            // A draft whose filing waits for the bureau's decision.
            var raw = Fixtures.raw(serial: "draft", owner: try CreditCode(validating: owner.creditCode))
            raw.status = LifecycleStatus.draft.rawValue
            var rng = SystemRandomNumberGenerator()
            let draft = try await Registry.createInstrument(
                try InstrumentDraft.parse(raw, context: try await Registry.context(on: db)), scope: .everything, on: db, generator: &rng)
            _ = try await Filings.submit(instrumentID: draft.id!, by: Self.gulou, on: db)
            // The bureau's inbox holds a message stored as facts; another county's is not its own.
            try await Notices.send(
                .warning(kind: .notFiled, instrument: .init(id: 1, name: "电子计价秤", code: "X"), due: nil), to: "region:350102", on: db)
            try await Notices.send(
                .warning(kind: .overdue, instrument: .init(id: 2, name: "加油机", code: "Y"), due: "2026-01-01"), to: "region:350203", on: db)

            let en = try await DashboardView.build(
                by: Self.gulou, lang: .en, today: Self.today, window: 30, publicBaseURL: "https://jl.example", on: db)
            // Counts per status, every status shown (zeros included), in the store's order.
            #expect(en.counts.map(\.status) == ["overdue", "due_soon", "failed", "life_expired", "rule_missing", "not_filed", "valid"])
            #expect(en.counts.map(\.count) == [1, 0, 0, 0, 0, 1, 1])
            #expect(en.counts.first?.label == "Overdue" && en.scopeLabel == "350102")
            // What waits for a bureau: the filing to decide (it records no verifications, keeps no calendar).
            #expect(en.waiting == [.init(link: Site.filings(), text: "\(PageKey.filings.en): 1")])
            // The inbox in the reader's language, with the link the notice points to.
            #expect(en.inbox.map(\.subject) == ["Instrument not filed"])
            #expect(en.inbox.first?.body == "电子计价秤 (X) has not been filed." && en.inbox.first?.link == Site.instrument(1))

            let zh = try await DashboardView.build(by: Self.gulou, lang: .zh, today: Self.today, window: 30, publicBaseURL: "", on: db)
            #expect(zh.counts.first?.label == "超期未检" && zh.counts.map(\.count) == en.counts.map(\.count))
            #expect(zh.waiting.map(\.text) == ["\(PageKey.filings.zh): 1"])
            #expect(zh.inbox.map(\.subject) == ["计量器具未备案"] && zh.inbox.first?.body == "电子计价秤（X）尚未备案。")

            // The province administrator reads the "admin" inbox, a bureau its region's.
            #expect(DashboardView.mailboxes(Self.gulou) == ["region:350102"])
            #expect(DashboardView.mailboxes(Principal(kind: .user, id: 1, label: "prov", role: .provinceAdmin)) == ["admin"])
        }
    }

    @Test func anInstrumentPageShowsItsStatusAndWarnings() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let m = try await Fixtures.instrument(serial: "overdue", owner: owner, on: db)
            let record = try await Fixtures.record(m, institution: lab, date: "2025-10-01", on: db)  // valid until 2026-09-30
            _ = try await WarningRunner().run(asOf: Self.today, on: db)
            let fresh = try #require(try await InstrumentModel.find(m.id!, on: db))

            let view = try await InstrumentView.build(
                m.id!, by: Self.gulou, lang: .en, today: Self.today, window: 30, publicBaseURL: "https://jl.example", on: db)
            #expect(view.status == "overdue" && view.statusLabel == "Overdue" && view.nextDue == (fresh.nextDue ?? ""))
            #expect(view.name == "电子计价秤" && view.serial == "overdue" && view.owner == owner.name && view.ownerLink == Site.owner(owner.id!))
            // The run's warning, worded in the reader's language.
            let notice = Notice.warning(kind: .overdue, instrument: .init(id: m.id!, name: m.name, code: m.code), due: fresh.nextDue)
            #expect(view.warnings.map(\.message) == [NoticeText.words(notice, .en).1])
            // Its history: the record with its certificate, not yet ledgered (no ledger here).
            #expect(view.records.map(\.id) == [record.id!])
            #expect(view.records.first?.certificate == "JD-2025-10-01" && view.records.first?.leaf == nil)
            #expect(view.records.first?.certificateLink == Site.certificate(record.id!))
            // Filed, not a draft: nothing to submit; the bureau may apply to the institution authorised for it.
            #expect(!view.canSubmit && view.filings.isEmpty && view.requests.isEmpty)
            #expect(view.canApply && view.institutions == [.init(id: lab.id!, name: lab.name)])
            #expect(view.filingAction == Site.instrumentFiling(m.id!) && view.applyAction == Site.instrumentApply(m.id!))
            #expect(view.publicLink == "/p/i/\(m.code)" && view.qr.contains("<svg"))

            let zh = try await InstrumentView.build(m.id!, by: Self.gulou, lang: .zh, today: Self.today, window: 30, publicBaseURL: "", on: db)
            #expect(zh.statusLabel == "超期未检" && zh.warnings.map(\.message) == [NoticeText.words(notice, .zh).1])

            // Another county's bureau does not see it.
            let siming = Principal(kind: .user, id: 8, label: "siming", role: .bureauStaff, region: Fixtures.otherCounty)
            await #expect(throws: RegistryError.self) {
                try await InstrumentView.build(m.id!, by: siming, lang: .zh, today: Self.today, window: 30, publicBaseURL: "", on: db)
            }
        }
    }
}
