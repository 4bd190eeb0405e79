import Foundation
import Hummingbird
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import NIOCore

/// Boots the real application on a fresh database with a pinned clock, and hands the test a client
/// (HummingbirdTesting's `.router` mode by default; `.live` for a real socket).
public func withApp<T: Sendable>(
    today: String = "2026-11-26", setup: TestingSetup = .router,
    _ body: @escaping @Sendable (Store, any TestClientProtocol) async throws -> T
) async throws -> T {
    try await TestDatabase.withStore { store in
        let day = CalendarDay(today)!
        let config = AppConfiguration(
            host: "127.0.0.1", port: 0, database: store.location, today: { day },
            uploadDirectory: NSTemporaryDirectory() + "jiliang-uploads-\(UUID().uuidString)", runWorker: false)
        let app = try buildApplication(config, store: store)
        return try await app.test(setup) { client in try await body(store, client) }
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

extension TestClientProtocol {
    @discardableResult
    public func send(_ method: HTTPRequest.Method, _ uri: String, json: [String: Any]? = nil) async throws -> TestResponse {
        let body = try json.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) }
        return try await execute(uri: uri, method: method, headers: body == nil ? [:] : [.contentType: "application/json"], body: body)
    }

    public func sendRaw(_ method: HTTPRequest.Method, _ uri: String, contentType: String, body: String) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: [.contentType: contentType], body: ByteBuffer(string: body))
    }
}
