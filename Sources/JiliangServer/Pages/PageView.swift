import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Mustache
import NIOCore

/// A page's typed view model (issue #20, item 5): a struct whose properties the template reads,
/// built by a function of the store's data that needs no HTTP (so it is tested without it).
/// Optional properties left nil are simply absent in the template.
protocol PageView: Encodable, Sendable {}

/// What a template reads: its view's properties, and beside them what every staff template may
/// read — `t` (its strings), `u` (the URL map's links) and `csrf` (the session's token for forms).
struct PageScope<View: PageView>: MustacheParent {
    let view: View
    let t: PageText
    let csrf: String

    func child(named name: String) -> Any? {
        // The view's own property first (the sign-in form carries its own pre-session token).
        if let value = Mirror(reflecting: view).children.first(where: { $0.label == name })?.value {
            // An optional left nil is absent (a section over it renders nothing).
            let m = Mirror(reflecting: value)
            if m.displayStyle == .optional { return m.children.first?.value }
            return value
        }
        switch name {
        case "t": return t
        case "u": return Site.links
        case "csrf": return csrf
        default: return nil
        }
    }
}

/// A choice in a `<select>` (or a radio group).
struct OptionView: Encodable, Sendable, Equatable {
    var value: String
    var label: String
    var selected: Bool
}

extension WebApp {
    /// A typed view in the staff frame.
    func render(
        _ template: String, view: some PageView, title: String, request: Request, caller: Principal?, status: HTTPResponse.Status = .ok
    ) -> Response {
        let scope = PageScope(view: view, t: PageStrings.strings(language(request)), csrf: RequestCaller.csrf ?? "")
        return frame(templates.render(scope, withTemplate: template) ?? "", title: title, request: request, caller: caller, status: status)
    }

    /// A posted form decoded into its type (`URLEncodedFormDecoder`): a field of the wrong kind is
    /// bad input naming the field. Its CSRF token was checked by `FormCSRFMiddleware`.
    func form<Form: Decodable>(_ type: Form.Type, _ request: Request) async throws -> Form {
        try decodeForm(Form.self, from: try await request.body.collect(upTo: FormCSRFMiddleware.formLimit))
    }
}

/// A urlencoded form body decoded into its type, for both sites: a field of the wrong kind, or a
/// body that is not a form (a name given twice, bad percent-encoding), is bad input naming it.
func decodeForm<Form: Decodable>(_ type: Form.Type, from body: ByteBuffer) throws -> Form {
    do {
        return try URLEncodedFormDecoder().decode(Form.self, from: formText(body))
    } catch let e as DecodingError {
        throw RegistryError.invalid(e.fieldName, .couldNotBeRead)
    } catch let e as URLEncodedFormError {
        throw RegistryError.invalid("body", .unreadable(detail: e.description))
    }
}

extension DecodingError {
    /// The form field the error is about.
    var fieldName: String {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let k, let c): path = c.codingPath + [k]
        @unknown default: path = []
        }
        return path.map(\.stringValue).joined(separator: ".").nonEmpty ?? "body"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// The staff frame (`layout.mustache`): the navigation by what the caller may do, the language
/// switch, the flash message, and the page's body (HTML already rendered).
struct FrameView: PageView {
    var lang: String
    var title: String
    var body: String
    var signedIn: Bool
    var who: String
    var canReview: Bool
    var canDrill: Bool
    var canImport: Bool
    var canHandleComplaints: Bool
    var canSurvey: Bool
    var canReviewAlerts: Bool
    var canCredit: Bool
    var canRunChecks: Bool
    var canManageUsers: Bool
    var isAdmin: Bool
    var canManageReference: Bool
    var canRecord: Bool
    var otherLangLink: String
    var flash: String?
}

/// The staff site's error page (`error.mustache`).
struct ErrorView: PageView {
    var heading: String
    var message: String
}

/// The sign-in page (`login.mustache`): its own token (a cookie's twin; there is no session yet).
struct LoginView: PageView {
    var csrf: String
    var error: String?
    var login: String
}

/// A staff area (issue #20, item 4): it holds the application's dependencies and registers its
/// routes — from the URL map, on the signed-in group — in `addRoutes(to:)`; `WebApp.addRoutes`
/// mounts every area. Its pages are typed views built without HTTP.
protocol PageController {
    var app: WebApp { get }
    func addRoutes(to router: RouterGroup<SignedInContext>)
}

extension PageController {
    var db: any Database { app.store.db }
}
