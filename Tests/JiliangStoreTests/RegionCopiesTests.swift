import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import SQLKit
import Testing

/// The rows that carry their parent's region (M041, `RegionCopies`; issue #22, item 7;
/// docs/scaling.md): every writer sets the copy, and a parent that moves takes its rows along —
/// held to the parents on SQLite and PostgreSQL. (On PostgreSQL a writer that forgot the column
/// fails outright: it has no default there.)
@Suite struct RegionCopiesTests {
    static let today = CalendarDay("2026-11-26")!
    static let bureau = Principal.system("tests")

    static func expectAgreement(_ db: any Database, nonEmpty: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for c in try await RegionCopies.disagreements(on: db) {
            #expect(c.differing == 0, "\(c.table): \(c.differing) of \(c.rows) rows carry another region than their parent's", sourceLocation: sourceLocation)
            if nonEmpty.contains(c.table) { #expect(c.rows > 0, "\(c.table) has no rows: the check would be empty", sourceLocation: sourceLocation) }
        }
    }

    /// An institution, and an instrument of an owner in 鼓楼区 (Fixtures.county).
    static func labAndInstrument(_ serial: String, on db: any Database) async throws -> (InstitutionModel, OwnerModel, InstrumentModel) {
        let lab = try await Fixtures.institution(on: db)
        let owner = try await Fixtures.owner(on: db)
        return (lab, owner, try await Fixtures.instrument(subNo: 10, serial: serial, owner: owner, on: db))
    }

    /// What TableDistribution says of a copying table agrees with the copy: it is placed by the
    /// copied column, and so is its parent.
    @Test func everyCopyIsPlacedByItsColumnBesideItsParent() {
        #expect(RegionCopies.copies.count == 18)
        for c in RegionCopies.copies {
            let placed = TableDistribution.tables[c.table]
            let parent = TableDistribution.tables[c.parent]
            if c.column == "owner_id" {
                #expect(placed == .byOwner("owner_id"), "\(c.table)")
                #expect(parent == .byOwner("owner_id"), "\(c.table)'s parent \(c.parent)")
            } else {
                #expect(placed == .byRegion(c.column), "\(c.table)")
                #expect(parent == .byRegion(c.column), "\(c.table)'s parent \(c.parent)")
            }
            // Parents first: a copy of a copy is taken after its parent's own.
            if let i = RegionCopies.copies.firstIndex(where: { $0.table == c.parent }) {
                #expect(i < RegionCopies.copies.firstIndex(of: c)!, "\(c.parent) must come before \(c.table)")
            }
        }
    }

    /// The demo province as `make run` loads it — registry and history, credit, standards and a
    /// telemetry fleet — written through every writer, bulk and single: every copy agrees.
    @Test func theDemoProvinceWritesEveryCopyAsItsParentHasIt() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            _ = try await DemoProvince(instruments: 600, seed: 21, today: Self.today).load(into: store)
            try await DemoCredit.load(today: Self.today, on: db)
            try await DemoStandards.load(today: Self.today, on: db)
            _ = try await DemoTelemetry.load(today: Self.today, devices: 20, on: db)
            try await Self.expectAgreement(db, nonEmpty: [
                "verification_records", "status_changes", "telemetry_devices", "telemetry_readings", "telemetry_findings",
                "measurement_standards", "standard_items",
            ])
        }
    }

    /// A record written while its instrument is moving — the move's update done, not yet
    /// committed — carries the region the move leaves: the writer reads its instrument's region
    /// under a lock the move holds (PostgreSQL; SQLite takes writes in turn). Read without it, the
    /// record took the old region after the move's cascade had passed, and kept it.
    @Test func aRecordWrittenWhileItsInstrumentMovesCarriesTheNewRegion() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (lab, _, scale) = try await Self.labAndInstrument("RACE-1", on: db)
            let (moving, mover) = AsyncStream<Void>.makeStream()
            let move = Task {
                defer { mover.finish() }  // a failed move ends the wait below too
                try await db.writeTransaction { tx in
                    try await (tx as! any SQLDatabase).raw(
                        "UPDATE instruments SET region_code = \(bind: Fixtures.otherCounty.value) WHERE id = \(bind: scale.id!)").run()
                    try await RegionCopies.moved("instruments", id: scale.id!, on: tx)
                    mover.yield()
                    // The record's writer is then waiting for this move: on PostgreSQL for the
                    // instrument's row lock (seen in pg_stat_activity, so the test does not rest on
                    // timing); on SQLite for the write gate, for as long as this sleeps.
                    if store.isPostgres {
                        struct Waiting: Decodable { var n: Int }
                        var seen = false
                        for _ in 0..<200 {
                            let waiting = try await store.sql.raw("""
                                SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                                """).first(decoding: Waiting.self)!.n
                            if waiting > 0 { seen = true; break }
                            try await Task.sleep(for: .milliseconds(25))
                        }
                        // Without a waiter the race this test is about did not happen: say so
                        // rather than pass on the easy order.
                        if !seen { Issue.record("the record's writer never waited for the move's row lock (5 s)") }
                    } else {
                        try await Task.sleep(for: .milliseconds(400))
                    }
                }
            }
            for await _ in moving { break }
            let record = try await Fixtures.record(scale, institution: lab, date: "2026-01-10", on: db)
            try await move.value
            #expect(record.regionCode == Fixtures.otherCounty.value)
            try await Self.expectAgreement(db, nonEmpty: ["verification_records"])
        }
    }

    /// An instrument moved to another county takes its records, schedules, status changes,
    /// devices, readings and findings along; an institution its sessions, bookings and standards
    /// and their items; a standard moved to another institution its items.
    @Test func aParentMovedToAnotherCountyTakesItsRowsAlong() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let (lab, owner, scale) = try await Self.labAndInstrument("MOVE-1", on: db)
            _ = try await Fixtures.record(scale, institution: lab, date: "2026-01-10", on: db)
            _ = try await Registry.addSchedule(
                instrumentID: scale.id!, name: "铅封检查", dueDate: "2027-01-10", intervalMonths: 12, scope: .everything, on: db)
            let device = try await Telemetry.register(
                name: "MOVE-D1", instrumentID: scale.id, kind: "fuel_dispenser", softwareID: nil, pulseEquivalent: nil, by: Self.bureau, on: db)
            let at = Self.today.startInstant.addingTimeInterval(9 * 3600)
            let line = Reading(device: "MOVE-D1", seq: 1, at: at, body: .delivery(.init(
                nozzle: 1, volume: 20, amount: 150.2, unitPrice: 7.51, start: at.addingTimeInterval(-60), end: at))).ndjson
            let report = try await Telemetry.ingest(Array(line.utf8), by: Self.bureau, receivedAt: at.addingTimeInterval(5), on: db)
            #expect(report.accepted == 1, "\(report.errors)")
            let slot = try await FreeChecks.openSlot(
                institutionID: lab.id, day: "2026-12-20", time: "09:00", place: "测试地址", items: "血压计", capacity: "3", today: Self.today,
                by: Self.bureau, on: db)
            _ = try await FreeChecks.book(slotID: slot.id, item: "血压计", contactName: nil, contactPhone: nil, today: Self.today, on: db)
            let other = try await Fixtures.institution("另一计量所", on: db)
            let d = try StandardDraft.parse(
                institutionID: lab.id, name: "电子秤检定装置", certificateNo: "[2020]闽量标证字第MOVE号", validFrom: "2020-01-01",
                validUntil: "2030-01-01", measuringRange: "(0~30)kg", uncertainty: "U=0.5g", subNos: [10], regionCodes: ["350100"],
                context: try await Registry.context(on: db))
            let standard = try await Standards.create(d, by: Self.bureau, on: db)
            try await Self.expectAgreement(db, nonEmpty: [
                "verification_records", "schedules", "telemetry_devices", "telemetry_readings", "check_slots", "free_checks",
                "measurement_standards", "standard_items",
            ])

            // The instrument moves from 鼓楼区 to 思明区.
            var raw = Fixtures.raw(subNo: 10, serial: "MOVE-1", owner: try CreditCode(validating: owner.creditCode), region: Fixtures.otherCounty)
            raw.status = try await InstrumentModel.find(scale.id!, on: db)!.lifecycle  // in service since its record
            _ = try await Registry.updateInstrument(scale.id!, try InstrumentDraft.parse(raw, context: try await Registry.context(on: db)), scope: .everything, on: db)
            struct Region: Decodable { var region_code: String }
            let sql = db as! any SQLDatabase
            for table in ["verification_records", "schedules"] {
                let regions = try await sql.select().column("region_code").from(table).where("instrument_id", .equal, SQLBind(scale.id!)).all(decoding: Region.self)
                #expect(!regions.isEmpty && regions.allSatisfy { $0.region_code == Fixtures.otherCounty.value }, "\(table): \(regions)")
            }
            let readings = try await sql.select().column("region_code").from("telemetry_readings").where("device_id", .equal, SQLBind(device.id!))
                .all(decoding: Region.self)
            #expect(readings.map(\.region_code) == [Fixtures.otherCounty.value])

            // The institution moves from 福州市 to 厦门市; then the standard to the other institution.
            let moved = try InstitutionDraft.parse(
                name: lab.name, kind: lab.kind, creditCode: lab.creditCode, regionCode: "350200", address: lab.address,
                scopes: [.init(subNo: 10, regionCode: "350000", validFrom: "2015-01-01", validUntil: "2035-12-31")],
                context: try await Registry.context(on: db))
            _ = try await Registry.updateInstitution(lab.id!, moved, on: db)
            for table in ["check_slots", "free_checks", "measurement_standards"] {
                let regions = try await sql.select().column("region_code").from(table).where("institution_id", .equal, SQLBind(lab.id!)).all(decoding: Region.self)
                #expect(!regions.isEmpty && regions.allSatisfy { $0.region_code == "350200" }, "\(table): \(regions)")
            }
            try await Self.expectAgreement(db)
            var toOther = d
            toOther.institutionID = other.id!
            _ = try await Standards.update(standard.id, toOther, by: Self.bureau, on: db)
            let items = try await sql.select().column("region_code").from("standard_items").where("standard_id", .equal, SQLBind(standard.id))
                .all(decoding: Region.self)
            #expect(items.map(\.region_code) == [other.regionCode])
            try await Self.expectAgreement(db)
        }
    }
}
