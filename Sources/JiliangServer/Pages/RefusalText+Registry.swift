import JiliangCore

extension RefusalText {
    static func registry(_ r: RegistryRefusal, _ zh: Bool) -> String {
        switch r {
        // Instruments
        case .outsideWhatYouMayFile: zh ? "超出您可登记的范围" : "is outside what you may file"
        case .serialNumberFiled(let subNo, let serialNo):
            zh ? "该使用单位已登记种别 \(subNo) 出厂编号为 \(serialNo) 的器具" : "this owner already filed sub-item \(subNo) with serial number \(serialNo)"
        case .serialNumberTaken: zh ? "该使用单位的另一台器具已使用此出厂编号" : "another instrument of this owner has this serial number"
        case .instrumentCodeInUse(let code): zh ? "器具编码 \(code) 已被使用" : "instrument code \(code) is already in use"
        case .codeIsLifelong: zh ? "器具编码终身不变，不得修改" : "the lifelong code cannot be changed"
        case .noOwnerWithCreditCode(let code):
            zh ? "您的辖区内没有统一社会信用代码为 \(code) 的使用单位" : "no owner with credit code \(code) is registered in your area"
        case .ownerMayNotFileDirectly:
            zh ? "您的角色无权自行登记器具：请提交备案，由监管部门审核"
                : "your role does not allow filing an instrument yourself: submit it for the bureau's approval (its filing)"
        case .cannotMove(let from, let to):
            zh ? "器具状态不能从“\(lifecycleWords(from.rawValue))”改为“\(lifecycleWords(to.rawValue))”" : "cannot move from \(from.rawValue) to \(to.rawValue)"
        // Owners and institutions
        case .ownerExists(let code): zh ? "统一社会信用代码为 \(code) 的使用单位已存在" : "an owner with credit code \(code) already exists"
        case .mayNotRegisterOwnersOutside(let region): zh ? "您的角色无权在 \(region) 以外登记使用单位" : "your role does not allow registering owners outside \(region)"
        case .mayNotRegisterOwners: zh ? "您的角色无权登记使用单位" : "your role does not allow registering owners"
        case .parentNotAnOwnerInYourArea: zh ? "应为您辖区内已登记的另一使用单位" : "must name another owner registered in your area"
        case .institutionExists(let name): zh ? "名为“\(name)”的检定机构已存在" : "an institution named \(name) already exists"
        case .noSuchInstitution(let id): zh ? "检定机构 \(id) 不存在" : "institution \(id) does not exist"
        // Verification records
        case .institutionNotAuthorised(let institution, let subNo, let region, let day):
            zh ? "检定机构 \(institution) 在 \(day) 未获 \(region) 种别 \(subNo) 的检定授权"
                : "institution \(institution) is not authorised for catalogue sub-item \(subNo) in region \(region) on \(day)"
        case .instrumentNotFiled: zh ? "器具尚未备案，请先备案再录入检定记录" : "file the instrument before recording verifications"
        case .notARecordOfInstrument(let record, let instrument): zh ? "检定记录 \(record) 不是器具 \(instrument) 的记录" : "record \(record) is not a record of instrument \(instrument)"
        case .recordAlreadyCorrected(let record):
            zh ? "检定记录 \(record) 已被更正，请更正其更正记录" : "record \(record) was already corrected; correct the correction instead"
        case .noRuleInForce(let subNo, let day):
            zh ? "种别 \(subNo) 在 \(day) 没有有效的检定规则，须由管理员先行添加"
                : "no verification rule for catalogue sub-item \(subNo) is in force on \(day); the administrator must add one first"
        // Reference data
        case .mayNotChangeInstrumentNames: zh ? "您的角色无权修改器具名称" : "your role does not allow changing the instrument names"
        case .notARegionCode: zh ? "应为 6 位 GB/T 2260 行政区划代码" : "must be a 6-digit GB/T 2260 code"
        case .noParentRegion(let parent): zh ? "上级行政区划 \(parent) 不存在" : "parent region \(parent) does not exist"
        case .subItemInCatalogue(let subNo): zh ? "种别 \(subNo) 已在目录中，请在其页面上修改" : "sub-item \(subNo) is already in the catalogue; correct it on its page"
        case .periodicRuleNeedsCycle: zh ? "周期检定规则的检定周期应为 1 至 240 个月" : "periodic rules need a cycle of 1 to 240 months"
        case .rotationRuleNeedsServiceLife: zh ? "到期轮换规则的使用期限应为 1 至 600 个月" : "rotation rules need a service life of 1 to 600 months"
        // Social public measurement standards
        case .mayNotManageStandards: zh ? "您的角色无权维护社会公用计量标准" : "your role does not allow social public measurement standards"
        case .mayNotReadStandards: zh ? "您的角色无权查看社会公用计量标准" : "your role does not allow social public measurement standards"
        case .certificateRegistered(let no, let standard): zh ? "证书编号 \(no) 已登记（计量标准 \(standard)）" : "certificate \(no) is already registered (standard \(standard))"
        case .noSuchSubItem(let subNo): zh ? "目录种别 \(subNo) 不存在" : "catalogue sub-item \(subNo) does not exist"
        // Statistics, warnings, the ledger
        case .mayNotReadStatistics: zh ? "您的角色无权查看统计" : "your role does not allow statistics"
        case .tooManyForPlainComputation(let count, let region, let limit):
            zh ? "\(region) 有 \(count) 台器具，超过直接计算可读取的 \(limit) 台；请选择更小的区域"
                : "\(count) instruments in \(region): more than the \(limit) the plain computation reads; choose a smaller region"
        case .notARecipient: zh ? "应为 owner:<编号>、region:<代码> 或 admin" : "must be owner:<id>, region:<code> or admin"
        case .recordNotLedgered: zh ? "该记录尚未写入防篡改账本，请几秒钟后再试" : "the record is not in the ledger yet; try again in a few seconds"
        case .checkpointNotPublished:
            zh ? "该记录已写入账本，但覆盖它的检查点尚未发布" : "the record is in the ledger but no checkpoint covering it is published yet"
        }
    }
}
