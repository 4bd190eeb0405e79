import FluentKit
import Foundation
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Every read path of the registry and its workflows, asked by callers who may not see a Gulou
/// instrument, finds nothing — and asked by the province finds it (so the comparison is real).
/// Scope is applied in the store (`Registry.scoped` and its siblings per model), never by the
/// caller; this walks the paths a page or the API can take (issue #20, item 6).
@Suite struct ScopeEveryPathTests {
    static let today = CalendarDay("2026-11-26")!
    static let outsiders: [AccessScope] = [.region(RegionCode("350200")!), .owners([999_999]), .institution(999_999), .nothing]

    /// 1 when a single-row read finds its row, 0 when it answers "not found".
    @Sendable static func found(_ body: @escaping @Sendable () async throws -> Any) async throws -> Int {
        do { _ = try await body(); return 1 } catch RegistryError.notFound { return 0 }
    }

    @Test func noReadPathShowsWhatTheCallerMayNotSee() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let scale = try await Fixtures.instrument(owner: owner, on: db)
            let record = try await Fixtures.record(scale, institution: lab, date: "2025-03-01", on: db)
            let draft = try await Fixtures.instrument(serial: "DRAFT", owner: owner, on: db)
            draft.lifecycle = LifecycleStatus.draft.rawValue
            try await draft.save(on: db)
            let ownerPrincipal = Principal(kind: .user, id: 5, label: "owner", role: .owner, ownerIDs: [owner.id!])
            let filing = try await Audit.$actor.withValue(ownerPrincipal) { try await Filings.submit(instrumentID: draft.id!, by: ownerPrincipal, on: db) }
            _ = try await WarningRunner().run(asOf: Self.today, on: db)
            // A smart device on the scale, with a finding (a case opened outside any visit).
            let device = try await Telemetry.register(
                name: "SCALE-1", instrumentID: scale.id, kind: "scale", softwareID: nil, pulseEquivalent: nil, by: .system("tests"), on: db)
            _ = try await Telemetry.ingest(
                Array(#"{"device":"SCALE-1","seq":1,"at":"2026-11-26T09:00:00+08:00","type":"scale_event","event":"case_opened"}"#.utf8),
                by: .system("tests"), on: db)

            /// Each path: what it finds for a scope (a count, or 0 when refused as not found).
            typealias Path = (name: String, find: @Sendable (AccessScope) async throws -> Int)
            let paths: [Path] = [
                ("instrument by id", { s in try await Self.found { try await Registry.instrument(scale.id!, scope: s, on: db) } }),
                ("instrument by code", { s in try await Self.found { try await Registry.instrument(code: scale.code, scope: s, on: db) } }),
                ("instrument list", { s in
                    try await Registry.instruments(.init(), today: Self.today, window: 30, cursor: nil, limit: 100, scope: s, on: db).items.count
                }),
                ("counts by status", { s in try await Registry.countsByStatus(today: Self.today, window: 30, scope: s, on: db).map(\.1).reduce(0, +) }),
                ("drill-down counts", { s in
                    try await Registry.drillDownCounts(region: RegionCode("350000")!, today: Self.today, window: 30, scope: s, on: db).map(\.count).reduce(0, +)
                }),
                ("owner", { s in try await Self.found { try await Registry.owner(owner.id!, scope: s, on: db) } }),
                ("owner list", { s in try await Registry.owners(.init(), cursor: nil, limit: 100, scope: s, on: db).items.count }),
                ("record", { s in try await Self.found { try await Registry.record(record.id!, scope: s, on: db) } }),
                ("record list", { s in try await Registry.records(instrumentID: nil, institutionID: nil, cursor: nil, limit: 100, scope: s, on: db).items.count }),
                ("filing", { s in try await Self.found { try await Filings.filing(filing.id!, scope: s, on: db) } }),
                ("telemetry devices", { s in try await Telemetry.devices(scope: s, on: db).count }),
                ("telemetry device by name", { s in try await Telemetry.devices(named: [device.name], scope: s, on: db).count }),
                ("telemetry findings", { s in try await Telemetry.findings(deviceID: nil, scope: s, on: db).count }),
                ("telemetry findings of a device", { s in try await Telemetry.findings(deviceID: device.id, scope: s, on: db).count }),
                ("filing list", { s in try await Filings.list(state: nil, instrumentID: nil, cursor: nil, limit: 100, scope: s, on: db).items.count }),
                ("warning list", { s in try await Warnings.list(region: nil, kind: nil, ownerID: nil, cursor: nil, limit: 100, scope: s, on: db).items.count }),
                ("request list", { s in
                    try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 100, scope: s, on: db).items.count
                }),
            ]
            for path in paths {
                let province = try await path.find(.everything)
                // The province finds the rows (the request list has none to find).
                #expect(province > 0 || path.name == "request list", "\(path.name): the province finds nothing")
                for scope in Self.outsiders {
                    let seen = try await path.find(scope)
                    #expect(seen == 0, "\(path.name) shows \(seen) to \(scope)")
                }
                // The owner itself, and its county's bureau, find what the province finds.
                for scope in [AccessScope.owners([owner.id!]), .region(Fixtures.county)] {
                    #expect(try await path.find(scope) == province, "\(path.name) for \(scope)")
                }
            }
        }
    }
}
