import Foundation
import Hummingbird
import JiliangLedger
import JiliangStore

/// The public, read-only C2SP tlog-tiles endpoints: `/ledger/checkpoint`, `/ledger/tile/…` and
/// `/ledger/keys`. Anyone can fetch them and compute any proof without trusting the server.
struct LedgerRoutes {
    let ledger: Ledger

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/ledger/checkpoint") { _, _ in
            guard let note = try await ledger.latestCheckpoint() else {
                return Self.text(.notFound, "no checkpoint has been published yet\n", cache: "no-store")
            }
            return Self.text(.ok, note, cache: "max-age=2")
        }
        router.get("/ledger/keys") { _, _ in
            let c = ledger.configuration
            var s = "# Jiliang ledger trust policy: the log key, the witnesses and the quorum.\n"
            s += "log \(c.signer.verifier)\n"
            for w in c.witnesses { s += "witness \(w.key) \(w.url.absoluteString)\n" }
            s += "quorum \(c.quorum)\n"
            return Self.text(.ok, s, cache: "max-age=60")
        }
        router.get("/ledger/tile/**") { request, _ in
            let path = String(request.uri.path.dropFirst("/ledger/".count))
            // Only canonical tile names are served; anything else is a plain 404.
            guard TilePath.parse(path) != nil, let bytes = try await ledger.tile(path) else {
                return Self.text(.notFound, "no such tile\n", cache: "no-store")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, cache: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: cache],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
