import Crypto
import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

/// Alerts tied to legal status (issue #21, item 5), on SQLite and PostgreSQL: the queue ranks an
/// alert on an instrument that may not be used above the same alert on a valid one; a bureau sees
/// its region's alerts only; a decision is final and needs a reason; confirming freezes the
/// evidence into the ledger (an edit of it is caught by the audit), counts in the owner's credit
/// facts, opens an inspection task and tells the region's inbox.
@Suite struct TelemetryAlertTests {
    static let now = ISO8601DateFormatter().date(from: "2026-12-05T02:00:00Z")!
    static let today = CalendarDay("2026-12-05")!
    static let bureau = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
    static let otherBureau = Principal(kind: .user, id: 902, label: "siming", role: .bureauStaff, region: Fixtures.otherCounty)

    static func caseOpened(_ device: String, _ seq: Int) -> String {
        #"{"device":"\#(device)","seq":\#(seq),"at":"2026-12-05T09:\#(String(format: "%02d", seq % 60)):00+08:00","type":"scale_event","event":"case_opened"}"#
    }

    /// Two scales of one owner, each with a device that reports its case opened outside any visit:
    /// one verified last month (valid), one last verified three years ago (overdue).
    static func twoAlerts(on db: any Database) async throws -> (valid: TelemetryFindingModel, overdue: TelemetryFindingModel, owner: OwnerModel) {
        let owner = try await Fixtures.owner(on: db)
        let lab = try await Fixtures.institution(on: db)
        let valid = try await Fixtures.instrument(serial: "VALID", owner: owner, on: db)
        _ = try await Fixtures.record(valid, institution: lab, date: "2026-11-02", today: "2026-12-05", on: db)
        let overdue = try await Fixtures.instrument(serial: "OVERDUE", owner: owner, on: db)
        _ = try await Fixtures.record(overdue, institution: lab, date: "2023-06-01", today: "2026-12-05", on: db)
        for (name, i) in [("SC-VALID", valid), ("SC-OVERDUE", overdue)] {
            _ = try await Telemetry.register(name: name, instrumentID: i.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, now: Self.now, on: db)
        }
        // The valid scale's alert comes later, so that time alone would put it first.
        _ = try await Telemetry.ingest(Array(caseOpened("SC-OVERDUE", 1).utf8), by: Self.bureau, receivedAt: Self.now, on: db)
        _ = try await Telemetry.ingest(Array(caseOpened("SC-VALID", 5).utf8), by: Self.bureau, receivedAt: Self.now, on: db)
        let found = try await TelemetryFindingModel.query(on: db).all()
        return (found.first { $0.instrumentID == valid.id }!, found.first { $0.instrumentID == overdue.id }!, owner)
    }

    @Test func theQueueRanksByLegalStatusAndKeepsToTheRegion() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (valid, overdue, _) = try await Self.twoAlerts(on: db)
            let page = try await Telemetry.alerts(today: Self.today, by: Self.bureau, on: db)
            // scale_tamper is high (3); on an overdue instrument it is urgent (4), and comes first.
            #expect(page.items.map(\.finding.id) == [overdue.id, valid.id])
            #expect(page.items.map(\.priority) == [4, 3])
            #expect(page.items.map(\.status) == [.overdue, .valid])
            #expect(page.items.first?.owner.name != nil && page.items.first?.device.name == "SC-OVERDUE")
            // Paging: one a page, the cursor leads to the second and then ends.
            let first = try await Telemetry.alerts(limit: 1, today: Self.today, by: Self.bureau, on: db)
            // The first page's alert is decided before the next page is asked for: nothing is skipped.
            _ = try await Telemetry.decide(overdue.id!, decision: "dismiss", reason: "已核实", today: Self.today, by: Self.bureau, on: db)
            let second = try await Telemetry.alerts(cursor: first.nextCursor, limit: 1, today: Self.today, by: Self.bureau, on: db)
            #expect(first.items.map(\.finding.id) == [overdue.id] && second.items.map(\.finding.id) == [valid.id] && second.nextCursor == nil)
            await #expect(throws: RegistryError.invalid("cursor", .notACursorForThisOrder)) {
                try await Telemetry.alerts(cursor: "knot-a-key", today: Self.today, by: Self.bureau, on: db)
            }
            #expect(try await Telemetry.alertCounts(by: Self.bureau, on: db) == [.open: 1, .confirmed: 0, .dismissed: 1])
            // Another county's bureau: an empty queue, and one of these alerts is "not found", as an unknown one is.
            #expect(try await Telemetry.alerts(today: Self.today, by: Self.otherBureau, on: db).items.isEmpty)
            #expect(try await Telemetry.alertCounts(by: Self.otherBureau, on: db)[.open] == 0)
            await #expect(throws: RegistryError.notFound(.telemetryAlert, key: String(valid.id!))) {
                try await Telemetry.alert(valid.id!, today: Self.today, by: Self.otherBureau, on: db)
            }
            // An alert's history on its instrument: the other alert for the county, nothing for another.
            #expect(try await Telemetry.alertsOnInstrument(valid.instrumentID, except: -1, by: Self.bureau, on: db).map(\.id) == [valid.id])
            #expect(try await Telemetry.alertsOnInstrument(valid.instrumentID, except: -1, by: Self.otherBureau, on: db).isEmpty)
            await #expect(throws: RegistryError.notFound(.telemetryAlert, key: "999999")) {
                try await Telemetry.alert(999_999, today: Self.today, by: Self.bureau, on: db)
            }
            // An owner (or an institute) does not review alerts.
            let owner = Principal(kind: .user, id: 5, label: "owner", role: .owner, ownerIDs: [valid.instrumentID])
            await #expect(throws: RegistryError.forbidden(.notAllowed(.reviewAlerts))) {
                try await Telemetry.alerts(today: Self.today, by: owner, on: db)
            }
        }
    }

    @Test func confirmingFreezesTheEvidenceIntoTheLedgerAndOpensATask() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (_, overdue, owner) = try await Self.twoAlerts(on: db)
            let id = overdue.id!
            // Bad input names its field; nothing is decided.
            await #expect(throws: ValidationFailure([FieldError("reason", .required)])) {
                try await Telemetry.decide(id, decision: "confirm", reason: "  ", today: Self.today, by: Self.bureau, on: db)
            }
            await #expect(throws: ValidationFailure([FieldError("decision", .notOneOf(["confirm", "dismiss"], got: "maybe"))])) {
                try await Telemetry.decide(id, decision: "maybe", reason: "x", today: Self.today, by: Self.bureau, on: db)
            }
            await #expect(throws: RegistryError.notFound(.telemetryAlert, key: String(id))) {
                try await Telemetry.decide(id, decision: "confirm", reason: "x", today: Self.today, by: Self.otherBureau, on: db)
            }
            let before = try await CreditScores.assess(ownerID: owner.id!, today: Self.today, by: Self.bureau, on: db)

            let a = try await Audit.$actor.withValue(Self.bureau) {
                try await Telemetry.decide(id, decision: "confirm", reason: "现场核实：封印破损", today: Self.today, by: Self.bureau, now: Self.now, on: db)
            }
            #expect(a.finding.alertState == .confirmed && a.finding.decidedBy == "gulou" && a.finding.decidedOn == "2026-12-05")
            #expect(a.finding.decisionReason == "现场核实：封印破损")
            // The frozen evidence holds the finding's figures and the reading it rests on, and its hash is its SHA-256.
            let frozen = try #require(a.finding.frozenEvidence)
            #expect(frozen.contains(#""detector":"scale_tamper""#) && frozen.contains(#"\"event\":\"case_opened\""#), "\(frozen)")
            #expect(a.finding.evidenceHash == "sha256:" + Hex.string(SHA256.hash(data: Array(frozen.utf8))))
            // An inspection task for the instrument's county, and a message in its inbox.
            let tasks = try await Telemetry.inspectionTasks(by: Self.bureau, on: db).items
            #expect(tasks.count == 1 && tasks.first?.id == a.taskID && tasks.first?.originID == id && tasks.first?.regionCode == Fixtures.county.value)
            #expect(try await Telemetry.inspectionTasks(by: Self.otherBureau, on: db).items.isEmpty)
            let inbox = try await InboxMessageModel.query(on: db).filter(\.$recipient == "region:\(Fixtures.county.value)").all()
            #expect(inbox.compactMap(\.decodedNotice).contains {
                if case .inspectionTaskOpened(let task, let alert, _, "scale_tamper") = $0 { return task == a.taskID && alert == id } else { return false }
            })
            // The owner's credit facts count it, and its score falls by the policy's points.
            let after = try await CreditScores.assess(ownerID: owner.id!, today: Self.today, by: Self.bureau, on: db)
            #expect(before.0.confirmedAlerts == 0 && after.0.confirmedAlerts == 1)
            #expect(after.1.score == before.1.score - CreditPolicy().confirmedAlertPoints)
            // Final: a second decision is a conflict, and changes nothing.
            await #expect(throws: RegistryError.conflict(field: "decision", reason: .telemetry(.alertAlreadyDecided(state: "confirmed")))) {
                try await Telemetry.decide(id, decision: "dismiss", reason: "误报", today: Self.today, by: Self.bureau, on: db)
            }
            #expect(try await Telemetry.alertCounts(by: Self.bureau, on: db) == [.open: 1, .confirmed: 1, .dismissed: 0])
            // Audited.
            let audit = try await AuditEntryModel.query(on: db).filter(\.$action == "telemetry.confirm").all()
            #expect(audit.count == 1 && audit.first?.entityID == String(id))

            // The ledger takes the confirmed alert (not the open one); an edit of its evidence is caught.
            let ledger = try TestLedger.ledger(store)
            try await ledger.sequenceAll()
            #expect(try await ledger.leafIndex(of: .telemetryAlert, id: id) != nil)
            let clean = try await ledger.audit()
            #expect(clean.findings.isEmpty, "\(clean.findings)")
            // An edit of the frozen evidence, of the decision, or of its day (out of the credit
            // window) is caught; put back, the audit is clean again.
            for (column, value) in [("frozen_evidence", "{}"), ("state", "dismissed"), ("decided_on", "2020-01-01")] {
                struct Original: Decodable { var v: String }
                let original = try #require(try await (db as! any SQLDatabase).raw(
                    "SELECT \(unsafeRaw: column) AS v FROM telemetry_findings WHERE id = \(bind: id)").first(decoding: Original.self))
                try await (db as! any SQLDatabase).raw("UPDATE telemetry_findings SET \(unsafeRaw: column) = \(bind: value) WHERE id = \(bind: id)").run()
                let tampered = try await ledger.audit()
                #expect(tampered.findings.count == 1, "\(column): \(tampered.findings)")
                try await (db as! any SQLDatabase).raw("UPDATE telemetry_findings SET \(unsafeRaw: column) = \(bind: original.v) WHERE id = \(bind: id)").run()
                #expect(try await ledger.audit().findings.isEmpty, "\(column) put back")
            }
        }
    }

    @Test func dismissingNeedsAReasonAndOpensNothing() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (valid, _, owner) = try await Self.twoAlerts(on: db)
            let a = try await Telemetry.decide(valid.id!, decision: "dismiss", reason: "检定人员当日现场调试（补录记录）", today: Self.today, by: Self.bureau, on: db)
            #expect(a.finding.alertState == .dismissed && a.finding.frozenEvidence == nil && a.finding.evidenceHash == nil && a.taskID == nil)
            #expect(try await Telemetry.inspectionTasks(by: Self.bureau, on: db).items.isEmpty)
            #expect(try await CreditScores.assess(ownerID: owner.id!, today: Self.today, by: Self.bureau, on: db).0.confirmedAlerts == 0)
            let dismissed = try await Telemetry.alerts(state: .dismissed, today: Self.today, by: Self.bureau, on: db)
            #expect(dismissed.items.map(\.finding.id) == [valid.id])
            let ledger = try TestLedger.ledger(store)
            try await ledger.sequenceAll()
            #expect(try await ledger.leafIndex(of: .telemetryAlert, id: valid.id!) == nil)
        }
    }

    /// Two reviewers decide the same alert at once: one decision stands, the other is told so.
    @Test func twoDecisionsAtOnceLeaveOne() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (valid, _, _) = try await Self.twoAlerts(on: db)
            let id = valid.id!
            let outcomes = await withTaskGroup(of: String.self) { group in
                for decision in ["confirm", "dismiss"] {
                    group.addTask {
                        do {
                            return try await Telemetry.decide(id, decision: decision, reason: "r", today: Self.today, by: Self.bureau, on: db).finding.state
                        } catch RegistryError.conflict { return "conflict" } catch { return "error: \(error)" }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }.sorted()
            }
            #expect(outcomes == ["confirmed", "conflict"] || outcomes == ["conflict", "dismissed"], "\(outcomes)")
            let tasks = try await Telemetry.inspectionTasks(by: Self.bureau, on: db).items
            #expect(tasks.count == (outcomes.contains("confirmed") ? 1 : 0))
        }
    }
}
