import ArgumentParser
import Foundation
import Hummingbird

/// Issue #6's third reference: Hummingbird answering every request with one file's bytes from
/// memory — no middleware, no database, no rendering. What the framework itself does on this
/// machine, between nginx (the machine's limit) and the full lookup (scripts/bench-public.sh).
struct BenchHTTPFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-floor", abstract: "Serve one file's bytes from memory on every path (the framework's own ceiling)")
    @Option(help: "The response body to serve") var file: String
    @Option(help: "Port on 127.0.0.1") var port = 18304

    func run() async throws {
        let body = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: file)))
        let router = Router()
        router.get("**") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "public, max-age=60"], body: .init(byteBuffer: body))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "Jiliang"))
        try await app.runService()
    }
}
