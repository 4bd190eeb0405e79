import HTTPTypes
import Hummingbird

/// Security headers on every answer (issue #17, item 8). The pages load nothing from another
/// origin — scripts and styles come from /assets, QR codes are inline SVG — so the policy can be
/// strict: no framing (clickjacking), no plug-ins, no foreign scripts, forms post only here, and
/// no address (which can hold an instrument code or a tracking code) leaks in a Referer to
/// another site. Inline `style` stays allowed: a few templates and the public frame use it, and
/// every value in them is escaped; inline and foreign scripts are not.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[SecurityHeaderValues.referrerPolicy] = "same-origin"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = SecurityHeaderValues.contentSecurityPolicy
            response.headers[SecurityHeaderValues.frameOptions] = "DENY"
        }
        return response
    }
}

/// The middleware's constants, kept once rather than rebuilt on every response as a generic type's
/// `static var` would be (a generic type cannot hold stored statics); the lookup's hot path.
enum SecurityHeaderValues {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
}
