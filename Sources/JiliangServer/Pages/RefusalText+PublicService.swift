import JiliangCore

extension RefusalText {
    /// Complaints (投诉举报), free checks (免费检定) and campaigns.
    static func publicService(_ r: PublicServiceRefusal, _ zh: Bool) -> String {
        switch r {
        case .subjectRequired:
            zh ? "请填写器具编码（见器具标签）或经营者的统一社会信用代码"
                : "give the instrument's code (on its label) or the business's unified social credit code"
        case .noInstrumentWithCode(let code): zh ? "没有编码为 \(code) 的器具" : "no instrument has the code \(code)"
        case .noBusinessWithCode(let code): zh ? "没有统一社会信用代码为 \(code) 的已登记经营者" : "no registered business has the code \(code)"
        case .businessNotRegistered: zh ? "该经营者未登记" : "the business is not registered"
        case .photoTooLarge(let kb, let maxMB): zh ? "照片为 \(kb) KB，不得超过 \(maxMB) MB" : "is \(kb) KB; at most \(maxMB) MB"
        case .photoNotAPicture: zh ? "应为 JPEG 或 PNG 格式的图片" : "must be a JPEG or PNG picture"
        case .assigneeRequired: zh ? "请填写承办人的登录账号" : "give the login of the staff member who handles it"
        case .notAComplaintHandler(let login, let region):
            zh ? "“\(login)”不是 \(region) 区域内负责处理投诉举报的有效账号"
                : "'\(login)' is not an active staff member who handles complaints in region \(region)"
        case .complaintClosed(let id): zh ? "投诉举报 \(id) 已办结" : "complaint \(id) is closed"
        case .complaintAlreadyClosed(let id): zh ? "投诉举报 \(id) 已经办结" : "complaint \(id) is already closed"
        case .complaintNotReplied(let id): zh ? "请先答复投诉人，再办结投诉举报 \(id)" : "reply to the citizen before closing complaint \(id)"

        case .mayNotOpenSessions: zh ? "您的角色无权开放免费检定场次" : "your role does not allow opening free-check sessions"
        case .mayNotHandleFreeChecks: zh ? "您的角色无权办理免费检定" : "your role does not allow handling free checks"
        case .mayNotRecordFreeChecks: zh ? "您的角色无权录入免费检定结果" : "your role does not allow recording free-check results"
        case .chooseASession: zh ? "请选择场次" : "choose a session"
        case .chooseAnInstitution: zh ? "请选择检定机构" : "choose an institution"
        case .sessionNotOpen(let id): zh ? "场次 \(id) 不接受预约" : "session \(id) is not open for booking"
        case .sessionFullyBooked: zh ? "该场次已约满，请选择其他场次" : "the session is fully booked; choose another"
        case .noUtilityWithCode(let meter, let code):
            zh ? "没有统一社会信用代码为 \(code) 的已登记\(meterUtilityWords(meter))" : "no registered \(meter) utility has the code \(code)"
        case .freeCheckAlready(let id, let state): zh ? "免费检定 \(id) \(freeCheckStateWords(state))" : "free check \(id) is \(state)"

        case .campaignHasNoQuiz: zh ? "该活动没有知识问答" : "this campaign has no quiz"
        case .notAQuestionOfThisQuiz: zh ? "不是本次问答的题目" : "is not a question of this quiz"
        case .slugNotAnAddress:
            zh ? "只能使用小写字母、数字和连字符，并以字母开头（将作为页面网址）"
                : "use lower-case letters, digits and hyphens, starting with a letter (it becomes the page's address)"
        case .campaignEndsBeforeItStarts: zh ? "早于开始日期（starts_on）" : "lies before starts_on"
        case .campaignAddressTaken(let slug): zh ? "网址名“\(slug)”已被其他活动使用" : "a campaign with the address '\(slug)' exists"
        }
    }

    /// The utility that runs a meter (`FreeChecks.Meter` raw value), in Chinese.
    private static func meterUtilityWords(_ meter: String) -> String {
        switch meter {
        case "water": "供水企业"
        case "electricity": "供电企业"
        case "gas": "供气企业"
        default: "\(meter)企业"
        }
    }

    /// A free check's state (`FreeChecks.State` raw value), in Chinese.
    private static func freeCheckStateWords(_ state: String) -> String {
        switch state {
        case "booked": "已预约"
        case "done": "已检定"
        case "cancelled": "已取消"
        default: state
        }
    }
}
