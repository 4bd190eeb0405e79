import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// The public site over HTTP without signing in: the instrument page (status in words, no personal
/// data, the ledger check), the business page, typed lookups, complaints with photos, free-check
/// bookings, quizzes, and the abuse guards (rate limits, upload checks, no code oracle).
@Suite struct PublicSiteTests {
    static func multipart(_ fields: [(String, String)], photo: [UInt8]?, type: String = "image/jpeg") -> (String, ByteBuffer) {
        let boundary = "----jiliang\(UUID().uuidString)"
        var body = ByteBuffer()
        for (k, v) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n")
        }
        if let photo {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\nContent-Type: \(type)\r\n\r\n")
            body.writeBytes(photo)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    @Test func instrumentPageShowsTheStatusAndNoPersonalData() async throws {
        try await withApp { store, client in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let lab = try await Fixtures.institution("福州市计量所", on: db)
            let scale = try await Fixtures.instrument(owner: owner, on: db)
            _ = try await Fixtures.record(scale, institution: lab, date: "2026-03-02", on: db)
            let meterOwner = try await Fixtures.owner(2, industry: .waterUtility, on: db)
            let meter = try await Fixtures.instrument(subNo: 14, serial: "W1", owner: meterOwner, meter: (.water, 20, nil), on: db)
            // MUT: before the record is in the ledger, then after
            let before = try await client.send(.get, "/p/i/\(scale.code)", as: .anonymous)
            let ledger = try TestLedger.ledger(store)
            _ = try await ledger.sequenceAll()
            _ = try await ledger.publish()
            let after = try await client.send(.get, "/p/i/\(InstrumentCode(validating: scale.code).grouped)", as: .anonymous)
            // validate
            #expect(before.status == .ok && before.text.contains("cert-pending"))
            #expect(after.status == .ok)
            let page = after.text
            for shown in ["检定有效", "data-status=\"valid\"", "福州市计量所", "2026-03-02", "2027-03-01", "测试市场1", "id=\"cert-verified\"", "/p/i/\(scale.code)/certificate"] {
                #expect(page.contains(shown), "missing \(shown)")
            }
            for hidden in ["13800000000", "王五", "tester"] { #expect(!page.contains(hidden), "leaks \(hidden)") }
            #expect(after.headers[.cacheControl] == "public, max-age=60")
            // the certificate downloads and is the ledger's
            let cert = try await client.send(.get, "/p/i/\(scale.code)/certificate", as: .anonymous)
            #expect(cert.status == .ok && cert.text.hasPrefix("jiliang-certificate/v1\nrecord verification-record/"))
            // a utility's meter in a home: no address
            let meterPage = try await client.send(.get, "/p/i/\(meter.code)", as: .anonymous).text
            #expect(meterPage.contains("data-status=") && meterPage.contains("鼓楼区"))
            #expect(!meterPage.contains("测试市场1号摊"))
            // the business page lists the instrument, the lookup form redirects
            let business = try await client.send(.get, "/p/b/\(owner.creditCode)", as: .anonymous)
            #expect(business.status == .ok && business.text.contains("/p/i/\(scale.code)") && !business.text.contains("13800000000"))
            let typed = try await client.send(.get, "/p/lookup?code=\(InstrumentCode(validating: scale.code).grouped.lowercased())", as: .anonymous)
            #expect(typed.status == .seeOther && typed.headers[.location] == "/p/i/\(scale.code)")
        }
    }

    @Test func namesAreEscapedOnThePublicPages() async throws {
        try await withApp { store, client in
            let owner = try await Fixtures.owner(on: store.db)
            owner.name = "<script>alert('x')</script>&\"水果\"摊"
            try await owner.save(on: store.db)
            let scale = try await Fixtures.instrument(owner: owner, on: store.db)
            for uri in ["/p/i/\(scale.code)", "/p/b/\(owner.creditCode)"] {
                let page = try await client.send(.get, uri, as: .anonymous).text
                #expect(!page.contains("<script>") && page.contains("&lt;script&gt;alert("), "\(uri)")
            }
            #expect(PublicHTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        }
    }

    @Test(arguments: [
        ("/p/lookup?code=35010", HTTPResponse.Status.badRequest),  // too short: named as a bad code
        ("/p/i/350102AAAAAAAAAAAA0", .badRequest),  // wrong check character
        ("/p/b/91350102MA0000000X", .notFound),
        ("/p/complaints/0000000000000000", .notFound),
        ("/p/checks/not-a-code", .notFound),
        ("/p/campaigns/no-such-thing", .notFound),
    ])
    func badAndUnknownAddressesAnswerWithAPageNotA500(uri: String, status: HTTPResponse.Status) async throws {
        try await withApp { _, client in
            let r = try await client.send(.get, uri, as: .anonymous)
            #expect(r.status == status)
            #expect(r.headers[.contentType] == "text/html; charset=utf-8" && r.text.contains("id=\"error\""))
        }
    }

    @Test func unknownButWellFormedCodesAreNotFound() async throws {
        try await withApp { _, client in
            var rng = SystemRandomNumberGenerator()
            let code = InstrumentCode.issue(region: Fixtures.county, using: &rng)
            let r = try await client.send(.get, "/p/i/\(code.value)", as: .anonymous)
            #expect(r.status == .notFound && r.text.contains("没有找到这个编码的计量器具"))
        }
    }

    @Test func rateLimitsAreKeptPerClientAndMissesCostMore() async throws {
        try await withApp(configure: {
            $0.publicRateLimit = .init(perMinute: 6, burst: 12)
            $0.publicRateLimitClock = { 0 }  // no refill during the test, however slow the machine
            $0.trustForwardedFor = true
        }) { _, client in
            func get(_ uri: String, from ip: String) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .get, headers: [.init("X-Forwarded-For")!: ip], body: nil)
            }
            // twelve reads pass, the thirteenth is refused with Retry-After
            for _ in 0..<12 { #expect(try await get("/p", from: "203.0.113.7").status == .ok) }
            let refused = try await get("/p", from: "203.0.113.7")
            #expect(refused.status == .tooManyRequests && Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // another client is not affected
            #expect(try await get("/p", from: "198.51.100.9").status == .ok)
            // a miss costs eleven: after one, a single read is left
            var rng = SystemRandomNumberGenerator()
            let unknown = InstrumentCode.issue(region: Fixtures.county, using: &rng).value
            #expect(try await get("/p/i/\(unknown)", from: "192.0.2.1").status == .notFound)
            #expect(try await get("/p", from: "192.0.2.1").status == .ok)
            #expect(try await get("/p", from: "192.0.2.1").status == .tooManyRequests)
            // A miss with fewer tokens left than it costs takes what is left: no free guesses
            // (issue #17, item 5 — before, a miss then cost nothing and guessing ran on).
            for _ in 0..<5 { #expect(try await get("/p", from: "192.0.2.2").status == .ok) }  // 7 left
            var misses = 0
            while try await get("/p/i/\(InstrumentCode.issue(region: Fixtures.county, using: &rng).value)", from: "192.0.2.2").status == .notFound {
                misses += 1
                if misses > 12 { break }
            }
            #expect(misses == 1, "a client with 7 tokens made \(misses) guesses")
        }
    }

    @Test func aMissAlwaysCostsItsFullPrice() {
        final class Clock: @unchecked Sendable { var now = 0.0 }
        let clock = Clock()
        let limiter = RateLimiter(limits: .init(perMinute: 60, burst: 12), clock: { clock.now })
        #expect(limiter.take(5, client: "a").allowed)  // 7 left
        limiter.charge(10, client: "a")  // a miss costing more than is left: 3 in debt
        #expect(limiter.take(1, client: "a") == (false, 4))
        clock.now = 3
        #expect(!limiter.take(1, client: "a").allowed)  // the debt is paid, nothing yet to spend
        clock.now = 4
        #expect(limiter.take(1, client: "a").allowed)
        // Steady guessing at the default price (1 + 10 a miss) runs at the refill rate: one guess every
        // 11 s at 60 a minute, however the guesses are spread.
        var guesses = 0
        for second in stride(from: 10.0, to: 70, by: 0.5) {
            clock.now = second
            if limiter.take(1, client: "g").allowed { guesses += 1; limiter.charge(10, client: "g") }
        }
        #expect(guesses <= 12 / 11 + 1 + 60 / 11 + 1, "\(guesses) guesses in a minute")
        // The debt is bounded (one burst): after ten misses in a row, 13 s of refill pay it off.
        clock.now = 100
        for _ in 0..<10 { limiter.charge(10, client: "d") }
        clock.now = 112
        #expect(!limiter.take(1, client: "d").allowed)
        clock.now = 113
        #expect(limiter.take(1, client: "d").allowed)
    }

    @Test func rateLimiterRefillsOverTime() {
        final class Clock: @unchecked Sendable { var now = 0.0 }
        let clock = Clock()
        let limiter = RateLimiter(limits: .init(perMinute: 60, burst: 3), clock: { clock.now })
        #expect((0..<3).map { _ in limiter.take(1, client: "a").allowed } == [true, true, true])
        #expect(limiter.take(1, client: "a") == (false, 1))
        clock.now = 2  // one token a second
        #expect(limiter.take(2, client: "a").allowed)
        #expect(!limiter.take(1, client: "a").allowed)
        #expect(RateLimiter(limits: .init(perMinute: 0, burst: 0)).take(1000, client: "a").allowed)  // off
    }

    @Test func aComplaintWithAPhotoIsFiledAndFollowed() async throws {
        try await withApp(today: "2026-11-27") { store, client in
            let db = store.db
            let owner = try await Fixtures.owner(on: db)
            let scale = try await Fixtures.instrument(owner: owner, on: db)
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 5000)
            let (type, body) = Self.multipart(
                [("instrument_code", scale.code), ("category", "short_weight"), ("text", "称了一斤少了一两"), ("contact", "13911112222")], photo: jpeg)
            // MUT
            let filed = try await client.execute(uri: "/p/complaints", method: .post, headers: [.contentType: type], body: body)
            // validate
            #expect(filed.status == .created)
            let code = try #require(filed.text.range(of: "id=\"tracking-code\">").map { String(filed.text[$0.upperBound...].prefix(19)) })
            #expect(filed.text.contains("2026-12-18"))  // 15 working days after Friday 27 November
            let stored = try #require(try await ComplaintModel.query(on: db).first())
            #expect(stored.hasPhoto && stored.citizenContact == "13911112222" && TrackingCode(typed: code)?.value == stored.trackingCode)
            #expect(try await ComplaintPhotoModel.query(on: db).first()?.bytes == Data(jpeg))
            let page = try await client.send(.get, "/p/complaints/track?code=\(code)", as: .anonymous)
            #expect(page.status == .seeOther)
            let followed = try await client.send(.get, page.headers[.location]!, as: .anonymous)
            #expect(followed.status == .ok && followed.text.contains("data-state=\"received\"") && !followed.text.contains("13911112222"))
            // the bureau's photo link serves it as an image that browsers must not sniff
            let photo = try await client.send(.get, "/app/complaints/\(stored.id!)/photo", as: .admin)
            #expect(photo.status == .ok && photo.headers[.contentType] == "image/jpeg" && photo.headers[.init("X-Content-Type-Options")!] == "nosniff")
        }
    }

    @Test(arguments: [
        ("GIF89a-not-allowed", "photo：应为 JPEG 或 PNG 格式的图片"),  // the public site words in Chinese unless asked
        ("<svg onload=alert(1)>", "photo：应为 JPEG 或 PNG 格式的图片"),
    ])
    func uploadsOfOtherTypesAreRefused(content: String, message: String) async throws {
        try await withApp { store, client in
            let owner = try await Fixtures.owner(on: store.db)
            let (type, body) = Self.multipart(
                [("business_credit_code", owner.creditCode), ("category", "other"), ("text", "x")], photo: Array(content.utf8), type: "image/jpeg")
            let r = try await client.execute(uri: "/p/complaints", method: .post, headers: [.contentType: type], body: body)
            #expect(r.status == .badRequest && r.text.contains(message))
            #expect(try await ComplaintModel.query(on: store.db).count() == 0)
        }
    }

    @Test func oversizedUploadsAreRefusedBeforeTheyAreRead() async throws {
        try await withApp { store, client in
            let owner = try await Fixtures.owner(on: store.db)
            let big = [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 1, count: 3 << 20)
            let (type, body) = Self.multipart([("business_credit_code", owner.creditCode), ("category", "other"), ("text", "x")], photo: big)
            let r = try await client.execute(uri: "/p/complaints", method: .post, headers: [.contentType: type], body: body)
            #expect(r.status == .badRequest && r.text.contains("photo"))
            #expect(try await ComplaintModel.query(on: store.db).count() == 0)
        }
    }

    @Test func aFreeCheckIsBookedUntilTheSessionIsFull() async throws {
        try await withApp { store, client in
            let lab = try await Fixtures.institution(on: store.db)
            let slot = try await FreeChecks.openSlot(
                institutionID: lab.id, day: "2026-12-20", time: "09:00", place: "省计量院", items: "血压计", capacity: "1", today: CalendarDay("2026-11-26")!,
                by: .system("tests"), on: store.db)
            let list = try await client.send(.get, "/p/checks", as: .anonymous)
            #expect(list.status == .ok && list.text.contains("value=\"\(slot.id!)\""))
            let form = "slot_id=\(slot.id!)&item=%E8%A1%80%E5%8E%8B%E8%AE%A1&contact_name=&contact_phone="
            let booked = try await client.sendRaw(.post, "/p/checks/book", contentType: "application/x-www-form-urlencoded", body: form, as: .anonymous)
            #expect(booked.status == .created && booked.text.contains("id=\"tracking-code\""))
            let full = try await client.sendRaw(.post, "/p/checks/book", contentType: "application/x-www-form-urlencoded", body: form, as: .anonymous)
            #expect(full.status == .conflict && full.text.contains("该场次已约满"))
            let missing = try await client.sendRaw(.post, "/p/checks/book", contentType: "application/x-www-form-urlencoded", body: "item=x", as: .anonymous)
            #expect(missing.status == .badRequest && missing.text.contains("slot_id"))
        }
    }

    @Test func theQuizShowsTheScore() async throws {
        try await withApp { store, client in
            let (_, questions) = try await Campaigns.campaign(slug: "consumer-day-2027", on: store.db)
            let body = questions.map { "q\($0.id!)=\($0.answer)" }.joined(separator: "&")
            let r = try await client.sendRaw(.post, "/p/campaigns/consumer-day-2027/quiz", contentType: "application/x-www-form-urlencoded", body: body, as: .anonymous)
            #expect(r.status == .ok && r.text.contains("id=\"score\"") && r.text.contains("\(questions.count) / \(questions.count)"))
            let bad = try await client.sendRaw(.post, "/p/campaigns/consumer-day-2027/quiz", contentType: "application/x-www-form-urlencoded", body: "qabc=1", as: .anonymous)
            #expect(bad.status == .badRequest)
            for uri in ["/p/campaigns", "/p/institutions", "/p/complaints/new", "/p/complaints/track", "/p?lang=en"] {
                #expect(try await client.send(.get, uri, as: .anonymous).status == .ok, "\(uri)")
            }
        }
    }
}
