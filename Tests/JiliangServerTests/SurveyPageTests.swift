import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangStore
import JiliangTestSupport
import NIOCore
import Testing

/// The survey's pages over HTTP (issue #19, item 6): the bureau opens it and follows it; the owner
/// declares on the public phone page by its link; an unregistered owner joins by the public link.
@Suite struct SurveyPageTests {
    func post(_ client: any TestClientProtocol, _ uri: String, _ form: [String: String]) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aBureauSurveysItsFuelStationsAndOwnersDeclareOnTheirPhones() async throws {
        try await withApp { store, client in
            _ = try await PageTests.demoAccounts(store)
            let station = try await Fixtures.owner(5, industry: .fuelStation, on: store.db)
            let bureau = PageTests.Browser(client)
            _ = try await bureau.signIn("gulou")
            let list = try await bureau.get("/app/surveys")
            #expect(list.status == .ok && list.text.contains("id=\"survey-form\""))
            let csrf = bureau.csrf(from: list)
            let bad = try await bureau.post("/app/surveys", ["csrf": csrf, "title": "", "industry": "fuel_station", "region_code": "350102", "closes_on": "2026-12-31"])
            #expect(bad.status == .badRequest && bad.text.contains("title"))
            let opened = try await bureau.post("/app/surveys", ["csrf": csrf, "title": "鼓楼区加油站摸排", "industry": "fuel_station", "region_code": "350102", "closes_on": "2026-12-31"])
            #expect(opened.status == .seeOther)
            let location = try #require(opened.headers[.location])
            let page = try await bureau.get(location)
            #expect(page.status == .ok && page.text.contains("鼓楼区加油站摸排") && page.text.contains(station.name))
            // The owner's link, as its inbox has it.
            let message = try #require(try await InboxMessageModel.query(on: store.db).filter(\.$recipient == "owner:\(station.id!)").first())
            guard case .survey(_, _, _, let token, _)? = message.decodedNotice else { Issue.record("not a survey notice: \(message.notice ?? "")"); return }
            let form = try await client.execute(uri: "/p/survey/\(token)", method: .get)
            #expect(form.status == .ok && form.text.contains("id=\"declare-form\"") && form.text.contains("<datalist"))
            let partly = try await post(client, "/p/survey/\(token)", ["name_1": "燃油加油机", "serial_1": "", "address_1": "1号岛", "in_service_1": "2026-03-01", "purpose_1": "trade_settlement"])
            #expect(partly.status == .badRequest && partly.text.contains("rows[1].serial_no") && partly.text.contains("1号岛"))
            let declared = try await post(client, "/p/survey/\(token)", [
                "name_1": "燃油加油机", "serial_1": "P-1", "address_1": "1号岛", "in_service_1": "2026-03-01", "purpose_1": "trade_settlement",
                "name_2": "燃油加油机", "serial_2": "P-2", "address_2": "2号岛", "in_service_2": "2026-03-01", "purpose_2": "trade_settlement",
            ])
            #expect(declared.status == .seeOther && declared.headers[.location]?.hasSuffix("declared=2") == true)
            let after = try await client.execute(uri: declared.headers[.location]!, method: .get)
            #expect(after.text.contains("P-1") && after.text.contains("待审核备案"))
            // The bureau's progress: 1 invited, 1 answered, 2 declared; nobody silent.
            let progress = try await bureau.get(location)
            #expect(progress.text.contains("<tr id=\"progress-total\"><th>合计</th><th>1</th><th>1</th><th>100.0%</th><th>2</th><th>0</th><th>0.0%</th></tr>"), "\(progress.text)")
            // An unregistered station asks to join by the public link; the same answer for a
            // registered unit; the bureau accepts the request on the survey's page.
            let surveyID = location.split(separator: "/").last!.prefix { $0.isNumber }
            #expect(try await client.execute(uri: "/p/surveys/\(surveyID)/join", method: .get).status == .ok)
            let joined = try await post(client, "/p/surveys/\(surveyID)/join", [
                "name": "新开加油站", "credit_code": Fixtures.creditCode(77).value, "address": "新路", "region": "鼓楼区", "contact_phone": "13900000077",
            ])
            let registered = try await post(client, "/p/surveys/\(surveyID)/join", [
                "name": "冒名", "credit_code": station.creditCode, "address": "新路", "region": "鼓楼区", "contact_phone": "13900000666",
            ])
            #expect(joined.status == .seeOther && registered.status == .seeOther && joined.headers[.location] == registered.headers[.location], "\(joined.text)")
            let sent = try await client.execute(uri: joined.headers[.location]!, method: .get)
            #expect(sent.status == .ok && sent.text.contains("已收到贵单位的信息"))
            let withRequests = try await bureau.get(location)
            let rid = try #require(withRequests.text.firstMatch(of: /requests\/([0-9]+)"/)?.1)
            let accepted = try await bureau.post("\(location.split(separator: "?")[0])/requests/\(rid)", ["csrf": bureau.csrf(from: withRequests), "decision": "accept"])
            #expect(accepted.status == .seeOther)
            #expect(try await OwnerModel.query(on: store.db).filter(\.$creditCode == Fixtures.creditCode(77).value).first() != nil)
            // Unknown and forbidden alike: a wrong link is 404; an owner account has no survey pages.
            #expect(try await client.execute(uri: "/p/survey/AAAA-BBBB-CCCC-DDDD", method: .get).status == .notFound)
            let owner = PageTests.Browser(client)
            _ = try await owner.signIn("owner")
            #expect(try await owner.get("/app/surveys").status == .forbidden)
        }
    }

    /// The same survey over the API: opened, followed, chased and closed; another region's bureau
    /// and an owner see nothing of it.
    @Test func theSurveyOverTheAPI() async throws {
        try await withApp { store, client in
            _ = try await Fixtures.owner(6, industry: .fuelStation, on: store.db)
            let gulou = try await Accounts.createToken(
                .init(name: "gulou", role: Role.bureauStaff.rawValue, regionCode: "350102"), by: .system("tests"), on: store.db)
            let xiamen = try await Accounts.createToken(
                .init(name: "xiamen", role: Role.bureauStaff.rawValue, regionCode: "350200"), by: .system("tests"), on: store.db)
            let bad = try await client.send(.post, "/api/v1/surveys", json: ["title": "x", "industry": "fuel_station", "region_code": "350203", "closes_on": "2026-12-31"], as: .bearer(gulou.token))
            #expect(bad.status == .badRequest && bad.text.contains("region_code"))
            let opened = try await client.send(.post, "/api/v1/surveys", json: ["title": "加油站摸排", "industry": "加油站", "region_code": "350102", "closes_on": "2026-12-31"], as: .bearer(gulou.token))
            #expect(opened.status == .created, "\(opened.text)")
            let id = opened.json["id"] as! Int
            #expect((opened.json["total"] as? [String: Any])?["invited"] as? Int == 1)
            #expect((opened.json["join_link"] as? String)?.hasSuffix("/p/surveys/\(id)/join") == true)
            let chased = try await client.send(.post, "/api/v1/surveys/\(id)/chase", as: .bearer(gulou.token))
            #expect(chased.json["chased"] as? Int == 1)
            #expect(try await client.send(.get, "/api/v1/surveys/\(id)", as: .bearer(xiamen.token)).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/surveys", as: .bearer(xiamen.token)).jsonArray.isEmpty)
            let closed = try await client.send(.post, "/api/v1/surveys/\(id)/close", as: .bearer(gulou.token))
            #expect(closed.json["state"] as? String == "closed")
            #expect(try await client.send(.post, "/api/v1/surveys/\(id)/chase", as: .bearer(gulou.token)).status == .conflict)
        }
    }
}
