import Hummingbird
import JiliangCore
import JiliangStore

/// `GET /metrics`: the Prometheus text exposition (issue #22, item 6). Only a caller holding
/// `metrics:read` — an administrator, or a scraper's API token made with that permission alone —
/// gets it; anyone else gets the answer an unknown path gets, so the endpoint does not announce
/// itself to the public site's visitors.
struct MetricsRoute {
    let metrics: ServerMetrics
    let ledger: Ledger

    static let path = "/metrics"

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(stringLiteral: Self.path)) { _, _ -> Response in
            guard RequestCaller.principal?.permissions.contains(.readMetrics) == true else { throw HTTPError(.notFound) }
            let body = await metrics.exposition(ledger: ledger)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(bytes: body)))
        }
    }
}
