import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Mustache

extension WebApp {
    // MARK: Plumbing

    /// Runs a page for a signed-in caller: anonymous → the sign-in page; a refused or missing
    /// record → an HTML error page with the right status (never the record itself).
    func page(_ request: Request, _ body: (Principal) async throws -> Response) async throws -> Response {
        guard let p = RequestCaller.principal else { return redirect("/login") }
        let t = PageStrings.strings(language(request))
        do {
            return try await body(p)
        } catch let e as RegistryError {
            switch e {
            case .notFound: return render("error", ["t": t, "heading": t["notFound"]!, "message": t["notFoundText"]!], title: t["notFound"]!, request: request, caller: p, status: .notFound)
            case .forbidden: return render("error", ["t": t, "heading": t["forbidden"]!, "message": e.description], title: t["forbidden"]!, request: request, caller: p, status: .forbidden)
            case .unauthenticated: return redirect("/login")
            case .invalid, .conflict: return render("error", ["t": t, "heading": t["badInput"]!, "message": e.description], title: t["badInput"]!, request: request, caller: p, status: .badRequest)
            }
        } catch let e as ValidationFailure {
            return render("error", ["t": t, "heading": t["badInput"]!, "message": e.description], title: t["badInput"]!, request: request, caller: p, status: .badRequest)
        }
    }

    /// A posted form (application/x-www-form-urlencoded), checked against the session's CSRF token.
    func form(_ request: Request) async throws -> [String: String] {
        Dictionary(try await formFields(request), uniquingKeysWith: { _, last in last })
    }

    /// Every field of a posted form in order, repeated names included; checked against the
    /// session's CSRF token (except the sign-in form, which has its own).
    func formFields(_ request: Request) async throws -> [(String, String)] {
        let body = try await request.body.collect(upTo: 1 << 20)
        let fields = String(buffer: body).split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            return (kv[0], kv.count == 2 ? kv[1] : "")
        }
        if request.uri.path != "/login" { try checkCSRF(Dictionary(fields, uniquingKeysWith: { _, last in last })) }
        return fields
    }

    func checkCSRF(_ form: [String: String]) throws {
        guard let expected = RequestCaller.csrf, form["csrf"] == expected else {
            throw RegistryError.forbidden("a form without this session's CSRF token")
        }
    }

    func language(_ request: Request) -> PageStrings.Language {
        if let q = request.uri.queryParameters["lang"], let l = PageStrings.Language(rawValue: String(q)) { return l }
        return request.cookies["lang"].flatMap { PageStrings.Language(rawValue: $0.value) } ?? .zh
    }

    func render(
        _ template: String, _ model: [String: Any], title: String, request: Request, caller: Principal?, status: HTTPResponse.Status = .ok
    ) -> Response {
        let lang = language(request)
        // Mustache would print an absent optional as "nil": leave such keys out instead.
        func isNil(_ v: Any) -> Bool { let m = Mirror(reflecting: v); return m.displayStyle == .optional && m.children.isEmpty }
        var m = model.filter { !isNil($0.value) }
        m["csrf"] = m["csrf"] ?? RequestCaller.csrf ?? ""
        let body = templates.render(m, withTemplate: template) ?? ""
        let other: PageStrings.Language = lang == .zh ? .en : .zh
        var path = request.uri.path
        if let flash = request.uri.queryParameters["flash"] { path += "?flash=\(flash)" }
        var layout: [String: Any] = [
            "lang": lang == .zh ? "zh-CN" : "en", "t": PageStrings.strings(lang), "title": title, "body": body, "signedIn": caller != nil,
            "who": caller.map { "\($0.label) · \($0.role.chineseName)" } ?? "", "csrf": RequestCaller.csrf ?? "",
            "canReview": caller?.may(.reviewFilings) == true, "canDrill": caller.map { $0.role == .provinceAdmin || $0.role == .bureauStaff } == true,
            "canImport": caller.map { $0.may(.importInstruments) || $0.may(.manageOwners) || $0.may(.manageReference) } == true,
            "canHandleComplaints": caller?.may(.handleComplaints) == true, "canSurvey": caller?.may(.manageOwners) == true,
            "canCredit": caller.map { ($0.may(.manageCredit) && $0.role != .owner && $0.role != .instituteStaff) || ($0.role == .owner && $0.may(.applyForCredit)) } == true, "canRunChecks": caller?.may(.runFreeChecks) == true,
            "canManageUsers": caller.map { $0.may(.manageAccounts) || $0.may(.manageOwners) } == true,
            "isAdmin": caller?.may(.readAudit) == true, "canManageReference": caller?.may(.manageReference) == true, "canRecord": caller?.may(.recordVerifications) == true,
            "otherLangLink": path + (path.contains("?") ? "&" : "?") + "lang=\(other.rawValue)",
        ]
        if let flash = request.uri.queryParameters["flash"].flatMap({ PageStrings.strings(lang)[String($0)] }) { layout["flash"] = flash }
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: .init(string: templates.render(layout, withTemplate: "layout") ?? body)))
        if let q = request.uri.queryParameters["lang"], PageStrings.Language(rawValue: String(q)) != nil {
            response.headers.append(HTTPField(name: .setCookie, value: Cookie(name: "lang", value: String(q), path: "/", httpOnly: true, sameSite: .lax).description))
        }
        return response
    }

    func redirect(_ to: String) -> Response {
        Response(status: .seeOther, headers: [.location: to])
    }

    static func asset(_ name: String, type: String) throws -> Response {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "assets"), let data = FileManager.default.contents(atPath: url.path) else {
            throw HTTPError(.notFound)
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: .init(bytes: data)))
    }
}
