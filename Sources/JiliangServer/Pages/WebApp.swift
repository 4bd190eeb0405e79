import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import Mustache

/// The server-rendered web application (issue #3): sign-in, a dashboard per role, the instrument
/// list and page, and the filing and verification workflows as forms. Pages call the same
/// `Registry`, `Filings` and `VerificationRequests` functions as the API, with the signed-in
/// caller's scope, so what a page shows is exactly what the API would.
struct WebApp {
    let store: Store
    let config: AppConfiguration
    let templates: MustacheLibrary

    init(store: Store, config: AppConfiguration) throws {
        self.store = store
        self.config = config
        guard let dir = Bundle.module.url(forResource: "templates", withExtension: nil) else {
            throw RegistryError.conflict(field: "templates", message: "the page templates are missing from the build")
        }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        templates = library
    }

    var db: any Database { store.db }
    var today: CalendarDay { config.today() }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/assets/app.css") { _, _ in try Self.asset("app.css", type: "text/css; charset=utf-8") }
        router.get("/assets/import.js") { _, _ in try Self.asset("import.js", type: "text/javascript; charset=utf-8") }
        router.get("/app/import") { request, _ in
            try await page(request) { p in
                guard p.may(.importInstruments) else { throw RegistryError.forbidden("importing instruments") }
                let t = PageStrings.strings(language(request))
                return render("import", ["t": t], title: t["importTitle"]!, request: request, caller: p)
            }
        }
        router.get("/app/import/template.csv") { _, _ in
            let csv = "\u{FEFF}种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,使用单位,启用日期,表类型,口径,常用流量,介质\n"
                + "2,电子计价秤,SN-0001,贸易结算,350102,鼓楼区某农贸市场A1,91350102MA00000000,某农贸市场,2026-01-05,,,,\n"
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"jiliang-import-template.csv\""],
                            body: .init(byteBuffer: .init(string: csv)))
        }
        router.post("/app/import") { request, _ in try await json(request) { p in try await startImport(request, p) } }
        router.get("/app/jobs/{id}.json") { request, context in
            try await json(request) { p in try await jobProgress(p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get("/app/jobs/{id}/errors.csv") { request, context in
            try await page(request) { p in
                let job = try await visibleJob(p, id: try context.parameters.require("id", as: Int.self))
                guard let result = job.result, let report = try? JSONDecoder().decode(InstrumentImport.Report.self, from: Data(result.utf8)) else {
                    throw RegistryError.conflict(field: "id", message: "the import has not finished")
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"import-\(job.id!)-errors.csv\""],
                    body: .init(byteBuffer: .init(string: report.errorsCSV)))
            }
        }
        router.get("/login") { request, _ in try await loginPage(request, error: nil, login: "") }
        router.post("/login") { request, _ in try await signIn(request) }
        router.post("/logout") { request, _ in try await signOut(request) }
        router.get("/app") { request, _ in try await page(request) { p in try await dashboard(request, p) } }
        router.get("/app/instruments") { request, _ in try await page(request) { p in try await instrumentList(request, p) } }
        router.get("/app/instruments.csv") { request, _ in try await page(request) { p in try await instrumentCSV(request, p) } }
        router.get("/app/regions") { request, _ in
            try await page(request) { p in redirect("/app/regions/\(p.region?.value ?? "350000")") }
        }
        router.get("/app/regions/{code}") { request, context in
            try await page(request) { p in try await regionPage(request, p, code: context.parameters.get("code") ?? "") }
        }
        router.get("/app/owners/{id}") { request, context in
            try await page(request) { p in try await ownerPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get("/app/institutions/{id}") { request, context in
            try await page(request) { p in try await institutionPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.get("/app/instruments/new") { request, _ in try await page(request) { p in try await newInstrument(request, p, error: nil) } }
        router.post("/app/instruments") { request, _ in try await page(request) { p in try await createInstrument(request, p) } }
        router.get("/app/instruments/{id}") { request, context in
            try await page(request) { p in try await instrumentPage(request, p, id: try context.parameters.require("id", as: Int.self)) }
        }
        router.post("/app/instruments/{id}/filing") { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                _ = try await form(request)
                _ = try await Filings.submit(instrumentID: id, by: p, on: db)
                return redirect("/app/instruments/\(id)?flash=filedNotice")
            }
        }
        router.post("/app/instruments/{id}/apply") { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                _ = try await VerificationRequests.apply(
                    instrumentID: id, institutionID: f["institution_id"].flatMap(Int.init), mode: f["mode"], note: nil, today: today, by: p, on: db)
                return redirect("/app/instruments/\(id)?flash=appliedNotice")
            }
        }
        router.get("/app/admin/users") { request, _ in try await page(request) { p in try await usersPage(request, p, error: nil) } }
        router.post("/app/admin/users") { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                do {
                    _ = try await Accounts.createUser(
                        .init(login: f["login"], displayName: f["display_name"], password: f["password"], role: f["role"],
                              regionCode: f["region_code"].flatMap { $0.isEmpty ? nil : $0 }, institutionID: f["institution_id"].flatMap { Int($0) },
                              ownerID: f["owner_id"].flatMap { Int($0) }),
                        by: p, on: db)
                } catch let e as ValidationFailure {
                    return try await usersPage(request, p, error: e.description)
                } catch let e as RegistryError {
                    if case .forbidden = e { throw e }
                    return try await usersPage(request, p, error: e.description)
                }
                return redirect("/app/admin/users?flash=done")
            }
        }
        router.post("/app/admin/users/{id}/password") { request, context in
            try await page(request) { p in
                let f = try await form(request)
                try await Accounts.resetPassword(userID: try context.parameters.require("id", as: Int.self), to: f["password"], by: p, on: db)
                return redirect("/app/admin/users?flash=done")
            }
        }
        router.post("/app/admin/users/{id}/{toggle}") { request, context in
            try await page(request) { p in
                _ = try await form(request)
                let toggle = context.parameters.get("toggle")
                guard toggle == "disable" || toggle == "enable" else { throw RegistryError.notFound(entity: "page", key: toggle ?? "") }
                _ = try await Accounts.setDisabled(userID: try context.parameters.require("id", as: Int.self), toggle == "disable", by: p, on: db)
                return redirect("/app/admin/users?flash=done")
            }
        }
        router.get("/app/admin/tokens") { request, _ in try await page(request) { p in try await tokensPage(request, p, newToken: nil, error: nil) } }
        router.post("/app/admin/tokens") { request, _ in
            try await page(request) { p in
                let body = try await request.body.collect(upTo: 1 << 16)
                // Checkboxes repeat the same name: read every "permission" value.
                var permissions: [String] = []
                var f: [String: String] = [:]
                for pair in String(buffer: body).split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                    guard kv.count == 2 else { continue }
                    if kv[0] == "permission" { permissions.append(kv[1]) } else { f[kv[0]] = kv[1] }
                }
                try checkCSRF(f)
                do {
                    let made = try await Accounts.createToken(
                        .init(name: f["name"], role: f["role"], regionCode: f["region_code"].flatMap { $0.isEmpty ? nil : $0 },
                              institutionID: f["institution_id"].flatMap { Int($0) }, ownerID: f["owner_id"].flatMap { Int($0) },
                              permissions: permissions.isEmpty ? nil : permissions),
                        by: p, on: db)
                    return try await tokensPage(request, p, newToken: made.token, error: nil)
                } catch let e as ValidationFailure {
                    return try await tokensPage(request, p, newToken: nil, error: e.description)
                } catch let e as RegistryError {
                    if case .forbidden = e { throw e }
                    return try await tokensPage(request, p, newToken: nil, error: e.description)
                }
            }
        }
        router.post("/app/admin/tokens/{id}/revoke") { request, context in
            try await page(request) { p in
                _ = try await form(request)
                try await Accounts.revokeToken(try context.parameters.require("id", as: Int.self), by: p, on: db)
                return redirect("/app/admin/tokens?flash=done")
            }
        }
        router.get("/app/admin/audit") { request, _ in try await page(request) { p in try await auditPage(request, p) } }
        router.get("/app/admin/calendar") { request, _ in try await page(request) { p in try await calendarPage(request, p) } }
        router.post("/app/admin/calendar") { request, _ in
            try await page(request) { p in
                let f = try await form(request)
                _ = try await VerificationRequests.setCalendarDay(f["date"] ?? "", kind: f["kind"], name: f["name"], by: p, on: db)
                return redirect("/app/admin/calendar?flash=done")
            }
        }
        router.post("/app/admin/calendar/{date}/delete") { request, context in
            try await page(request) { p in
                _ = try await form(request)
                try await VerificationRequests.removeCalendarDay(context.parameters.get("date") ?? "", by: p, on: db)
                return redirect("/app/admin/calendar?flash=done")
            }
        }
        router.get("/app/filings") { request, _ in try await page(request) { p in try await filingQueue(request, p) } }
        router.post("/app/filings/{id}/{decision}") { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                let approve = context.parameters.get("decision") == "approve"
                _ = try await Filings.decide(id, approve: approve, reason: f["reason"], by: p, on: db)
                return redirect("/app/filings?flash=done")
            }
        }
        router.get("/app/requests") { request, _ in try await page(request) { p in try await requestQueue(request, p) } }
        router.post("/app/requests/{id}/{step}") { request, context in
            try await page(request) { p in
                let id = try context.parameters.require("id", as: Int.self)
                let f = try await form(request)
                switch context.parameters.get("step") {
                case "accept":
                    _ = try await VerificationRequests.accept(
                        id, mode: nil, scheduledFor: nil, today: today, deadlines: config.verificationDeadlines, by: p, on: db)
                case "result":
                    let today = self.today
                    let pass = f["result"] == "pass"
                    // First verification unless the instrument has been verified before.
                    let application = try await VerificationRequests.request(id, scope: p.scope, on: db)
                    let verifiedBefore = try await Registry.records(
                        instrumentID: application.instrumentID, institutionID: nil, cursor: nil, limit: 1, scope: .everything, on: db).items.isEmpty == false
                    let kind = verifiedBefore ? VerificationKind.periodic.rawValue : VerificationKind.first.rawValue
                    _ = try await VerificationRequests.complete(
                        id,
                        record: { instrumentID, institutionID in
                            try RecordDraft.parse(
                                instrumentID: instrumentID, institutionID: institutionID, date: today.description, kind: kind,
                                result: f["result"], certificateNo: pass ? f["number"] : nil, resultNoticeNo: pass ? nil : f["number"],
                                readings: nil, recordedBy: p.label, corrects: nil, correctionReason: nil, today: today)
                        }, today: today, by: p, on: db)
                default: throw RegistryError.notFound(entity: "step", key: context.parameters.get("step") ?? "")
                }
                return redirect("/app/requests?flash=done")
            }
        }
    }

    // MARK: Sign-in

    static let loginCSRFCookie = "jiliang_login_csrf"

    func loginPage(_ request: Request, error: String?, login: String, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = language(request)
        // Login forms need CSRF protection too (against signing a victim into the attacker's account):
        // a random value in a cookie and in the form, which a cross-site page cannot read.
        let token = request.cookies[Self.loginCSRFCookie]?.value ?? Accounts.randomToken()
        let t = PageStrings.strings(lang)
        var response = render("login", ["t": t, "csrf": token, "error": error as Any, "login": login], title: t["signIn"]!, request: request, caller: nil, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: Cookie(
            name: Self.loginCSRFCookie, value: token, path: "/login", secure: config.secureCookies, httpOnly: true, sameSite: .strict).description))
        return response
    }

    func signIn(_ request: Request) async throws -> Response {
        let f = try await form(request)
        let t = PageStrings.strings(language(request))
        guard let sent = f["csrf"], sent == request.cookies[Self.loginCSRFCookie]?.value else {
            return try await loginPage(request, error: t["forbidden"], login: f["login"] ?? "", status: .forbidden)
        }
        do {
            let s = try await Accounts.signIn(login: f["login"] ?? "", password: f["password"] ?? "", on: db)
            var r = redirect("/app")
            r.headers.append(HTTPField(name: .setCookie, value: Cookie(
                name: AuthMiddleware<BasicRequestContext>.cookieName, value: s.token, maxAge: Int(Accounts.sessionLifetime), path: "/",
                secure: config.secureCookies, httpOnly: true, sameSite: .lax).description))
            return r
        } catch let e as Accounts.SignInError {
            let message = if case .locked = e { t["locked"] } else { t["wrongLogin"] }
            return try await loginPage(request, error: message, login: f["login"] ?? "", status: .unauthorized)
        }
    }

    func signOut(_ request: Request) async throws -> Response {
        if let token = RequestCaller.sessionToken {
            try checkCSRF(try await form(request))
            try await Accounts.signOut(token: token, everywhere: false, on: db)
        }
        var r = redirect("/login")
        r.headers.append(HTTPField(name: .setCookie, value: Cookie(
            name: AuthMiddleware<BasicRequestContext>.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax).description))
        return r
    }

    // MARK: Pages

    func dashboard(_ request: Request, _ p: Principal) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let counts = try await Registry.countsByStatus(today: today, window: config.dueSoonWindow, scope: p.scope, on: db).map {
            ["status": $0.0.rawValue, "label": PageStrings.statusLabel($0.0.rawValue, lang), "count": "\($0.1)"]
        }
        var waiting: [[String: String]] = []
        if p.may(.reviewFilings) {
            let n = try await Filings.list(state: .submitted, instrumentID: nil, cursor: nil, limit: 500, scope: p.scope, on: db).items.count
            if n > 0 { waiting.append(["link": "/app/filings", "text": "\(t["filings"]!): \(n)"]) }
        }
        if p.may(.recordVerifications) {
            let open = try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 500, scope: p.scope, on: db)
                .items.filter { $0.state == "applied" || $0.state == "accepted" }.count
            if open > 0 { waiting.append(["link": "/app/requests", "text": "\(t["requests"]!): \(open)"]) }
        }
        if p.role == .owner {
            let returned = try await Filings.list(state: .returned, instrumentID: nil, cursor: nil, limit: 50, scope: p.scope, on: db).items
            for f in returned { waiting.append(["link": "/app/instruments/\(f.instrumentID)", "text": "\(t["returnIt"]!): \(f.reason ?? "")"]) }
        }
        var inbox: [[String: String]] = []
        for box in mailboxes(p) {
            for m in try await Warnings.inbox(recipient: box, cursor: nil, limit: 10, on: db).items {
                inbox.append(["text": m.body, "at": CalendarDay(instant: m.createdAt).description])
            }
        }
        let scopeLabel = p.region.map { "\($0.value)" } ?? p.role.chineseName
        return render("dashboard", ["t": t, "counts": counts, "waiting": waiting, "inbox": Array(inbox.prefix(10)), "scopeLabel": scopeLabel],
                      title: t["dashboard"]!, request: request, caller: p)
    }

    func mailboxes(_ p: Principal) -> [String] {
        switch p.role {
        case .provinceAdmin: ["admin"]
        case .bureauStaff: p.region.map { ["region:\($0.value)"] } ?? []
        case .owner: p.ownerIDs.map { "owner:\($0)" }
        case .instituteStaff: []
        }
    }

    /// The list's filters from the query: status, region subtree, search text.
    func listFilter(_ request: Request) throws -> Registry.InstrumentFilter {
        let q = request.uri.queryParameters
        var region: RegionCode?
        if let r = q["region"].map(String.init), !r.isEmpty {
            guard let code = RegionCode(r) else { throw RegistryError.invalid("region", "must be a 6-digit region code, got '\(r)'") }
            region = code
        }
        return .init(
            region: region, status: q["status"].flatMap { ComplianceStatus(rawValue: String($0)) },
            search: q["q"].map(String.init).flatMap { $0.isEmpty ? nil : $0 })
    }

    func instrumentList(_ request: Request, _ p: Principal) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let filter = try listFilter(request)
        let page = try await Registry.instruments(
            filter, today: today, window: config.dueSoonWindow, cursor: request.uri.queryParameters["cursor"].map(String.init), limit: 50,
            scope: p.scope, on: db)
        let items = page.items.map { m -> [String: String] in
            let s = statusOf(m)
            return ["id": "\(m.id!)", "code": m.code, "name": m.name, "serial": m.serialNo, "status": s, "statusLabel": PageStrings.statusLabel(s, lang),
                    "nextDue": m.nextDue ?? ""]
        }
        let statuses = ComplianceStatus.allCases.map {
            ["value": $0.rawValue, "label": PageStrings.statusLabel($0.rawValue, lang), "selected": $0 == filter.status ? "1" : ""]
        }.map { $0.filter { !$0.value.isEmpty } }
        let query = "status=\(filter.status?.rawValue ?? "")&region=\(filter.region?.value ?? "")&q=\(formEncoded(filter.search ?? ""))"
        var model: [String: Any] = [
            "t": t, "items": items, "statuses": statuses, "canFile": p.may(.fileInstruments), "q": filter.search ?? "",
            "region": filter.region?.value ?? "", "csvLink": "/app/instruments.csv?" + query,
        ]
        if let c = page.nextCursor { model["next"] = "/app/instruments?cursor=\(c)&" + query }
        if let r = filter.region, let region = try await RegionModel.find(r.value, on: db) { model["regionName"] = region.name }
        return render("instruments", model, title: t["instruments"]!, request: request, caller: p)
    }

    /// The filtered list as CSV (UTF-8 with BOM, so that Excel shows the Chinese), every page of it.
    func instrumentCSV(_ request: Request, _ p: Principal) async throws -> Response {
        let filter = try listFilter(request)
        var csv = "\u{FEFF}code,name,serial_no,sub_no,region_code,owner_id,lifecycle,status,next_due\n"
        var cursor: String?
        repeat {
            let page = try await Registry.instruments(filter, today: today, window: config.dueSoonWindow, cursor: cursor, limit: 500, scope: p.scope, on: db)
            for m in page.items {
                csv += [m.code, m.name, m.serialNo, "\(m.subNo)", m.regionCode, "\(m.ownerID)", m.lifecycle, statusOf(m), m.nextDue ?? ""]
                    .map(\.csvEscaped).joined(separator: ",") + "\n"
            }
            cursor = page.nextCursor
        } while cursor != nil
        return Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"instruments-\(today).csv\""],
            body: .init(byteBuffer: .init(string: csv)))
    }

    func formEncoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }

    /// Province → city → county: each child region's counts by status, and the region's counts by
    /// catalogue sub-item; every number links to the list behind it.
    func regionPage(_ request: Request, _ p: Principal, code: String) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        guard let rc = RegionCode(code), let region = try await RegionModel.find(rc.value, on: db) else {
            throw RegistryError.notFound(entity: "region", key: code)
        }
        // A bureau drills down inside its own region only.
        if case .region(let own) = p.scope, !own.contains(rc) { throw RegistryError.notFound(entity: "region", key: code) }
        guard p.role == .provinceAdmin || p.role == .bureauStaff else { throw RegistryError.forbidden("regional statistics") }
        let children = try await Registry.regions(parent: rc.value, on: db)
        let statuses: [ComplianceStatus] = [.overdue, .dueSoon, .failed, .lifeExpired, .notFiled, .valid]
        var rows: [[String: Any]] = []
        for child in children.isEmpty ? [region] : children {
            let childCode = RegionCode(child.id!)!
            let counts = try await Registry.countsByStatus(
                today: today, window: config.dueSoonWindow, scope: narrowed(p.scope, to: childCode), on: db)
            rows.append([
                "code": child.id!, "name": child.name, "drill": !children.isEmpty && childCode.level != .county,
                "cells": counts.map { ["code": child.id!, "status": $0.0.rawValue, "count": "\($0.1)"] },
            ])
        }
        var names: [Int: String] = [:]
        for e in try await Registry.catalogue(on: db) { names[e.id!] = e.subName }
        let items = try await Registry.countsBySubItem(region: rc, scope: p.scope, on: db).map {
            ["subNo": "\($0.subNo)", "name": names[$0.subNo] ?? "", "count": "\($0.count)"]
        }
        var model: [String: Any] = [
            "t": t, "code": rc.value, "name": region.name, "rows": rows, "items": items,
            "columns": statuses.map { ["status": $0.rawValue, "label": PageStrings.statusLabel($0.rawValue, lang)] },
        ]
        if let parent = rc.parent, p.scope == .everything || p.region.map({ $0.contains(parent) }) == true { model["parent"] = parent.value }
        return render("regions", model, title: region.name, request: request, caller: p)
    }

    /// The caller's scope restricted to one region subtree.
    func narrowed(_ scope: AccessScope, to region: RegionCode) -> AccessScope {
        switch scope {
        case .everything: .region(region)
        case .region(let own): own.contains(region) ? .region(region) : (region.contains(own) ? .region(own) : .nothing)
        default: scope
        }
    }

    func ownerPage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let o = try await Registry.owner(id, scope: p.scope, on: db)
        let page = try await Registry.instruments(.init(ownerID: id), today: today, window: config.dueSoonWindow, cursor: nil, limit: 50, scope: p.scope, on: db)
        let items = page.items.map { m -> [String: String] in
            let s = statusOf(m)
            return ["id": "\(m.id!)", "code": m.code, "name": m.name, "status": s, "statusLabel": PageStrings.statusLabel(s, lang)]
        }
        var model: [String: Any] = [
            "t": t, "name": o.name, "creditCode": o.creditCode, "address": o.address, "region": o.regionCode, "industry": o.industry, "items": items,
            "more": page.nextCursor != nil,
        ]
        if let c = [o.contactName, o.contactPhone].compactMap({ $0 }).joined(separator: " ") as String?, !c.isEmpty { model["contact"] = c }
        return render("owner", model, title: o.name, request: request, caller: p)
    }

    /// Institutions and their authorisation are public information.
    func institutionPage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let i = try await Registry.institution(id, on: db)
        var names: [Int: String] = [:]
        for e in try await Registry.catalogue(on: db) { names[e.id!] = e.subName }
        let scopes = try await Registry.scopes(of: id, on: db).map {
            ["subNo": "\($0.subNo)", "subName": names[$0.subNo] ?? "", "region": $0.region.value, "from": $0.validFrom.description, "until": $0.validUntil.description]
        }
        return render("institution", ["t": t, "name": i.name, "kind": i.kind, "address": i.address, "region": i.regionCode, "scopes": scopes],
                      title: i.name, request: request, caller: p)
    }

    func statusOf(_ m: InstrumentModel) -> String {
        ComplianceEngine.status(
            base: ComplianceBase(rawValue: m.complianceBase) ?? .notFiled, nextDue: m.nextDue.flatMap(CalendarDay.init),
            dueKind: m.dueKind.flatMap(DueKind.init), on: today, window: config.dueSoonWindow).rawValue
    }

    func newInstrument(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        guard p.may(.fileInstruments) else { throw RegistryError.forbidden("registering instruments") }
        let t = PageStrings.strings(language(request))
        let catalogue = try await Registry.catalogue(on: db).map { ["subNo": "\($0.id!)", "name": $0.subName] }
        return render("instrument-new", ["t": t, "catalogue": catalogue, "error": error as Any], title: t["newInstrument"]!, request: request, caller: p)
    }

    /// An owner's draft (the bureau files instruments through the API or an import).
    func createInstrument(_ request: Request, _ p: Principal) async throws -> Response {
        let f = try await form(request)
        guard p.role == .owner, let ownerID = p.ownerIDs.first, let owner = try await OwnerModel.find(ownerID, on: db) else {
            throw RegistryError.forbidden("registering instruments from this page (owners only)")
        }
        var raw = RawInstrument()
        raw.subNo = f["sub_no"]
        raw.name = f["name"]
        raw.serialNo = f["serial_no"]
        raw.address = f["address"]
        raw.inServiceDate = f["in_service_date"]
        raw.purpose = UsePurpose.tradeSettlement.rawValue
        raw.regionCode = owner.regionCode
        raw.ownerCreditCode = owner.creditCode
        raw.status = LifecycleStatus.draft.rawValue
        do {
            let d = try InstrumentDraft.parse(raw, context: try await Registry.context(on: db))
            var rng = SystemRandomNumberGenerator()
            let m = try await Registry.createInstrument(d, scope: p.scope, on: db, generator: &rng)
            return redirect("/app/instruments/\(m.id!)")
        } catch let e as ValidationFailure {
            return try await newInstrument(request, p, error: e.description)
        }
    }

    func instrumentPage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let m = try await Registry.instrument(id, scope: p.scope, on: db)
        let owner = try await OwnerModel.find(m.ownerID, on: db)
        let records = try await Registry.records(instrumentID: id, institutionID: nil, cursor: nil, limit: 100, scope: p.scope, on: db).items.map {
            ["date": $0.verifiedOn, "kind": $0.kind, "result": $0.result, "certificate": $0.certificateNo ?? $0.resultNoticeNo ?? "", "validUntil": $0.validUntil ?? ""]
        }
        let filings = try await Filings.list(state: nil, instrumentID: id, cursor: nil, limit: 20, scope: p.scope, on: db).items.map {
            ["submittedAt": CalendarDay(instant: $0.submittedAt).description, "state": $0.state, "reason": $0.reason ?? ""]
        }
        var names: [Int: String] = [:]
        let requestModels = try await VerificationRequests.list(
            state: nil, institutionID: nil, overdueOn: nil, instrumentID: id, cursor: nil, limit: 20, scope: p.scope, on: db).items
        for r in requestModels where names[r.institutionID] == nil { names[r.institutionID] = try await InstitutionModel.find(r.institutionID, on: db)?.name }
        let requests = requestModels.map {
            ["appliedOn": $0.appliedOn, "institution": names[$0.institutionID] ?? "", "institutionID": "\($0.institutionID)", "state": $0.state, "deadline": $0.deadline ?? "",
             "overdue": $0.state == "accepted" && ($0.deadline.flatMap(CalendarDay.init).map { today > $0 } ?? false) ? "1" : ""]
        }.map { $0.filter { !$0.value.isEmpty } }
        let open = requestModels.contains { $0.state == "applied" || $0.state == "accepted" }
        var institutions: [[String: String]] = []
        let canApply = p.may(.fileInstruments) && m.lifecycle != LifecycleStatus.draft.rawValue && !open
        if canApply {
            for i in try await Registry.institutions(region: nil, subNo: m.subNo, cursor: nil, limit: 100, on: db).items {
                let scopes = try await Registry.scopes(of: i.id!, on: db)
                if InstitutionDraft.covers(scopes, subNo: m.subNo, region: RegionCode(m.regionCode)!, on: today) {
                    institutions.append(["id": "\(i.id!)", "name": i.name])
                }
            }
        }
        let schedules = try await Registry.evaluation(of: m, on: db).schedules.map { ["name": $0.name, "dueDate": $0.dueDate.description] }
        let warnings = try await WarningModel.query(on: db).filter(\.$instrumentID == id).sort(\.$id, .descending).limit(10).all().map {
            ["message": $0.message, "raised": CalendarDay(instant: $0.raisedAt).description]
        }
        let s = statusOf(m)
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "schedules": schedules, "warnings": warnings, "name": m.name, "codeGrouped": (try? InstrumentCode(validating: m.code).grouped) ?? m.code, "status": s,
            "statusLabel": PageStrings.statusLabel(s, lang), "lifecycle": m.lifecycle, "serial": m.serialNo, "owner": owner?.name ?? "", "ownerID": "\(m.ownerID)",
            "address": m.address, "nextDue": m.nextDue ?? "", "records": records, "filings": filings, "requests": requests,
            "canSubmit": p.may(.fileInstruments) && m.lifecycle == LifecycleStatus.draft.rawValue
                && !filings.contains { $0["state"] == Filings.State.submitted.rawValue },
            "canApply": canApply && !institutions.isEmpty, "institutions": institutions,
        ]
        return render("instrument", model, title: m.name, request: request, caller: p)
    }

    func filingQueue(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.reviewFilings) else { throw RegistryError.forbidden("reviewing filings") }
        let t = PageStrings.strings(language(request))
        var items: [[String: String]] = []
        for f in try await Filings.list(state: .submitted, instrumentID: nil, cursor: nil, limit: 200, scope: p.scope, on: db).items {
            let inst = try await Registry.instrument(f.instrumentID, scope: p.scope, on: db)
            items.append(["id": "\(f.id!)", "instrumentID": "\(f.instrumentID)", "instrument": "\(inst.name) \(inst.serialNo)",
                          "submittedAt": CalendarDay(instant: f.submittedAt).description, "submittedBy": f.submittedBy])
        }
        return render("filings", ["t": t, "items": items], title: t["filings"]!, request: request, caller: p)
    }

    func requestQueue(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.recordVerifications) else { throw RegistryError.forbidden("handling verification applications") }
        let t = PageStrings.strings(language(request))
        var items: [[String: String]] = []
        for r in try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 200, scope: p.scope, on: db).items
        where r.state == "applied" || r.state == "accepted" {
            let inst = try await InstrumentModel.find(r.instrumentID, on: db)
            items.append([
                "id": "\(r.id!)", "instrumentID": "\(r.instrumentID)", "instrument": "\(inst?.name ?? "") \(inst?.serialNo ?? "")", "mode": r.mode,
                "state": r.state, "deadline": r.deadline ?? "", "canAccept": r.state == "applied" ? "1" : "", "canRecord": r.state == "accepted" ? "1" : "",
                "overdue": r.state == "accepted" && (r.deadline.flatMap(CalendarDay.init).map { today > $0 } ?? false) ? "1" : "",
            ].filter { !$0.value.isEmpty })
        }
        return render("requests", ["t": t, "items": items], title: t["requests"]!, request: request, caller: p)
    }

    // MARK: Administration

    /// Accounts: administrators see and manage all; bureau staff see and invite the owner accounts
    /// of owners in their region.
    func usersPage(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        guard p.may(.manageAccounts) || p.may(.manageOwners) else { throw RegistryError.forbidden("managing accounts") }
        let t = PageStrings.strings(language(request))
        var users = try await Accounts.users(on: db)
        if !p.may(.manageAccounts) {
            let visible = Set(try await Registry.owners(.init(), cursor: nil, limit: 500, scope: p.scope, on: db).items.compactMap(\.id))
            users = users.filter { $0.role == Role.owner.rawValue && $0.ownerID.map(visible.contains) == true }
        }
        let items = users.map { u -> [String: String] in
            [
                "id": "\(u.id!)", "login": u.login, "name": u.displayName, "role": Role(rawValue: u.role)?.chineseName ?? u.role,
                "attached": u.regionCode ?? u.institutionID.map { "institution \($0)" } ?? u.ownerID.map { "owner \($0)" } ?? "",
                "locked": (u.lockedUntil ?? .distantPast) > Date() ? "1" : "", "canReset": p.may(.manageAccounts) ? "1" : "",
                "disabled": u.disabled ? "1" : "", "toggle": u.disabled ? "enable" : "disable", "toggleLabel": u.disabled ? t["enable"]! : t["disable"]!,
            ].filter { !$0.value.isEmpty }
        }
        let roles = (p.may(.manageAccounts) ? Role.allCases : [.owner]).map { ["value": $0.rawValue, "label": $0.chineseName] }
        var model: [String: Any] = ["t": t, "items": items, "roles": roles]
        if let error { model["error"] = error }
        return render("users", model, title: t["users"]!, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func tokensPage(_ request: Request, _ p: Principal, newToken: String?, error: String?) async throws -> Response {
        guard p.may(.manageAccounts) else { throw RegistryError.forbidden("managing API tokens") }
        let t = PageStrings.strings(language(request))
        let items = try await Accounts.tokens(on: db).map { m -> [String: String] in
            [
                "id": "\(m.id!)", "name": m.name, "role": Role(rawValue: m.role)?.chineseName ?? m.role, "permissions": m.permissions,
                "lastUsed": m.lastUsedAt.map { CalendarDay(instant: $0).description } ?? "", "revoked": m.revokedAt != nil ? "1" : "",
            ].filter { !$0.value.isEmpty }
        }
        var model: [String: Any] = [
            "t": t, "items": items, "roles": Role.allCases.map { ["value": $0.rawValue, "label": $0.chineseName] },
            "permissions": Permission.allCases.map(\.rawValue),
        ]
        if let newToken { model["newToken"] = newToken }
        if let error { model["error"] = error }
        return render("tokens", model, title: t["tokens"]!, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func auditPage(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.readAudit) else { throw RegistryError.forbidden("reading the audit log") }
        let t = PageStrings.strings(language(request))
        let q = request.uri.queryParameters
        func text(_ k: String) -> String? { q[Substring(k)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let since = try text("since").map { s -> CalendarDay in
            guard let d = CalendarDay(s) else { throw RegistryError.invalid("since", "must be a date written YYYY-MM-DD") }
            return d
        }
        let page = try await Audit.list(
            actor: text("actor"), entity: text("entity"), entityID: text("entity_id"), since: since?.startInstant, cursor: text("cursor"), limit: 100, on: db)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = CalendarDay.chinaTimeZone
        let items = page.items.map {
            ["at": formatter.string(from: $0.at), "actor": $0.actor, "action": $0.action, "entity": $0.entity, "entityID": $0.entityID ?? "",
             "after": String(($0.after ?? "").prefix(300))]
        }
        var model: [String: Any] = [
            "t": t, "items": items, "actor": text("actor") ?? "", "entity": text("entity") ?? "", "entityID": text("entity_id") ?? "",
            "since": since?.description ?? "",
        ]
        if let c = page.nextCursor {
            model["next"] = "/app/admin/audit?cursor=\(c)&actor=\(formEncoded(text("actor") ?? ""))&entity=\(formEncoded(text("entity") ?? ""))"
                + "&entity_id=\(formEncoded(text("entity_id") ?? ""))&since=\(since?.description ?? "")"
        }
        return render("audit", model, title: t["auditLog"]!, request: request, caller: p)
    }

    func calendarPage(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.manageReference) else { throw RegistryError.forbidden("maintaining the working-day calendar") }
        let t = PageStrings.strings(language(request))
        let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) } ?? today.year
        let items = try await VerificationRequests.calendarDays(year: year, on: db).map {
            ["date": $0.id!, "kind": $0.kind == "holiday" ? t["holiday"]! : t["workday"]!, "name": $0.name]
        }
        return render("calendar", ["t": t, "items": items, "year": "\(year)"], title: t["calendar"]!, request: request, caller: p)
    }

    // MARK: Import

    /// The upload: the file is the request body (sent by import.js with the CSRF header).
    func startImport(_ request: Request, _ p: Principal) async throws -> [String: Any] {
        guard p.may(.importInstruments) else { throw RegistryError.forbidden("importing instruments") }
        guard let expected = RequestCaller.csrf, request.headers[AuthMiddleware<BasicRequestContext>.csrfHeader] == expected else {
            throw RegistryError.forbidden("an upload without this session's CSRF token")
        }
        let modeText = request.uri.queryParameters["mode"].map(String.init) ?? InstrumentImport.Mode.allOrNothing.rawValue
        guard let mode = InstrumentImport.Mode(rawValue: modeText) else { throw RegistryError.invalid("mode", "must be all_or_nothing or valid_rows_only") }
        let limit = 512 * 1024 * 1024
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch { throw RegistryError.invalid("file", "the file is larger than 512 MB") }
        guard body.readableBytes > 0 else { throw RegistryError.invalid("file", "the file is empty") }
        let job = try await ImportJobs.enqueue(bytes: Array(body.readableBytesView), mode: mode, by: p, uploadDirectory: config.uploadDirectory, on: db)
        return ["id": job.id!]
    }

    func visibleJob(_ p: Principal, id: Int) async throws -> JobModel {
        guard let j = try await JobModel.find(id, on: db), p.role == .provinceAdmin || j.createdBy == p.actor else {
            throw RegistryError.notFound(entity: "job", key: "\(id)")
        }
        return j
    }

    func jobProgress(_ p: Principal, id: Int) async throws -> [String: Any] {
        let j = try await visibleJob(p, id: id)
        var out: [String: Any] = ["id": id, "state": j.state, "done": j.progressDone ?? 0, "total": j.progressTotal ?? 0]
        if let result = j.result, let report = try? JSONDecoder().decode(InstrumentImport.Report.self, from: Data(result.utf8)) {
            out["inserted"] = report.inserted
            out["errors"] = report.errors.count
            out["stored"] = report.stored
        }
        if let e = j.error { out["message"] = e }
        return out
    }

    /// Runs a JSON endpoint of the pages (for their scripts): errors as `{"message": …}` with the status.
    func json(_ request: Request, _ body: (Principal) async throws -> [String: Any]) async throws -> Response {
        func answer(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
            return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: .init(bytes: data)))
        }
        guard let p = RequestCaller.principal else { return answer(.unauthorized, ["message": "sign in first"]) }
        do {
            return answer(.ok, try await body(p))
        } catch let e as RegistryError {
            switch e {
            case .notFound: return answer(.notFound, ["message": e.description])
            case .forbidden: return answer(.forbidden, ["message": e.description])
            case .unauthenticated: return answer(.unauthorized, ["message": e.description])
            case .invalid, .conflict: return answer(.badRequest, ["message": e.description])
            }
        }
    }

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
        let body = try await request.body.collect(upTo: 1 << 20)
        var out: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if kv.count == 2 { out[kv[0]] = kv[1] } else if kv.count == 1 { out[kv[0]] = "" }
        }
        if request.uri.path != "/login" { try checkCSRF(out) }
        return out
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
            "canImport": caller?.may(.importInstruments) == true,
            "canManageUsers": caller.map { $0.may(.manageAccounts) || $0.may(.manageOwners) } == true,
            "isAdmin": caller?.may(.readAudit) == true, "canRecord": caller?.may(.recordVerifications) == true,
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
