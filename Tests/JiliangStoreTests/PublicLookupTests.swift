import FluentKit
import Foundation
import JiliangCore
@testable import JiliangStore
import JiliangTestSupport
import Testing

/// The public lookup: the same answer on both databases, and on SQLite a statement that stays
/// prepared across lookups of different codes (no re-preparation on each new binding).
@Suite struct PublicLookupTests {
    @Test func findsTheInstrumentWithItsLatestRecordAndKeepsTheStatementPrepared() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution("鼓楼计量所", on: db)
            let a = try await Fixtures.instrument(serial: "A", owner: owner, on: db)
            let b = try await Fixtures.instrument(serial: "B", owner: owner, on: db)
            _ = try await Fixtures.record(a, institution: lab, date: "2025-03-01", on: db)
            let latest = try await Fixtures.record(a, institution: lab, date: "2026-03-01", result: .fail, on: db)
            // MUT
            let foundA = try await PublicLookup.instrument(code: a.code, store: store)
            let foundB = try await PublicLookup.instrument(code: InstrumentCode(validating: b.code).grouped.lowercased(), store: store)
            var rng = SystemRandomNumberGenerator()
            let unknown = try await PublicLookup.instrument(code: InstrumentCode.issue(region: Fixtures.county, using: &rng).value, store: store)
            let malformed = try await PublicLookup.instrument(code: "not-a-code", store: store)
            // validate
            #expect(foundA?.recordID == latest.id && foundA?.lastResult == "fail" && foundA?.lastVerifiedOn == "2026-03-01")
            #expect(foundA?.institutionName == "鼓楼计量所" && foundA?.ownerName == owner.name && foundA?.ownerIndustry == "market")
            #expect(foundB?.code == b.code && foundB?.recordID == nil && foundB?.lastVerifiedOn == nil)
            #expect(unknown == nil && malformed == nil)
            if let reader = store.lookupReader {
                let reprepares = try await reader.read { $0.reprepares(PublicLookup.instrumentSQL) }
                #expect(reprepares == 0)
                // Pages come through the memory map (issue #23), and it still shows what is written
                // after the connection opened (the write sits in the WAL until a checkpoint).
                let mapped = try await reader.read { c in
                    var bytes: Int64?
                    try c.query("PRAGMA mmap_size", []) { bytes = $0.int(0) }
                    return bytes
                }
                #expect(mapped == SQLiteLookupReader.Connection.mapBytes)
                let newer = try await Fixtures.record(b, institution: lab, date: "2026-04-01", on: db)
                let seen = try await PublicLookup.instrument(code: b.code, store: store)
                #expect(seen?.recordID == newer.id && seen?.lastVerifiedOn == "2026-04-01")
            }
        }
    }

    /// The public page's place (issue #20, item 6): a market scale's county and address; a
    /// utility's meter, in a customer's home, its county only.
    @Test func aMetersAddressInACustomersHomeIsNotShown() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let market = try await Fixtures.owner(1, industry: .market, on: db)
            let water = try await Fixtures.owner(2, industry: .waterUtility, on: db)
            let scale = try await Fixtures.instrument(serial: "S", owner: market, on: db)
            let meter = try await Fixtures.instrument(subNo: 14, serial: "M", owner: water, meter: (.water, 20, nil), on: db)
            let shownScale = try #require(try await PublicLookup.instrument(code: scale.code, store: store))
            let shownMeter = try #require(try await PublicLookup.instrument(code: meter.code, store: store))
            #expect(shownScale.publicPlace == "\(shownScale.regionName ?? "") 测试市场1号摊")
            #expect(shownMeter.publicPlace == shownMeter.regionName && !shownMeter.publicPlace.contains("测试市场"))
        }
    }
}
