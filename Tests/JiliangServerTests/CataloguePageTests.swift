import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Logging
import SQLKit
import Testing

/// The catalogue pages (issue #18): everyone signed in reads the catalogue with what is unconfirmed
/// marked; only the administrator adds a missing row (with its first rule), corrects a row or adds a
/// rule version; bad input names the field and stores nothing; a change re-derives the status.
@Suite struct CataloguePageTests {
    typealias Browser = PageTests.Browser

    @Test func theAdministratorCompletesTheCatalogueOnThePage() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            _ = try await Accounts.createUser(
                .init(login: "admin", displayName: "admin", password: DemoAccounts.password, role: Role.provinceAdmin.rawValue), by: .system("tests"), on: store.db)
            let b = Browser(client)
            // A bureau reads the catalogue: the new rows, P+V for 焦度计, 血压计和血压表 under item 14,
            // "rule missing" where no rule exists, unconfirmed marked — but has no forms.
            _ = try await b.signIn("gulou")
            let list = try await b.get("/app/catalogue")
            #expect(list.status == .ok && list.text.contains("id=\"catalogue-summary\"") && !list.text.contains("id=\"catalogue-form\""))
            for text in ["电动汽车充电桩", "压力表", "透射式烟度计", "角膜曲率计", "验光镜片组（验光镜片箱）", "未核实", "缺少检定规则"] {
                #expect(list.text.contains(text), "\(text)")
            }
            let lensmeter = try await b.get("/app/catalogue/961")
            #expect(lensmeter.text.contains("id=\"entry-mode\">P+V<"))
            #expect(try await b.get("/app/catalogue/921").text.contains("14 血压计（表）"))
            let refused = try await b.post("/app/catalogue", ["csrf": b.csrf(from: list), "item_no": "20", "item_name": "x", "sub_no": "30", "sub_name": "x", "confidence": "partial"])
            #expect(refused.status == .forbidden)
            // The administrator adds sub-item 30 with its first rule; bad input first, naming fields.
            _ = try await b.signIn("admin")
            let page = try await b.get("/app/catalogue")
            let csrf = b.csrf(from: page)
            #expect(page.text.contains("id=\"catalogue-form\""))
            let bad = try await b.post("/app/catalogue", [
                "csrf": csrf, "item_no": "abc", "item_name": "", "sub_no": "30", "sub_name": "新器具", "mode": "X", "confidence": "partial",
            ])
            #expect(bad.status == .badRequest && bad.text.contains("item_no") && bad.text.contains("item_name") && bad.text.contains("mode"))
            let badRule = try await b.post("/app/catalogue", [
                "csrf": csrf, "item_no": "20", "item_name": "新一级", "sub_no": "30", "sub_name": "新器具", "mode": "P+V", "form": "periodic",
                "confidence": "confirmed", "rule_from": "2020-01-01", "rule_form": "periodic", "rule_cycle": "", "rule_confidence": "confirmed",
            ])
            #expect(badRule.status == .badRequest && badRule.text.contains("cycle_months"))
            #expect(try await CatalogueEntryModel.find(30, on: store.db) == nil)  // nothing half-written
            let taken = try await b.post("/app/catalogue", ["csrf": csrf, "item_no": "1", "item_name": "体温计", "sub_no": "1", "sub_name": "体温计", "confidence": "partial"])
            #expect(taken.status == .badRequest && taken.text.contains("sub_no"))
            let derived = try await (store.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM derived_versions").first()?.decode(column: "n", as: Int.self)
            #expect(derived == 1)
            let added = try await b.post("/app/catalogue", [
                "csrf": csrf, "item_no": "20", "item_name": "新一级", "sub_no": "30", "sub_name": "新器具", "mode": "P+V", "form": "periodic",
                "source": "目录PDF第20项", "confidence": "confirmed", "rule_from": "2020-01-01", "rule_form": "periodic", "rule_cycle": "12",
                "rule_source": "JJG 0-2020", "rule_confidence": "confirmed",
            ])
            #expect(added.status == .seeOther)
            let entry = try await b.get("/app/catalogue/30")
            #expect(entry.text.contains("新器具") && entry.text.contains("JJG 0-2020") && entry.text.contains("id=\"rule-form\""))
            #expect(try await Registry.rules(subNo: 30, on: store.db).map(\.cycleMonths) == [12])
            // A change marks the stored status out of date; the worker re-derives it.
            let stale = try await (store.db as! any SQLDatabase).raw("SELECT version FROM derived_versions").first()?.decode(column: "version", as: Int.self)
            #expect(stale == 0)
            // A new rule version with an end date; a bad one names its field.
            let entryCSRF = b.csrf(from: entry)
            let badVersion = try await b.post("/app/catalogue/30/rules", [
                "csrf": entryCSRF, "rule_from": "2024-01-01", "rule_until": "2023-01-01", "rule_form": "periodic", "rule_cycle": "6", "rule_confidence": "partial",
            ])
            #expect(badVersion.status == .badRequest && badVersion.text.contains("effective_until"))
            let version = try await b.post("/app/catalogue/30/rules", [
                "csrf": entryCSRF, "rule_from": "2024-01-01", "rule_form": "periodic", "rule_cycle": "6", "rule_source": "JJG 0-2024", "rule_confidence": "partial",
            ])
            #expect(version.status == .seeOther)
            let versions = try await b.get("/app/catalogue/30")
            #expect(versions.text.contains("JJG 0-2024") && versions.text.contains("JJG 0-2020"))
            // Correcting the row: 961's confidence.
            let corrected = try await b.post("/app/catalogue/961", [
                "csrf": entryCSRF, "item_no": "960", "item_name": "焦度计", "sub_name": "焦度计", "mode": "P+V", "form": "periodic", "confidence": "partial",
            ])
            #expect(corrected.status == .seeOther)
            // The edit page does not create a row that does not exist.
            let ghost = try await b.post("/app/catalogue/777", ["csrf": entryCSRF, "item_no": "77", "item_name": "x", "sub_name": "x", "confidence": "partial"])
            let ghostRow = try await CatalogueEntryModel.find(777, on: store.db)
            #expect(ghost.status == .notFound && ghostRow == nil)
            #expect(try await CatalogueEntryModel.find(961, on: store.db)?.confidence == "partial")
            // An instrument name the import will recognise as sub-item 30 (issue #19, item 1).
            let named = try await b.post("/app/catalogue/30/names", ["csrf": entryCSRF, "instrument_name": "新 器具甲"])
            #expect(named.status == .seeOther)
            #expect(try await b.get("/app/catalogue/30").text.contains("新器具甲"))
            #expect(try await Registry.instrumentNames(on: store.db)["新器具甲"] == 30)
            // The audit log holds the writes.
            #expect(try await AuditEntryModel.query(on: store.db).filter(\.$entity == "catalogue_entries").count() >= 2)
        }
    }
}
