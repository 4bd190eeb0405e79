import FluentKit
import Foundation
import JiliangCore

/// A little of everything the credit pages show, for the demo province: signed commitments, a
/// published demonstration round in 福州市, a published penalty and a business on the
/// serious-dishonesty list — all made through the same functions as the pages, by demo principals.
/// The demo owner account's own business is left untouched, so its first visit can sign.
public enum DemoCredit {
    public static func load(today: CalendarDay, on db: any Database) async throws {
        let fuzhou = RegionCode("350100")!
        let staff = Principal(kind: .system, id: 0, label: "demo.fuzhou", role: .bureauStaff, region: fuzhou)
        let chief = Principal(kind: .system, id: 0, label: "demo.fuzhou.chief", role: .bureauStaff, region: fuzhou)
        let demoAccountOwner = try await OwnerModel.query(on: db).filter(\.$regionCode == "350102").filter(\.$parentID == nil).sort(\.$id).first()?.id
        let owners = try await OwnerModel.query(on: db).filter(\.$parentID == nil).sort(\.$id).all()
            .filter { $0.id != demoAccountOwner && fuzhou.contains(RegionCode($0.regionCode) ?? fuzhou) }
        guard owners.count >= 6 else { return }
        func party(_ o: OwnerModel) -> Principal { Principal(kind: .system, id: 0, label: "demo.owner\(o.id!)", role: .owner, ownerIDs: [o.id!]) }

        // One business in seven signs its sector's letter.
        for o in owners.enumerated().filter({ $0.offset % 7 == 0 }).map(\.element) {
            _ = try await Commitments.sign(ownerID: o.id, signerName: "负责人", signerTitle: "总经理", today: today.adding(days: -30), by: party(o), on: db)
        }
        // A round for the most common sector among them, applied for, scored and published.
        let sectors = Dictionary(grouping: owners) { CommitmentSector(industry: Industry(rawValue: $0.industry) ?? .other) }
        if let (sector, members) = sectors.max(by: { $0.value.count < $1.value.count }) {
            let r = try await Demonstration.openRound(
                regionCode: fuzhou.description, sector: sector.rawValue, title: "\(today.year - 1)年度福州市诚信计量示范单位", criteria: nil, passScore: "80",
                validMonths: "36", opensOn: today.adding(days: -60).description, closesOn: today.adding(days: -20).description, by: staff, on: db)
            let weights = Demonstration.criteria(of: r).map(\.weight)
            for (n, o) in members.prefix(4).enumerated() {
                let a = try await Demonstration.apply(roundID: r.id!, ownerID: o.id, statement: "强检器具全部备案并按期检定，设置公平秤。", today: today.adding(days: -40), by: party(o), on: db)
                let points = weights.map { n == 3 ? "\($0 / 2)" : "\($0)" }  // the fourth falls short
                _ = try await Demonstration.score(a.id!, points: points, evidence: weights.map { _ in "现场核查记录" }, today: today.adding(days: -15), by: staff, on: db)
            }
            _ = try await Demonstration.publish(r.id!, today: today.adding(days: -10), by: staff, on: db)
        }
        // A low fine on display, and a heavy penalty whose party went through the list's due process.
        let fined = owners[owners.count - 1], listed = owners[owners.count - 2]
        let fine = try await Penalties.record(
            .init(ownerID: fined.id, decisionNo: "榕市监计罚〔\(today.year)〕1号", kind: "fine", legalBasis: "《中华人民共和国计量法》第二十六条",
                  facts: "使用未经检定的电子计价秤", amountYuan: "2000", heavy: false, decidedOn: today.adding(days: -20).description),
            today: today.adding(days: -20), by: staff, on: db)
        _ = try await Penalties.publish(fine.id!, today: today.adding(days: -18), by: staff, on: db)
        let heavy = try await Penalties.record(
            .init(ownerID: listed.id, decisionNo: "榕市监计罚〔\(today.year)〕2号", kind: "fine", legalBasis: "《中华人民共和国计量法实施细则》第五十一条",
                  facts: "电子计价秤加装作弊装置，多次短斤缺两", amountYuan: "300000", heavy: true, decidedOn: today.adding(days: -45).description),
            today: today.adding(days: -45), by: staff, on: db)
        _ = try await Penalties.publish(heavy.id!, today: today.adding(days: -44), by: staff, on: db)
        // A fine on the spot (简易程序) to a stall holder: recorded, never published (Order 45 art. 2).
        _ = try await Penalties.record(
            .init(ownerID: fined.id, decisionNo: "榕市监计当罚〔\(today.year)〕1号", kind: "fine", legalBasis: "《中华人民共和国计量法》第二十六条",
                  facts: "使用超过检定周期的电子计价秤（当场处罚）", amountYuan: "100", heavy: false, decidedOn: today.adding(days: -5).description, procedure: "summary",
                  partyKind: "natural_person"),
            today: today.adding(days: -5), by: staff, on: db)
        let l = try await Listings.propose(penaltyID: heavy.id, reason: "使用作弊计量器具短斤缺两，情节严重，社会影响恶劣", today: today.adding(days: -43), by: staff, on: db)
        _ = try await Listings.notify(l.id!, today: today.adding(days: -43), by: staff, on: db)
        _ = try await Listings.decide(l.id!, list: true, note: "当事人未在期限内提出异议", today: today.adding(days: -25), by: chief, on: db)
        // Decided by the city bureau: the provincial bureau consents before publication (issue #18, item 10).
        let province = Principal(kind: .system, id: 0, label: "demo.fujian", role: .provinceAdmin)
        _ = try await Listings.consent(l.id!, agree: true, note: "同意列入", today: today.adding(days: -24), by: province, on: db)
        _ = try await Listings.publish(l.id!, today: today.adding(days: -24), by: chief, on: db)
    }
}
