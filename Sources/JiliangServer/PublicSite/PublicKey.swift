import Mustache

/// Every string of the public site, by key, in Simplified Chinese (the default) and English.
/// Both `zh` and `en` switch over every key, so a key without its translation does not compile;
/// templates name keys as `{{t.key}}`, checked against this list by `TemplateStringsTests`.
enum PublicKey: String, CaseIterable, Sendable {
    /// By name, for templates: one hash lookup instead of `init(rawValue:)`'s comparisons.
    static let named = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    case site
    case otherLang
    case home
    case lookupTitle
    case lookupHelp
    case code
    case sv_deadline
    case sv_intro
    case sv_instrument
    case sv_name
    case sv_serial
    case sv_address
    case sv_inService
    case sv_purpose
    case sv_declare
    case sv_orUpload
    case sv_upload
    case sv_declaredList
    case sv_noneYet
    case sv_state
    case sv_waiting
    case sv_filed
    case sv_declaredNow
    case sv_uploaded
    case sv_row
    case sv_joinIntro
    case sv_unitName
    case sv_creditCode
    case sv_county
    case sv_phone
    case sv_join
    case sv_requested
    case sv_requestedText
    case search
    case notFoundCode
    case badCode
    case statusValid
    case statusDueSoon
    case statusOverdue
    case statusFailed
    case statusLifeExpired
    case statusRuleMissing
    case statusNotFiled
    case statusSuspended
    case statusScrapped
    case instrument
    case item
    case place
    case owner
    case lastVerified
    case institution
    case certificateNo
    case nextDue
    case rotationDue
    case none
    case resultPass
    case resultFail
    case certVerified
    case certPending
    case certFailed
    case certDownload
    case honesty
    case honestyNone
    case honestyListed
    case honestyPenalties
    case honestyDemo
    case honestyCommitment
    case until
    case demoUnits
    case demoUnitsIntro
    case listedParties
    case listedIntro
    case searchNameOrCode
    case since
    case ground
    case round
    case listedUntil
    case nothingListed
    case publishedPenalties
    case decisionNo
    case penaltyKind
    case decidedOn
    case legalBasis
    case displayUntil
    case commitmentLetter
    case signedBy
    case signedOn
    case superviseBy
    case creditLists
    case allInstruments
    case complainInstrument
    case complainBusiness
    case business
    case creditCode
    case instruments
    case status
    case nextPage
    case noInstruments
    case complaints
    case complaintTitle
    case complaintHelp
    case category
    case catShortWeight
    case catUnverified
    case catTampering
    case catOther
    case text
    case photo
    case contact
    case submit
    case complaintFiled
    case trackingCode
    case keepCode
    case track
    case trackTitle
    case trackHelp
    case notFoundTracking
    case received
    case assigned
    case replied
    case closed
    case deadline
    case reply
    case outcome
    case upheld
    case not_upheld
    case checks
    case checksTitle
    case checksHelp
    case session
    case placesLeft
    case noSessions
    case whatToCheck
    case name
    case phone
    case book
    case meterTitle
    case meterHelp
    case meterKind
    case water
    case electricity
    case gas
    case utilityCode
    case meterNo
    case address
    case contactName
    case contactPhone
    case request
    case booked
    case bookingCode
    case keepBooking
    case checkTitle
    case notFoundBooking
    case stateBooked
    case stateDone
    case stateCancelled
    case result
    case campaigns
    case quiz
    case answer
    case yourScore
    case right
    case wrong
    case institutions
    case institutionsHelp
    case scope
    case validUntil
    case legal
    case authorised
    case badInput
    case notFound
    case tooLarge
    case busy
    case busyText
    case fault
    case faultText
    case tooMany
    case tooManyText
    case privacy
    case hotline

    var zh: String {
        switch self {
        case .site: "计量查询 · 民生计量服务"
        case .otherLang: "English"
        case .home: "首页"
        case .lookupTitle: "查一查计量器具是否检定合格"
        case .lookupHelp: "扫描器具上的二维码，或输入标签上的 19 位器具编码。"
        case .code: "器具编码"
        case .sv_deadline: "截止日期"
        case .sv_intro: "请如实申报贵单位使用的强制检定计量器具（贸易结算、安全防护、医疗卫生、环境监测用）。每台器具填一组，未填写的组不会提交；申报后由所在地市场监管部门审核备案。"
        case .sv_instrument: "器具"
        case .sv_name: "器具名称"
        case .sv_serial: "出厂编号"
        case .sv_address: "安装地点"
        case .sv_inService: "启用日期"
        case .sv_purpose: "用途"
        case .sv_declare: "提交申报"
        case .sv_orUpload: "或上传器具台账（CSV 或 Excel .xlsx）"
        case .sv_upload: "上传"
        case .sv_declaredList: "已申报的器具"
        case .sv_noneYet: "尚未申报"
        case .sv_state: "状态"
        case .sv_waiting: "待审核备案"
        case .sv_filed: "已备案"
        case .sv_declaredNow: "已申报%d台器具，已提交备案。"
        case .sv_uploaded: "台账已读取：新增%d台，已存在%d台，错误%d行。"
        case .sv_row: "第"
        case .sv_joinIntro: "贵单位未收到摸排通知？请填写单位信息，核实后申报链接将以短信发送给您。"
        case .sv_unitName: "单位名称"
        case .sv_creditCode: "统一社会信用代码"
        case .sv_county: "所在区县"
        case .sv_phone: "联系电话"
        case .sv_join: "提交"
        case .sv_requested: "已提交"
        case .sv_requestedText: "已收到贵单位的信息。所在地市场监管部门核实后，申报链接将以短信发送至登记的联系电话；如贵单位已在系统登记，链接将发送至登记时的联系方式。"
        case .search: "查询"
        case .notFoundCode: "没有找到这个编码的计量器具。请核对标签上的编码。"
        case .badCode: "编码有误"
        case .statusValid: "检定有效"
        case .statusDueSoon: "检定即将到期"
        case .statusOverdue: "超期未检定"
        case .statusFailed: "检定不合格，禁止使用"
        case .statusLifeExpired: "使用期满，应当更换"
        case .statusRuleMissing: "检定规则待补充，状态待核定"
        case .statusNotFiled: "未备案"
        case .statusSuspended: "已停用"
        case .statusScrapped: "已报废"
        case .instrument: "器具"
        case .item: "种类"
        case .place: "使用地点"
        case .owner: "使用单位"
        case .lastVerified: "最近检定"
        case .institution: "检定机构"
        case .certificateNo: "证书编号"
        case .nextDue: "下次检定"
        case .rotationDue: "到期更换"
        case .none: "无"
        case .resultPass: "合格"
        case .resultFail: "不合格"
        case .certVerified: "证书已核验：检定记录在防篡改账本中，签名与证明均已验证"
        case .certPending: "检定记录正在写入防篡改账本"
        case .certFailed: "证书核验未通过，请投诉举报"
        case .certDownload: "下载证书（可离线核验）"
        case .honesty: "诚信状况"
        case .honestyNone: "暂无公示的行政处罚或严重失信记录"
        case .honestyListed: "已列入严重违法失信名单"
        case .honestyPenalties: "有 %d 条公示中的行政处罚"
        case .honestyDemo: "诚信计量示范单位"
        case .honestyCommitment: "已签署诚信计量承诺书"
        case .until: "有效期至"
        case .demoUnits: "诚信计量示范单位名单"
        case .demoUnitsIntro: "经市场监督管理部门评价公布、在有效期内的示范单位。"
        case .listedParties: "严重违法失信名单（计量）"
        case .listedIntro: "依照《市场监督管理严重违法失信名单管理办法》公示的当事人；期满或信用修复后移出。"
        case .searchNameOrCode: "按名称或统一社会信用代码搜索"
        case .since: "起"
        case .ground: "事由"
        case .round: "评价活动"
        case .listedUntil: "期满移出日期"
        case .nothingListed: "没有符合条件的记录。"
        case .publishedPenalties: "公示中的行政处罚"
        case .decisionNo: "决定书文号"
        case .penaltyKind: "处罚种类"
        case .decidedOn: "处罚日期"
        case .legalBasis: "处罚依据"
        case .displayUntil: "公示截止"
        case .commitmentLetter: "诚信计量承诺书"
        case .signedBy: "承诺人"
        case .signedOn: "签署日期"
        case .superviseBy: "监督投诉电话"
        case .creditLists: "诚信计量"
        case .allInstruments: "该单位的全部计量器具"
        case .complainInstrument: "对这台器具投诉举报"
        case .complainBusiness: "对该单位投诉举报"
        case .business: "经营单位"
        case .creditCode: "统一社会信用代码"
        case .instruments: "计量器具"
        case .status: "状态"
        case .nextPage: "下一页"
        case .noInstruments: "暂无登记的计量器具"
        case .complaints: "投诉举报"
        case .complaintTitle: "计量投诉举报"
        case .complaintHelp: "填写器具编码（标签上）或经营单位的统一社会信用代码。联系方式只给处理部门看，可以不填。"
        case .category: "问题类型"
        case .catShortWeight: "缺斤少两"
        case .catUnverified: "未检定或超期使用"
        case .catTampering: "作弊、破坏铅封"
        case .catOther: "其他"
        case .text: "情况说明"
        case .photo: "照片（可选，JPEG/PNG，≤2 MB）"
        case .contact: "联系方式（可选）"
        case .submit: "提交"
        case .complaintFiled: "投诉已受理"
        case .trackingCode: "查询码"
        case .keepCode: "请保存查询码，凭它查看处理进度和答复。"
        case .track: "查询进度"
        case .trackTitle: "投诉处理进度"
        case .trackHelp: "输入提交投诉时得到的查询码。"
        case .notFoundTracking: "没有找到这个查询码。请核对后再试。"
        case .received: "已受理"
        case .assigned: "已分派处理"
        case .replied: "已答复"
        case .closed: "已办结"
        case .deadline: "办理时限"
        case .reply: "答复"
        case .outcome: "处理结果"
        case .upheld: "投诉属实"
        case .not_upheld: "投诉不属实"
        case .checks: "免费检定"
        case .checksTitle: "免费检定预约"
        case .checksHelp: "计量技术机构定期免费检定市民的血压计、体重秤、厨房秤（福建省计量院每月20日检定血压计）。选择场次预约，凭预约码查看结果。"
        case .session: "场次"
        case .placesLeft: "剩余名额"
        case .noSessions: "近期没有开放预约的场次"
        case .whatToCheck: "送检器具"
        case .name: "姓名（可选）"
        case .phone: "电话（可选）"
        case .book: "预约"
        case .meterTitle: "三表“你点我检”"
        case .meterHelp: "对家里的水表、电能表、燃气表有疑问，可申请免费检定。"
        case .meterKind: "表的种类"
        case .water: "水表"
        case .electricity: "电能表"
        case .gas: "燃气表"
        case .utilityCode: "供水/供电/供气单位的统一社会信用代码（见缴费单）"
        case .meterNo: "表号"
        case .address: "地址"
        case .contactName: "联系人"
        case .contactPhone: "联系电话"
        case .request: "提交申请"
        case .booked: "预约成功"
        case .bookingCode: "预约码"
        case .keepBooking: "请保存预约码，凭它查看检定结果。"
        case .checkTitle: "免费检定结果"
        case .notFoundBooking: "没有找到这个预约码。"
        case .stateBooked: "已预约，等待检定"
        case .stateDone: "已检定"
        case .stateCancelled: "已取消"
        case .result: "结果"
        case .campaigns: "计量宣传"
        case .quiz: "计量知识答题"
        case .answer: "交卷"
        case .yourScore: "您的得分"
        case .right: "正确"
        case .wrong: "错误"
        case .institutions: "检定机构"
        case .institutionsHelp: "依法设置或授权的计量技术机构及其现行有效的授权项目。"
        case .scope: "授权项目"
        case .validUntil: "有效期至"
        case .legal: "法定计量检定机构"
        case .authorised: "授权计量技术机构"
        case .badInput: "输入有误"
        case .notFound: "未找到"
        case .tooLarge: "提交的内容过大"
        case .busy: "系统繁忙"
        case .busyText: "系统繁忙，未保存任何内容，请稍后重试。"
        case .fault: "系统出错"
        case .faultText: "请求未能完成，请稍后重试。"
        case .tooMany: "请求过于频繁"
        case .tooManyText: "请 %d 秒后再试。"
        case .privacy: "本页不显示任何个人信息。"
        case .hotline: "投诉举报电话 12315"
        }
    }

    var en: String {
        switch self {
        case .site: "Jiliang public metrology service"
        case .otherLang: "中文"
        case .home: "Home"
        case .lookupTitle: "Is this instrument verified?"
        case .lookupHelp: "Scan the QR code on the instrument, or type the 19-character code on its label."
        case .code: "Instrument code"
        case .sv_deadline: "Closes on"
        case .sv_intro: "Declare the mandatory instruments your unit uses (trade, safety, health, environment). One group per instrument; empty groups are skipped; your local bureau reviews each filing."
        case .sv_instrument: "Instrument"
        case .sv_name: "Instrument name"
        case .sv_serial: "Serial number"
        case .sv_address: "Where it is installed"
        case .sv_inService: "In service since"
        case .sv_purpose: "Use"
        case .sv_declare: "Declare"
        case .sv_orUpload: "Or upload your roll (CSV or Excel .xlsx)"
        case .sv_upload: "Upload"
        case .sv_declaredList: "Instruments declared"
        case .sv_noneYet: "None yet"
        case .sv_state: "State"
        case .sv_waiting: "Filing under review"
        case .sv_filed: "Filed"
        case .sv_declaredNow: "%d instruments declared and submitted for filing."
        case .sv_uploaded: "Roll read: %d added, %d already present, %d rows with errors."
        case .sv_row: "Row"
        case .sv_joinIntro: "Your unit has no invitation? Give its details; once checked, the link to declare comes by SMS."
        case .sv_unitName: "Unit name"
        case .sv_creditCode: "Unified social credit code"
        case .sv_county: "County"
        case .sv_phone: "Phone"
        case .sv_join: "Send"
        case .sv_requested: "Sent"
        case .sv_requestedText: "Your details were received. Once your local bureau has checked them, the link to declare comes by SMS to the registered phone; if your unit is registered already, to the contacts it registered with."
        case .search: "Look up"
        case .notFoundCode: "No instrument has this code. Check the code on the label."
        case .badCode: "The code is not valid"
        case .statusValid: "Verified and valid"
        case .statusDueSoon: "Verification due soon"
        case .statusOverdue: "Verification overdue"
        case .statusFailed: "Failed verification: must not be used"
        case .statusLifeExpired: "Service life ended: must be replaced"
        case .statusRuleMissing: "Status not yet known: the verification rule is still to be recorded"
        case .statusNotFiled: "Not filed"
        case .statusSuspended: "Out of use"
        case .statusScrapped: "Scrapped"
        case .instrument: "Instrument"
        case .item: "Kind"
        case .place: "Where"
        case .owner: "Owner"
        case .lastVerified: "Last verified"
        case .institution: "Verified by"
        case .certificateNo: "Certificate no."
        case .nextDue: "Next due"
        case .rotationDue: "Replace by"
        case .none: "None"
        case .resultPass: "passed"
        case .resultFail: "failed"
        case .certVerified: "Certificate verified: the record is in the tamper-evident ledger and its proof and signatures check"
        case .certPending: "The record is being written to the tamper-evident ledger"
        case .certFailed: "The certificate did not verify: please report it"
        case .certDownload: "Download the certificate (verifiable offline)"
        case .honesty: "Honesty record"
        case .honestyNone: "No published penalty or serious-dishonesty listing"
        case .honestyListed: "On the serious-dishonesty list"
        case .honestyPenalties: "%d published administrative penalties"
        case .honestyDemo: "Honest-metrology demonstration unit"
        case .honestyCommitment: "Has signed the honest-metrology commitment"
        case .until: "valid until"
        case .demoUnits: "Honest-metrology demonstration units"
        case .demoUnitsIntro: "Units evaluated and published by the market-supervision bureaus, within their validity."
        case .listedParties: "Serious-dishonesty list (metrology)"
        case .listedIntro: "Parties published under SAMR Order 44; removed at the end of the period or after credit repair."
        case .searchNameOrCode: "Search by name or credit code"
        case .since: "Since"
        case .ground: "Ground"
        case .round: "Round"
        case .listedUntil: "Leaves the list on"
        case .nothingListed: "Nothing matches."
        case .publishedPenalties: "Published administrative penalties"
        case .decisionNo: "Decision no."
        case .penaltyKind: "Penalty"
        case .decidedOn: "Decided on"
        case .legalBasis: "Legal basis"
        case .displayUntil: "Shown until"
        case .commitmentLetter: "Honest-metrology commitment"
        case .signedBy: "Signed by"
        case .signedOn: "Signed on"
        case .superviseBy: "Complaints line"
        case .creditLists: "Honest metrology"
        case .allInstruments: "All instruments of this business"
        case .complainInstrument: "Complain about this instrument"
        case .complainBusiness: "Complain about this business"
        case .business: "Business"
        case .creditCode: "Unified social credit code"
        case .instruments: "Instruments"
        case .status: "Status"
        case .nextPage: "Next page"
        case .noInstruments: "No instruments registered"
        case .complaints: "Complaints"
        case .complaintTitle: "Report a measurement problem"
        case .complaintHelp: "Give the instrument's code (on its label) or the business's credit code. Only the handling bureau sees your contact; it is optional."
        case .category: "What happened"
        case .catShortWeight: "Short weight or measure"
        case .catUnverified: "Unverified or overdue instrument"
        case .catTampering: "Tampering or a broken seal"
        case .catOther: "Other"
        case .text: "What you saw"
        case .photo: "Photo (optional, JPEG/PNG, at most 2 MB)"
        case .contact: "Contact (optional)"
        case .submit: "Submit"
        case .complaintFiled: "Your complaint is registered"
        case .trackingCode: "Tracking code"
        case .keepCode: "Keep this code: it is how you follow the handling and read the reply."
        case .track: "Follow it"
        case .trackTitle: "Complaint progress"
        case .trackHelp: "Type the tracking code you got when you filed it."
        case .notFoundTracking: "No complaint has this tracking code. Check it and try again."
        case .received: "Received"
        case .assigned: "Assigned to a handler"
        case .replied: "Answered"
        case .closed: "Closed"
        case .deadline: "Answer due by"
        case .reply: "Reply"
        case .outcome: "Outcome"
        case .upheld: "Upheld"
        case .not_upheld: "Not upheld"
        case .checks: "Free checks"
        case .checksTitle: "Book a free check"
        case .checksHelp: "Institutes check citizens' blood-pressure meters and home scales free of charge (Fujian's provincial institute checks blood-pressure meters on the 20th of every month). Book a session and read the result with your booking code."
        case .session: "Session"
        case .placesLeft: "Places left"
        case .noSessions: "No sessions open for booking"
        case .whatToCheck: "What to check"
        case .name: "Name (optional)"
        case .phone: "Phone (optional)"
        case .book: "Book"
        case .meterTitle: "Have your water, electricity or gas meter checked (你点我检)"
        case .meterHelp: "If you doubt your home meter, ask for a free check."
        case .meterKind: "Meter"
        case .water: "Water meter"
        case .electricity: "Electricity meter"
        case .gas: "Gas meter"
        case .utilityCode: "The utility's credit code (on your bill)"
        case .meterNo: "Meter number"
        case .address: "Address"
        case .contactName: "Contact name"
        case .contactPhone: "Contact phone"
        case .request: "Send the request"
        case .booked: "Booked"
        case .bookingCode: "Booking code"
        case .keepBooking: "Keep this code: it is how you read the result."
        case .checkTitle: "Free check"
        case .notFoundBooking: "No booking has this code."
        case .stateBooked: "Booked, waiting for the check"
        case .stateDone: "Checked"
        case .stateCancelled: "Cancelled"
        case .result: "Result"
        case .campaigns: "Campaigns"
        case .quiz: "Metrology quiz"
        case .answer: "Submit answers"
        case .yourScore: "Your score"
        case .right: "right"
        case .wrong: "wrong"
        case .institutions: "Verification institutes"
        case .institutionsHelp: "Legal and authorised metrology institutes and their current authorisations."
        case .scope: "Authorised for"
        case .validUntil: "Valid until"
        case .legal: "Legal metrology institute"
        case .authorised: "Authorised institute"
        case .badInput: "Please check your input"
        case .notFound: "Not found"
        case .tooLarge: "Too large"
        case .busy: "Busy"
        case .busyText: "The system is busy; nothing was stored. Please try again."
        case .fault: "Something went wrong"
        case .faultText: "The request could not be completed. Please try again later."
        case .tooMany: "Too many requests"
        case .tooManyText: "Please try again in %d seconds."
        case .privacy: "This page shows no personal data."
        case .hotline: "Complaint hotline 12315"
        }
    }
}

/// The strings of one language (`PublicKey`), for Swift (`t[.key]`) and templates (`{{t.key}}`).
struct PublicText: MustacheParent, Sendable {
    let lang: PageStrings.Language
    subscript(_ key: PublicKey) -> String { lang == .zh ? key.zh : key.en }
    /// A key that is data (a state, an action stored by the store), if it is one.
    func lookup(_ raw: String) -> String? { PublicKey.named[raw].map { self[$0] } }
    func child(named name: String) -> Any? { lookup(name) }
}
