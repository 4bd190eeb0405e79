import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// Issue #20, items 1–2: one HTML error path and one CSRF check for the staff site, each site's
/// errors in its own frame, and no state-changing staff route that a request without the session's
/// token reaches.
@Suite struct PageErrorPathTests {
    /// Every state-changing staff route, with its parameters filled in (the URL map's own values).
    static let posts: [String] = [
        Site.newInstrument(), Site.instruments(), Site.instrumentFiling(1), Site.instrumentApply(1), Site.institutionAuthorisations(1),
        Site.importPage(), Site.importProfiles(), Site.filingDecision(1, "approve"), Site.requestStep(1, "accept"), Site.surveys(),
        Site.surveyChase(1), Site.surveyClose(1), Site.surveyRequest(1, 1), Site.standards(), Site.standardTargets(), Site.standard(1),
        Site.catalogue(), Site.catalogueEntry(2), Site.catalogueNames(2), Site.catalogueRules(2), Site.complaintAction(1, "assign"),
        Site.checkSlots(), Site.checkResult(1), Site.campaigns(), Site.commitments(), Site.commitmentEnd(1), Site.commitmentTemplates(),
        Site.demoChecklists(), Site.demoRounds(), Site.demoRoundAction(1, "open"), Site.demoApplicationAction(1, "accept"), Site.penalties(),
        Site.penaltyAction(1, "publish"), Site.listings(), Site.listingStep(1), Site.users(), Site.userPassword(1), Site.userToggle(1, "disable"),
        Site.tokens(), Site.tokenRevoke(1), Site.institutions(), Site.calendar(), Site.calendarDelete("2026-10-01"), Site.telemetryAlertDecision(1),
        Site.logout(),
    ]

    /// The import page's script posts its file and profiles and reads JSON answers.
    static let scriptRoutes: Set<String> = [Site.importPage(), Site.importProfiles()]

    @Test func noStateChangingStaffRouteIsReachedWithoutTheSessionsToken() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let b = PageTests.Browser(client)
            _ = try await b.signIn("gulou")
            func writes() async throws -> Int { try await AuditEntryModel.query(on: store.db).all().filter { !$0.action.hasPrefix("sign_in") }.count }
            let before = try await writes()
            for path in Self.posts {
                // A form without the token, and one with a wrong token: refused before any handler.
                for form in [["name": "x"], ["csrf": "forged", "name": "x"]] {
                    let r = try await b.post(path, form)
                    #expect(r.status == .forbidden, "\(path): \(r.status)")
                    if Self.scriptRoutes.contains(path) {  // the import page's script reads problems
                        #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true, "\(path)")
                    } else {
                        #expect(r.headers[.contentType]?.hasPrefix("text/html") == true && r.text.contains("id=\"error-title\""), "\(path)")
                    }
                }
            }
            // Written so that the router still matches it ("//app/…", a trailing slash): the same.
            for path in Self.posts {
                for variant in ["/" + path, path + "/", path.replacingOccurrences(of: "/app/", with: "/app//")] {
                    let r = try await b.post(variant, ["name": "x"])
                    #expect(r.status == .forbidden || r.status == .notFound, "\(variant): \(r.status)")
                }
            }
            // The API's cookie check likewise: a session cookie without X-CSRF-Token is refused.
            for path in ["/api/v1/owners", "//api/v1/owners", "/api//v1/owners"] {
                let r = try await b.post(path, ["name": "x"])
                #expect(r.status == .forbidden, "\(path): \(r.status)")
            }
            // Nothing was written by any of them.
            #expect(try await writes() == before)
            // Anonymous: the sign-in page, for every one of them.
            let anonymous = PageTests.Browser(client)
            for path in Self.posts where path != Site.logout() {
                let r = try await anonymous.post(path, ["csrf": "x"])
                if Self.scriptRoutes.contains(path) {
                    #expect(r.status == .unauthorized, "\(path): \(r.status)")
                } else {
                    #expect(r.status == .seeOther && r.headers[.location] == Site.login(), "\(path): \(r.status)")
                }
            }
        }
    }

    @Test func errorsAreAnsweredInTheFrameOfTheirSite() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let b = PageTests.Browser(client)
            _ = try await b.signIn("gulou")
            // Staff: an unknown record, a path parameter of the wrong kind, an unknown page.
            let missing = try await b.get(Site.instrument(999_999))
            #expect(missing.status == .notFound && missing.text.contains("id=\"error-title\"") && missing.text.contains("nav"))
            let wrongKind = try await b.get("/app/instruments/abc")
            #expect(wrongKind.status == .badRequest && wrongKind.headers[.contentType]?.hasPrefix("text/html") == true, "\(wrongKind.status)")
            let unknown = try await b.get("/app/no-such-page")
            #expect(unknown.status == .notFound && unknown.text.contains("id=\"error-title\""))
            // English when the reader chose it.
            let english = try await b.get(Site.instrument(999_999) + "?lang=en")
            #expect(english.text.contains("Not found") && !english.text.contains("未找到"))
            // Public: the public frame, never the staff one.
            let publicMissing = try await client.execute(uri: "/p/i/NO-SUCH-CODE", method: .get)
            #expect(publicMissing.headers[.contentType]?.hasPrefix("text/html") == true && !publicMissing.text.contains("id=\"error-title\""))
            // The landing page is in the public frame too (one frame per site).
            let home = try await client.execute(uri: "/", method: .get)
            #expect(home.status == .ok && home.text.contains("超期未检") && home.text.contains("计量查询 · 民生计量服务"))
            // The API keeps its problems.
            let api = try await client.execute(uri: "/api/v1/instruments/999999", method: .get, headers: [.authorization: "Bearer \(TestAuth.adminToken ?? "")"])
            #expect(api.status == .notFound && api.headers[.contentType]?.hasPrefix("application/problem+json") == true)
        }
    }

    /// A typed form that is not one — a field given twice, bad percent-encoding — is bad input
    /// naming the body, never a 500; nothing is stored.
    @Test func aMalformedFormIsBadInput() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let b = PageTests.Browser(client)
            _ = try await b.signIn("gulou")
            let csrf = b.csrf(from: try await b.get(Site.surveys()))
            for body in ["csrf=\(csrf)&title=a&title=b&industry=market", "csrf=\(csrf)&title=%ZZ&industry=market"] {
                var headers = HTTPFields()
                headers[.cookie] = b.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                headers[.contentType] = "application/x-www-form-urlencoded"
                let r = try await client.execute(uri: Site.surveys(), method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(r.status == .badRequest && r.text.contains("id=\"error-title\"") && r.text.contains("body"), "\(body): \(r.status)")
            }
            #expect(try await SurveyModel.query(on: store.db).count() == 0)
        }
    }
}
