import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import Testing

/// The drafts' and the import's refusals are facts (issue #20): the Server words them — Chinese on
/// the import page, the English the API and the CLI have always shown — and an import report keeps
/// them as facts, its API answer as words.
@Suite struct ImportRefusalTextTests {
    @Test(arguments: [
        (Refusal.draft(.noSuchSubItem(77)), "目录种别 77 不存在", "catalogue sub-item 77 does not exist"),
        (.draft(.noSuchSubItem(nil)), "未填写目录种别序号", "catalogue sub-item (missing) does not exist"),
        (.draft(.ambiguousRegionName("城关区", codes: ["350821", "620102"])), "“城关区”对应多个区县（350821、620102）：请连同所属市填写（如 福州市鼓楼区）或填写区划代码",
         "'城关区' names several counties (350821, 620102): give the city with it (e.g. 福州市鼓楼区) or the code"),
        (.draft(.unknownInstrumentName("电子称", closest: [.init(name: "电子秤", subNo: 2)])),
         "“电子称”不是目录中的器具名称；最接近的有：电子秤（种别2）；请增加“种别序号”列，或请管理员添加该名称",
         "'电子称' is not a catalogue instrument name; closest: 电子秤（种别2）; give a 种别序号/sub_no column or ask the administrator to add the name"),
        (.draft(.capacityAboveSubItemTwo(kg: 150)), "标明的最大秤量为 150 kg；目录种别 2 为最大秤量不大于 60 kg 的非自动衡器——如属其他种别，请填写种别序号",
         "states a maximum capacity of 150 kg; catalogue sub-item 2 covers non-automatic scales of at most 60 kg — give the sub-item (种别序号) if it is another one"),
        (.field(.notAnInstrumentCode(got: "350102-7K3M")), "器具编码应为 19 位（不含连字符），实为 10 位", "an instrument code has 19 characters (without hyphens), got 10"),
        (.draft(.verifiedInTheFuture(day: "2027-01-01")), "2027-01-01 晚于今天", "2027-01-01 is in the future"),
        (.importing(.headerRowIncomplete(row: 3, .noColumnFor(field: "purpose", accepted: ["purpose", "用途"]))),
         "第 3 行像是表头，但表头缺少 purpose 列（可用列名：purpose / 用途）", "row 3 looks like the header but the header has no column for purpose (accepted: purpose / 用途)"),
        (.importing(.noRollHeaderRow(searched: 20, needs: [["name", "使用单位"], ["credit_code", "统一社会信用代码"]])),
         "前 20 行中没有表头：表头须有 name/使用单位、credit_code/统一社会信用代码 列", "no header row in the first 20 rows: the header needs name/使用单位, credit_code/统一社会信用代码"),
        (.importing(.notUTF8OrGB18030(offset: 1)), "文件既不是 UTF-8 也不是 GB18030 编码（偏移 1 处的字节无法解码）；请另存为 CSV UTF-8",
         "the file is neither UTF-8 nor GB18030 (undecodable byte at offset 1); save it as CSV UTF-8"),
        (.importing(.ownerOutsideFilingScope(creditCode: "91350100M000100Y43")), "统一社会信用代码为 91350100M000100Y43 的使用单位登记在您的登记范围之外",
         "the owner with credit code 91350100M000100Y43 is registered outside what you may file"),
        (.importing(.mayNotImportOwners), "您的角色无权导入使用单位", "your role does not allow importing owners"),
        (.importing(.databaseBusy(attempts: 5)), "数据库在 5 次尝试中一直忙于其他写入；本文件未保存任何内容——请重新上传",
         "the database stayed busy with other writes through 5 attempts; nothing of this file was stored — upload it again"),
        (.importing(.uploadMissing), "本任务上传的文件在数据库中已不完整或已被删除；未保存任何内容——请重新上传",
         "this job's uploaded file is no longer whole in the database (part of it was removed); nothing was stored — upload it again"),
    ] as [(Refusal, String, String)])
    func aDraftOrImportRefusalIsWordedInBothLanguages(reason: Refusal, zh: String, en: String) throws {
        #expect(RefusalText.words(reason, .zh) == zh)
        #expect(RefusalText.words(reason, .en) == en)
        #expect(try JSONDecoder().decode(Refusal.self, from: try JSONEncoder().encode(reason)) == reason)
    }

    @Test func aReportIsWordedAsSummaryLinesAndCSV() {
        let line = InstrumentImport.Report.SummaryLine(column: "器具名称", reason: .importing(.repeatsHeader), rows: 7, firstRows: [2, 3, 4, 5, 6])
        #expect(RefusalText.summaryLine(line, false) == "器具名称: repeats the header row (two exports joined into one file?); delete it — 7 (2, 3, 4, 5, 6, …)")
        #expect(RefusalText.summaryLine(line, true) == "器具名称：与表头行重复（是否两份导出文件拼在了一起？）；请删除此行 — 7 行（2、3、4、5、6、…）")
        let errors = [InstrumentImport.RowError(row: 3, column: "启用日期", reason: .field(.notADate(got: "2024-13-01")))]
        #expect(RefusalText.errorsCSV(errors, false) == "\u{FEFF}row,column,message\n3,启用日期,\"must be a date written YYYY-MM-DD, got '2024-13-01'\"\n")
        #expect(RefusalText.errorsCSV(errors, true).hasPrefix("\u{FEFF}行号,列,问题\n3,启用日期,"))
    }

    /// The API's job keeps the report's shape: `message` words where the store keeps `reason` facts.
    @Test func theAPIGivesAReportWithEnglishMessages() throws {
        let error = InstrumentImport.RowError(row: 2, column: "code", .instrumentCodeTaken("X"))
        let line = InstrumentImport.Report.SummaryLine(column: "code", reason: error.reason, rows: 1, firstRows: [2])
        let stored = #"{"encoding":"utf8","rows":1,"valid":0,"inserted":0,"alreadyPresent":0,"ownersCreated":0,"ignoredColumns":[],"stored":false,"errors":["#
            + String(decoding: try JSONEncoder().encode(error), as: UTF8.self) + #"],"summary":["#
            + String(decoding: try JSONEncoder().encode(line), as: UTF8.self) + "]}"
        #expect(try JSONDecoder().decode(InstrumentImport.Report.self, from: Data(stored.utf8)).errors == [error])
        #expect(!stored.contains("\"message\""))
        let api = try #require(RefusalText.apiResult(stored))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(api.utf8)) as? [String: Any])
        let first = try #require((json["errors"] as? [[String: Any]])?.first)
        #expect(first["message"] as? String == "instrument code X already belongs to another instrument" && first["reason"] == nil && first["row"] as? Int == 2)
        #expect((json["summary"] as? [[String: Any]])?.first?["message"] as? String == "instrument code X already belongs to another instrument")
        #expect(RefusalText.apiResult("not a report") == "not a report")
    }

    /// A job's error is kept as a fact and worded when read; text kept by an earlier version reads as it was.
    @Test func aJobsFailureIsWordedWhenRead() throws {
        let job = JobModel()
        job.error = String(decoding: try JSONEncoder().encode(Refusal.importing(.emptyFile)), as: UTF8.self)
        #expect(RefusalText.jobFailure(job, .zh) == "文件为空" && RefusalText.jobFailure(job, .en) == "the file is empty")
        job.error = "the file is empty"
        #expect(JobQueue.failure(of: job) == .recorded("the file is empty") && RefusalText.jobFailure(job, .zh) == "the file is empty")
        job.error = nil
        #expect(RefusalText.jobFailure(job, .en) == nil)
    }
}
