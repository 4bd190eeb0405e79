import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Mustache

/// What a public template reads: its view's properties (a `PageView`, built without HTTP), and
/// beside them `t` (the public site's strings). No `csrf`: the public site has no session.
struct PublicScope<View: PageView>: MustacheParent {
    let view: View
    let t: PublicText

    func child(named name: String) -> Any? {
        switch name {
        case "t": return t
        default:
            guard let value = Mirror(reflecting: view).children.first(where: { $0.label == name })?.value else { return nil }
            // An optional left nil is absent (a section over it renders nothing).
            let m = Mirror(reflecting: value)
            if m.displayStyle == .optional { return m.children.first?.value }
            return value
        }
    }
}

extension PublicSite {
    /// A typed view in the public frame (with its caching and the language cookie, see `page`).
    func render(
        _ template: String, view: some PageView, title: String, request: Request, status: HTTPResponse.Status = .ok, cache: Int? = nil
    ) -> Response {
        let scope = PublicScope(view: view, t: PublicStrings.strings(language(request)))
        return page(body: templates.render(scope, withTemplate: template) ?? "", title: title, request: request, status: status, cache: cache)
    }

    /// A posted application/x-www-form-urlencoded form decoded into its type (`URLEncodedFormDecoder`),
    /// at most 64 KB. Public forms carry no session, so no CSRF token. A body that cannot be read
    /// is bad input naming the field.
    func form<Form: Decodable>(_ type: Form.Type, _ request: Request) async throws -> Form {
        try decodeForm(Form.self, from: try await request.body.collect(upTo: 64 << 10))
    }
}

/// A heading and a message (`public-message.mustache`): errors, not found, "request received".
struct PublicMessageView: PageView {
    var heading: String
    var message: String
}

/// "Filed": the code to keep and where to follow it (`public-filed.mustache`).
struct PublicFiledView: PageView {
    var heading: String
    var label: String
    /// The code, grouped for reading aloud.
    var code: String
    var keep: String
    var link: String
    var deadline: String?
}
