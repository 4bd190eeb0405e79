import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import NIOCore

/// The staff site's one CSRF check (issue #20): every state-changing request to a staff page must
/// carry the session's token — in the `X-CSRF-Token` header (the import page's script) or in the
/// form's `csrf` field — or it is refused before any handler runs, so no page can forget it.
/// A multipart form (files) may only be posted to the routes that take files, whose reader
/// (`FormCSRF.fields(ofMultipart:)`) checks the same field while it reads the parts; the sign-in
/// form checks its own pre-session token.
struct FormCSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// The most a urlencoded form may hold (a form without files).
    static let formLimit = 1 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // As the router will match it: "//app/…" must not pass as something else.
        let path = Site.canonical(request.uri.path)
        guard [.post, .put, .patch, .delete].contains(request.method), Site.isStaff(path) || path == Site.logout() else {
            return try await next(request, context)
        }
        // Anonymous: the sign-in page answers (`PageErrorMiddleware`), before any body is read.
        guard RequestCaller.principal != nil else { throw RegistryError.unauthenticated }
        let expected = RequestCaller.csrf
        if let header = request.headers[AuthNames.csrfHeader], let expected, header == expected {
            return try await next(request, context)
        }
        let type = (request.headers[.contentType] ?? "").lowercased()
        if type.hasPrefix("multipart/form-data"), FileRoute.uploads.contains(path) {
            return try await next(request, context)  // checked by its reader, part by part
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.formLimit)
        let fields = FormCSRF.fields(ofURLEncoded: body)
        try FormCSRF.check(fields.last { $0.0 == "csrf" }?.1)
        return try await next(request, context)
    }
}

enum FormCSRF {
    /// Refuses a token that is not this session's.
    static func check(_ token: String?) throws {
        guard let expected = RequestCaller.csrf, let token, token == expected else {
            throw RegistryError.forbidden(.request(.formWithoutCSRFToken))
        }
    }

    /// Every field of an `application/x-www-form-urlencoded` body, in order, repeated names kept.
    static func fields(ofURLEncoded body: ByteBuffer) -> [(String, String)] {
        formText(body).split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            return (kv[0], kv.count == 2 ? kv[1] : "")
        }
    }
}

/// A urlencoded form body as text, its line breaks as the page had them. A browser sends a
/// textarea's line breaks as CRLF (`%0D%0A`, HTML's form serialisation) while its `maxlength`
/// counts each as one character; read as LF, a text the page allowed fits the same limit here
/// (`FieldChecker.text` counts code points).
func formText(_ body: ByteBuffer) -> String {
    String(buffer: body).replacingOccurrences(of: "%0D%0A", with: "%0A", options: .caseInsensitive)
}
