import Foundation
import HTTPTypes
import HummingbirdTesting
import JiliangCore
import JiliangServer
import JiliangStore
import JiliangTestSupport
import JiliangXLSX
import Testing

/// The API's side of onboarding (issue #19): an XLSX upload, a preview with a corrected mapping, a
/// saved profile that the next upload names, and bad options named by field.
@Suite struct ImportUploadTests {
    static let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    func roll(owner: String) throws -> [UInt8] {
        try XLSXRoll.data(
            sheet: "台账", title: "鼓楼区强检器具台账",
            header: ["器具名称", "出厂编号", "统一社会信用代码", "安装地点", "辖区", "用途", "启用日期", "最近检定日期", "检定结论", "证书编号"],
            rows: [
                ["电子秤", "U-1", .text(owner), "鼓楼区某市场1号", "鼓楼区", "贸易结算", .date(CalendarDay("2024-03-01")!), .date(CalendarDay("2026-05-20")!), "合格", "JD-U-1"],
                ["燃油加油机", "U-2", .text(owner), "鼓楼区某加油站", "鼓楼区", "贸易结算", .date(CalendarDay("2024-03-01")!), .empty, .empty, .empty],
            ])
    }

    func finish(_ id: Int, _ store: JiliangStore.Store) async throws {
        let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
        while try await worker.runOnce() {}
    }

    func report(_ client: any TestClientProtocol, _ id: Int) async throws -> [String: Any] {
        let job = try await client.send(.get, "/api/v1/jobs/\(id)")
        #expect(job.json["state"] as? String == "done", "\(job.text)")
        return try JSONSerialization.jsonObject(with: Data((job.json["result"] as? String ?? "{}").utf8)) as! [String: Any]
    }

    @Test func aWorkbookIsPreviewedMappedSavedAsAProfileAndImported() async throws {
        try await withApp { store, client in
            _ = try await APIFlowTests.seed(client)
            let bytes = try roll(owner: APIFlowTests.ownerCode)
            // Without a mapping the 辖区 column is unknown: refused at once, naming the missing field.
            let refused = try await client.sendBytes(.post, "/api/v1/imports/instruments", contentType: Self.xlsxType, body: bytes)
            #expect(refused.status == .badRequest && refused.text.contains("region_code"), "\(refused.text)")
            // The preview with the column mapped stores nothing and shows the rows as they will be.
            let verifiedBy = "verified_by=" + ("福州市计量所".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let map = "map=" + "辖区=region_code".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let preview = try await client.sendBytes(.post, "/api/v1/imports/instruments?dry_run=true&\(map)&\(verifiedBy)", contentType: Self.xlsxType, body: bytes)
            #expect(preview.status == .accepted, "\(preview.text)")
            try await finish(preview.json["id"] as! Int, store)
            let shown = try await report(client, preview.json["id"] as! Int)
            #expect(shown["dryRun"] as? Bool == true, "\(shown)")
            #expect((shown["wouldInsert"] as? Int) == 2 && (shown["inserted"] as? Int) == 0, "\(shown)")
            #expect((shown["headerRow"] as? Int) == 3 && shown["sheet"] as? String == "台账")
            let listed = try await client.send(.get, "/api/v1/instruments?limit=50")
            #expect((listed.json["items"] as? [[String: Any]])?.contains { $0["serial_no"] as? String == "U-1" } == false)
            // Saved as a profile, the next upload names only the profile.
            let saved = try await client.send(.put, "/api/v1/import-profiles/gulou-roll", json: [
                "mapping": ["辖区": "region_code"], "verified_by": "福州市计量所",
            ])
            #expect(saved.status == .ok && (saved.json["mapping"] as? [String: String]) == ["辖区": "region_code"], "\(saved.text)")
            let profiles = try await client.send(.get, "/api/v1/import-profiles")
            #expect(profiles.jsonArray.map { $0["name"] as? String } == ["gulou-roll"])
            let real = try await client.sendBytes(.post, "/api/v1/imports/instruments?profile=gulou-roll", contentType: Self.xlsxType, body: bytes)
            #expect(real.status == .accepted, "\(real.text)")
            try await finish(real.json["id"] as! Int, store)
            let done = try await report(client, real.json["id"] as! Int)
            #expect((done["inserted"] as? Int) == 2 && (done["errors"] as? [Any])?.isEmpty == true, "\(done)")
            let public1 = try await client.send(.get, "/api/v1/instruments?limit=50")
            let u1 = (public1.json["items"] as? [[String: Any]])?.first { $0["serial_no"] as? String == "U-1" }
            #expect(u1?["status"] as? String == "valid" && u1?["next_due"] as? String == "2027-05-19", "\(String(describing: u1))")
        }
    }

    @Test(arguments: [
        ("map=nonsense", "map"), ("map=%E8%BE%96%E5%8C%BA%3Dcounty", "map"), ("profile=none-such", "import profile"), ("sheet=%E6%97%A0", "no sheet named"),
    ])
    func badOptionsAreNamed(query: String, says: String) async throws {
        try await withApp { _, client in
            _ = try await APIFlowTests.seed(client)
            let r = try await client.sendBytes(.post, "/api/v1/imports/instruments?\(query)", contentType: Self.xlsxType, body: try roll(owner: APIFlowTests.ownerCode))
            #expect((400..<500).contains(Int(r.status.code)) && r.text.contains(says), "\(query): \(r.status) \(r.text)")
        }
    }
}

/// The owner and institution rolls over the API, and an owner's bulk filing (issue #19, item 5).
@Suite struct PartyUploadTests {
    @Test func rollsOfOwnersAndInstitutionsImportAsJobsAndAnOwnerFilesItsInstruments() async throws {
        try await withApp { store, client in
            let ids = try await APIFlowTests.seed(client)
            let worker = JobWorker(store: store, today: { CalendarDay("2026-11-26")! }, warnings: WarningRunner())
            let owners = "单位名称,统一社会信用代码,地址,所属区县,行业\n鼓楼区南街农贸市场,\(Fixtures.creditCode(301).value),南街1号,鼓楼区,农贸市场\n"
            let job = try await client.sendRaw(.post, "/api/v1/imports/owners?mode=valid_rows_only", contentType: "text/csv", body: owners)
            #expect(job.status == .accepted, "\(job.text)")
            while try await worker.runOnce() {}
            let done = try await client.send(.get, "/api/v1/jobs/\(job.json["id"] as! Int)")
            let report = try JSONSerialization.jsonObject(with: Data((done.json["result"] as? String ?? "{}").utf8)) as! [String: Any]
            #expect(report["inserted"] as? Int == 1 && report["kind"] as? String == "owners", "\(done.text)")
            let institutions = "机构名称,机构类别,所在地区,地址,授权项目,授权有效期至\n鼓楼区计量检定站,法定,鼓楼区,鼓楼区某路,电子秤,2030-12-31\n"
            let lab = try await client.sendRaw(.post, "/api/v1/imports/institutions", contentType: "text/csv", body: institutions)
            #expect(lab.status == .accepted, "\(lab.text)")
            while try await worker.runOnce() {}
            let labs = try await client.send(.get, "/api/v1/institutions")
            #expect(labs.text.contains("鼓楼区计量检定站"))
            // An owner's own roll: drafts with filings submitted, for the bureau to review.
            _ = try await Accounts.createUser(
                .init(login: "shop", displayName: "鑫盛", password: "shop-password-1", role: "owner", ownerID: ids.owner), by: .system("tests"), on: store.db)
            let token = try await client.send(.post, "/api/v1/auth/sign-in", json: ["login": "shop", "password": "shop-password-1"]).json["token"] as! String
            let mine = "器具名称,出厂编号,统一社会信用代码,安装地点,所属区县,用途,启用日期\n电子秤,SHOP-1,\(APIFlowTests.ownerCode),A区2号,鼓楼区,贸易结算,2026-11-01\n"
            let upload = try await client.sendRaw(.post, "/api/v1/imports/instruments", contentType: "text/csv", body: mine, as: .bearer(token))
            #expect(upload.status == .accepted, "\(upload.text)")
            while try await worker.runOnce() {}
            let filings = try await client.send(.get, "/api/v1/filings?state=submitted")
            let submitted = (filings.json["items"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "submitted" }
            #expect(submitted.count == 1 && submitted.first?["owner_id"] as? Int == ids.owner, "\(filings.text)")
            // An owner may not import owners or institutions.
            let refused = try await client.sendRaw(.post, "/api/v1/imports/owners", contentType: "text/csv", body: owners, as: .bearer(token))
            #expect(refused.status == .forbidden)
        }
    }
}
