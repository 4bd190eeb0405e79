import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// Smart supervision's staff pages (issue #21, item 5): the region's queue, one alert with the
/// instrument's standing, and the bureau's decision — over HTTP with a signed-in bureau, and the
/// view models built without HTTP in both languages.
@Suite struct TelemetryPageTests {
    static let today = CalendarDay("2026-12-05")!
    static let gulou = Principal(kind: .user, id: 7, label: "gulou", role: .bureauStaff, region: Fixtures.county)

    /// A scale whose device reported its case opened on a day with no verification.
    static func anAlert(on db: any Database) async throws -> (alert: Int, instrument: InstrumentModel) {
        let existing = try await OwnerModel.query(on: db).first()
        let owner = if let existing { existing } else { try await Fixtures.owner(on: db) }
        let scale = try await Fixtures.instrument(serial: "TEL-1", owner: owner, on: db)
        _ = try await Telemetry.register(name: "SC-PAGE-1", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: .system("tests"), on: db)
        _ = try await Telemetry.ingest(
            Array(#"{"device":"SC-PAGE-1","seq":7,"at":"2026-12-05T08:15:00+08:00","type":"scale_event","event":"calibration_mode"}"#.utf8),
            by: .system("tests"), on: db)
        let id = try #require(try await TelemetryFindingModel.query(on: db).filter(\.$instrumentID == scale.id!).first()?.id)
        return (id, scale)
    }

    @Test func theViewsInBothLanguages() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (id, scale) = try await Self.anAlert(on: db)
            let zh = try await TelemetryAlertsView.build(state: nil, cursor: nil, by: Self.gulou, lang: .zh, today: Self.today, on: db)
            // Never verified since 2024: the scale is overdue, so its high alert is urgent (4).
            #expect(zh.alerts.count == 1 && zh.alerts[0].id == id && zh.alerts[0].priority == 4 && zh.alerts[0].priorityLabel == "紧急")
            #expect(zh.alerts[0].detector == "非检定期间开盖或进入标定模式" && zh.alerts[0].code == scale.code && zh.alerts[0].statusKey == "overdue")
            #expect(zh.tabs.map(\.count) == [1, 0, 0] && zh.tabs[0].current && zh.noTasks && !zh.decided)
            let en = try await TelemetryAlertView.build(id, by: Self.gulou, lang: .en, today: Self.today, error: nil, form: nil, on: db)
            #expect(en.open && en.alert.priorityLabel == "Urgent" && en.severity == "High" && en.rule.contains("calibration mode"))
            #expect(en.figures.contains(.init(name: "Event", value: "calibration_mode")) && en.readings.map(\.seq) == [7])
            #expect(en.decisionAction == Site.telemetryAlertDecision(id) && en.instrumentLink == Site.instrument(scale.id!))
            // A bad state in the address is bad input naming it.
            await #expect(throws: RegistryError.invalid("state", .request(.mustBe(["open", "confirmed", "dismissed"])))) {
                try await TelemetryAlertsView.build(state: "closed", cursor: nil, by: Self.gulou, lang: .zh, today: Self.today, on: db)
            }
        }
    }

    @Test func aBureauConfirmsAnAlertOnItsPage() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let (id, _) = try await Self.anAlert(on: store.db)
            let bureau = PageTests.Browser(client)
            _ = try await bureau.signIn("gulou")
            let queue = try await bureau.get(Site.telemetry())
            #expect(queue.status == .ok && queue.text.contains("id=\"nav-telemetry\"") && queue.text.contains(Site.telemetryAlert(id)))
            let page = try await bureau.get(Site.telemetryAlert(id))
            #expect(page.status == .ok && page.text.contains("id=\"decision-form\"") && page.text.contains("calibration_mode"))
            let csrf = bureau.csrf(from: page)
            // No reason: the page again, the refusal in Chinese naming the field, the choice kept.
            let bad = try await bureau.post(Site.telemetryAlertDecision(id), ["csrf": csrf, "decision": "confirm", "reason": ""])
            #expect(bad.status == .badRequest && bad.text.contains("id=\"form-error\"") && bad.text.contains("reason") && bad.text.contains("checked"))
            let done = try await bureau.post(Site.telemetryAlertDecision(id), ["csrf": csrf, "decision": "confirm", "reason": "现场核实：标定开关封印破损"])
            #expect(done.status == .seeOther && done.headers[.location] == Site.telemetryAlert(id) + "?flash=done")
            let after = try await bureau.get(Site.telemetryAlert(id))
            #expect(after.text.contains("id=\"evidence-hash\"") && after.text.contains("id=\"inspection-task\"") && !after.text.contains("id=\"decision-form\""))
            // The frozen evidence is on the page, and the digest shown is its SHA-256.
            let stored = try #require(try await TelemetryFindingModel.find(id, on: store.db))
            let frozen = try #require(stored.frozenEvidence)
            #expect(after.text.contains("id=\"frozen\"") && after.text.contains(Telemetry.digest(frozen)) && !after.text.contains("id=\"digest-differs\""))
            // Decided already: a second decision is refused on the page with the reason, not a 500.
            let again = try await bureau.post(Site.telemetryAlertDecision(id), ["csrf": csrf, "decision": "dismiss", "reason": "误报"])
            #expect(again.status == .badRequest && again.text.contains("id=\"form-error\"") && again.text.contains("该告警已确认"))
            let tasks = try await bureau.get(Site.telemetry() + "?state=confirmed")
            #expect(tasks.text.contains(Site.telemetryAlert(id)) && tasks.text.contains("id=\"tasks\""))
            // Another city's bureau: not found, as an unknown alert is; an owner: not allowed.
            let xiamen = PageTests.Browser(client)
            _ = try await xiamen.signIn("xiamen")
            #expect(try await xiamen.get(Site.telemetryAlert(id)).status == .notFound)
            #expect(try await xiamen.get(Site.telemetryAlert(999_999)).status == .notFound)
            let owner = PageTests.Browser(client)
            _ = try await owner.signIn("owner")
            let refused = try await owner.get(Site.telemetry())
            #expect(refused.status == .forbidden && !refused.text.contains("id=\"nav-telemetry\""))
        }
    }

    /// The live screen: its figures on the page and as the first server-sent event, the device's
    /// timeline, and the stream refused to a caller who may not review.
    @Test func theLiveScreenAndADevicesTimeline() async throws {
        try await withApp(configure: { $0.liveLifetime = 0 }) { store, client in
            _ = try await PageTests.demoAccounts(store)
            let (id, _) = try await Self.anAlert(on: store.db)
            let device = try #require(try await TelemetryDeviceModel.query(on: store.db).filter(\.$name == "SC-PAGE-1").first())
            let bureau = PageTests.Browser(client)
            _ = try await bureau.signIn("gulou")
            let live = try await bureau.get(Site.telemetryLive())
            #expect(live.status == .ok && live.text.contains("<strong id=\"live-open\">1</strong>") && live.text.contains("/assets/telemetry-live.js"))
            #expect(live.text.contains(Site.telemetryAlert(id)) && live.text.contains(Site.telemetryDevice(device.id!)))
            let events = try await bureau.get(Site.telemetryLiveEvents())
            #expect(events.status == .ok && events.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            #expect(events.text.hasPrefix("retry: 3000\ndata: {") && events.text.contains("\"open\":1") && events.text.contains("\"newest\":\(id)"), "\(events.text)")
            let script = try await bureau.get("/assets/telemetry-live.js")
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true && script.text.contains("EventSource"))
            let timeline = try await bureau.get(Site.telemetryDevice(device.id!))
            #expect(timeline.status == .ok && timeline.text.contains("calibration_mode") && timeline.text.contains(Site.telemetryAlert(id)))
            let xiamen = PageTests.Browser(client)
            _ = try await xiamen.signIn("xiamen")
            #expect(try await xiamen.get(Site.telemetryDevice(device.id!)).status == .notFound)
            let xl = try await xiamen.get(Site.telemetryLive())
            #expect(xl.status == .ok && xl.text.contains("<strong id=\"live-devices\">0</strong>"))
            let owner = PageTests.Browser(client)
            _ = try await owner.signIn("owner")
            #expect(try await owner.get(Site.telemetryLiveEvents()).status == .forbidden)
        }
    }

    /// The thresholds page (issue #21, item 4): a county's bureau sees each threshold as it applies
    /// there, with its basis (unconfirmed figures marked), and may not change it; the province's
    /// administrator sets the county's own, a bad figure named on the page.
    @Test func aRegionsThresholdsOnTheirPage() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let bureau = PageTests.Browser(client)
            _ = try await bureau.signIn("gulou")
            let page = try await bureau.get(Site.telemetryThresholds())
            #expect(page.status == .ok && page.text.contains("id=\"setting-amount_tolerance_yuan\"") && page.text.contains("未确认"), "\(page.text.prefix(300))")
            #expect(!page.text.contains("id=\"save-thresholds\""))
            let refused = try await bureau.post(Site.telemetryThresholds() + "?region=350102", ["csrf": bureau.csrf(from: page), "amount_tolerance_yuan": "5"])
            #expect(refused.status == .forbidden, "\(refused.status)")
            #expect(try await bureau.get(Site.telemetryThresholds() + "?region=350203").status == .notFound)
            _ = try await Accounts.createUser(
                .init(login: "province", displayName: "省局", password: DemoAccounts.password, role: Role.provinceAdmin.rawValue), by: .system("tests"), on: store.db)
            let admin = PageTests.Browser(client)
            _ = try await admin.signIn("province")
            let form = try await admin.get(Site.telemetryThresholds() + "?region=350102")
            #expect(form.text.contains("id=\"save-thresholds\""), "\(form.status)")
            let bad = try await admin.post(Site.telemetryThresholds() + "?region=350102", ["csrf": admin.csrf(from: form), "amount_tolerance_yuan": "五"])
            #expect(bad.status == .badRequest && bad.text.contains("id=\"form-error\"") && bad.text.contains("settings.amount_tolerance_yuan"), "\(bad.text.prefix(500))")
            let done = try await admin.post(Site.telemetryThresholds() + "?region=350102", ["csrf": admin.csrf(from: form), "amount_tolerance_yuan": "0.05", "drift_l": ""])
            #expect(done.status == .seeOther)
            let after = try await bureau.get(Site.telemetryThresholds())
            #expect(after.text.contains("鼓楼区 350102") && after.text.contains(">0.05<"), "\(after.text)")
        }
    }
}
