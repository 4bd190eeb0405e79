import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import Testing

/// The scope leaks found by probing the demo (issue #17, items 1–3 and 9), each reproduced as the
/// probe did it, over the API, on SQLite and PostgreSQL.
@Suite struct ScopeLeakTests {
    /// Item 1: institute staff read only the warnings on instruments their institution may see
    /// (before: every warning in the province).
    @Test func instituteStaffSeeOnlyWarningsOnInstrumentsTheyMaySee() async throws {
        try await withApp { store, client in
            let w = try await AccessMatrixTests.world(store, client)
            let run = try await client.send(.post, "/api/v1/warning-runs?as_of=2026-11-26")
            #expect(run.status == .ok, "\(run.text)")
            // The administrator sees warnings on both instruments (both overdue, never verified).
            let all = try await client.send(.get, "/api/v1/warnings?limit=200")
            let everywhere = Set(((all.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["instrument_id"] as? Int })
            #expect(everywhere.isSuperset(of: [w.mine.instrument, w.otherInstrument]), "\(all.text)")
            for role in ["institute", "gulou", "owner"] {
                let r = try await client.send(.get, "/api/v1/warnings?limit=200", as: .bearer(w.tokens[role]!))
                #expect(r.status == .ok)
                let seen = Set(((r.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["instrument_id"] as? Int })
                // Exactly the in-scope instrument's warnings: Fuzhou's scale, never Xiamen's dispenser.
                #expect(seen == [w.mine.instrument], "\(role) sees warnings on \(seen)")
                // And every warning it sees is on an instrument it can open.
                for id in seen {
                    #expect(try await client.send(.get, "/api/v1/instruments/\(id)", as: .bearer(w.tokens[role]!)).status == .ok)
                }
            }
            let other = try await client.send(.get, "/api/v1/instruments/\(w.otherInstrument)", as: .bearer(w.tokens["institute"]!))
            #expect(other.status == .notFound)
        }
    }

    /// Item 3: a bureau cannot attach an instrument to another region's owner, and an owner
    /// outside its scope answers exactly like an unregistered credit code (no probing).
    @Test func anOwnerOutsideTheScopeAnswersLikeAnUnknownOne() async throws {
        try await withApp { store, client in
            let w = try await AccessMatrixTests.world(store, client)
            let xiamen = Fixtures.creditCode(77, region: Fixtures.otherCounty).value
            let unknown = Fixtures.creditCode(4242, region: Fixtures.otherCounty).value
            func file(_ credit: String, serial: String) -> [String: Any] {
                [
                    "sub_no": 2, "name": "电子计价秤", "serial_no": serial, "purpose": "trade_settlement", "region_code": "350102",
                    "address": "A区9号摊", "owner_credit_code": credit, "in_service_date": "2026-01-05",
                ]
            }
            let before = try await store.count("instruments")
            let foreign = try await client.send(.post, "/api/v1/instruments", json: file(xiamen, serial: "X-1"), as: .bearer(w.tokens["gulou"]!))
            let absent = try await client.send(.post, "/api/v1/instruments", json: file(unknown, serial: "X-2"), as: .bearer(w.tokens["gulou"]!))
            #expect(foreign.status == .badRequest && absent.status == .badRequest, "\(foreign.text) \(absent.text)")
            #expect(foreign.problemFields == ["owner_credit_code"] && absent.problemFields == ["owner_credit_code"])
            // Alike but for the code itself, which the caller sent.
            #expect(foreign.text.replacingOccurrences(of: xiamen, with: "X") == absent.text.replacingOccurrences(of: unknown, with: "X"))
            #expect(try await store.count("instruments") == before)
            // Moving an own instrument to the other region's owner is refused the same way.
            let mine = try await client.send(.get, "/api/v1/instruments/\(w.mine.instrument)", as: .bearer(w.tokens["gulou"]!)).json
            var change = file(xiamen, serial: mine["serial_no"] as! String)
            change["status"] = mine["lifecycle"]
            let moved = try await client.send(.put, "/api/v1/instruments/\(w.mine.instrument)", json: change, as: .bearer(w.tokens["gulou"]!))
            #expect(moved.status == .badRequest && moved.problemFields == ["owner_credit_code"], "\(moved.text)")
            // In scope still works.
            let ok = try await client.send(.post, "/api/v1/instruments", json: file(APIFlowTests.ownerCode, serial: "X-3"), as: .bearer(w.tokens["gulou"]!))
            #expect(ok.status == .created, "\(ok.text)")
        }
    }

    /// Item 9: a token given an empty list of permissions is refused, naming the field; an API
    /// client that leaves the list out still gets its role's permissions (documented).
    @Test func aTokenWithNoPermissionTickedIsRefused() async throws {
        try await withApp { store, client in
            let before = try await store.count("api_tokens")
            let none = try await client.send(.post, "/api/v1/api-tokens", json: ["name": "lims", "role": "bureau_staff", "region_code": "350102", "permissions": []])
            #expect(none.status == .badRequest && none.problemFields == ["permissions"], "\(none.text)")
            #expect(try await store.count("api_tokens") == before)
            let some = try await client.send(.post, "/api/v1/api-tokens", json: [
                "name": "lims", "role": "bureau_staff", "region_code": "350102", "permissions": ["registry:read"],
            ])
            #expect(some.status == .created, "\(some.text)")
            #expect((some.json["details"] as? [String: Any])?["permissions"] as? [String] == ["registry:read"])
        }
    }

    /// Item 2: in its city's demonstration round a county bureau sees the applications of its own
    /// county's owners only; the city sees all; the list matches which owners each may open.
    @Test func aCountySeesOnlyItsOwnApplicationsInItsCitysRound() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            let day = CalendarDay("2026-11-27")!
            let gulou = Principal(kind: .user, id: 901, label: "gulou", role: .bureauStaff, region: Fixtures.county)
            let city = Principal(kind: .user, id: 905, label: "fuzhou", role: .bureauStaff, region: RegionCode("350100")!)
            let inGulou = try await Fixtures.owner(1, on: db)
            let inMawei = try await Fixtures.owner(2, region: RegionCode("350105")!, on: db)
            let round = try await Demonstration.openRound(
                regionCode: "350100", sector: "market", title: "市级", criteria: nil, passScore: nil, validMonths: nil,
                opensOn: "2026-11-01", closesOn: "2026-12-31", by: city, on: db)
            func owner(_ o: OwnerModel) -> Principal { Principal(kind: .user, id: 800 + o.id!, label: "o", role: .owner, ownerIDs: [o.id!]) }
            let a = try await Demonstration.apply(roundID: round.id!, ownerID: inGulou.id, statement: "鼓楼", today: day, by: owner(inGulou), on: db)
            let b = try await Demonstration.apply(roundID: round.id!, ownerID: inMawei.id, statement: "马尾", today: day, by: owner(inMawei), on: db)
            #expect(try await Demonstration.applications(roundID: round.id!, by: gulou, on: db).map(\.id) == [a.id])
            #expect(try await Demonstration.applications(roundID: round.id!, by: city, on: db).map(\.id) == [a.id, b.id])
            #expect(try await Demonstration.applications(roundID: round.id!, by: owner(inMawei), on: db).map(\.id) == [b.id])
            await #expect(throws: RegistryError.self) { try await Registry.owner(inMawei.id!, scope: gulou.scope, on: db) }
            // Scoring or revoking a hidden application is "not found", like a missing one (it
            // answered 403 naming the round before, which told the county it exists).
            let full = Demonstration.criteria(of: round).map { "\($0.weight)" }
            for id in [b.id!, 99_999] {
                await #expect(throws: RegistryError.notFound(.application, key: "\(id)")) {
                    try await Demonstration.score(id, points: full, evidence: full.map { _ in "e" }, today: day, by: gulou, on: db)
                }
                await #expect(throws: RegistryError.notFound(.application, key: "\(id)")) {
                    try await Demonstration.revoke(id, reason: "r", today: day, by: gulou, on: db)
                }
            }
        }
    }

    /// Found while listing every query path: a bureau could move its owner out of its region,
    /// put it under another region's owner (whose account would then see the child's
    /// instruments), and learn which owners exist from the account form. Now refused, with
    /// out-of-scope answered like unknown.
    @Test func ownersStayInTheBureausRegionAndAccountsNameOnlyVisibleOwners() async throws {
        try await withApp { store, client in
            let w = try await AccessMatrixTests.world(store, client)
            let gulou = TestAuth.bearer(w.tokens["gulou"]!)
            var body: [String: Any] = [
                "name": "鼓楼区鑫盛农贸市场", "credit_code": APIFlowTests.ownerCode, "address": "鼓楼区五四路1号", "region_code": "350203", "industry": "market",
            ]
            let moved = try await client.send(.put, "/api/v1/owners/\(w.mine.owner)", json: body, as: gulou)
            #expect(moved.status == .forbidden, "\(moved.text)")
            body["region_code"] = "350102"
            body["parent_id"] = w.otherOwner
            let foreignParent = try await client.send(.put, "/api/v1/owners/\(w.mine.owner)", json: body, as: gulou)
            body["parent_id"] = 99_999_999
            let noParent = try await client.send(.put, "/api/v1/owners/\(w.mine.owner)", json: body, as: gulou)
            #expect(foreignParent.status == .badRequest && foreignParent.problemFields == ["parent_id"], "\(foreignParent.text)")
            #expect(foreignParent.text == noParent.text)
            let stored = try await client.send(.get, "/api/v1/owners/\(w.mine.owner)").json
            #expect(stored["region_code"] as? String == "350102" && stored["parent_id"] == nil)
            // Creating one elsewhere is refused too.
            body["parent_id"] = nil
            body["credit_code"] = Fixtures.creditCode(88, region: Fixtures.otherCounty).value
            body["region_code"] = "350203"
            #expect(try await client.send(.post, "/api/v1/owners", json: body, as: gulou).status == .forbidden)
            // Inviting an owner account: another region's owner answers like a missing one.
            func invite(_ owner: Int, as auth: TestAuth) async throws -> TestResponse {
                try await client.send(.post, "/api/v1/users", json: [
                    "login": "owner-\(owner)", "display_name": "x", "password": "a long password", "role": "owner", "owner_id": owner,
                ], as: auth)
            }
            let foreign = try await invite(w.otherOwner, as: gulou), missing = try await invite(99_999_999, as: gulou)
            #expect(foreign.status == .badRequest && foreign.problemFields == ["owner_id"], "\(foreign.text)")
            #expect(foreign.text == missing.text)
            #expect(try await invite(w.mine.owner, as: gulou).status == .created)
            // A caller who may not invite at all gets 403 whatever the owner.
            let ownerToken = TestAuth.bearer(w.tokens["owner"]!)
            #expect(try await invite(w.otherOwner, as: ownerToken).status == .forbidden)
            #expect(try await invite(99_999_999, as: ownerToken).status == .forbidden)
        }
    }
}
