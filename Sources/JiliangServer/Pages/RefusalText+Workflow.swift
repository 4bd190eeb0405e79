import JiliangCore

extension RefusalText {
    /// Filings (备案), verification applications (检定申请) and surveys (摸排).
    static func workflow(_ r: WorkflowRefusal, _ zh: Bool) -> String {
        switch r {
        case .mayNotSubmitFilings: zh ? "您的角色无权提交备案" : "your role does not allow submitting filings"
        case .mayNotDecideFilings: zh ? "您的角色无权审核备案" : "your role does not allow deciding on filings"
        case .instrumentNeedsNoFiling(let id, let status):
            zh ? "器具 \(id) 的状态为“\(lifecycleWords(status))”，不是草稿，无需备案" : "instrument \(id) is \(status), not a draft: it needs no filing"
        case .filingAwaitsDecision(let id): zh ? "器具 \(id) 已提交备案，正在等待审核" : "instrument \(id) already waits for the bureau's decision"
        case .returnReasonRequired: zh ? "请说明使用单位需要改正的内容" : "say what the owner must fix"
        case .filingAlreadyDecided(let id, let state):
            zh ? "备案 \(id) 已\(filingStateWords(state))，不能再次审核" : "filing \(id) was already \(state)"

        case .mayNotApplyForVerification: zh ? "您的角色无权申请检定" : "your role does not allow applying for verification"
        case .mayNotHandleApplications: zh ? "您的角色无权办理检定申请" : "your role does not allow handling verification applications"
        case .mayNotMaintainCalendar: zh ? "您的角色无权维护节假日日历" : "your role does not allow maintaining the holiday calendar"
        case .instrumentNotFiled: zh ? "器具须先备案，方可申请检定" : "the instrument must be filed before it is verified"
        case .institutionNotAuthorised(let id):
            zh ? "检定机构 \(id) 的授权范围不含本器具的目录项目和区域"
                : "institution \(id) is not authorised for this instrument's catalogue sub-item and region"
        case .openApplicationExists: zh ? "该器具已有未办结的检定申请" : "the instrument already has an open application"
        case .applicationAlready(let id, let state):
            zh ? "检定申请 \(id) 的状态为“\(applicationStateWords(state))”，不能办理" : "application \(id) is \(state)"
        case .applicationNotAccepted(let id, let state):
            zh ? "检定申请 \(id) 的状态为“\(applicationStateWords(state))”，须先受理才能出具结果"
                : "application \(id) is \(state); accept it before recording a result"
        case .declineReasonRequired: zh ? "请说明原因（不超过 500 字）" : "give the reason (at most 500 characters)"

        case .mayNotOpenSurveys: zh ? "您的角色无权发起摸排" : "your role does not allow opening surveys"
        case .mayNotChaseSurveys: zh ? "您的角色无权催报" : "your role does not allow chasing a survey"
        case .mayNotCloseSurveys: zh ? "您的角色无权结束摸排" : "your role does not allow closing surveys"
        case .mayNotCloseWiderSurvey: zh ? "您的角色无权结束上级区域发起的摸排" : "your role does not allow closing a survey of a wider region"
        case .mayNotDecideSurveyRequests: zh ? "您的角色无权审核摸排申请" : "your role does not allow deciding on survey requests"
        case .notYourRegion(let code): zh ? "\(code) 不在您的管辖范围内" : "\(code) is not a region you work for"
        case .surveyClosed(let id): zh ? "摸排 \(id) 已结束" : "survey \(id) is closed"
        case .noInstrumentDeclared: zh ? "请至少填写一台器具" : "fill in at least one instrument"
        case .phoneRequiredForLink:
            zh ? "必填：申请经审核后，申报链接将以短信发送" : "is required: the link comes by SMS once the bureau has checked the request"
        case .surveyCoversOnly(let region): zh ? "本次摸排仅限 \(region) 区域" : "this survey covers \(region) only"
        case .surveyClosedRejectOnly:
            zh ? "摸排已结束，申报链接已失效，该申请只能驳回"
                : "the survey is closed: its links no longer work, so the request can only be rejected"
        case .requestAlreadyDecided(let id): zh ? "申请 \(id) 已处理" : "request \(id) was already decided"
        case .unitOutsideSurveyRegion:
            zh ? "该单位登记在本次摸排区域之外；请驳回申请，由其所在区域的主管部门邀请"
                : "the unit is registered outside this survey's region; reject the request and ask that region's bureau to invite it"
        }
    }

    /// A filing's state (`Filings.State` raw value) in Chinese, after "已".
    private static func filingStateWords(_ state: String) -> String {
        switch state {
        case "submitted": "提交"
        case "approved": "审核通过"
        case "returned": "退回"
        default: state
        }
    }

    /// A verification application's state (`VerificationRequests.State` raw value) in Chinese.
    private static func applicationStateWords(_ state: String) -> String {
        switch state {
        case "applied": "待受理"
        case "accepted": "已受理"
        case "declined": "已拒绝"
        case "completed": "已办结"
        default: state
        }
    }
}
