import Dispatch
import Hummingbird

/// Counts and times every request (issue #22, item 6). Added first, so it sees each request whole —
/// the other middleware included — and the status the client got, also when an error escaped them
/// all. The clock stops when the answer is ready to send: a streamed body (an export, the live
/// screen's event stream, which lasts minutes) is not timed, so the latencies stay the handlers'.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method.rawValue
        metrics.requestStarted()
        do {
            let response = try await next(request, context)
            metrics.requestFinished(
                route: Self.route(context), method: method, status: response.status.code, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.requestFinished(route: Self.route(context), method: method, status: status, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            throw error
        }
    }

    /// The matched route's pattern; one label for every path no route matched.
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unmatched" }
        return path
    }
}
