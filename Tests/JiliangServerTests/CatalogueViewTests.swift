import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// The catalogue area's view models, built from the store without HTTP (issue #20, item 5).
@Suite struct CatalogueViewTests {
    static let today = CalendarDay("2026-11-26")!
    static let admin = Principal(kind: .user, id: 1, label: "admin", role: .provinceAdmin)
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    @Test func oneEntryWithItsRuleVersionsNamesAndForms() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            // A bureau reads sub-item 2 (seeded: P+V, periodic, partly confirmed) with its two rule
            // versions, the later one in force; it has no forms, and the edit form holds the row.
            let read = try await CatalogueEntryView.build(2, by: Self.gulou, lang: .zh, today: Self.today, error: nil, form: nil, on: db)
            #expect(read.sub == 2 && read.mode == "P+V" && read.unconfirmed && !read.provisional && !read.canManage && read.error == nil)
            #expect(read.rules.map(\.version) == [1, 2] && read.rules.map(\.inForce) == [false, true] && !read.noRules)
            #expect(read.rules[0].until == "2017-05-29" && read.rules[1].until == "—")
            let v2 = try #require(try await Registry.rules(subNo: 2, on: db).map(\.rule).last)
            #expect(read.rules[1].rule == CatalogueText.ruleSummary(v2, PageStrings.strings(.zh)))
            #expect(read.v["item_no"] == "2" && read.v["sub_name"] == read.name && read.v["mode"] == "P+V" && read.r.isEmpty)
            #expect(read.modes.filter(\.selected).map(\.value) == ["P+V"] && read.forms.filter(\.selected).map(\.value) == ["periodic"])
            #expect(read.ruleConfidences.filter(\.selected).map(\.value) == ["unconfirmed"] && read.meterTypes.first?.label == "—")
            #expect(read.saveAction == Site.catalogueEntry(2) && read.namesAction == Site.catalogueNames(2) && read.rulesAction == Site.catalogueRules(2))

            // The administrator's rule form posted back with its error: the rule form keeps what was
            // typed, the edit form still holds the row.
            let rulePosted = CatalogueForm(
                rule_from: "2024-01-01", rule_until: "2023-01-01", rule_form: "periodic", rule_cycle: "6", rule_confidence: "partial")
            let again = try await CatalogueEntryView.build(
                2, by: Self.admin, lang: .en, today: Self.today, error: "effective_until: is before effective_from", form: rulePosted, on: db)
            #expect(again.canManage && again.error == "effective_until: is before effective_from" && again.v["item_no"] == "2")
            #expect(again.r["rule_from"] == "2024-01-01" && again.r["rule_cycle"] == "6" && again.r["rule_life"] == nil)
            #expect(again.ruleForms.filter(\.selected).map(\.value) == ["periodic"] && again.ruleConfidences.filter(\.selected).map(\.value) == ["partial"])

            // The edit form posted back: it shows what was posted, not the row.
            let rowPosted = CatalogueForm(item_no: "abc", item_name: "", sub_name: "x", mode: "X", confidence: "confirmed")
            let edited = try await CatalogueEntryView.build(2, by: Self.admin, lang: .zh, today: Self.today, error: "item_no", form: rowPosted, on: db)
            #expect(edited.v["item_no"] == "abc" && edited.v["item_name"] == "" && edited.modes.allSatisfy { !$0.selected })
            #expect(edited.confidences.filter(\.selected).map(\.value) == ["confirmed"])

            // A name taught by the administrator is listed as such.
            try await Registry.saveInstrumentName("新 器具甲", subNo: 2, by: Self.admin, on: db)
            let named = try await CatalogueEntryView.build(2, by: Self.gulou, lang: .zh, today: Self.today, error: nil, form: nil, on: db)
            #expect(named.names.contains(.init(name: "新器具甲", admin: true)))

            // An unknown row is not there.
            await #expect(throws: RegistryError.self) {
                try await CatalogueEntryView.build(777, by: Self.admin, lang: .zh, today: Self.today, error: nil, form: nil, on: db)
            }
        }
    }

    @Test func theListSaysWhatIsInForceAndWhatIsOurs() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let list = try await CatalogueView.build(by: Self.gulou, lang: .zh, today: Self.today, error: nil, form: nil, on: db)
            #expect(!list.canManage && list.error == nil && !list.summary.isEmpty)
            let two = try #require(list.rows.first { $0.sub == 2 })
            let v2 = try #require(try await Registry.rules(subNo: 2, on: db).map(\.rule).last)
            #expect(two.link == Site.catalogueEntry(2) && two.rules == CatalogueText.ruleSummary(v2, PageStrings.strings(.zh)) && !two.noRule)
            #expect(list.rows.contains { $0.provisional && $0.sub >= 900 } && !two.provisional)
            // The new row's form: its defaults, and what was posted when it comes back.
            #expect(list.confidences.filter(\.selected).map(\.value) == ["unconfirmed"] && list.v.isEmpty)
            let posted = CatalogueForm(item_no: "20", sub_no: "30", mode: "P+V", rule_form: "periodic")
            let back = try await CatalogueView.build(by: Self.admin, lang: .en, today: Self.today, error: "rule_cycle", form: posted, on: db)
            #expect(back.canManage && back.v["sub_no"] == "30" && back.modes.filter(\.selected).map(\.value) == ["P+V"])
            #expect(back.ruleForms.filter(\.selected).map(\.value) == ["periodic"])
        }
    }
}
