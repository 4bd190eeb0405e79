import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangLedger
import JiliangServer
import JiliangStore
import NIOCore

/// Boots the real application on a fresh database with a pinned clock, and hands the test a client
/// (HummingbirdTesting's `.router` mode by default; `.live` for a real socket).
public func withApp<T: Sendable>(
    today: String = "2026-11-26", setup: TestingSetup = .router, readReplicaURL: (@Sendable (String) -> String)? = nil,
    configure: @escaping @Sendable (inout AppConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (Store, any TestClientProtocol) async throws -> T
) async throws -> T {
    try await TestDatabase.withStore { testStore in
        // A read replica (PostgreSQL): the same database through a second store whose replica
        // address the test picks from the database's own URL.
        guard let readReplicaURL, case .postgres(let url) = testStore.location else {
            return try await app(testStore, today: today, setup: setup, configure: configure, body)
        }
        let store = try Store(location: testStore.location, readReplicaURL: readReplicaURL(url), logger: testStore.logger)
        do {
            let value = try await app(store, today: today, setup: setup, configure: configure, body)
            await store.shutdown()
            return value
        } catch {
            await store.shutdown()
            throw error
        }
    }
}

private func app<T: Sendable>(
    _ store: Store, today: String, setup: TestingSetup, configure: @escaping @Sendable (inout AppConfiguration) -> Void,
    _ body: @escaping @Sendable (Store, any TestClientProtocol) async throws -> T
) async throws -> T {
    let day = CalendarDay(today)!
    var config = AppConfiguration(
        host: "127.0.0.1", port: 0, database: store.location, today: { day }, runWorker: false)
    config.ledgerKey = TestLedger.key
    // Every test request comes from one client; the rate-limit tests set their own limits.
    config.publicRateLimit = .init(perMinute: 0, burst: 0)
    // Tests date readings by the calendar; the raw-data window's own tests set one.
    config.telemetryRetention.rawDays = nil
    configure(&config)
    let app = try buildApplication(config, store: store)
    // Requests go out as the province administrator unless a test says otherwise (`auth:`).
    let admin = try await Accounts.createToken(.init(name: "tests", role: Role.provinceAdmin.rawValue), by: .system("tests"), on: store.db)
    return try await TestAuth.$adminToken.withValue(admin.token) {
        try await app.test(setup) { client in try await body(store, client) }
    }
}

extension TestResponse {
    /// The body decoded as JSON into a dictionary (for concise assertions).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
    public var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [[String: Any]] ?? []
    }
    public var text: String { String(buffer: body) }
    /// The field names of an RFC 9457 problem's `errors`.
    public var problemFields: [String] { (json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [] }
}

/// Who a test request is sent as.
public enum TestAuth: Sendable {
    /// The province administrator's API token that `withApp` creates.
    case admin
    case anonymous
    case bearer(String)
    /// The session cookie, with the CSRF token a page would send (nil: leave it out).
    case cookie(String, csrf: String?)

    @TaskLocal public static var adminToken: String?

    public var headers: HTTPFields {
        var h = HTTPFields()
        switch self {
        case .admin: if let t = TestAuth.adminToken { h[.authorization] = "Bearer \(t)" }
        case .anonymous: break
        case .bearer(let t): h[.authorization] = "Bearer \(t)"
        case .cookie(let value, let csrf):
            h[.cookie] = "jiliang_session=\(value)"
            if let csrf { h[HTTPField.Name("X-CSRF-Token")!] = csrf }
        }
        return h
    }
}

extension TestClientProtocol {
    @discardableResult
    public func send(_ method: HTTPRequest.Method, _ uri: String, json: [String: Any]? = nil, as auth: TestAuth = .admin) async throws -> TestResponse {
        let body = try json.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
        var headers = auth.headers
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }

    public func sendRaw(_ method: HTTPRequest.Method, _ uri: String, contentType: String, body: String, as auth: TestAuth = .admin) async throws -> TestResponse {
        var headers = auth.headers
        headers[.contentType] = contentType
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    /// A request with a binary body (an XLSX upload).
    public func sendBytes(_ method: HTTPRequest.Method, _ uri: String, contentType: String, body: [UInt8], as auth: TestAuth = .admin) async throws -> TestResponse {
        var headers = auth.headers
        headers[.contentType] = contentType
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// The ledger key every test application signs with, and a `Ledger` over a test's store with it
/// (the server in `.router` mode runs no background services, so tests drive the ledger).
public enum TestLedger {
    public static let key = try! SignerKey(name: "ledger.test/jiliang", type: .ed25519)

    public static func ledger(_ store: Store, witnesses: [LedgerConfiguration.WitnessEndpoint] = [], quorum: Int? = nil) throws -> Ledger {
        Ledger(store: store, configuration: try LedgerConfiguration(signer: key, witnesses: witnesses, quorum: quorum))
    }
}
