import Foundation
import NIOCore
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTelemetry
import JiliangTestSupport
import Testing

/// Smart supervision's API (issue #21) over real HTTP: a gateway's own token (telemetry:write
/// only) registers nothing else and sends NDJSON; a retried batch adds nothing; each bad line is
/// named; what the detectors found is listed with its evidence.
@Suite struct TelemetryAPITests {
    static func delivery(_ seq: Int, amount: Double = 300.40) -> String {
        #"{"device":"FZ-0001","seq":\#(seq),"at":"2026-11-26T09:00:00+08:00","type":"delivery","nozzle":1,"volume":40,"amount":\#(amount),"unit_price":7.51,"start":"2026-11-26T08:59:00+08:00","end":"2026-11-26T09:00:00+08:00"}"#
    }

    @Test func aGatewaySendsItsBatchAndTheBureauReadsWhatWasFound() async throws {
        try await withApp { _, client in
            _ = try await APIFlowTests.seed(client)
            let made = try await client.send(.post, "/api/v1/instruments", json: [
                "sub_no": 10, "name": "燃油加油机", "serial_no": "JY-9", "purpose": "trade_settlement", "region_code": "350102",
                "address": "加油站", "owner_credit_code": APIFlowTests.ownerCode, "in_service_date": "2026-01-05",
            ])
            let instrument = made.json["id"] as! Int
            let device = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "FZ-0001", "instrument_id": instrument, "kind": "fuel_dispenser"])
            #expect(device.status == .created, "\(device.text)")
            let unknownKind = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "X", "instrument_id": instrument, "kind": "toaster"])
            #expect(unknownKind.status == .badRequest)
            // A gateway's token: the province's, narrowed to telemetry:write.
            let token = try await client.send(.post, "/api/v1/api-tokens", json: ["name": "station gateway", "role": "province_admin", "permissions": ["telemetry:write"]])
            #expect(token.status == .created, "\(token.text)")
            let gateway = TestAuth.bearer(token.json["token"] as! String)
            #expect(try await client.send(.get, "/api/v1/instruments", as: gateway).status == .forbidden)

            let batch = [Self.delivery(1), "{\"device\":\"FZ-0001\"", Self.delivery(2, amount: 290)].joined(separator: "\n")
            let sent = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "application/x-ndjson", body: batch, as: gateway)
            #expect(sent.status == .ok, "\(sent.text)")
            // The gateway is not told whether its batch tripped a detector; staff read the findings.
            #expect(sent.json["accepted"] as? Int == 2 && sent.json["duplicates"] as? Int == 0 && sent.json["findings"] == nil)
            let errors = sent.json["errors"] as? [[String: Any]]
            #expect(errors?.count == 1 && errors?.first?["line"] as? Int == 2 && errors?.first?["message"] as? String == "is not one JSON object")
            let retried = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "application/x-ndjson", body: batch, as: gateway)
            #expect(retried.json["accepted"] as? Int == 0 && retried.json["duplicates"] as? Int == 2)
            let empty = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "application/x-ndjson", body: "", as: gateway)
            #expect(empty.status == .badRequest)

            let findings = try await client.send(.get, "/api/v1/telemetry/findings")
            let items = findings.json["items"] as? [[String: Any]] ?? []
            let first = items.first
            #expect(items.count == 1 && first?["detector"] as? String == "price_arithmetic" && first?["seqs"] as? [Int] == [2], "\(findings.text)")
            #expect((first?["evidence"] as? [String: String])?["expected_amount"] == "300.4")
            let devices = try await client.send(.get, "/api/v1/telemetry/devices")
            #expect((devices.json["items"] as? [[String: Any]])?.first?["last_seen_at"] != nil, "\(devices.text)")
            // A page at a time: two more devices, one a page, the cursor to the next, none left after.
            for name in ["FZ-0002", "FZ-0003"] {
                _ = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": name, "instrument_id": instrument, "kind": "fuel_dispenser"])
            }
            var names: [String] = []
            var query = "limit=1"
            for _ in 0..<10 {
                let page = try await client.send(.get, "/api/v1/telemetry/devices?" + query)
                names += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                guard let next = page.json["next_cursor"] as? String else { break }
                query = "limit=1&cursor=" + next
            }
            let listed = names
            #expect(listed == ["FZ-0001", "FZ-0002", "FZ-0003"])
            let bad = try await client.send(.get, "/api/v1/telemetry/findings?cursor=nonsense")
            #expect(bad.status == .badRequest && bad.problemFields == ["cursor"], "\(bad.text)")
        }
    }

    /// The review over the API: the queue, one alert, a decision that is final; another county's
    /// bureau finds the alert unknown (its id answers as an unknown id does), an owner may not review.
    @Test func aBureauReviewsAnAlertThroughTheAPI() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            let device = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-API-1", "instrument_id": ids.instrument, "kind": "scale"])
            #expect(device.status == .created, "\(device.text)")
            _ = try await client.sendRaw(
                .post, "/api/v1/telemetry/readings", contentType: "text/plain",
                body: #"{"device":"SC-API-1","seq":1,"at":"2026-11-29T22:10:00+08:00","type":"scale_event","event":"case_opened"}"#)
            let queue = try await client.send(.get, "/api/v1/telemetry/alerts?state=open&limit=10")
            let item = try #require((queue.json["items"] as? [[String: Any]])?.first)
            let id = try #require(item["id"] as? Int)
            #expect(item["detector"] as? String == "scale_tamper" && item["severity"] as? String == "high" && item["state"] as? String == "open")
            // Bad input names its field.
            let noReason = try await client.send(.post, "/api/v1/telemetry/alerts/\(id)/decision", json: ["decision": "confirm", "reason": ""])
            #expect(noReason.status == .badRequest && noReason.problemFields == ["reason"], "\(noReason.text)")
            // Outside the region: the same answer as an id nobody has.
            let xiamen = try await Accounts.createToken(.init(name: "xiamen", role: "bureau_staff", regionCode: "350200"), by: .system("tests"), on: store.db)
            let foreign = try await client.send(.get, "/api/v1/telemetry/alerts/\(id)", as: .bearer(xiamen.token))
            let unknown = try await client.send(.get, "/api/v1/telemetry/alerts/999999", as: .bearer(xiamen.token))
            #expect(foreign.status == .notFound && unknown.status == .notFound)
            #expect(foreign.text.replacingOccurrences(of: String(id), with: "N") == unknown.text.replacingOccurrences(of: "999999", with: "N"))
            let owner = try await Accounts.createToken(.init(name: "owner", role: "owner", ownerID: ids.owner), by: .system("tests"), on: store.db)
            #expect(try await client.send(.get, "/api/v1/telemetry/alerts", as: .bearer(owner.token)).status == .forbidden)
            // Confirmed: the hash and the task come back; a second decision is a conflict.
            let confirmed = try await client.send(.post, "/api/v1/telemetry/alerts/\(id)/decision", json: ["decision": "confirm", "reason": "现场核实"])
            #expect(confirmed.status == .ok && (confirmed.json["evidence_hash"] as? String)?.hasPrefix("sha256:") == true, "\(confirmed.text)")
            let task = try #require(confirmed.json["inspection_task_id"] as? Int)
            let again = try await client.send(.post, "/api/v1/telemetry/alerts/\(id)/decision", json: ["decision": "dismiss", "reason": "误报"])
            #expect(again.status == .conflict, "\(again.text)")
            let tasks = try await client.send(.get, "/api/v1/inspection-tasks")
            #expect((tasks.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [task])
            let credit = try await client.send(.get, "/api/v1/credit/owners/\(ids.owner)")
            #expect((credit.json["facts"] as? [String: Any])?["confirmedAlerts"] as? Int == 1, "\(credit.text)")
        }
    }

    /// One credential per gateway (issue #21, item 1): a device bound to a gateway's token takes
    /// readings from that token only — another gateway's token, or a signed-in person, gets the line
    /// refused as for an unknown device. Binding is staff's, to a token that holds telemetry:write.
    @Test func aDeviceBoundToAGatewayTakesReadingsFromItOnly() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            func gateway(_ name: String, _ permissions: [String]) async throws -> (id: Int, token: String) {
                let t = try await client.send(.post, "/api/v1/api-tokens", json: ["name": name, "role": "province_admin", "permissions": permissions])
                #expect(t.status == .created, "\(t.text)")
                return ((t.json["details"] as? [String: Any])?["id"] as? Int ?? 0, t.json["token"] as? String ?? "")
            }
            let a = try await gateway("gateway A", ["telemetry:write"]), b = try await gateway("gateway B", ["telemetry:write"])
            let reader = try await gateway("reader", ["registry:read"])
            // Not a gateway credential: unknown, or without telemetry:write.
            for bad in [999_999, reader.id] {
                let r = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-GW", "instrument_id": ids.instrument, "kind": "scale", "gateway_token_id": bad])
                #expect(r.status == .badRequest && r.problemFields == ["gateway_token_id"], "\(r.text)")
            }
            let made = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-GW", "instrument_id": ids.instrument, "kind": "scale", "gateway_token_id": a.id])
            #expect(made.status == .created && made.json["gateway_token_id"] as? Int == a.id, "\(made.text)")
            func line(_ seq: Int) -> String { #"{"device":"SC-GW","seq":\#(seq),"at":"2026-11-29T10:00:00+08:00","type":"weighing","kg":1.5}"# }
            let fromB = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "text/plain", body: line(1), as: .bearer(b.token))
            #expect(fromB.json["accepted"] as? Int == 0 && (fromB.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "no registered device is named 'SC-GW'")
            let fromAdmin = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "text/plain", body: line(1))
            #expect(fromAdmin.json["accepted"] as? Int == 0, "\(fromAdmin.text)")
            let fromA = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "text/plain", body: line(1), as: .bearer(a.token))
            #expect(fromA.json["accepted"] as? Int == 1, "\(fromA.text)")
            // An owner may not bind a device to a gateway (nor set what its verification authorised).
            let owner = try await Accounts.createToken(.init(name: "owner", role: "owner", ownerID: ids.owner), by: .system("tests"), on: store.db)
            let byOwner = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-OWN", "instrument_id": ids.instrument, "kind": "scale", "gateway_token_id": a.id], as: .bearer(owner.token))
            #expect(byOwner.status == .badRequest && byOwner.problemFields == ["gateway_token_id"], "\(byOwner.text)")
        }
    }

    /// gzip with Debian's gzip, as a gateway's own tools would compress.
    static func gzip(_ data: [UInt8]) async throws -> [UInt8] {
        try await ChildProcess.run("/bin/gzip", ["-c"], input: data).output
    }

    /// A gzip-compressed batch (issue #21, item 2): kept as the plain one is, concatenated members
    /// too; a body said to be gzip that is not, or is cut short, is refused naming the body; one that
    /// inflates past the body cap is refused as too large, without being inflated whole.
    @Test func aGzipBatchIsKeptAndABadOneRefused() async throws {
        try await withApp(configure: { $0.bodyLimits.upload = 1 << 20 }) { _, client in
            let ids = try await APIFlowTests.seed(client)
            _ = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-GZ", "instrument_id": ids.instrument, "kind": "scale"])
            func line(_ seq: Int) -> String { #"{"device":"SC-GZ","seq":\#(seq),"at":"2026-11-29T10:00:00+08:00","type":"weighing","kg":1.5}"# + "\n" }
            func send(_ body: [UInt8], encoding: String? = "gzip") async throws -> TestResponse {
                var headers = TestAuth.admin.headers
                headers[.contentType] = "application/x-ndjson"
                if let encoding { headers[HTTPField.Name("Content-Encoding")!] = encoding }
                return try await client.execute(uri: "/api/v1/telemetry/readings", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            }
            let one = try await send(try await Self.gzip(Array((line(1) + line(2)).utf8)))
            #expect(one.status == .ok && one.json["accepted"] as? Int == 2, "\(one.text)")
            let two = try await send(try await Self.gzip(Array(line(3).utf8)) + Self.gzip(Array(line(4).utf8)))
            #expect(two.json["accepted"] as? Int == 2, "\(two.text)")
            let plain = try await send(Array(line(5).utf8))
            #expect(plain.status == .badRequest && plain.problemFields == ["body"] && plain.text.contains("gzip"), "\(plain.text)")
            let whole = try await Self.gzip(Array(line(6).utf8))
            let cut = try await send(Array(whole.prefix(whole.count - 6)))
            #expect(cut.status == .badRequest && cut.problemFields == ["body"], "\(cut.text)")
            // 2 MB of readings in a few kilobytes: past the 1 MB cap once inflated.
            let bomb = try await Self.gzip(Array(String(repeating: line(7), count: 20_000).utf8))
            #expect(bomb.count < 100_000)
            let big = try await send(bomb)
            #expect(big.status == .badRequest && big.problemFields == ["body"], "\(big.text)")
            let identity = try await send(Array(line(8).utf8), encoding: "identity")
            #expect(identity.json["accepted"] as? Int == 1, "\(identity.text)")
        }
    }

    /// A binary batch (issue #21, item 2): kept as its NDJSON twin is, once per (device, seq) — the
    /// same readings sent again add nothing, whichever encoding — gzip accepted; a bad reading is
    /// named by its position; a body that is not a Batch is refused naming the body.
    @Test func aProtobufBatchIsKeptAsNDJSONIs() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            _ = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-PB", "instrument_id": ids.instrument, "kind": "scale"])
            let at = Date().addingTimeInterval(-3_600)
            let readings = (1...3).map { Reading(device: "SC-PB", seq: Int64($0), at: at.addingTimeInterval(Double($0)), body: .weighing(.init(kg: 1.25))) }
            func send(_ body: [UInt8], encoding: String? = nil) async throws -> TestResponse {
                var headers = TestAuth.admin.headers
                headers[.contentType] = "application/x-protobuf"
                if let encoding { headers[HTTPField.Name("Content-Encoding")!] = encoding }
                return try await client.execute(uri: "/api/v1/telemetry/readings", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            }
            let first = try await send(try ProtobufBatch.encode(Array(readings.prefix(2))))
            #expect(first.status == .ok && first.json["accepted"] as? Int == 2, "\(first.text)")
            // The same readings again, as NDJSON and as gzip-compressed protobuf with one new one.
            let again = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "application/x-ndjson",
                                                 body: readings.prefix(2).map(\.ndjson).joined(separator: "\n"))
            #expect(again.json["accepted"] as? Int == 0 && again.json["duplicates"] as? Int == 2, "\(again.text)")
            let zipped = try await send(try await Self.gzip(try ProtobufBatch.encode(readings)), encoding: "gzip")
            #expect(zipped.json["accepted"] as? Int == 1 && zipped.json["duplicates"] as? Int == 2, "\(zipped.text)")
            var bad = ProtobufBatch.message(Reading(device: "SC-PB", seq: 9, at: at, body: .weighing(.init(kg: 1))))
            bad.weighing.clearKg()
            var batch = Jiliang_Telemetry_V1_Batch()
            batch.readings = [ProtobufBatch.message(Reading(device: "SC-PB", seq: 8, at: at, body: .heartbeat)), bad]
            let named = try await send(try ProtobufBatch.encode(batch))
            let errors = named.json["errors"] as? [[String: Any]] ?? []
            #expect(named.json["accepted"] as? Int == 1 && errors.count == 1 && errors.first?["line"] as? Int == 2 && errors.first?["field"] as? String == "kg",
                    "\(named.text)")
            // A line written otherwise (UTC, 1.50 kg) and retried in protobuf: the same reading, a retry.
            let written = #"{"type":"weighing","kg":1.50,"seq":20,"device":"SC-PB","at":"2026-11-29T02:00:00Z"}"#
            let first20 = try await client.sendRaw(.post, "/api/v1/telemetry/readings", contentType: "application/x-ndjson", body: written)
            #expect(first20.json["accepted"] as? Int == 1, "\(first20.text)")
            let retried = try await send(try ProtobufBatch.encode([Reading(
                device: "SC-PB", seq: 20, at: ISO8601DateFormatter().date(from: "2026-11-29T02:00:00Z")!, body: .weighing(.init(kg: 1.5)))]))
            #expect(retried.json["duplicates"] as? Int == 1 && (retried.json["errors"] as? [Any])?.isEmpty == true, "\(retried.text)")
            let garbage = try await send(Array("{\"device\":\"SC-PB\"}".utf8))
            #expect(garbage.status == .badRequest && garbage.problemFields == ["body"] && garbage.text.contains("protobuf"), "\(garbage.text)")
            let kept = try await Telemetry.devices(named: ["SC-PB"], scope: .everything, on: store.db)
            #expect(kept.count == 1)
        }
    }

    /// A device's daily sums over HTTP (issue #21, item 3), read by day range; a bad range named.
    @Test func aDevicesDailySumsAreReadByDay() async throws {
        try await withApp { _, client in
            let ids = try await APIFlowTests.seed(client)
            let made = try await client.send(.post, "/api/v1/telemetry/devices", json: ["name": "SC-RET", "instrument_id": ids.instrument, "kind": "scale"])
            let id = made.json["id"] as? Int ?? 0
            let sums = try await client.send(.get, "/api/v1/telemetry/devices/\(id)/daily?from=2026-11-01&to=2026-11-26")
            #expect(sums.status == .ok && sums.jsonArray.isEmpty && sums.text.hasPrefix("["), "\(sums.text)")
            for query in ["from=2026-13-01", "from=2026-11-27&to=2026-11-26", "from=2010-01-01&to=2026-11-26"] {
                let bad = try await client.send(.get, "/api/v1/telemetry/devices/\(id)/daily?\(query)")
                #expect(bad.status == .badRequest && bad.problemFields == ["from"], "\(query): \(bad.text)")
            }
            let unknown = try await client.send(.get, "/api/v1/telemetry/devices/999999/daily")
            #expect(unknown.status == .notFound, "\(unknown.text)")
        }
    }
}
