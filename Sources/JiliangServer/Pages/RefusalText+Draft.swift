import Foundation
import JiliangCore

extension RefusalText {
    /// What an instrument's, a party's or a standard's draft was refused for (JiliangCore's drafts).
    static func draft(_ r: DraftRefusal, _ zh: Bool) -> String {
        switch r {
        case .unknownRegionName(let t):
            zh ? "“\(t)”既不是 6 位行政区划代码（GB/T 2260），也不是系统中的行政区划名称"
                : "'\(t)' is neither a 6-digit region code (GB/T 2260) nor the name of a region in the registry"
        case .ambiguousRegionName(let t, let codes):
            zh ? "“\(t)”对应多个区县（\(codes.joined(separator: "、"))）：请连同所属市填写（如 福州市鼓楼区）或填写区划代码"
                : "'\(t)' names several counties (\(codes.joined(separator: ", "))): give the city with it (e.g. 福州市鼓楼区) or the code"
        case .noSuchSubItem(let s):
            if let s { zh ? "目录种别 \(s) 不存在" : "catalogue sub-item \(s) does not exist" } else { zh ? "未填写目录种别序号" : "catalogue sub-item (missing) does not exist" }
        case .unknownInstrumentName(let name, let closest):
            zh ? "“\(name)”不是目录中的器具名称\(closestNames(closest, zh))；请增加“种别序号”列，或请管理员添加该名称"
                : "'\(name)' is not a catalogue instrument name\(closestNames(closest, zh)); give a 种别序号/sub_no column or ask the administrator to add the name"
        case .subItemRequired: zh ? "必填（或填写目录中已有的器具名称）" : "is required (or an instrument name the catalogue knows)"
        case .latitudeAndLongitudeTogether: zh ? "经度和纬度应同时填写，或同时不填" : "give both latitude and longitude, or neither"
        case .notAFamilyField(let key, let known):
            zh ? "“\(key)”不是任何器具种类的专有字段（可用：\(known.joined(separator: "、"))）" : "'\(key)' is not a field of any instrument family (fields: \(known.joined(separator: ", ")))"
        case .notAFieldOfThisFamily(let field, let families):
            zh ? "仅适用于\(families.joined(separator: "、"))" : "\(field) applies only to \(families.joined(separator: ", "))"
        case .mediumOnlyForGasMeters: zh ? "只有燃气表才有介质" : "only gas meters have a medium"
        case .capacityAboveSubItemTwo(let kg):
            zh ? "标明的最大秤量为 \(kg.formatted(.number.grouping(.never))) kg；目录种别 2 为最大秤量不大于 60 kg 的非自动衡器——如属其他种别，请填写种别序号"
                : "states a maximum capacity of \(kg.formatted(.number.grouping(.never))) kg; catalogue sub-item 2 covers non-automatic scales of at most 60 kg — give the sub-item (种别序号) if it is another one"
        case .lastVerificationWithoutInstitution:
            zh ? "最近一次检定未注明检定机构；请增加“检定机构”列，或在导入时指定检定本名册器具的机构"
                : "the last verification does not say which institution did it; add a 检定机构 column, or name the institution that verified the roll when importing"
        case .unknownInstitution(let by): zh ? "没有名称或统一社会信用代码为“\(by)”的已登记检定机构" : "no registered institution is named or has the credit code '\(by)'"
        case .noRuleInForce(let s, let day):
            zh ? "\(day) 目录种别 \(s) 没有有效的检定规则；须先由管理员添加" : "no verification rule for catalogue sub-item \(s) is in force on \(day); the administrator must add one first"
        case .phoneCharacters: zh ? "只能包含数字、空格、+ 和 -" : "may contain only digits, spaces, + and -"
        case .validUntilBeforeValidFrom: zh ? "早于有效期起始日（valid_from）" : "is before valid_from"
        case .verifiedInTheFuture(let day): zh ? "\(day) 晚于今天" : "\(day) is in the future"
        case .verifiedBefore1980(let day): zh ? "\(day) 早于 1980 年" : "\(day) is before 1980"
        case .failedVerificationGetsNotice:
            zh ? "检定不合格应出具检定结果通知书，而非检定证书" : "a failed verification gets a result notice (检定结果通知书), not a certificate"
        case .passedVerificationGetsCertificate:
            zh ? "检定合格应出具检定证书，而非检定结果通知书" : "a passed verification gets a certificate, not a result notice"
        case .correctionReasonWithoutCorrects: zh ? "仅在更正记录（corrects）时填写" : "is only given with corrects"
        case .standardServesNoSubItem: zh ? "请至少填写一个该计量标准服务的目录种别" : "name at least one catalogue sub-item the standard serves"
        case .standardServesNoRegion: zh ? "请至少填写一个该计量标准服务的行政区划" : "name at least one region the standard serves"
        }
    }

    /// "; closest: 电子秤（种别2）, …", or nothing when no name is close.
    fileprivate static func closestNames(_ closest: [DraftRefusal.NamedSubItem], _ zh: Bool) -> String {
        guard !closest.isEmpty else { return "" }
        let names = closest.map { "\($0.name)（种别\($0.subNo)）" }
        return zh ? "；最接近的有：" + names.joined(separator: "、") : "; closest: " + names.joined(separator: ", ")
    }
}
