import Foundation
import JiliangCore
import JiliangStore
import JiliangTelemetry

/// A message as a person reads it: worded from its facts (`Notice`) in the reader's language, with
/// its link as an address (issue #20). Rows stored before migration 028 have text instead of facts
/// and are shown as they were stored.
struct ShownMessage: Encodable, Equatable {
    var subject: String
    var body: String
    /// Where the message points (a page of this site, or the public survey form), if anywhere.
    var link: String?
    var at: String
}

enum NoticeText {
    typealias Language = PageStrings.Language

    static func shown(_ m: InboxMessageModel, _ lang: Language, publicBaseURL: String) -> ShownMessage {
        let at = CalendarDay(instant: m.createdAt).description
        guard let n = m.decodedNotice else { return ShownMessage(subject: m.subject, body: m.body, link: nil, at: at) }
        let (subject, body) = words(n, lang)
        return ShownMessage(subject: subject, body: body, link: n.link.map { href($0, publicBaseURL: publicBaseURL) }, at: at)
    }

    /// A warning's text (the instrument page lists them).
    static func text(_ w: WarningModel, _ lang: Language) -> String {
        guard let n = w.decodedNotice else { return w.message }
        return words(n, lang).1
    }

    /// The address of a notice's link. Staff pages are relative; the survey form is public, so it
    /// carries the site's public address (the same one printed in label QR codes).
    static func href(_ link: Notice.Link, publicBaseURL: String) -> String {
        switch link {
        case .instrument(let id): Site.instrument(id)
        case .publicSurvey(let token): "\(publicBaseURL)/p/survey/\(token)"
        case .listing(let id): Site.listing(id)
        case .penalties: Site.penalties()
        case .utilityReport(let region, let month): Site.statisticsUtilities() + "?region=\(region)&period=month&day=\(month)-01"
        case .annualReport(let region, let year): Site.statisticsAnnual() + "?region=\(region)&year=\(year)"
        case .telemetryAlert(let id): Site.telemetryAlert(id)
        }
    }

    static func percent(_ r: Rate) -> String {
        r.percent.map { String(format: "%.1f%% (%d/%d)", $0, r.numerator, r.denominator) } ?? "— (0/0)"
    }

    /// Subject and body. Every case is worded in both languages here, so a new kind of notice does
    /// not compile until it is.
    static func words(_ n: Notice, _ lang: Language) -> (String, String) {
        let zh = lang == .zh
        switch n {
        case .warning(let kind, let i, let dueDay):
            let due = dueDay ?? "-"
            let what = zh ? "\(i.name)（\(i.code)）" : "\(i.name) (\(i.code))"
            switch kind {
            case .dueSoon:
                return zh ? ("检定即将到期", "\(what)检定将于 \(due) 到期，请及时申请检定。")
                    : ("Verification due soon", "Verification of \(what) is due on \(due).")
            case .overdue:
                return zh ? ("检定已超期", "\(what)检定已于 \(due) 到期，未检定不得使用。")
                    : ("Verification overdue", "Verification of \(what) was due on \(due); it must not be used until verified.")
            case .lifeExpired:
                return zh ? ("使用期限已到，应轮换", "\(what)使用期限已于 \(due) 届满，应予轮换。")
                    : ("Service life expired: rotate", "The service life of \(what) ended on \(due): rotate it.")
            case .failedInUse:
                return zh ? ("检定不合格仍在使用", "\(what)检定不合格，仍登记为在用，应停止使用。")
                    : ("Failed instrument still in use", "\(what) failed verification but is still in service: stop using it.")
            case .notFiled:
                return zh ? ("计量器具未备案", "\(what)尚未备案。") : ("Instrument not filed", "\(what) has not been filed.")
            case .ruleMissing:
                return zh
                    ? ("缺少检定规则", "\(what)所属目录种别没有检定规则（检定方式及周期或使用期限），无法确定检定日期：请管理员补充规则。")
                    : ("Verification rule missing", "No verification rule (form with its cycle or service life) covers \(what): its due date is unknown until the administrator adds one.")
            }
        case .warningRunSilent(let run, let found):
            return zh ? ("预警任务异常", "预警运行未发现任何问题，而上次运行（#\(run)）发现 \(found) 条：请检查数据和任务是否正常。")
                : ("Warning run found nothing", "The warning run found nothing where the previous run (#\(run)) found \(found): check the data and the job.")
        case .listingProposed(_, let reason, let until):
            return zh ? ("列入严重违法失信名单告知", "拟将贵单位列入严重违法失信名单。理由：\(reason)。如有异议，请于 \(until) 前在平台提出。")
                : ("Notice of proposed listing", "Your organisation is proposed for the list of serious violations and dishonesty. Reason: \(reason). You may object on the platform until \(until).")
        case .listingRemoved(let id, let day):
            return zh ? ("严重违法失信名单期满移出", "严重违法失信名单案件 #\(id) 已于 \(day) 期满移出。")
                : ("Listing period ended", "Listing #\(id) ended on \(day).")
        case .listingObjectionClosed(let id, let day):
            return zh ? ("异议期已满，待决定", "严重违法失信名单案件 #\(id) 的异议期已于 \(day ?? "-") 届满，请由另一名工作人员作出决定。")
                : ("Objection window closed", "Listing #\(id): the objection window closed on \(day ?? "-"); a second person decides.")
        case .listingRepairAvailable(_, let from):
            return zh ? ("可申请信用修复", "自 \(from ?? "-") 起，符合条件的可在平台申请信用修复。")
                : ("Credit repair available", "From \(from ?? "-") you may apply for credit repair on the platform.")
        case .penaltyDisplayEnded(let no, let until):
            return zh ? ("处罚信息公示期满已撤下", "行政处罚 \(no) 公示期至 \(until ?? "-") 届满，已从公示页面撤下。")
                : ("Penalty display ended", "Decision \(no) was shown until \(until ?? "-") and is no longer shown.")
        case .penaltyToPublish(let no, let by, let late):
            return zh ? (late ? "处罚信息逾期未公示" : "处罚信息待公示", "行政处罚 \(no) 应于 \(by ?? "-") 前公示。")
                : (late ? "Penalty publication overdue" : "Penalty to publish", "Decision \(no) must be published by \(by ?? "-").")
        case .inspectionTaskOpened(let task, let alert, let i, let detector):
            let what = DetectorText.name(DetectorKind(rawValue: detector), raw: detector, lang)
            return zh ? ("远程监测告警已确认，待现场检查", "\(i.name)（\(i.code)）的“\(what)”告警 #\(alert) 经确认，已生成现场检查任务 #\(task)。")
                : ("Telemetry alert confirmed: inspect on site", "The \(what) alert #\(alert) on \(i.name) (\(i.code)) was confirmed; inspection task #\(task) is open.")
        case .repeatedComplaints(let owner, let code, let count, let days):
            return zh ? ("重复投诉预警", "\(owner)（\(code)）近 \(days) 天被投诉 \(count) 次，请关注。")
                : ("Repeated complaints", "\(owner) (\(code)) has had \(count) complaints in \(days) days.")
        case .failedSignIns(let login, let failures, let client):
            return zh
                ? ("账号 \(login) 连续 \(failures) 次登录失败",
                   "账号 \(login) 已连续 \(failures) 次密码错误（最近一次来自 \(client)）。如非本人操作，请联系管理员修改密码；登录尝试已被逐次延缓，账号未被锁定。")
                : ("\(failures) failed sign-ins for \(login)",
                   "The account \(login) has had \(failures) wrong passwords in a row (the last from \(client)). If this was not you, ask an administrator for a new password; further tries are slowed down, the account is not locked.")
        case .survey(_, let title, let closesOn, _, let reminder):
            return zh
                ? (reminder ? "摸排催报：\(title)" : "计量器具摸排：\(title)",
                   (reminder ? "尚未收到贵单位的申报，" : "") + "请于\(closesOn)前申报贵单位使用的强制检定计量器具（手机可填，也可上传台账）。")
                : (reminder ? "Survey reminder: \(title)" : "Survey of instruments: \(title)",
                   (reminder ? "Your declaration has not arrived yet. " : "") + "Please declare the instruments under mandatory verification that your organisation uses by \(closesOn) (on a phone, or by uploading your roll).")
        case .utilityReport(_, let name, let month, let first, let rotation, let offending):
            let place = name.map { zh ? "\($0) " : "\($0), " } ?? ""
            return zh
                ? ("\(month) 三表通报", "\(place)\(month) 三表首次检定与到期轮换通报：首次检定执行率 \(percent(first)) · 到期轮换执行率 \(percent(rotation)) · 问题表计 \(offending)")
                : ("Utility meter report \(month)", "\(place)\(month): first verification \(percent(first)) · rotation on time \(percent(rotation)) · offending meters \(offending)")
        case .annualReport(_, let year, let onTime, let firstPass, let filing, let coverage):
            return zh
                ? ("\(year) 年度统计报告", "\(year) 年度计量监管统计报告已生成：受检率 \(percent(onTime)) · 一次检定合格率 \(percent(firstPass)) · 备案率 \(percent(filing)) · 检定能力覆盖率 \(percent(coverage))")
                : ("Annual statistics report \(year)", "The annual statistics report for \(year) is ready: on-time \(percent(onTime)) · first-pass \(percent(firstPass)) · filing \(percent(filing)) · coverage \(percent(coverage))")
        }
    }
}
