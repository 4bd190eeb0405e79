import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangStore
import JiliangTestSupport
import Testing

/// Bad input answers with an RFC 9457 problem naming the field, never a 500, and stores nothing.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var status: HTTPResponse.Status
        var field: String?
        var testDescription: String { name }
    }

    /// Words of Swift's decoders and the generated code that a client should never read.
    static let internals = ["Swift.", "Operations.", "Components.", "Payload", "CodingKeys", "DecodingError", "Int64", "Int32", "codingPath", "debugDescription", "Optional("]

    static let owner = #"{"name":"X","credit_code":"91330100716105852F","address":"A","region_code":"350102","industry":"market"}"#

    static let cases: [Case] = [
        Case(name: "wrong credit code check character", method: .post, uri: "/api/v1/owners",
             body: #"{"name":"X","credit_code":"91330100716105852G","address":"A","region_code":"350102","industry":"market"}"#, status: .badRequest, field: "credit_code"),
        Case(name: "unknown region", method: .post, uri: "/api/v1/owners",
             body: #"{"name":"X","credit_code":"91330100716105852F","address":"A","region_code":"350199","industry":"market"}"#, status: .badRequest, field: "region_code"),
        Case(name: "unknown industry", method: .post, uri: "/api/v1/owners",
             body: #"{"name":"X","credit_code":"91330100716105852F","address":"A","region_code":"350102","industry":"bank"}"#, status: .badRequest, field: "industry"),
        Case(name: "missing name", method: .post, uri: "/api/v1/owners",
             body: #"{"credit_code":"91330100716105852F","address":"A","region_code":"350102","industry":"market"}"#, status: .badRequest, field: "name"),
        Case(name: "wrong JSON type", method: .post, uri: "/api/v1/instruments", body: #"{"sub_no":"two"}"#, status: .badRequest, field: "sub_no"),
        Case(name: "malformed JSON", method: .post, uri: "/api/v1/owners", body: #"{"name": "#, status: .badRequest, field: nil),
        Case(name: "instrument with unknown catalogue item", method: .post, uri: "/api/v1/instruments",
             body: #"{"sub_no":555,"name":"秤","serial_no":"1","purpose":"trade_settlement","region_code":"350102","address":"A","owner_credit_code":"91330100716105852F","in_service_date":"2026-01-01"}"#,
             status: .badRequest, field: "sub_no"),
        Case(name: "instrument of an unregistered owner", method: .post, uri: "/api/v1/instruments",
             body: #"{"sub_no":2,"name":"秤","serial_no":"1","purpose":"trade_settlement","region_code":"350102","address":"A","owner_credit_code":"9144030071526726XG","in_service_date":"2026-01-01"}"#,
             status: .badRequest, field: "owner_credit_code"),
        Case(name: "latitude out of range", method: .post, uri: "/api/v1/instruments",
             body: #"{"sub_no":2,"name":"秤","serial_no":"1","purpose":"trade_settlement","region_code":"350102","address":"A","owner_credit_code":"91330100716105852F","in_service_date":"2026-01-01","latitude":95,"longitude":119}"#,
             status: .badRequest, field: "latitude"),
        Case(name: "record in the future", method: .post, uri: "/api/v1/verification-records",
             body: #"{"instrument_id":1,"institution_id":1,"date":"2027-01-01","kind":"periodic","result":"pass","certificate_no":"C","recorded_by":"me"}"#,
             status: .badRequest, field: "date"),
        Case(name: "failed record with a certificate", method: .post, uri: "/api/v1/verification-records",
             body: #"{"instrument_id":1,"institution_id":1,"date":"2026-01-01","kind":"periodic","result":"fail","certificate_no":"C","recorded_by":"me"}"#,
             status: .badRequest, field: "certificate_no"),
        Case(name: "unknown status filter", method: .get, uri: "/api/v1/instruments?status=lost", body: nil, status: .badRequest, field: "status"),
        Case(name: "bad date filter", method: .get, uri: "/api/v1/instruments?due_before=tomorrow", body: nil, status: .badRequest, field: "due_before"),
        Case(name: "bad region filter", method: .get, uri: "/api/v1/instruments?region=35", body: nil, status: .badRequest, field: "region"),
        Case(name: "limit too large", method: .get, uri: "/api/v1/owners?limit=100000", body: nil, status: .badRequest, field: "limit"),
        Case(name: "forged cursor", method: .get, uri: "/api/v1/owners?cursor=abc", body: nil, status: .badRequest, field: "cursor"),
        Case(name: "malformed instrument code", method: .get, uri: "/api/v1/instruments/by-code/ABC", body: nil, status: .badRequest, field: "code"),
        Case(name: "unknown instrument", method: .get, uri: "/api/v1/instruments/999999", body: nil, status: .notFound, field: nil),
        Case(name: "non-numeric id", method: .get, uri: "/api/v1/owners/abc", body: nil, status: .badRequest, field: nil),
        Case(name: "rule without a cycle", method: .post, uri: "/api/v1/catalogue/2/rules",
             body: #"{"effective_from":"2027-01-01","form":"periodic","confidence":"partial"}"#, status: .badRequest, field: "cycle_months"),
        Case(name: "inbox of nobody", method: .get, uri: "/api/v1/inbox?recipient=everyone", body: nil, status: .badRequest, field: "recipient"),
        Case(name: "schedule with a bad date", method: .post, uri: "/api/v1/instruments/1/schedules",
             body: #"{"name":"seal check","due_date":"2026-02-30"}"#, status: .badRequest, field: "due_date"),
        Case(name: "region under a missing parent", method: .put, uri: "/api/v1/regions/351201",
             body: #"{"name":"无此区"}"#, status: .badRequest, field: "code"),
        Case(name: "empty import", method: .post, uri: "/api/v1/imports/instruments", body: "", status: .badRequest, field: "body"),
        Case(name: "an import that is no CSV of instruments", method: .post, uri: "/api/v1/imports/instruments", body: "{}", status: .badRequest, field: "file"),
        Case(name: "a number where text belongs", method: .post, uri: "/api/v1/owners",
             body: #"{"name":5,"credit_code":"91330100716105852F","address":"A","region_code":"350102","industry":"market"}"#, status: .badRequest, field: "name"),
        Case(name: "an id beyond 64 bits", method: .get, uri: "/api/v1/owners/99999999999999999999", body: nil, status: .badRequest, field: "id"),
        Case(name: "a text limit", method: .get, uri: "/api/v1/owners?limit=many", body: nil, status: .badRequest, field: "limit"),
        Case(name: "a year out of range", method: .get, uri: "/api/v1/calendar-days?year=-661036394", body: nil, status: .badRequest, field: "year"),
        Case(name: "an over-long search", method: .get, uri: "/api/v1/owners?q=" + String(repeating: "a", count: 201), body: nil, status: .badRequest, field: "q"),
        // Parameters outside the bounds the API document gives them (#17 item 10: answered 200 before).
        Case(name: "a year past the calendar's range", method: .get, uri: "/api/v1/calendar-days?year=2101", body: nil, status: .badRequest, field: "year"),
        Case(name: "a catalogue sub-item past 999", method: .get, uri: "/api/v1/instruments?sub_no=1000", body: nil, status: .badRequest, field: "sub_no"),
        Case(name: "an id filter past 2^53", method: .get, uri: "/api/v1/filings?instrument_id=9007199254740992", body: nil, status: .badRequest, field: "instrument_id"),
        Case(name: "an id of 0", method: .get, uri: "/api/v1/owners/0", body: nil, status: .badRequest, field: "id"),
        Case(name: "a negative owner filter", method: .get, uri: "/api/v1/warnings?owner_id=-3", body: nil, status: .badRequest, field: "owner_id"),
        Case(name: "an over-long audit entity", method: .get, uri: "/api/v1/audit?entity=" + String(repeating: "e", count: 65), body: nil, status: .badRequest, field: "entity"),
        Case(name: "an over-long public search", method: .get, uri: "/api/v1/public/dishonesty-list?q=" + String(repeating: "q", count: 41), body: nil, status: .badRequest, field: "q"),
        Case(name: "a number too large for an id", method: .post, uri: "/api/v1/owners",
             body: #"{"name":"X","credit_code":"91330100716105852F","address":"A","region_code":"350102","industry":"market","parent_id":1e40}"#, status: .badRequest, field: nil),
        Case(name: "commitments of an owner not in scope", method: .get, uri: "/api/v1/commitments?owner_id=99999", body: nil, status: .notFound, field: nil),
        Case(name: "a body that is not an object", method: .post, uri: "/api/v1/owners", body: "[1,2]", status: .badRequest, field: "body"),
        // 52 code points in 26 grapheme clusters (e + combining acute): over the name's 50 as JSON
        // Schema counts (TextLengthTests); taken before, when the clusters were counted.
        Case(name: "a name over its limit in code points", method: .put, uri: "/api/v1/regions/350102",
             body: #"{"name":""# + String(repeating: #"e\u0301"#, count: 26) + #""}"#, status: .badRequest, field: "name"),
    ]

    @Test(arguments: cases)
    func answersWithAProblemNamingTheField(_ c: Case) async throws {
        try await withApp { store, client in
            // setup: one owner, so that uniqueness and lookups have something to meet
            _ = try await client.sendRaw(.post, "/api/v1/owners", contentType: "application/json", body: Self.owner)
            let before = try await store.count("instruments")
            // MUT
            let r: TestResponse
            if let body = c.body {
                r = try await client.sendRaw(c.method, c.uri, contentType: c.uri.contains("imports") ? "text/csv" : "application/json", body: body)
            } else {
                r = try await client.send(c.method, c.uri)
            }
            // validate
            #expect(r.status == c.status, "\(r.text)")
            #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(r.json["status"] as? Int == Int(c.status.code))
            if let f = c.field { #expect(r.problemFields.contains(f), "fields \(r.problemFields) in \(r.text)") }
            // In the client's terms, never the decoder's (issue #17, item 10).
            #expect(!Self.internals.contains { r.text.contains($0) }, "\(r.text)")
            let after = try await store.count("instruments")
            #expect(before == after)
        }
    }

    @Test func duplicateOwnerIsAConflict() async throws {
        try await withApp { _, client in
            _ = try await client.sendRaw(.post, "/api/v1/owners", contentType: "application/json", body: Self.owner)
            let again = try await client.sendRaw(.post, "/api/v1/owners", contentType: "application/json", body: Self.owner)
            #expect(again.status == .conflict && again.problemFields == ["credit_code"])
        }
    }
}
