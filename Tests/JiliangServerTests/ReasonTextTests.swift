@testable import JiliangServer
import JiliangStore
import Testing

/// Reasons the system gives in the credit area are stored as facts and worded when shown; a
/// person's own words are shown as written (issue #20).
@Suite struct ReasonTextTests {
    @Test(arguments: [
        (SystemReason.consentRefused, "上级不同意列入", "The upper-level bureau refused consent"),
        (.periodEnded, "期满移出", "The period ended"),
        (.creditRepaired, "信用修复", "Credit repaired"),
        (.penalty(decisionNo: "榕鼓市监罚〔2026〕1号", decidedOn: "2026-11-20"), "因行政处罚 榕鼓市监罚〔2026〕1号（2026-11-20）撤销", "Revoked for penalty 榕鼓市监罚〔2026〕1号 (2026-11-20)"),
        (.listed(listing: 7), "因列入严重违法失信名单（案件 #7）撤销", "Revoked: listed for serious dishonesty (listing #7)"),
        (.shownUntil(day: "2029-11-20"), "公示至 2029-11-20", "Shown until 2029-11-20"),
        (.objectionsUntil(day: "2026-12-10"), "异议期至 2026-12-10（含）", "Objections until 2026-12-10"),
        (.removalOn(day: "2029-12-01"), "2029-12-01 移出", "Removal on 2029-12-01"),
    ] as [(SystemReason, String, String)])
    func aSystemReasonIsWordedInTheReadersLanguage(reason: SystemReason, zh: String, en: String) {
        #expect(SystemReason(stored: reason.stored) == reason)
        #expect(ReasonText.words(reason.stored, PageStrings.strings(.zh)) == zh)
        #expect(ReasonText.words(reason.stored, PageStrings.strings(.en)) == en)
    }

    @Test func aPersonsOwnWordsAreShownAsWritten() {
        for text in ["加油机作弊", "sys:no_such_reason", "上级不同意 consent refused", ""] {
            #expect(ReasonText.words(text, PageStrings.strings(.en)) == text)
        }
        #expect(ReasonText.words(nil, PageStrings.strings(.zh)) == nil)
    }
}
