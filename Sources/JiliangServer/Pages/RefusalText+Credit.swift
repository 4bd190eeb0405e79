import JiliangCore

extension RefusalText {
    /// Honest metrology's refusals: penalties, listings, demonstration rounds, commitments, credit records.
    static func credit(_ r: CreditRefusal, _ zh: Bool) -> String {
        switch r {
        case .roleMayNot(let a): zh ? "您的角色无权\(creditAction(a, zh))" : "your role does not allow \(creditAction(a, zh))"
        case .noOwnerToActFor(let id): zh ? "使用单位 \(id) 不存在或不在您的办理范围内" : "no owner \(id) that you may act for"
        // Commitments
        case .noCommitmentLetter(let sector):
            zh ? "尚未设置“\(sector.chineseName)”行业的诚信计量承诺书" : "no commitment letter is set up for the sector \(sector.rawValue)"
        case .commitmentAlreadySigned(let owner):
            zh ? "\(owner)已签署承诺书，如需重新签署，请先撤回原承诺书" : "\(owner) already has a signed commitment; withdraw it before signing again"
        case .outcomeWithdrawnOrBreached: zh ? "应为撤回或违反承诺" : "must be withdrawn or breached"
        case .commitmentEnded(let id, let state): zh ? "承诺书 \(id) 已终止（\(creditState(state))）" : "commitment \(id) has already ended (\(state))"
        // Penalties
        case .summaryProcedureKind(let kind):
            zh ? "简易程序仅适用于警告或罚款，不适用于\(kind.chineseName)（行政处罚法第五十一条）"
                : "the summary procedure (简易程序) allows only a warning or a fine, not \(kind.rawValue) (行政处罚法 art. 51)"
        case .summaryFineOverLimit(let limit, let party):
            zh ? "简易程序对\(party.chineseName)的罚款不得超过 \(limit) 元（行政处罚法第五十一条），请适用普通程序"
                : "the summary procedure (简易程序) allows a fine of at most \(limit) yuan for a \(party == .naturalPerson ? "natural person" : "legal person or other organisation") (行政处罚法 art. 51); use the ordinary procedure"
        case .tooManyFiles(let max): zh ? "最多上传 \(max) 个文件" : "at most \(max) files"
        case .fileTooLarge(let name, let kb, let mb): zh ? "“\(name)”大小为 \(kb) KB，不得超过 \(mb) MB" : "'\(name)' is \(kb) KB; at most \(mb) MB"
        case .notPdfJpegOrPng(let name): zh ? "“\(name)”应为 PDF、JPEG 或 PNG 文件" : "'\(name)' must be a PDF, JPEG or PNG file"
        case .decisionNumberTaken(let no): zh ? "决定书文号为 \(no) 的行政处罚已登记" : "a penalty with decision number \(no) is already recorded"
        case .warningNotPublished: zh ? "仅给予警告的行政处罚不予公示（市场监管总局令第45号第二条）" : "a warning alone is not published (SAMR Order 45 Art. 2)"
        case .summaryDecisionNotPublished:
            zh ? "适用简易程序作出的行政处罚决定不予公示（市场监管总局令第45号第二条）"
                : "a decision under the summary procedure (简易程序) is not published (SAMR Order 45 Art. 2)"
        case .penaltyNotAwaitingPublication(let id, let state):
            zh ? "行政处罚 \(id) 当前状态为“\(creditState(state))”，不在待公示状态" : "penalty \(id) is \(state), not waiting for publication"
        case .penaltyAlreadyEnded(let id, let state): zh ? "行政处罚 \(id) 已处于“\(creditState(state))”状态" : "penalty \(id) is already \(state)"
        case .penaltyNotOnDisplay(let id, let state): zh ? "行政处罚 \(id) 当前状态为“\(creditState(state))”，不在公示期内" : "penalty \(id) is \(state), not on display"
        case .confirmObligationsFulfilled: zh ? "请确认已履行行政处罚决定规定的义务" : "confirm that the penalty's obligations are fulfilled"
        case .confirmConsequencesRemoved: zh ? "请确认已消除危害后果" : "confirm that the harmful consequences have been removed"
        case .earlyEndAlreadyApplied: zh ? "已有申请等待决定" : "an application is already waiting for a decision"
        case .earlyEndNotYet(let from, let months):
            zh ? "自 \(from) 起方可申请提前停止公示（公示满 \(months) 个月，市场监管总局令第45号第十四条）"
                : "an early end may be applied for from \(from) (\(months) months on display, SAMR Order 45 art. 14)"
        case .approveOrRefuse: zh ? "应为准予或不予准予" : "must be approve or refuse"
        case .noEarlyEndApplication(let id): zh ? "行政处罚 \(id) 没有待决定的提前停止公示申请" : "no application to end penalty \(id)'s publication is waiting"
        case .recorderMayNotDecide(let label): zh ? "应由另一名工作人员决定：\(label) 登记了该行政处罚" : "a second person decides: \(label) recorded this penalty"
        // The serious-dishonesty list
        case .listingNeedsPenalty: zh ? "必填：列入名单须以行政处罚决定为依据" : "is required: a listing rests on a penalty decision"
        case .noPenaltyInRegion(let id): zh ? "您的辖区内没有行政处罚 \(id)" : "no penalty \(id) in your region"
        case .penaltyNotHeavy(let no):
            zh ? "行政处罚 \(no) 不属于较重行政处罚；依市场监管总局令第44号，仅据较重行政处罚列入名单"
                : "penalty \(no) is not a heavy penalty (较重行政处罚); Order 44 lists only on those"
        case .penaltyWithdrawn(let no): zh ? "行政处罚 \(no) 已撤回" : "penalty \(no) was withdrawn"
        case .listingInProgress(let no): zh ? "依据行政处罚 \(no) 的列入程序正在进行中" : "a listing on penalty \(no) is already in progress"
        case .objectionOnFile: zh ? "已提出异议" : "an objection is already on file"
        case .objectionWindowClosed(let day): zh ? "异议期已于 \(day ?? "-") 届满" : "the objection window closed on \(day ?? "-")"
        case .listOrNotList: zh ? "应为列入或不予列入" : "must be list or not_list"
        case .proposerMayNotDecide(let label):
            zh ? "应由另一名工作人员作出决定，提出建议的 \(label) 不得决定" : "the decision must be taken by a second person, not by \(label) who proposed it"
        case .objectionWindowOpen(let until): zh ? "异议期至 \(until)（含）届满，请在此后作出决定" : "the party may object until \(until); decide after that"
        case .agreeOrRefuse: zh ? "应为同意或不同意" : "must be agree or refuse"
        case .listingNeedsNoConsent(let id, let state):
            zh ? "严重违法失信名单案件 \(id) 当前状态为“\(creditState(state))”，无需上级同意" : "listing \(id) is \(state) and waits for no consent"
        case .consentByBureauAbove(let region, let label):
            zh ? "应由 \(region ?? "-") 的上级部门同意，\(label) 不能同意" : "the bureau above \(region ?? "-") consents, not \(label)"
        case .listingAwaitsConsent(let id, let region):
            zh ? "严重违法失信名单案件 \(id) 由 \(region) 的部门决定，公示前须经上级部门同意"
                : "listing \(id) was decided by the bureau of \(region): the bureau above must consent before publication"
        case .repairAlreadyApplied: zh ? "已有信用修复申请等待决定" : "a repair application is already waiting for a decision"
        case .repairNotYet(let from):
            zh ? "自 \(from ?? "-") 起方可申请信用修复（列入名单满一年）" : "credit repair may be applied for from \(from ?? "-") (at least one year on the list)"
        case .laterHeavyPenalty(let no, let day): zh ? "列入后又受到较重行政处罚（\(no)，\(day)），不予信用修复" : "a further heavy penalty (\(no), \(day)) rules out repair"
        case .noRepairApplication: zh ? "没有待决定的信用修复申请" : "no repair application is waiting"
        case .listingNotInState(let id, let state, let expected):
            zh ? "严重违法失信名单案件 \(id) 当前状态为“\(creditState(state))”，而非“\(creditState(expected))”" : "listing \(id) is \(state), not \(expected)"
        // Demonstration units
        case .criterionLineUnreadable(let line, let got):
            zh ? "第 \(line) 行应为“评价项目 | 分值”，分值为 1 至 100，收到“\(got)”" : "line \(line) must read 'criterion | weight' with a weight from 1 to 100, got '\(got)'"
        case .noCriteria: zh ? "请至少填写一项评价项目" : "give at least one criterion"
        case .weightsDoNotAddUp(let total): zh ? "各项分值合计为 \(total)，应为 100" : "the weights add up to \(total); they must add up to 100"
        case .notASixDigitRegionCode: zh ? "应为 6 位行政区划代码" : "must be a 6-digit region code"
        case .roundOutsideOwnRegion: zh ? "只能在本辖区内开展示范单位评价" : "you may open rounds only in your own region"
        case .noDefaultChecklist(let sector):
            zh ? "“\(sector.chineseName)”行业尚未设置默认评价细则，请填写评价项目" : "no default checklist is set for the sector \(sector.rawValue); give the criteria"
        case .roundNotTakingApplications(let id, let opens, let closes):
            zh ? "评价批次 \(id) 的申请受理期为 \(opens) 至 \(closes)" : "round \(id) takes applications from \(opens) to \(closes)"
        case .ownerNotEligibleForRound(let owner): zh ? "\(owner)不属于该批次的行业或辖区" : "\(owner) is not of the round's sector and region"
        case .listedPartyCannotApply: zh ? "列入严重违法失信名单的当事人不得申请" : "a party on the serious-dishonesty list cannot apply"
        case .alreadyAppliedInRound(let owner): zh ? "\(owner)已在本批次提出申请" : "\(owner) has already applied in this round"
        case .roundPublished(let id):
            if let id { zh ? "评价批次 \(id) 的结果已公布" : "round \(id) is already published" } else { zh ? "该批次评价结果已公布" : "the round is already published" }
        case .applicationNotScored(let id): zh ? "申请 \(id) 尚未评分" : "application \(id) is not scored yet"
        case .applicationHoldsNoTitle(let id): zh ? "申请 \(id) 未持有示范单位称号" : "application \(id) holds no title"
        }
    }

    /// A credit step, as the object of "your role does not allow …" (您的角色无权…).
    static func creditAction(_ a: CreditRefusal.Action, _ zh: Bool) -> String {
        switch a {
        case .readCreditClasses: zh ? "查看信用风险分类" : "reading credit-risk classes"
        case .readCreditRecord: zh ? "查看该单位的信用记录" : "reading this owner's credit record"
        case .readPenalties: zh ? "查看行政处罚" : "reading penalties"
        case .readListings: zh ? "查看严重违法失信名单" : "reading listings"
        case .recordPenalties: zh ? "登记行政处罚" : "recording administrative penalties"
        case .publishPenalties: zh ? "公示行政处罚" : "publishing penalties"
        case .withdrawPenalties: zh ? "撤回行政处罚" : "withdrawing penalties"
        case .decideEarlyEnd: zh ? "决定提前停止公示行政处罚信息" : "deciding on ending a penalty's publication early"
        case .proposeListing: zh ? "提出列入严重违法失信名单建议" : "proposing a listing"
        case .notifyParty: zh ? "告知当事人" : "notifying a party"
        case .decideListing: zh ? "作出列入严重违法失信名单决定" : "deciding on a listing"
        case .consentToListing: zh ? "同意列入严重违法失信名单" : "consenting to a listing"
        case .publishListing: zh ? "公示严重违法失信名单" : "publishing a listing"
        case .decideRepair: zh ? "决定信用修复" : "deciding on credit repair"
        case .editCommitmentLetters: zh ? "编辑诚信计量承诺书" : "editing commitment letters"
        case .recordBreach: zh ? "登记违反承诺" : "recording a breach of a commitment"
        case .editChecklists: zh ? "编辑示范单位评价细则" : "editing demonstration checklists"
        case .openRound: zh ? "开展诚信计量示范单位评价" : "opening a demonstration-unit round"
        case .scoreApplications: zh ? "为示范单位申请评分" : "scoring demonstration applications"
        case .publishResults: zh ? "公布示范单位评价结果" : "publishing demonstration results"
        case .revokeTitle: zh ? "撤销示范单位称号" : "revoking a demonstration title"
        case .runRound(let region): zh ? "办理行政区划 \(region) 的示范单位评价" : "running the round of region \(region)"
        case .signCommitment: zh ? "签署承诺书（仅限使用单位本单位账号签署）" : "signing a commitment (only the owner's own account signs)"
        case .withdrawCommitment: zh ? "撤回承诺书（仅限使用单位撤回本单位的承诺）" : "withdrawing a commitment (only the owner withdraws its own)"
        case .applyForEarlyEnd:
            zh ? "申请提前停止公示行政处罚信息（仅限当事人本单位账号申请）" : "applying to end a penalty's publication early (only the party's own account applies)"
        case .object: zh ? "提出异议（仅限当事人本单位账号提出）" : "objecting (only the party's own account objects)"
        case .applyForRepair: zh ? "申请信用修复（仅限当事人本单位账号申请）" : "applying for credit repair (only the party's own account applies)"
        case .applyForTitle: zh ? "申请示范单位称号（仅限使用单位本单位账号申请）" : "applying for a demonstration title (only the owner's own account applies)"
        }
    }

    /// A credit state code (`withdrawn`, `listed`, …) in Chinese, as the credit pages name it.
    private static func creditState(_ code: String) -> String {
        PageStrings.strings(.zh).lookup("cr_" + code) ?? code
    }
}
