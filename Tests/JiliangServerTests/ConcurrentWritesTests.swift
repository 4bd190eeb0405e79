import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// Issue #17, item 12: eight API clients writing at once over real sockets — an institute's LIMS
/// posting verification records, a county bureau registering owners and filing instruments —
/// get no 5xx, and every acknowledged write is stored exactly once. On SQLite this failed with
/// 500s (SQLITE_BUSY_SNAPSHOT: a transaction that read, then wrote after another writer committed).
@Suite struct ConcurrentWritesTests {
    static let writers = 8
    static let perWriter = 15

    @Test func concurrentWritersGetNoServerErrorAndEveryWriteIsStoredOnce() async throws {
        try await withApp(setup: .live) { store, client in
            let db = store.db
            let owner = try await Fixtures.owner(1, on: db)
            let institution = try await Fixtures.institution(on: db)
            // The record writers' instruments, one per record (a first verification each).
            var instruments: [Int] = []
            for n in 0..<(Self.writers / 2 * Self.perWriter) {
                instruments.append(try await Fixtures.instrument(serial: "CW-\(n)", owner: owner, inService: "2026-01-05", on: db).id!)
            }
            let token = try #require(TestAuth.adminToken)
            let port = try #require(client.port)
            let before = (records: try await store.count("verification_records"), owners: try await store.count("owners"))

            // Each writer has its own connection; half post records, half register an owner and
            // file an instrument for it (two writes whose transactions read first).
            let outcomes = try await withThrowingTaskGroup(of: [(String, HTTPResponse.Status)].self) { group in
                for w in 0..<Self.writers {
                    let mine = instruments.count / (Self.writers / 2)
                    let slice = w % 2 == 0 ? Array(instruments[(w / 2) * mine..<(w / 2 + 1) * mine]) : []
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { c in
                            var out: [(String, HTTPResponse.Status)] = []
                            for i in 0..<Self.perWriter {
                                if w % 2 == 0 {
                                    let cert = "CW-\(w)-\(i)"
                                    let r = try await Self.post(c, "/api/v1/verification-records", token, [
                                        "instrument_id": slice[i], "institution_id": institution.id!, "date": "2026-11-20", "kind": "first",
                                        "result": "pass", "certificate_no": cert, "recorded_by": "LIMS",
                                    ])
                                    out.append((cert, r))
                                } else {
                                    let credit = Fixtures.creditCode(1000 + w * 100 + i).value
                                    let o = try await Self.post(c, "/api/v1/owners", token, [
                                        "name": "并发市场\(w)-\(i)", "credit_code": credit, "address": "测试路", "region_code": "350102", "industry": "market",
                                    ])
                                    out.append((credit, o))
                                    let m = try await Self.post(c, "/api/v1/instruments", token, [
                                        "sub_no": 2, "name": "电子计价秤", "serial_no": "CWI-\(w)-\(i)", "purpose": "trade_settlement", "region_code": "350102",
                                        "address": "A区", "owner_credit_code": credit, "in_service_date": "2026-01-05",
                                    ])
                                    out.append(("CWI-\(w)-\(i)", m))
                                }
                            }
                            return out
                        }
                    }
                }
                var all: [(String, HTTPResponse.Status)] = []
                for try await part in group { all += part }
                return all
            }
            #expect(outcomes.count == Self.writers / 2 * Self.perWriter * 3)
            let failed = outcomes.filter { $0.1 != .created }
            #expect(failed.isEmpty, "not acknowledged: \(failed.prefix(10))")
            // Every acknowledged write is there once.
            #expect(try await store.count("verification_records") == before.records + Self.writers / 2 * Self.perWriter)
            #expect(try await store.count("owners") == before.owners + Self.writers / 2 * Self.perWriter)
            let certificates = try await VerificationRecordModel.query(on: db).all().compactMap(\.certificateNo).filter { $0.hasPrefix("CW-") }
            #expect(certificates.count == Set(certificates).count && certificates.count == Self.writers / 2 * Self.perWriter)
            let filed = try await InstrumentModel.query(on: db).all().map(\.serialNo).filter { $0.hasPrefix("CWI-") }
            #expect(filed.count == Set(filed).count && filed.count == Self.writers / 2 * Self.perWriter)
        }
    }

    static func post(_ c: TestClient, _ uri: String, _ token: String, _ body: [String: Any]) async throws -> HTTPResponse.Status {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/json"
        let r = try await c.post(uri, headers: headers, body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        return r.status
    }
}
