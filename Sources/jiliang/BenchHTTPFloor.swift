import ArgumentParser
import Foundation
import Hummingbird
import JiliangStore

/// Issue #6's third reference: Hummingbird answering every request with one file's bytes from
/// memory — no middleware, no database, no rendering. What the framework itself does on this
/// machine, between nginx (the machine's limit) and the full lookup (scripts/bench-public.sh).
///
/// With `--sqlite`, issue #23's second floor: the same, plus the public lookup's one database read
/// (`PublicLookup.instrument`, the code taken from the path) before answering those bytes. The
/// full lookup can be no faster than this; what it loses beyond it is Jiliang's own request path
/// (middleware, status, page), not the framework's or the database's.
struct BenchHTTPFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-floor", abstract: "Serve one file's bytes from memory on every path (the framework's own ceiling)")
    @Option(help: "The response body to serve") var file: String
    @Option(help: "Port on 127.0.0.1") var port = 18304
    @Option(help: "An SQLite registry: look up /p/i/<code> in it before answering (the floor with the database read)")
    var sqlite: String?

    func run() async throws {
        let body = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: file)))
        let headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "public, max-age=60"]
        let router = Router()
        let store = try sqlite.map { try Store(location: .sqliteFile($0)) }
        if let store {
            router.get("/p/i/{code}") { _, context in
                let code = try context.parameters.require("code")
                guard try await PublicLookup.instrument(code: code, store: store) != nil else { return Response(status: .notFound) }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            }
        } else {
            router.get("**") { _, _ in Response(status: .ok, headers: headers, body: .init(byteBuffer: body)) }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "Jiliang"))
        do { try await app.runService() } catch {
            await store?.shutdown()
            throw error
        }
        await store?.shutdown()
    }
}
