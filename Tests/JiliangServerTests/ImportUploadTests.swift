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
