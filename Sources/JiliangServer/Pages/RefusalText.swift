import Foundation
import JiliangCore
import JiliangStore

/// A refusal as a person reads it: the store and the drafts say *why* as facts (`Refusal`,
/// `RegistryError`), and this words them in the reader's language (issue #20). Pages word in the
/// page's language, the API and the CLI in English. Each area's reasons are worded in its own
/// `RefusalText+<Area>.swift`, every case in both languages, so a reason without words does not
/// compile. The English words are the ones the API has always answered with.
enum RefusalText {
    typealias Language = PageStrings.Language

    static func words(_ r: Refusal, _ lang: Language) -> String {
        let zh = lang == .zh
        switch r {
        case .field(let f): return field(f, zh)
        case .notAllowed(let p): return zh ? "您的角色无权\(permission(p, zh))" : "your role does not allow \(permission(p, zh))"
        case .request(let q): return request(q, zh)
        case .draft(let d): return draft(d, zh)
        case .importing(let i): return importing(i, zh)
        case .registry(let r): return registry(r, zh)
        case .account(let a): return account(a, zh)
        case .workflow(let w): return workflow(w, zh)
        case .publicService(let s): return publicService(s, zh)
        case .credit(let c): return credit(c, zh)
        case .telemetry(let t): return telemetry(t, zh)
        case .recorded(let text): return text
        }
    }

    /// "field: reason", as forms and the API's `detail` show one problem.
    static func words(_ e: FieldError, _ lang: Language) -> String {
        // A family field is named by its words on a Chinese page (the declaration has them).
        let field = lang == .zh ? FamilyFields.field(e.field)?.zh ?? e.field : e.field
        return "\(field)\(lang == .zh ? "：" : ": ")\(words(e.reason, lang))"
    }

    static func words(_ v: ValidationFailure, _ lang: Language) -> String {
        v.errors.map { words($0, lang) }.joined(separator: lang == .zh ? "；" : "; ")
    }

    static func words(_ e: RegistryError, _ lang: Language) -> String {
        let zh = lang == .zh
        switch e {
        case .invalid(let v): return words(v, lang)
        case .notFound(let entity, let key):
            // A key the caller should not see again (a link's token, a tracking code) is left out.
            let what = key.isEmpty ? self.entity(entity, zh) : "\(self.entity(entity, zh)) \(key)"
            return zh ? "未找到\(what)" : "\(what) was not found"
        case .conflict(let field, let reason): return zh ? "\(field)：\(words(reason, lang))" : words(reason, lang)
        case .unauthenticated: return zh ? "请先登录" : "sign in first"
        case .forbidden(let reason): return words(reason, lang)
        }
    }

    /// An error a page shows beside its form: the store's refusals worded, anything else as it
    /// describes itself.
    static func words(_ error: any Error, _ lang: Language) -> String {
        switch error {
        case let e as RegistryError: words(e, lang)
        case let v as ValidationFailure: words(v, lang)
        case let f as InstrumentImport.FileError: words(f.refusal, lang)
        default: "\(error)"
        }
    }

    static func field(_ r: FieldRefusal, _ zh: Bool) -> String {
        switch r {
        case .required: zh ? "必填" : "is required"
        case .tooLong(let max): zh ? "不得超过 \(max) 个字符" : "must be at most \(max) characters"
        case .tooShort(let min): zh ? "至少 \(min) 个字符" : "must be at least \(min) characters"
        case .notADate(let got): zh ? "应为 YYYY-MM-DD 格式的日期，收到“\(got)”" : "must be a date written YYYY-MM-DD, got '\(got)'"
        case .notARegionCode(let got):
            zh ? "应为 6 位行政区划代码（GB/T 2260），收到“\(got)”" : "must be a 6-digit administrative division code (GB/T 2260), got '\(got)'"
        case .unknownRegion(let code): zh ? "未知的行政区划 \(code)" : "unknown region \(code)"
        case .notACreditCode(let got): zh ? "统一社会信用代码无效：\(creditCodeProblem(got, zh))" : "invalid unified social credit code: \(creditCodeProblem(got, zh))"
        case .notAnInstrumentCode(let got): instrumentCodeProblem(got, zh)
        case .notAWholeNumber(let from, let to, let got): zh ? "应为 \(from) 至 \(to) 之间的整数，收到“\(got)”" : "must be a whole number from \(from) to \(to), got '\(got)'"
        case .notANumber(let from, let to, let got): zh ? "应为 \(from) 至 \(to) 之间的数值，收到“\(got)”" : "must be a number from \(from) to \(to), got '\(got)'"
        case .notOneOf(let allowed, let got):
            zh ? "“\(got)”不是可选值之一：\(allowed.joined(separator: "、"))" : "'\(got)' is not one of: \(allowed.joined(separator: ", "))"
        case .outOfRange(let from, let to): zh ? "应在 \(from) 至 \(to) 之间" : "must be from \(from) to \(to)"
        case .notACursor: zh ? "不是本接口返回的翻页游标" : "is not a cursor returned by this API"
        case .notACursorForThisOrder: zh ? "不是本接口按此排序返回的翻页游标" : "is not a cursor returned by this API for this order"
        case .before(let other, let day):
            if let day { zh ? "不得早于 \(other)（\(day)）" : "must not be before \(other) (\(day))" } else { zh ? "不得早于 \(other)" : "must not be before \(other)" }
        case .inThePast: zh ? "已是过去的日期" : "lies in the past"
        case .inTheFuture: zh ? "不得晚于今天" : "must not be in the future"
        case .notAfter(let day): zh ? "应晚于今天（\(day)）" : "must be after today (\(day))"
        case .unreadable(let detail): zh ? "无法读取（\(detail)）" : "could not be read (\(detail))"
        case .couldNotBeRead: zh ? "无法读取" : "could not be read"
        }
    }

    static func request(_ r: RequestRefusal, _ zh: Bool) -> String {
        switch r {
        case .mustBeJSON: zh ? "应为 JSON" : "must be JSON"
        case .mustBeJSONObject: zh ? "应为 JSON 对象" : "must be a JSON object"
        case .fileTooLarge(let mb, let setting):
            if let setting { zh ? "文件超过 \(mb) MB，超出单次导入上限（\(setting)）" : "the file is larger than \(mb) MB, the most one import takes (\(setting))" }
            else { zh ? "文件超过 \(mb) MB，超出单次导入上限" : "the file is larger than \(mb) MB, the most one import takes" }
        case .surveyFileTooLarge(let mb): zh ? "文件超过 \(mb) MB，请直接报送所在市场监管部门" : "the file is larger than \(mb) MB; send it to your bureau instead"
        case .fileEmpty: zh ? "文件为空" : "the file is empty"
        case .chooseAFile: zh ? "请先选择文件" : "choose a file first"
        case .sendAsMultipart: zh ? "请通过表单上传文件（multipart/form-data）" : "send the file from the form (multipart/form-data)"
        case .multipartWithoutBoundary: zh ? "multipart 表单缺少 boundary" : "a multipart form without a boundary"
        case .malformedMultipart: zh ? "表单无法读取（multipart 数据格式错误）" : "the form could not be read (malformed multipart data)"
        case .photoTooLarge(let mb): zh ? "上传文件超过 \(mb) MB" : "the upload is larger than \(mb) MB"
        case .notBase64: zh ? "content_base64 不是有效的 base64" : "content_base64 is not base64"
        case .formWithoutCSRFToken: zh ? "表单缺少本次会话的 CSRF 令牌，请刷新页面后重试" : "your role does not allow a form without this session's CSRF token"
        case .cookieWithoutCSRFHeader:
            zh ? "使用会话 Cookie 的修改请求须带 CSRF 令牌（X-CSRF-Token）"
                : "your role does not allow a state-changing request with the session cookie but without its CSRF token (X-CSRF-Token)"
        case .importNotFinished: zh ? "导入尚未完成" : "the import has not finished"
        case .noReportYet(let job, let state): zh ? "任务 \(job) 尚无导入报告（状态：\(state)）" : "job \(job) has no import report yet (state: \(state))"
        case .tokenHasNoSession: zh ? "API 令牌没有会话，须由管理员吊销" : "an API token has no session; an administrator revokes it"
        case .templatesMissing: zh ? "构建中缺少页面模板" : "the page templates are missing from the build"
        case .periodNotBegun(let start, let end): zh ? "统计期 \(start) – \(end) 尚未开始" : "the period \(start) – \(end) has not begun"
        case .yearNotBegun(let year): zh ? "\(year) 年尚未开始" : "\(year) has not begun"
        case .notASubItemNumber(let got): zh ? "应为目录子项编号，收到“\(got)”" : "must be a catalogue sub-item number, got '\(got)'"
        case .mustBe(let words):
            zh ? "应为 \(words.joined(separator: "、"))" : "must be \(words.dropLast().joined(separator: ", "))\(words.count > 1 ? " or " : "")\(words.last ?? "")"
        case .emptySheetName: zh ? "不能为空（不填则为第一个工作表）" : "must not be empty (leave it out for the first sheet)"
        case .emptyVerifiedBy: zh ? "不能为空（无则不填）" : "must not be empty (leave it out for none)"
        case .recordingForAnotherInstitution: zh ? "您的角色无权以其他检定机构的名义录入结果" : "your role does not allow recording results in the name of another institution"
        case .ownersOnlyRegisterHere: zh ? "仅使用单位可在此页面登记器具" : "your role does not allow registering instruments from this page (owners only)"
        case .regionalStatisticsStaffOnly: zh ? "您的角色无权查看区域统计" : "your role does not allow regional statistics"
        case .notAnInteger: zh ? "应为整数" : "must be an integer"
        case .atLeast(let n): zh ? "不得小于 \(n)" : "must be at least \(n)"
        case .atMost(let n): zh ? "不得大于 \(n)" : "must be at most \(n)"
        case .atMostCharacters(let n): zh ? "不得超过 \(n) 个字符" : "at most \(n) characters"
        case .notAYear(let got): zh ? "应为年份（如 2026），收到“\(got)”" : "must be a year such as 2026, got '\(got)'"
        case .tooManyLabels(let max, let sheets):
            zh ? "匹配的器具超过 \(max) 台；请缩小范围（区域、目录子项、状态），每次最多打印 \(sheets) 页"
                : "more than \(max) instruments match; narrow the list (region, catalogue item, status) to print at most \(sheets) sheets at a time"
        }
    }

    /// Why a text is not a unified social credit code (GB 32100), read again from the text.
    static func creditCodeProblem(_ got: String, _ zh: Bool) -> String {
        do {
            _ = try CreditCode(validating: got)
            return got
        } catch let p as CreditCode.Problem {
            switch p {
            case .wrongLength(let n): return zh ? "应为 18 位，实为 \(n) 位" : "must be 18 characters, got \(n)"
            case .invalidCharacter(let position, let c):
                return zh ? "第 \(position) 位的“\(c)”不允许（GB 32100 使用 0-9 和除 I、O、S、V、Z 外的 A-Y）"
                    : "character '\(c)' at position \(position) is not allowed (GB 32100 uses 0-9 and A-Y without I, O, S, V, Z)"
            case .invalidRegion(let r): return zh ? "第 3-8 位应为 6 位行政区划代码，实为 \(r)" : "positions 3-8 must be a 6-digit administrative division code, got \(r)"
            case .wrongCheckCharacter(let e, let f):
                return zh ? "校验码为 \(f)，应为 \(e)；代码有误" : "check character is \(f) but should be \(e); the code was mistyped"
            }
        } catch {
            return "\(error)"
        }
    }

    /// Why a text is not a lifelong instrument code (计量器具唯一识别码), read again from the text.
    static func instrumentCodeProblem(_ got: String, _ zh: Bool) -> String {
        do {
            _ = try InstrumentCode(validating: got)
            return got
        } catch {
            switch error {
            case .wrongLength(let n): return zh ? "器具编码应为 19 位（不含连字符），实为 \(n) 位" : "an instrument code has 19 characters (without hyphens), got \(n)"
            case .invalidCharacter(let p, let c): return zh ? "第 \(p) 位的“\(c)”不允许" : "character '\(c)' at position \(p) is not allowed"
            case .wrongCheckCharacter: return zh ? "校验位不符，编码有误" : "the check character does not match; the code was mistyped"
            }
        }
    }

    /// An instrument's lifecycle state (`LifecycleStatus` raw value) in Chinese; unknown values as given.
    static func lifecycleWords(_ status: String) -> String {
        switch LifecycleStatus(rawValue: status) {
        case .draft: "草稿"
        case .filed: "已备案"
        case .inService: "在用"
        case .suspended: "停用"
        case .scrapped: "报废"
        case .rotatedOut: "已轮换"
        case nil: status
        }
    }

    static func entity(_ e: Entity, _ zh: Bool) -> String {
        switch e {
        case .apiToken: zh ? "API 令牌" : "API token"
        case .application: zh ? "申请" : "application"
        case .attachment: zh ? "附件" : "attachment"
        case .business: zh ? "经营者" : "business"
        case .calendarDay: zh ? "日历日期" : "calendar day"
        case .campaign: zh ? "宣传活动" : "campaign"
        case .catalogueEntry: zh ? "目录条目" : "catalogue entry"
        case .certificate: zh ? "证书" : "certificate"
        case .commitment: zh ? "承诺书" : "commitment"
        case .complaint: zh ? "投诉举报" : "complaint"
        case .demonstrationRound: zh ? "示范创建批次" : "demonstration round"
        case .filing: zh ? "备案" : "filing"
        case .freeCheck: zh ? "免费检定" : "free check"
        case .inbox: zh ? "消息箱" : "inbox"
        case .institution: zh ? "检定机构" : "institution"
        case .instrument: zh ? "计量器具" : "instrument"
        case .job: zh ? "任务" : "job"
        case .owner: zh ? "使用单位" : "owner"
        case .page: zh ? "页面" : "page"
        case .penalty: zh ? "行政处罚" : "penalty"
        case .photo: zh ? "照片" : "photo"
        case .region: zh ? "行政区划" : "region"
        case .standard: zh ? "计量标准" : "standard"
        case .step: zh ? "步骤" : "step"
        case .surveyInvitation: zh ? "摸排邀请" : "survey invitation"
        case .surveyRequest: zh ? "摸排申请" : "survey request"
        case .survey: zh ? "摸排" : "survey"
        case .user: zh ? "用户" : "user"
        case .verificationApplication: zh ? "检定申请" : "verification application"
        case .verificationRecord: zh ? "检定记录" : "verification record"
        case .warningRun: zh ? "预警运行" : "warning run"
        case .importProfile: zh ? "导入配置" : "import profile"
        case .listing: zh ? "严重失信名单程序" : "listing"
        case .telemetryAlert: zh ? "监测告警" : "telemetry alert"
        case .telemetryDevice: zh ? "智能设备" : "smart device"
        }
    }

    /// What a permission lets its holder do, as the object of "your role does not allow …".
    static func permission(_ p: Permission, _ zh: Bool) -> String {
        switch p {
        case .readRegistry: zh ? "查看登记信息" : "reading the registry"
        case .manageReference: zh ? "维护基础数据（行政区划、目录、规则、检定机构）" : "changing reference data (regions, the catalogue, rules, institutions)"
        case .manageOwners: zh ? "管理使用单位与摸排" : "managing owners and surveys"
        case .fileInstruments: zh ? "登记计量器具" : "filing instruments"
        case .importInstruments: zh ? "导入计量器具" : "importing instruments"
        case .recordVerifications: zh ? "录入检定记录" : "recording verifications"
        case .reviewFilings: zh ? "审核备案" : "reviewing filings"
        case .runWarnings: zh ? "运行预警" : "running warnings"
        case .manageAccounts: zh ? "管理账号" : "managing accounts"
        case .readAudit: zh ? "查看审计日志" : "reading the audit log"
        case .handleComplaints: zh ? "处理投诉举报" : "handling complaints"
        case .runFreeChecks: zh ? "组织免费检定" : "running free checks"
        case .manageCampaigns: zh ? "发布宣传活动" : "publishing campaigns"
        case .manageCredit: zh ? "诚信计量监管" : "credit supervision"
        case .applyForCredit: zh ? "诚信计量申请" : "applying for credit matters"
        case .submitReadings: zh ? "登记智能设备、报送监测数据" : "registering devices and sending their readings"
        case .reviewAlerts: zh ? "审核监测告警" : "reviewing telemetry alerts"
        case .readMetrics: zh ? "读取运行指标" : "reading the operational metrics"
        }
    }
}

/// The English words of refusals for the command-line tool (`jiliang`), which reads them outside
/// this module.
public enum RefusalWords {
    public static func english(_ r: Refusal) -> String { RefusalText.words(r, .en) }
    public static func english(_ e: RegistryError) -> String { RefusalText.words(e, .en) }
    public static func english(_ e: InstrumentImport.FileError) -> String { RefusalText.words(e.refusal, .en) }
    public static func english(_ l: InstrumentImport.Report.SummaryLine) -> String { RefusalText.summaryLine(l, false) }
    public static func errorsCSV(_ errors: [InstrumentImport.RowError]) -> String { RefusalText.errorsCSV(errors, false) }
}
