/// Every string the pages show, in Simplified Chinese (the default) and English, in one table
/// (STYLE.md: not scattered in templates). Templates read them as `{{t.key}}`.
enum PageStrings {
    enum Language: String, Sendable { case zh, en }

    static let table: [String: (zh: String, en: String)] = [
        "app": ("计量 · 民生计量智慧监管平台", "Jiliang · legal-metrology supervision"),
        "otherLang": ("English", "中文"),
        "dashboard": ("工作台", "Dashboard"),
        "instruments": ("计量器具", "Instruments"),
        "instrument": ("器具", "Instrument"),
        "filings": ("备案审核", "Filings"),
        "requests": ("检定申请", "Verification applications"),
        "signIn": ("登录", "Sign in"),
        "signOut": ("退出", "Sign out"),
        "login": ("账号", "Login"),
        "password": ("密码", "Password"),
        "wrongLogin": ("账号或密码错误", "Wrong login or password"),
        "locked": ("连续输错次数过多，账号已锁定 15 分钟", "Too many failed sign-ins: the account is locked for 15 minutes"),
        "waiting": ("待办", "Waiting for me"),
        "nothingWaiting": ("暂无待办", "Nothing waiting"),
        "inbox": ("预警消息", "Warnings inbox"),
        "inboxEmpty": ("暂无消息", "No messages"),
        "status": ("状态", "Status"),
        "all": ("全部", "All"),
        "filter": ("筛选", "Filter"),
        "code": ("器具编码", "Code"),
        "name": ("名称", "Name"),
        "serial": ("出厂编号", "Serial no."),
        "nextDue": ("下次检定", "Next due"),
        "none": ("无", "None"),
        "nextPage": ("下一页", "Next page"),
        "newInstrument": ("登记器具", "Register an instrument"),
        "catalogue": ("目录种别", "Catalogue sub-item"),
        "address": ("安装地点", "Address"),
        "inService": ("启用日期", "In service since"),
        "draftNote": ("保存为草稿后提交备案，由监管部门审核。", "Saved as a draft; submit it for filing and the bureau reviews it."),
        "saveDraft": ("保存草稿", "Save draft"),
        "lifecycle": ("生命周期", "Lifecycle"),
        "owner": ("使用单位", "Owner"),
        "submitFiling": ("提交备案", "Submit for filing"),
        "applyVerification": ("申请检定", "Apply for verification"),
        "laboratory": ("送检（实验室）", "In the laboratory"),
        "onSite": ("现场检定", "On site"),
        "apply": ("提交申请", "Apply"),
        "deadline": ("办结时限", "Deadline"),
        "overdue": ("已超时", "Overdue"),
        "history": ("检定记录", "Verification history"),
        "certificate": ("证书/通知书编号", "Certificate / notice no."),
        "validUntil": ("有效期至", "Valid until"),
        "submitted": ("提交", "Submitted"),
        "decision": ("审核", "Decision"),
        "approve": ("通过", "Approve"),
        "returnIt": ("退回", "Return"),
        "reason": ("退回原因", "Reason"),
        "state": ("状态", "State"),
        "action": ("操作", "Action"),
        "accept": ("受理", "Accept"),
        "result": ("结论", "Result"),
        "pass": ("合格", "Pass"),
        "fail": ("不合格", "Fail"),
        "recordResult": ("出具结果", "Record result"),
        "notFound": ("未找到", "Not found"),
        "notFoundText": ("不存在，或不在您的权限范围内。", "It does not exist, or it is outside what you may see."),
        "forbidden": ("无权操作", "Not allowed"),
        "badInput": ("输入有误", "Please check the input"),
        "filedNotice": ("已提交备案，等待审核。", "Submitted for filing; the bureau will review it."),
        "appliedNotice": ("检定申请已提交。", "Application sent."),
        "done": ("已办理。", "Done."),
        "search": ("查询", "Search"),
        "searchHint": ("器具编码、出厂编号、使用单位或信用代码", "Code, serial no., owner or credit code"),
        "exportCSV": ("导出 CSV", "Export CSV"),
        "regions": ("区域统计", "Regions"),
        "region": ("区域", "Region"),
        "up": ("上一级", "Up"),
        "instrumentsHere": ("本区域的计量器具", "Instruments in this region"),
        "byItem": ("按目录种别", "By catalogue sub-item"),
        "count": ("数量", "Count"),
        "industry": ("行业", "Industry"),
        "contact": ("联系人", "Contact"),
        "allInstruments": ("全部器具", "All its instruments"),
        "authorisation": ("授权范围", "Authorisation"),
        "validity": ("有效期", "Valid"),
    ]

    static func strings(_ lang: Language) -> [String: String] {
        table.mapValues { lang == .zh ? $0.zh : $0.en }
    }

    static func statusLabel(_ status: String, _ lang: Language) -> String {
        let zh: [String: String] = [
            "not_filed": "未备案", "valid": "有效", "due_soon": "即将到期", "overdue": "超期未检", "failed": "不合格",
            "life_expired": "到期应轮换", "suspended": "停用", "scrapped": "报废/已轮换",
        ]
        let en: [String: String] = [
            "not_filed": "Not filed", "valid": "Valid", "due_soon": "Due soon", "overdue": "Overdue", "failed": "Failed",
            "life_expired": "Service life expired", "suspended": "Suspended", "scrapped": "Scrapped / rotated out",
        ]
        return (lang == .zh ? zh : en)[status] ?? status
    }
}
