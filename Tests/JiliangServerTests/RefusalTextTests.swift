import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import Testing

/// The store refuses with facts (`Refusal`); the Server words them in the reader's language — a
/// Chinese page in Chinese, the API in the English it has always answered with (issue #20).
@Suite struct RefusalTextTests {
    @Test(arguments: [
        (Refusal.field(.required), "必填", "is required"),
        (.field(.tooLong(max: 200)), "不得超过 200 个字符", "must be at most 200 characters"),
        (.field(.notADate(got: "2025/13/01")), "应为 YYYY-MM-DD 格式的日期，收到“2025/13/01”", "must be a date written YYYY-MM-DD, got '2025/13/01'"),
        (.field(.notAWholeNumber(from: 1, to: 999, got: "abc")), "应为 1 至 999 之间的整数，收到“abc”", "must be a whole number from 1 to 999, got 'abc'"),
        (.field(.notOneOf(["trade_settlement", "safety"], got: "x")), "“x”不是可选值之一：trade_settlement、safety", "'x' is not one of: trade_settlement, safety"),
        (.field(.outOfRange(from: 1, to: 500)), "应在 1 至 500 之间", "must be from 1 to 500"),
        (.field(.notACreditCode(got: "91350100M000100Y4")), "统一社会信用代码无效：应为 18 位，实为 17 位", "invalid unified social credit code: must be 18 characters, got 17"),
        (.notAllowed(.readAudit), "您的角色无权查看审计日志", "your role does not allow reading the audit log"),
        (.request(.mustBe(["accept", "reject"])), "应为 accept、reject", "must be accept or reject"),
        (.request(.fileTooLarge(megabytes: 50, setting: "serve --import-max-mb")), "文件超过 50 MB，超出单次导入上限（serve --import-max-mb）",
         "the file is larger than 50 MB, the most one import takes (serve --import-max-mb)"),
        (.recorded("row 3: kept as stored"), "row 3: kept as stored", "row 3: kept as stored"),
    ] as [(Refusal, String, String)])
    func aRefusalIsWordedInTheReadersLanguage(reason: Refusal, zh: String, en: String) throws {
        #expect(RefusalText.words(reason, .zh) == zh)
        #expect(RefusalText.words(reason, .en) == en)
        // Kept as a fact (import reports, job errors): it reads back as the same reason.
        let data = try JSONEncoder().encode(reason)
        #expect(try JSONDecoder().decode(Refusal.self, from: data) == reason)
    }

    @Test func aRegistryErrorNamesTheFieldAndWhatWasNotFound() {
        let invalid = RegistryError.invalid(ValidationFailure([FieldError("name", .required), FieldError("limit", .outOfRange(from: 1, to: 500))]))
        #expect(RefusalText.words(invalid, .zh) == "name：必填；limit：应在 1 至 500 之间")
        #expect(RefusalText.words(invalid, .en) == "name: is required; limit: must be from 1 to 500")
        #expect(RefusalText.words(RegistryError.notFound(.instrument, key: "12"), .en) == "instrument 12 was not found")
        #expect(RefusalText.words(RegistryError.notFound(.instrument, key: "12"), .zh) == "未找到计量器具 12")
        // Every kind of thing a lookup can miss has words in both languages.
        for e in Entity.allCases {
            #expect(!RefusalText.entity(e, true).isEmpty && RefusalText.entity(e, true) != RefusalText.entity(e, false), "\(e)")
        }
        // Every permission, as the object of "your role does not allow …".
        for p in Permission.allCases {
            #expect(RefusalText.permission(p, true).unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(p)")
        }
    }
}
