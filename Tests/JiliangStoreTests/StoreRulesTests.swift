import FluentKit
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// Rules that used to live in HTTP handlers, now the store's (issue #20, item 6), tested without HTTP.
@Suite struct StoreRulesTests {
    /// An owner registers drafts only; the bureau files them by approving the owner's filing
    /// (notice 2022 §三: 强检备案 is the bureau's). A bureau's own registration keeps its status.
    @Test func anOwnerRegistersDraftsOnly() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let code = try CreditCode(validating: owner.creditCode)
            var rng = SystemRandomNumberGenerator()
            var raw = Fixtures.raw(serial: "OWN-1", owner: code)
            raw.status = LifecycleStatus.inService.rawValue
            let asked = try InstrumentDraft.parse(raw, context: try await Registry.context(on: db))
            let mine = try await Registry.createInstrument(asked, scope: .owners([owner.id!]), on: db, generator: &rng)
            #expect(mine.lifecycle == LifecycleStatus.draft.rawValue)
            // Moving its own draft into service is the bureau's step, refused to the owner.
            await #expect(throws: RegistryError.self) {
                try await Registry.updateInstrument(mine.id!, asked, scope: .owners([owner.id!]), on: db)
            }
            #expect(try await InstrumentModel.find(mine.id, on: db)?.lifecycle == LifecycleStatus.draft.rawValue)
            // The bureau's registration is stored as asked.
            raw.serialNo = "BUREAU-1"
            let theirs = try await Registry.createInstrument(
                try InstrumentDraft.parse(raw, context: try await Registry.context(on: db)), scope: .region(RegionCode("350102")!), on: db, generator: &rng)
            #expect(theirs.lifecycle == LifecycleStatus.inService.rawValue)
        }
    }

    /// The kind of a result recorded from the short form: 首次检定 for an instrument never
    /// verified, 后续检定 (periodic) after that (JJF 1001-2011's terms).
    @Test func aResultIsTheFirstVerificationUntilOneIsRecorded() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution(on: db)
            let scale = try await Fixtures.instrument(owner: owner, on: db)
            #expect(try await VerificationRequests.kindOfNextVerification(instrumentID: scale.id!, on: db) == .first)
            _ = try await Fixtures.record(scale, institution: lab, date: "2025-01-10", kind: .first, on: db)
            #expect(try await VerificationRequests.kindOfNextVerification(instrumentID: scale.id!, on: db) == .periodic)
        }
    }
}
