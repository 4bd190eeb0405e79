import FluentKit
import Foundation
import JiliangCore
@testable import JiliangServer
import JiliangStore
import JiliangTestSupport
import Testing

/// Messages are stored as facts and worded when shown (issue #20): each in one language, the
/// reader's, never both run together; links as addresses, not raw paths in the text.
@Suite struct NoticeTextTests {
    static let scale = Notice.InstrumentRef(id: 7, name: "电子计价秤", code: "35010220260001")
    static let every: [Notice] = WarningKind.allCases.map { .warning(kind: $0, instrument: scale, due: "2026-12-01") } + [
        .warningRunSilent(previousRun: 3, previousFound: 1_200),
        .listingProposed(listing: 4, reason: "拒不改正", objectionUntil: "2026-12-10"),
        .listingRemoved(listing: 4, on: "2026-11-26"),
        .listingObjectionClosed(listing: 4, closedOn: "2026-11-20"),
        .listingRepairAvailable(listing: 4, from: "2027-05-01"),
        .penaltyDisplayEnded(decisionNo: "榕鼓市监罚〔2026〕1号", displayUntil: "2026-11-25"),
        .penaltyToPublish(decisionNo: "榕鼓市监罚〔2026〕2号", publishBy: "2026-12-03", late: false),
        .penaltyToPublish(decisionNo: "榕鼓市监罚〔2026〕2号", publishBy: "2026-11-03", late: true),
        .repeatedComplaints(owner: "鼓楼农贸市场", creditCode: "91350102MA0000001X", complaints: 3, days: 90),
        .failedSignIns(login: "zhang.san", failures: 5, client: "198.51.100.7"),
        .survey(survey: 2, title: "鼓楼区加油站摸排", closesOn: "2026-12-31", token: "ABCDEFGHJKLMNPQR", reminder: false),
        .survey(survey: 2, title: "鼓楼区加油站摸排", closesOn: "2026-12-31", token: "ABCDEFGHJKLMNPQR", reminder: true),
        .utilityReport(region: "350100", regionName: nil, month: "2026-11", firstVerification: Rate(9, 10), rotation: Rate(0, 0), offending: 1),
        .utilityReport(region: "350102", regionName: "鼓楼区", month: "2026-11", firstVerification: Rate(1, 2), rotation: Rate(3, 4), offending: 2),
        .annualReport(region: "350100", year: 2026, onTime: Rate(1, 2), firstPass: Rate(1, 1), filing: Rate(3, 4), coverage: Rate(5, 6)),
        .inspectionTaskOpened(task: 3, alert: 12, instrument: scale, detector: "scale_tamper"),
    ]

    /// Han characters outside the facts themselves (names, codes, titles the notice carries).
    static func wording(_ text: String, without facts: Notice) -> String {
        var t = text
        for fact in ["电子计价秤", "拒不改正", "榕鼓市监罚〔2026〕1号", "榕鼓市监罚〔2026〕2号", "鼓楼农贸市场", "鼓楼区加油站摸排", "鼓楼区"] {
            t = t.replacingOccurrences(of: fact, with: "")
        }
        return t
    }

    static func hasHan(_ s: String) -> Bool { s.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }

    @Test(arguments: every) func everyNoticeIsWordedInOneLanguageAtATime(_ n: Notice) throws {
        let (zhSubject, zhBody) = NoticeText.words(n, .zh)
        let (enSubject, enBody) = NoticeText.words(n, .en)
        #expect(!zhSubject.isEmpty && !zhBody.isEmpty && !enSubject.isEmpty && !enBody.isEmpty)
        // Chinese wording in Chinese; English wording with no Chinese but the facts' own names.
        #expect(Self.hasHan(Self.wording(zhSubject + zhBody, without: n)), "\(zhSubject) \(zhBody)")
        #expect(!Self.hasHan(Self.wording(enSubject + enBody, without: n)), "\(enSubject) \(enBody)")
        // No address in the text: a link is shown as a link.
        #expect(!zhBody.contains("/app/") && !enBody.contains("/p/survey"))
        // A stored notice reads back the same.
        #expect(Notice(json: n.json) == n)
    }

    @Test func linksAreAddressesOfThisSite() {
        let base = "https://jl.example"
        let cases: [(Notice, String?)] = [
            (Self.every[0], "/app/instruments/7"),
            (.survey(survey: 2, title: "t", closesOn: "2026-12-31", token: "ABCDEFGHJKLMNPQR", reminder: false), "https://jl.example/p/survey/ABCDEFGHJKLMNPQR"),
            (.listingRemoved(listing: 4, on: "2026-11-26"), "/app/listings/4"),
            (.penaltyDisplayEnded(decisionNo: "x", displayUntil: nil), "/app/penalties"),
            (.utilityReport(region: "350100", regionName: nil, month: "2026-11", firstVerification: Rate(0, 0), rotation: Rate(0, 0), offending: 0),
             "/app/statistics/utilities?region=350100&period=month&day=2026-11-01"),
            (.annualReport(region: "350100", year: 2026, onTime: Rate(0, 0), firstPass: Rate(0, 0), filing: Rate(0, 0), coverage: Rate(0, 0)),
             "/app/statistics/annual?region=350100&year=2026"),
            (.failedSignIns(login: "a", failures: 5, client: "c"), nil),
            (.inspectionTaskOpened(task: 3, alert: 12, instrument: Self.scale, detector: "scale_tamper"), "/app/telemetry/alerts/12"),
        ]
        for (n, expected) in cases {
            #expect(n.link.map { NoticeText.href($0, publicBaseURL: base) } == expected, "\(n)")
        }
    }

    /// The dashboard shows the inbox in the reader's language (a view built without HTTP).
    @Test func theInboxIsShownInTheReadersLanguage() async throws {
        try await TestDatabase.withStore { store in
            let db = store.db
            try await Notices.send(.warning(kind: .notFiled, instrument: Self.scale, due: nil), to: "region:350102", on: db)
            let stored = try #require(try await InboxMessageModel.query(on: db).first())
            #expect(stored.subject.isEmpty && stored.body.isEmpty)  // facts only, no text
            let zh = NoticeText.shown(stored, .zh, publicBaseURL: "")
            let en = NoticeText.shown(stored, .en, publicBaseURL: "")
            #expect(zh.subject == "计量器具未备案" && zh.body == "电子计价秤（35010220260001）尚未备案。" && zh.link == "/app/instruments/7")
            #expect(en.subject == "Instrument not filed" && en.body == "电子计价秤 (35010220260001) has not been filed.")
            // A row stored before migration 028 is shown with the text it was stored with.
            let old = InboxMessageModel()
            old.recipient = "region:350102"
            old.subject = "旧消息 Old message"
            old.body = "正文 Body"
            old.createdAt = Date()
            try await old.create(on: db)
            #expect(NoticeText.shown(old, .en, publicBaseURL: "").body == "正文 Body")
        }
    }
}
