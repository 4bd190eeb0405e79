import Mustache

/// Every string the staff pages show, by key, in Simplified Chinese (the default) and English.
/// Both `zh` and `en` switch over every key, so a key without its translation does not compile;
/// templates name keys as `{{t.key}}`, checked against this list by `TemplateStringsTests`.
enum PageKey: String, CaseIterable, Sendable {
    /// By name, for templates: one hash lookup instead of `init(rawValue:)`'s comparisons.
    static let named = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    case st_title
    case cr_reason_consentRefused
    case cr_reason_periodEnded
    case cr_reason_creditRepaired
    case cr_reason_penalty
    case cr_reason_listed
    case cat_title
    case cat_names
    case cat_namesHelp
    case cat_namePlaceholder
    case cat_addName
    case cat_summary
    case cat_item
    case cat_sub
    case cat_mode
    case cat_form
    case cat_rules
    case cat_confidence
    case cat_conf_confirmed
    case cat_conf_partial
    case cat_conf_unconfirmed
    case cat_form_periodic
    case cat_form_first_only_rotation
    case cat_form_first_only_scrap
    case cat_noRule
    case cat_months
    case cat_anyInstrument
    case cat_provisional
    case cat_scope
    case cat_regulation
    case cat_source
    case cat_versions
    case cat_version
    case cat_from
    case cat_until
    case cat_condition
    case cat_inForce
    case cat_addRow
    case cat_addRowHelp
    case cat_edit
    case cat_addRule
    case cat_addRuleHelp
    case cat_firstRule
    case cat_cycle
    case cat_life
    case cat_itemNo
    case cat_itemName
    case cat_subNo
    case cat_subName
    case cat_meterType
    case cat_medium
    case st_period
    case st_day
    case st_year
    case st_quarter
    case st_month
    case st_instruments
    case st_rate
    case st_count
    case st_definition
    case st_gaps
    case st_utility_title
    case st_annual_title
    case st_by_company
    case st_by_region
    case st_company
    case st_meters_in_use
    case st_fv_met
    case st_fv_due
    case st_rot_met
    case st_rot_due
    case st_offenders
    case st_offenders_first
    case st_meter_type
    case mt_water
    case mt_gas
    case mt_electricity_electronic
    case mt_electricity_em_single
    case mt_electricity_em_single_long
    case mt_electricity_em_three
    case mt_heat
    case st_problem
    case st_problem_first
    case st_problem_rotation
    case st_decisive_day
    case st_rates
    case st_numerator
    case st_denominator
    case st_trend
    case st_nearest
    case st_none_nearby
    case st_downloads
    case st_print
    case st_behind
    case st_split
    case st_due
    case st_met
    case st_missed
    case st_all
    case st_day_decisive
    case st_drill
    case st_chart_onTime
    case st_chart_trend
    case st_reports
    case st_year_label
    case st_more
    case sd_title
    case sd_name
    case sd_certificate
    case sd_valid
    case sd_valid_from
    case sd_valid_until
    case sd_range
    case sd_uncertainty
    case sd_items
    case sd_items_hint
    case sd_regions
    case sd_regions_hint
    case sd_institution
    case sd_new
    case sd_edit
    case sd_expired
    case sd_targets
    case sd_targets_note
    case sd_level_province
    case sd_level_city
    case sd_level_county
    case sd_progress
    case sd_met
    case sd_missing
    case sd_save_targets
    case st_note
    case st_onTime
    case st_onTime_def
    case st_firstPass
    case st_firstPass_def
    case st_afterAdjustment
    case st_afterAdjustment_def
    case st_spotChecks
    case st_spotChecks_def
    case st_filing
    case st_filing_def
    case st_coverageItems
    case st_coverageItems_def
    case st_coverageInstruments
    case st_coverageInstruments_def
    case st_firstVerification
    case st_firstVerification_def
    case st_rotation
    case st_rotation_def
    case cr_title
    case cr_classes
    case cr_class
    case cr_score
    case cr_scoreIt
    case cr_computed
    case cr_noClasses
    case cr_internalNote
    case cr_factor
    case cr_contributions
    case cr_fact
    case cr_detail
    case cr_points
    case cr_base
    case cr_docs
    case cr_fact_overdue_or_unfiled
    case cr_fact_failed_in_use
    case cr_fact_failure_rate
    case cr_fact_complaints_upheld
    case cr_fact_penalties
    case cr_fact_commitment
    case cr_fact_commitment_breached
    case cr_fact_demonstration_unit
    case cr_fact_listed
    case cr_commitment
    case cr_signHelp
    case cr_signerName
    case cr_signerTitle
    case cr_sign
    case cr_signedOn
    case cr_complaintPhone
    case cr_printHelp
    case cr_publicLetter
    case cr_reason
    case cr_withdraw
    case cr_recordBreach
    case cr_templates
    case cr_templatesHelp
    case cr_letterTitle
    case cr_letterBody
    case cr_save
    case cr_checklists
    case cr_checklistsHelp
    case cr_penalties
    case cr_penalty
    case cr_recordPenalty
    case cr_ownerID
    case cr_decisionNo
    case cr_kind
    case cr_amount
    case cr_procedure
    case cr_consent
    case cr_consentNeeded
    case cr_consentAgree
    case cr_consentRefuse
    case cr_consented
    case cr_consent_refused
    case cr_specialDomain
    case cr_endEarly
    case cr_endEarlyHelp
    case cr_endEarlyFrom
    case cr_endEarlyApplied
    case cr_endedEarly
    case cr_approveEndEarly
    case cr_procedure_ordinary
    case cr_procedure_summary
    case cr_party
    case cr_party_organisation
    case cr_party_natural_person
    case cr_lowFineNote
    case cr_heavy
    case cr_heavyShort
    case cr_legalBasis
    case cr_facts
    case cr_decidedOn
    case cr_restrictionUntil
    case cr_evidence
    case cr_publishBy
    case cr_publishedOn
    case cr_displayUntil
    case cr_withdrawn
    case cr_publish
    case cr_withdrawReason
    case cr_withdrawPenalty
    case cr_proposeListing
    case cr_propose
    case cr_history
    case cr_listings
    case cr_listingsHelp
    case cr_proposedOn
    case cr_notifiedOn
    case cr_objectionUntil
    case cr_objection
    case cr_decidedBy
    case cr_repairEligible
    case cr_removalOn
    case cr_repairApplied
    case cr_ended
    case cr_notify
    case cr_notifyHelp
    case cr_object
    case cr_secondPerson
    case cr_decision
    case cr_decideList
    case cr_decideNotList
    case cr_note
    case cr_decide
    case cr_publishListing
    case cr_repair
    case cr_repairHelp
    case cr_fulfilled
    case cr_remedied
    case cr_statement
    case cr_applyRepair
    case cr_approveRepair
    case cr_refuseRepair
    case cr_rounds
    case cr_roundTitle
    case cr_sector
    case cr_region
    case cr_dates
    case cr_openRound
    case cr_criteria
    case cr_criteriaHelp
    case cr_passScore
    case cr_validMonths
    case cr_opensOn
    case cr_closesOn
    case cr_apply
    case cr_applications
    case cr_total
    case cr_validUntil
    case cr_revoked
    case cr_evidenceNote
    case cr_revokeTitle
    case cr_publishRound
    case cr_round_open
    case cr_round_published
    case cr_active
    case cr_breached
    case cr_signed
    case cr_recorded
    case cr_published
    case cr_expired
    case cr_proposed
    case cr_notified
    case cr_objected
    case cr_decided
    case cr_listed
    case cr_not_listed
    case cr_repaired
    case cr_removed
    case cr_repair_applied
    case cr_repair_refused
    case cr_applied
    case cr_scored
    case cr_awarded
    case cr_not_awarded
    case app
    case otherLang
    case dashboard
    case instruments
    case instrument
    case filings
    case requests
    case signIn
    case signOut
    case login
    case password
    case wrongLogin
    case waiting
    case nothingWaiting
    case inbox
    case inboxEmpty
    case status
    case all
    case filter
    case code
    case name
    case serial
    case nextDue
    case none
    case `open`
    case nextPage
    case newInstrument
    case catalogue
    case address
    case inService
    case draftNote
    case saveDraft
    case lifecycle
    case owner
    case submitFiling
    case applyVerification
    case laboratory
    case onSite
    case apply
    case deadline
    case overdue
    case history
    case certificate
    case validUntil
    case ledgerLeaf
    case institutions
    case institution
    case newInstitution
    case inst_legal
    case inst_authorised
    case creditCode
    case instRegion
    case instAddress
    case addAuthorisation
    case scopeRegion
    case validFrom
    case sortBy
    case sort_registration
    case sort_next_due
    case sort_code
    case ledgerCertificate
    case record
    case verifiedOn
    case noWitness
    case ledgerPendingLong
    case ledgerUnpublished
    case qrCaption
    case cosignedBy
    case downloadCertificate
    case ledgerEntry
    case codeCommitment
    case checkpoint
    case verifyHow
    case ledgerPending
    case ledgerHint
    case submitted
    case decision
    case approve
    case returnIt
    case reason
    case state
    case action
    case accept
    case result
    case pass
    case fail
    case recordResult
    case notFound
    case notFoundText
    case forbidden
    case badInput
    case tooLarge
    case busy
    case busyText
    case fault
    case faultText
    case tooMany
    case tooManyText
    case filedNotice
    case appliedNotice
    case done
    case search
    case searchHint
    case exportCSV
    case regions
    case region
    case up
    case instrumentsHere
    case byItem
    case count
    case industry
    case contact
    case allInstruments
    case authorisation
    case validity
    case importTitle
    case importHelp
    case importProfile
    case sv_title
    case sv_help
    case sv_name
    case sv_new
    case sv_regionCode
    case sv_closes
    case sv_opened
    case sv_state
    case sv_open
    case sv_closed
    case sv_openButton
    case sv_invited
    case sv_answered
    case sv_coverage
    case sv_declared
    case sv_filed
    case sv_filingRate
    case sv_total
    case sv_progress
    case sv_filedHelp
    case sv_joinTitle
    case sv_joinHelp
    case sv_silent
    case sv_credit
    case sv_chaseCount
    case sv_lastChased
    case sv_chase
    case sv_chased
    case sv_close
    case sv_requests
    case sv_requestsHelp
    case sv_requestedOn
    case sv_accept
    case sv_reject
    case importKind
    case importKindInstruments
    case importKindOwners
    case importKindInstitutions
    case importOwnerNote
    case importNoProfile
    case importSheet
    case importVerifiedBy
    case importPreview
    case previewTitle
    case previewRead
    case headerRowLabel
    case previewWouldAdd
    case alreadyPresent
    case rowsLabel
    case validLabel
    case columnMapping
    case columnHeader
    case columnField
    case ignoreColumn
    case sampleRows
    case sampleRow
    case sampleSub
    case sampleSerial
    case sampleRegion
    case sampleLast
    case sampleStatus
    case sampleDue
    case previewAgain
    case saveProfileLabel
    case saveProfile
    case profileSaved
    case errorSummary
    case importTemplate
    case importFile
    case importMode
    case allOrNothing
    case validRowsOnly
    case importStart
    case progress
    case importDone
    case importFailed
    case inserted
    case errorsFound
    case errorReport
    case schedules
    case warnings
    case admin
    case users
    case role
    case attachedTo
    case lockedShort
    case newPassword
    case resetPassword
    case newUser
    case regionCodeHint
    case institutionIdHint
    case ownerIdHint
    case create
    case save
    case auditLog
    case actor
    case entity
    case since
    case when
    case change
    case calendar
    case calendarHelp
    case calendarLoaded
    case calendarDays
    case calendarByHand
    case calendarNextMissing
    case reference
    case referenceHelp
    case refCatalogue
    case refRules
    case refCalendar
    case refFigures
    case refFigure
    case refValue
    case refWhere
    case refSource
    case refForm
    case refCycle
    case refLife
    case date
    case kind
    case holiday
    case workday
    case remove
    case addDay
    case disabledShort
    case disable
    case enable
    case tokens
    case tokensHelp
    case tokenOnce
    case permissions
    case lastUsed
    case revoked
    case revoke
    case newToken
    case labels
    case complaintHistory
    case campaignsAdmin
    case campaignTitle
    case campaignBody
    case event
    case dates
    case quizAttempts
    case newCampaign
    case slug
    case startsOn
    case endsOn
    case publish
    case labelsPDF
    case print
    case publicPage
    case complaints
    case freeChecks
    case received
    case assigned
    case replied
    case closed
    case overdueShort
    case assignee
    case assign
    case reply
    case sendReply
    case outcome
    case upheld
    case not_upheld
    case closeComplaint
    case complaintText
    case citizenContact
    case photo
    case subject
    case slots
    case openSlot
    case day
    case time
    case place
    case items
    case capacity
    case bookedCount
    case bookings
    case item
    case note
    case nothing

    var zh: String {
        switch self {
        case .cr_reason_consentRefused: "上级不同意列入"
        case .cr_reason_periodEnded: "期满移出"
        case .cr_reason_creditRepaired: "信用修复"
        case .cr_reason_penalty: "因行政处罚 {decision}（{day}）撤销"
        case .cr_reason_listed: "因列入严重违法失信名单（案件 #%d）撤销"
        case .st_title: "统计分析"
        case .cat_title: "强制管理目录"
        case .cat_names: "器具名称（导入时识别为本种别）"
        case .cat_namesHelp: "导入文件没有种别序号列时，按“器具名称”识别种别。✎ 为管理员添加的名称；添加已有名称会把它改到本种别。"
        case .cat_namePlaceholder: "例如：电子秤"
        case .cat_addName: "添加名称"
        case .cat_summary: "目录现有已编号种别 %d 个、临时编号（9xx）种别 %d 个。2020年版目录（市场监管总局公告2020年第42号）共有40个一级目录、62个二级种别；公开资料只找到第1–18种别的原文，其余待管理员按目录正式文本补充。标注“未核实”的内容没有原文依据。"
        case .cat_item: "一级目录"
        case .cat_sub: "种别"
        case .cat_mode: "监管方式"
        case .cat_form: "检定方式"
        case .cat_rules: "现行规则"
        case .cat_confidence: "核实情况"
        case .cat_conf_confirmed: "已核实"
        case .cat_conf_partial: "部分核实"
        case .cat_conf_unconfirmed: "未核实"
        case .cat_form_periodic: "周期检定"
        case .cat_form_first_only_rotation: "首次强检，限期使用，到期轮换"
        case .cat_form_first_only_scrap: "首次强检，失准报废"
        case .cat_noRule: "缺少检定规则"
        case .cat_months: "%d个月"
        case .cat_anyInstrument: "全部器具"
        case .cat_provisional: "临时编号"
        case .cat_scope: "强检范围及说明"
        case .cat_regulation: "检定规程"
        case .cat_source: "来源"
        case .cat_versions: "检定规则（各版本）"
        case .cat_version: "版本"
        case .cat_from: "生效"
        case .cat_until: "失效（最后一日）"
        case .cat_condition: "适用条件"
        case .cat_inForce: "现行"
        case .cat_addRow: "补充目录种别"
        case .cat_addRowHelp: "按目录正式文本填写序号、名称、监管方式和检定方式；可同时填写第一条检定规则。修改后系统在后台重新计算器具状态。"
        case .cat_edit: "修改本种别"
        case .cat_addRule: "新增规则版本"
        case .cat_addRuleHelp: "规则从不原地修改：新版本自生效日起适用，已有检定记录保留原规则计算的有效期。新法规改变适用条件时，请给旧规则另立一个带失效日期的版本。"
        case .cat_firstRule: "第一条检定规则（可选）"
        case .cat_cycle: "检定周期（月，周期检定）"
        case .cat_life: "使用期限（月，到期轮换）"
        case .cat_itemNo: "一级序号"
        case .cat_itemName: "一级名称"
        case .cat_subNo: "种别序号"
        case .cat_subName: "种别名称"
        case .cat_meterType: "表计类型"
        case .cat_medium: "介质"
        case .st_period: "统计期"
        case .st_day: "日期"
        case .st_year: "年度"
        case .st_quarter: "季度"
        case .st_month: "月度"
        case .st_instruments: "器具数"
        case .st_rate: "指标"
        case .st_count: "分子 / 分母"
        case .st_definition: "口径"
        case .st_gaps: "检定能力缺口（无授权或社会公用计量标准覆盖的在用种别）"
        case .st_utility_title: "三表首次检定与到期轮换通报"
        case .st_annual_title: "年度计量监管统计报告"
        case .st_by_company: "按供水、供电、供气企业"
        case .st_by_region: "按下级区域"
        case .st_company: "企业"
        case .st_meters_in_use: "在用表计"
        case .st_fv_met: "首检合格投用"
        case .st_fv_due: "新投用"
        case .st_rot_met: "按期轮换"
        case .st_rot_due: "使用期满"
        case .st_offenders: "问题表计"
        case .st_offenders_first: "列出前 %d 个，共 %d 个；CSV 和 XLSX 文件列出全部。"
        case .st_meter_type: "表型"
        case .mt_water: "水表"
        case .mt_gas: "燃气表"
        case .mt_electricity_electronic: "电子式电能表"
        case .mt_electricity_em_single: "感应式单相电能表"
        case .mt_electricity_em_single_long: "感应式长寿命单相电能表"
        case .mt_electricity_em_three: "感应式三相电能表"
        case .mt_heat: "热能表"
        case .st_problem: "问题"
        case .st_problem_first: "投用前未经首次检定合格"
        case .st_problem_rotation: "使用期满未轮换"
        case .st_decisive_day: "投用日/期满日"
        case .st_rates: "主要指标"
        case .st_numerator: "分子"
        case .st_denominator: "分母"
        case .st_trend: "月度趋势"
        case .st_nearest: "最近的有能力机构"
        case .st_none_nearby: "全省暂无"
        case .st_downloads: "下载"
        case .st_print: "打印"
        case .st_behind: "指标明细"
        case .st_split: "该区域仪器过多，不逐条列出；下表按下级区域拆分此指标，点击区域查看其明细。"
        case .st_due: "应计"
        case .st_met: "达标"
        case .st_missed: "未达标"
        case .st_all: "全部"
        case .st_day_decisive: "判定日"
        case .st_drill: "下钻"
        case .st_chart_onTime: "各区域受检率"
        case .st_chart_trend: "月度趋势（受检率、一次检定合格率）"
        case .st_reports: "通报与报告"
        case .st_year_label: "年份"
        case .st_more: "仅显示前 %d 条"
        case .sd_title: "社会公用计量标准"
        case .sd_name: "标准名称"
        case .sd_certificate: "证书编号"
        case .sd_valid: "有效期"
        case .sd_valid_from: "有效期起"
        case .sd_valid_until: "有效期至"
        case .sd_range: "测量范围"
        case .sd_uncertainty: "不确定度/准确度等级/最大允许误差"
        case .sd_items: "服务的强检种别"
        case .sd_items_hint: "种别编号，空格或逗号分隔"
        case .sd_regions: "服务区域"
        case .sd_regions_hint: "行政区划代码，空格或逗号分隔"
        case .sd_institution: "建标机构"
        case .sd_new: "登记社会公用计量标准"
        case .sd_edit: "修改"
        case .sd_expired: "已过期"
        case .sd_targets: "建设目标（按行政层级）"
        case .sd_targets_note: "《地方社会公用计量标准建设指导性目录》具体清单未取得（未确认），目标由管理员维护。"
        case .sd_level_province: "省级"
        case .sd_level_city: "市级"
        case .sd_level_county: "县级"
        case .sd_progress: "建设进度"
        case .sd_met: "已建"
        case .sd_missing: "未建"
        case .sd_save_targets: "保存目标"
        case .st_note: "统计口径为本平台定义（未找到官方公式），详见 docs/metrics.md。"
        case .st_onTime: "受检率"
        case .st_onTime_def: "统计期内应检且在用的已备案器具（每台计一次）：期内到期（检定有效期届满或新投入使用，停用期间到期的顺延至恢复使用日）的，期内各次均按时检定为达标；期初已超期未检（含投入使用前未检定）的，计入分母、不计达标。"
        case .st_firstPass: "一次检定合格率"
        case .st_firstPass_def: "统计期内开始的检定（首次或周期检定及其后的修理后检定为一次），首次检定即合格的比例。"
        case .st_afterAdjustment: "调修后合格率"
        case .st_afterAdjustment_def: "同样的检定次数中，最后一次检定（含修理后检定）合格的比例；不会低于一次检定合格率。"
        case .st_spotChecks: "监督抽检合格率"
        case .st_spotChecks_def: "统计期内监督抽检合格的次数占抽检次数的比例。"
        case .st_filing: "备案率"
        case .st_filing_def: "统计期末在用器具（含摸排登记未备案的）中已备案的比例。"
        case .st_coverageItems: "检定能力覆盖率（按种别）"
        case .st_coverageItems_def: "辖区在用强检种别中，有授权计量技术机构覆盖本辖区的种别比例。"
        case .st_coverageInstruments: "检定能力覆盖率（按器具）"
        case .st_coverageInstruments_def: "辖区在用器具中，其种别有授权机构覆盖的器具比例。"
        case .st_firstVerification: "三表首次检定执行率"
        case .st_firstVerification_def: "统计期内投入使用的水、电、气表中，投入使用前（含当日）首次检定合格的比例。"
        case .st_rotation: "三表到期轮换执行率"
        case .st_rotation_def: "统计期内使用期满的水、电、气表中，在期满日当日或之前轮换（拆除）的比例。"
        case .cr_title: "诚信计量"
        case .cr_classes: "信用风险分类"
        case .cr_class: "分类"
        case .cr_score: "分值"
        case .cr_scoreIt: "保存评分"
        case .cr_computed: "计算日期"
        case .cr_noClasses: "尚无分类结果（每日自动计算）"
        case .cr_internalNote: "信用风险分类是内部参考，用于确定检查频次（D 类检查最频繁），不是对企业的信用评价，不对外公开。"
        case .cr_factor: "检查频次系数"
        case .cr_contributions: "各项事实的影响"
        case .cr_fact: "事实"
        case .cr_detail: "计数"
        case .cr_points: "分值变化"
        case .cr_base: "起始分"
        case .cr_docs: "计算方法见 docs/credit.md"
        case .cr_fact_overdue_or_unfiled: "超期未检、使用期满或未备案的器具占比"
        case .cr_fact_failed_in_use: "检定不合格仍在使用"
        case .cr_fact_failure_rate: "近两年检定不合格率"
        case .cr_fact_complaints_upheld: "近两年查实的投诉"
        case .cr_fact_penalties: "近三年行政处罚"
        case .cr_fact_commitment: "已签署诚信计量承诺"
        case .cr_fact_commitment_breached: "近两年违反承诺"
        case .cr_fact_demonstration_unit: "诚信计量示范单位"
        case .cr_fact_listed: "列入严重违法失信名单（直接归为 D 类）"
        case .cr_commitment: "诚信计量承诺"
        case .cr_signHelp: "按本单位所属行业的承诺书文本签署，签署后在公众查询页面展示。"
        case .cr_signerName: "承诺人"
        case .cr_signerTitle: "职务"
        case .cr_sign: "签署承诺书"
        case .cr_signedOn: "签署日期"
        case .cr_complaintPhone: "监督投诉电话"
        case .cr_printHelp: "可直接打印本页（浏览器“打印”）。"
        case .cr_publicLetter: "公众查看的承诺书"
        case .cr_reason: "原因"
        case .cr_withdraw: "撤回承诺"
        case .cr_recordBreach: "记录违反承诺"
        case .cr_templates: "承诺书文本"
        case .cr_templatesHelp: "各行业的诚信计量承诺书文本由省局维护；修改后只影响此后签署的承诺书。"
        case .cr_letterTitle: "标题"
        case .cr_letterBody: "正文"
        case .cr_save: "保存"
        case .cr_checklists: "示范单位评价细则"
        case .cr_checklistsHelp: "各行业诚信计量示范单位评价的默认细则（每行“项目 | 分值”，合计 100）；市县局发起评价时可按本细则或另行设定。"
        case .cr_penalties: "行政处罚"
        case .cr_penalty: "行政处罚"
        case .cr_recordPenalty: "登记行政处罚"
        case .cr_ownerID: "使用单位编号"
        case .cr_decisionNo: "决定书文号"
        case .cr_kind: "处罚种类"
        case .cr_amount: "罚款金额（元）"
        case .cr_procedure: "程序"
        case .cr_consent: "上级机关同意"
        case .cr_consentNeeded: "县、市级作出的列入决定须经上一级市场监管部门同意后方可公示。作出决定的机关："
        case .cr_consentAgree: "同意列入"
        case .cr_consentRefuse: "不同意（不予列入）"
        case .cr_consented: "上级同意"
        case .cr_consent_refused: "上级不同意"
        case .cr_specialDomain: "属于食品、药品、特种设备领域（公示满一年方可申请提前停止公示）"
        case .cr_endEarly: "申请提前停止公示（信用修复）"
        case .cr_endEarlyHelp: "公示满6个月（食品、药品、特种设备领域满1年），已履行行政处罚决定规定的义务并已消除不良影响的，当事人可以申请提前停止公示；由办案人员以外的人员审核决定（《市场监督管理行政处罚信息公示规定》第十四条，《市场监督管理信用修复管理办法》第六条）。"
        case .cr_endEarlyFrom: "可申请提前停止公示日期"
        case .cr_endEarlyApplied: "提前停止公示申请"
        case .cr_endedEarly: "提前停止公示日期"
        case .cr_approveEndEarly: "准予提前停止公示"
        case .cr_procedure_ordinary: "普通程序（依规公示）"
        case .cr_procedure_summary: "简易程序（当场处罚，不公示）"
        case .cr_party: "当事人类型"
        case .cr_party_organisation: "法人或其他组织"
        case .cr_party_natural_person: "自然人"
        case .cr_lowFineNote: "“较低数额罚款”（公示3个月）：自然人5000元以下、法人或其他组织5万元以下（闽市监规〔2024〕3号，2024-07-12起五年）；其他省份或日期请管理员配置。"
        case .cr_heavy: "较重行政处罚（如按从重原则作出的罚款）"
        case .cr_heavyShort: "较重行政处罚"
        case .cr_legalBasis: "处罚依据"
        case .cr_facts: "违法事实"
        case .cr_decidedOn: "处罚日期"
        case .cr_restrictionUntil: "限制期限至（如有）"
        case .cr_evidence: "证据材料（PDF、JPEG、PNG，每个≤5MB，最多5个）"
        case .cr_publishBy: "应公示期限"
        case .cr_publishedOn: "公示日期"
        case .cr_displayUntil: "公示截止"
        case .cr_withdrawn: "已撤回"
        case .cr_publish: "公示"
        case .cr_withdrawReason: "撤销或变更的原因"
        case .cr_withdrawPenalty: "撤下公示"
        case .cr_proposeListing: "拟列入严重违法失信名单的理由"
        case .cr_propose: "提出列入建议"
        case .cr_history: "办理记录"
        case .cr_listings: "严重违法失信名单"
        case .cr_listingsHelp: "依《市场监督管理严重违法失信名单管理办法》：提出建议 → 告知当事人 → 异议期 → 另一名工作人员决定 → 公示 → 满一年可申请信用修复 → 期满移出。"
        case .cr_proposedOn: "提出"
        case .cr_notifiedOn: "告知日期"
        case .cr_objectionUntil: "异议期至"
        case .cr_objection: "异议"
        case .cr_decidedBy: "决定"
        case .cr_repairEligible: "可申请信用修复日期"
        case .cr_removalOn: "期满移出日期"
        case .cr_repairApplied: "修复申请"
        case .cr_ended: "结束"
        case .cr_notify: "告知当事人"
        case .cr_notifyHelp: "当事人将在站内收到告知并可在异议期内提出异议。"
        case .cr_object: "提出异议"
        case .cr_secondPerson: "列入决定须由提出建议以外的另一名工作人员作出。"
        case .cr_decision: "决定"
        case .cr_decideList: "列入"
        case .cr_decideNotList: "不予列入"
        case .cr_note: "说明"
        case .cr_decide: "作出决定"
        case .cr_publishListing: "公示列入决定"
        case .cr_repair: "申请信用修复"
        case .cr_repairHelp: "列入满一年后，已履行处罚义务、已消除不良影响且未再受到较重行政处罚的，可以申请。"
        case .cr_fulfilled: "已履行行政处罚决定规定的义务"
        case .cr_remedied: "已主动消除危害后果和不良影响"
        case .cr_statement: "说明"
        case .cr_applyRepair: "提交修复申请"
        case .cr_approveRepair: "准予修复（移出名单）"
        case .cr_refuseRepair: "不予修复"
        case .cr_rounds: "诚信计量示范单位评价"
        case .cr_roundTitle: "评价活动"
        case .cr_sector: "行业"
        case .cr_region: "行政区划代码"
        case .cr_dates: "申请期"
        case .cr_openRound: "发起评价"
        case .cr_criteria: "评价细则（分值）"
        case .cr_criteriaHelp: "每行一项：“项目 | 分值”，分值合计 100；留空使用本行业默认细则。"
        case .cr_passScore: "授予分数线"
        case .cr_validMonths: "有效期（月）"
        case .cr_opensOn: "申请开始"
        case .cr_closesOn: "申请截止"
        case .cr_apply: "提交申请"
        case .cr_applications: "申请"
        case .cr_total: "总分"
        case .cr_validUntil: "有效期至"
        case .cr_revoked: "已撤销称号"
        case .cr_evidenceNote: "依据/证据"
        case .cr_revokeTitle: "撤销称号"
        case .cr_publishRound: "公布评价结果"
        case .cr_round_open: "受理中"
        case .cr_round_published: "已公布"
        case .cr_active: "有效"
        case .cr_breached: "违反承诺"
        case .cr_signed: "签署"
        case .cr_recorded: "已登记"
        case .cr_published: "公示中"
        case .cr_expired: "公示期满"
        case .cr_proposed: "已提出建议"
        case .cr_notified: "已告知（异议期）"
        case .cr_objected: "当事人异议"
        case .cr_decided: "已决定列入（待公示）"
        case .cr_listed: "已列入"
        case .cr_not_listed: "不予列入"
        case .cr_repaired: "信用修复后移出/停止公示"
        case .cr_removed: "期满移出"
        case .cr_repair_applied: "申请信用修复"
        case .cr_repair_refused: "不予修复"
        case .cr_applied: "已申请"
        case .cr_scored: "已评分"
        case .cr_awarded: "授予称号"
        case .cr_not_awarded: "未授予"
        case .app: "计量 · 民生计量智慧监管平台"
        case .otherLang: "English"
        case .dashboard: "工作台"
        case .instruments: "计量器具"
        case .instrument: "器具"
        case .filings: "备案审核"
        case .requests: "检定申请"
        case .signIn: "登录"
        case .signOut: "退出"
        case .login: "账号"
        case .password: "密码"
        case .wrongLogin: "账号或密码错误"
        case .waiting: "待办"
        case .nothingWaiting: "暂无待办"
        case .inbox: "预警消息"
        case .inboxEmpty: "暂无消息"
        case .status: "状态"
        case .all: "全部"
        case .filter: "筛选"
        case .code: "器具编码"
        case .name: "名称"
        case .serial: "出厂编号"
        case .nextDue: "下次检定"
        case .none: "无"
        case .`open`: "查看"
        case .nextPage: "下一页"
        case .newInstrument: "登记器具"
        case .catalogue: "目录种别"
        case .address: "安装地点"
        case .inService: "启用日期"
        case .draftNote: "保存为草稿后提交备案，由监管部门审核。"
        case .saveDraft: "保存草稿"
        case .lifecycle: "生命周期"
        case .owner: "使用单位"
        case .submitFiling: "提交备案"
        case .applyVerification: "申请检定"
        case .laboratory: "送检（实验室）"
        case .onSite: "现场检定"
        case .apply: "提交申请"
        case .deadline: "办结时限"
        case .overdue: "已超时"
        case .history: "检定记录"
        case .certificate: "证书/通知书编号"
        case .validUntil: "有效期至"
        case .ledgerLeaf: "账本证书"
        case .institution: "检定机构"
        case .institutions: "计量技术机构"
        case .newInstitution: "登记计量技术机构"
        case .inst_legal: "法定计量检定机构"
        case .inst_authorised: "授权计量技术机构"
        case .creditCode: "统一社会信用代码"
        case .instRegion: "所在行政区划代码"
        case .instAddress: "地址"
        case .addAuthorisation: "增加授权"
        case .scopeRegion: "授权区域代码"
        case .validFrom: "有效期自"
        case .sortBy: "排序"
        case .sort_registration: "登记顺序"
        case .sort_next_due: "下次检定日期"
        case .sort_code: "器具编码"
        case .ledgerCertificate: "账本证书"
        case .record: "检定记录"
        case .verifiedOn: "检定日期"
        case .noWitness: "无（未配置见证方）"
        case .ledgerPendingLong: "该记录尚未写入防篡改账本，通常几秒钟内完成，请稍后刷新。"
        case .ledgerUnpublished: "该记录已写入账本，正在等待见证方联署的检查点。"
        case .qrCaption: "扫码获取记录编号、账本序号与检查点"
        case .cosignedBy: "见证方联署"
        case .downloadCertificate: "下载证书文件（可离线验证）"
        case .ledgerEntry: "账本条目"
        case .codeCommitment: "公开账本不列出器具编码，只记录编码的承诺值（SHA-256）；持有本器具编码者可自行计算核对："
        case .checkpoint: "检查点"
        case .verifyHow: "离线验证："
        case .ledgerPending: "待入账本"
        case .ledgerHint: "下载可离线验证的账本证书（jiliang verify certificate）"
        case .submitted: "提交"
        case .decision: "审核"
        case .approve: "通过"
        case .returnIt: "退回"
        case .reason: "退回原因"
        case .state: "状态"
        case .action: "操作"
        case .accept: "受理"
        case .result: "结论"
        case .pass: "合格"
        case .fail: "不合格"
        case .recordResult: "出具结果"
        case .notFound: "未找到"
        case .notFoundText: "不存在，或不在您的权限范围内。"
        case .forbidden: "无权操作"
        case .badInput: "输入有误"
        case .tooLarge: "提交的内容过大"
        case .busy: "系统繁忙"
        case .busyText: "数据库正忙，未保存任何内容，请稍后重试。"
        case .fault: "系统出错"
        case .faultText: "请求未能完成，已记录在日志中。请稍后重试，或联系管理员。"
        case .tooMany: "请求过于频繁"
        case .tooManyText: "请 %d 秒后再试。"
        case .filedNotice: "已提交备案，等待审核。"
        case .appliedNotice: "检定申请已提交。"
        case .done: "已办理。"
        case .search: "查询"
        case .searchHint: "器具编码、出厂编号、使用单位或信用代码"
        case .exportCSV: "导出 CSV"
        case .regions: "区域统计"
        case .region: "区域"
        case .up: "上一级"
        case .instrumentsHere: "本区域的计量器具"
        case .byItem: "按目录种别"
        case .count: "数量"
        case .industry: "行业"
        case .contact: "联系人"
        case .allInstruments: "全部器具"
        case .authorisation: "授权范围"
        case .validity: "有效期"
        case .importTitle: "批量导入计量器具"
        case .importHelp: "CSV（UTF-8 或 GB18030）或 Excel 工作簿（.xlsx），中文或英文表头；表头上方的标题行会被跳过。旧版 .xls 请先另存为 .xlsx。"
        case .importProfile: "导入方案"
        case .sv_title: "使用单位摸排"
        case .sv_help: "按行业和区域摸排强制检定计量器具的使用单位：已登记的单位收到站内信和短信邀请，未登记的单位通过公开链接凭统一社会信用代码申报；申报的器具成为草稿并提交备案，由本局审核。"
        case .sv_name: "摸排名称"
        case .sv_new: "发起摸排"
        case .sv_regionCode: "区域（行政区划代码）"
        case .sv_closes: "截止日期"
        case .sv_opened: "发起"
        case .sv_state: "状态"
        case .sv_open: "进行中"
        case .sv_closed: "已结束"
        case .sv_openButton: "发起并邀请"
        case .sv_invited: "已邀请"
        case .sv_answered: "已申报"
        case .sv_coverage: "摸排覆盖率"
        case .sv_declared: "申报器具"
        case .sv_filed: "已备案"
        case .sv_filingRate: "备案率"
        case .sv_total: "合计"
        case .sv_progress: "进度（按区县）"
        case .sv_filedHelp: "申报的器具以草稿提交备案，审核通过后计为已备案。"
        case .sv_joinTitle: "未登记单位的申报链接"
        case .sv_joinHelp: "可在通知、公众号中发布："
        case .sv_silent: "尚未申报的单位"
        case .sv_credit: "统一社会信用代码"
        case .sv_chaseCount: "催报次数"
        case .sv_lastChased: "最近催报"
        case .sv_chase: "向未申报单位催报"
        case .sv_chased: "已向%d家单位发送催报（站内信和短信）。"
        case .sv_close: "结束摸排"
        case .sv_requests: "未登记单位的申请"
        case .sv_requestsHelp: "通过公开链接提交的单位信息，核实后接受：未登记的单位将被登记并收到申报链接（短信）；已登记的单位将按其登记的联系方式收到链接。"
        case .sv_requestedOn: "申请日期"
        case .sv_accept: "核实无误，接受"
        case .sv_reject: "拒绝"
        case .importKind: "文件内容"
        case .importKindInstruments: "计量器具台账"
        case .importKindOwners: "使用单位名录"
        case .importKindInstitutions: "计量技术机构名录"
        case .importOwnerNote: "您导入的器具将作为草稿登记，并逐台提交备案，由所在地市场监管部门审核；表中的检定记录列不导入（检定记录由检定机构录入）。"
        case .importNoProfile: "（不使用）"
        case .importSheet: "工作表（留空为第一个）"
        case .importVerifiedBy: "检定机构（表中没有“检定机构”列时填写）"
        case .importPreview: "预览（不写入）"
        case .previewTitle: "预览结果：尚未写入任何数据"
        case .previewRead: "读取"
        case .headerRowLabel: "表头所在行"
        case .previewWouldAdd: "将新增"
        case .alreadyPresent: "已存在"
        case .rowsLabel: "数据行"
        case .validLabel: "正确"
        case .columnMapping: "各列的识别（可修改）"
        case .columnHeader: "表头"
        case .columnField: "对应字段"
        case .ignoreColumn: "（不导入）"
        case .sampleRows: "样例行：将按此保存"
        case .sampleRow: "行"
        case .sampleSub: "目录种别"
        case .sampleSerial: "出厂编号"
        case .sampleRegion: "区划"
        case .sampleLast: "最近检定"
        case .sampleStatus: "导入后状态"
        case .sampleDue: "下次到期"
        case .previewAgain: "按此映射重新预览"
        case .saveProfileLabel: "保存为导入方案，名称"
        case .saveProfile: "保存方案"
        case .profileSaved: "方案已保存："
        case .errorSummary: "错误汇总"
        case .importTemplate: "下载模板"
        case .importFile: "文件"
        case .importMode: "方式"
        case .allOrNothing: "有错误则全部不导入"
        case .validRowsOnly: "只导入正确的行"
        case .importStart: "开始导入"
        case .progress: "进度"
        case .importDone: "导入完成。"
        case .importFailed: "导入失败："
        case .inserted: "新增"
        case .errorsFound: "错误"
        case .errorReport: "下载错误报告"
        case .schedules: "检定/轮换计划"
        case .warnings: "预警"
        case .admin: "系统管理"
        case .users: "账号管理"
        case .role: "角色"
        case .attachedTo: "所属"
        case .lockedShort: "已锁定"
        case .newPassword: "新密码（至少 10 位）"
        case .resetPassword: "重置密码"
        case .newUser: "新建账号"
        case .regionCodeHint: "区划代码（市县局工作人员）"
        case .institutionIdHint: "机构编号（机构人员）"
        case .ownerIdHint: "使用单位编号（使用单位账号）"
        case .create: "新建"
        case .save: "保存"
        case .auditLog: "审计日志"
        case .actor: "操作人"
        case .entity: "对象"
        case .since: "起始日期"
        case .when: "时间"
        case .change: "变更后"
        case .calendar: "工作日历"
        case .calendarHelp: "法定节假日与调休上班日，用于计算检定办结时限。"
        case .calendarLoaded: "已载入的年份"
        case .calendarDays: "天"
        case .calendarByHand: "手工录入"
        case .calendarNextMissing: "%d年的放假安排尚未载入。国务院办公厅通常于每年11月发布下一年的《部分节假日安排的通知》，请按通知逐日添加，否则%d年的检定办结时限将按普通周末计算。"
        case .reference: "待核实的基础数据"
        case .referenceHelp: "以下规则和数字未能从原文核实或仅部分核实：系统按所列的值运行，并在各页面标明“未核实”。核实原文后请在对应页面更正。"
        case .refCatalogue: "强检目录中未完全核实的种别"
        case .refRules: "现行检定规则中未完全核实的"
        case .refCalendar: "工作日历"
        case .refFigures: "可配置的未核实数字"
        case .refFigure: "事项"
        case .refValue: "当前值"
        case .refWhere: "修改方式"
        case .refSource: "依据"
        case .refForm: "方式"
        case .refCycle: "周期（月）"
        case .refLife: "使用期限（月）"
        case .date: "日期"
        case .kind: "类型"
        case .holiday: "节假日"
        case .workday: "调休上班"
        case .remove: "删除"
        case .addDay: "添加"
        case .disabledShort: "已停用"
        case .disable: "停用"
        case .enable: "启用"
        case .tokens: "接口令牌"
        case .tokensHelp: "供机构 LIMS、设备网关等系统调用接口；令牌只显示一次，库中只存其摘要。"
        case .tokenOnce: "请立即复制，此后不再显示："
        case .permissions: "权限"
        case .lastUsed: "最近使用"
        case .revoked: "已吊销"
        case .revoke: "吊销"
        case .newToken: "新建令牌"
        case .labels: "二维码标签"
        case .complaintHistory: "处理记录"
        case .campaignsAdmin: "宣传活动"
        case .campaignTitle: "标题"
        case .campaignBody: "正文"
        case .event: "活动"
        case .dates: "日期"
        case .quizAttempts: "答题人次 · 平均分"
        case .newCampaign: "发布新活动"
        case .slug: "网址名（小写字母、数字、连字符）"
        case .startsOn: "开始日期"
        case .endsOn: "结束日期"
        case .publish: "发布"
        case .labelsPDF: "标签 PDF"
        case .print: "打印"
        case .publicPage: "公众查询页"
        case .complaints: "投诉举报"
        case .freeChecks: "免费检定"
        case .received: "已受理"
        case .assigned: "已分派"
        case .replied: "已答复"
        case .closed: "已办结"
        case .overdueShort: "已超时"
        case .assignee: "承办人账号"
        case .assign: "分派"
        case .reply: "答复"
        case .sendReply: "答复投诉人"
        case .outcome: "处理结果"
        case .upheld: "属实"
        case .not_upheld: "不属实"
        case .closeComplaint: "办结"
        case .complaintText: "投诉内容"
        case .citizenContact: "投诉人联系方式"
        case .photo: "照片"
        case .subject: "投诉对象"
        case .slots: "免费检定场次"
        case .openSlot: "开放场次"
        case .day: "日期"
        case .time: "时间"
        case .place: "地点"
        case .items: "检定项目"
        case .capacity: "名额"
        case .bookedCount: "已预约"
        case .bookings: "预约与申请"
        case .item: "器具"
        case .note: "说明"
        case .nothing: "暂无"
        }
    }

    var en: String {
        switch self {
        case .cr_reason_consentRefused: "The upper-level bureau refused consent"
        case .cr_reason_periodEnded: "The period ended"
        case .cr_reason_creditRepaired: "Credit repaired"
        case .cr_reason_penalty: "Revoked for penalty {decision} ({day})"
        case .cr_reason_listed: "Revoked: listed for serious dishonesty (listing #%d)"
        case .st_title: "Statistics"
        case .cat_title: "Mandatory catalogue"
        case .cat_names: "Instrument names (recognised as this sub-item on import)"
        case .cat_namesHelp: "When an import file has no sub-item column, the instrument name decides. ✎: added by an administrator; adding a name that exists moves it here."
        case .cat_namePlaceholder: "e.g. 电子秤"
        case .cat_addName: "Add a name"
        case .cat_summary: "The catalogue holds %d numbered sub-items and %d with provisional numbers (9xx). The 2020 catalogue (SAMR announcement 2020 No. 42) has 40 items and 62 sub-items; public sources give the text of sub-items 1–18 only, and the administrator completes the rest from the official table. Whatever is marked unconfirmed has no primary source."
        case .cat_item: "Item"
        case .cat_sub: "Sub-item"
        case .cat_mode: "Mode"
        case .cat_form: "Verification form"
        case .cat_rules: "Rules in force"
        case .cat_confidence: "Confidence"
        case .cat_conf_confirmed: "Confirmed"
        case .cat_conf_partial: "Partly confirmed"
        case .cat_conf_unconfirmed: "Unconfirmed"
        case .cat_form_periodic: "Periodic"
        case .cat_form_first_only_rotation: "First verification only, rotation"
        case .cat_form_first_only_scrap: "First verification only, scrapped when inaccurate"
        case .cat_noRule: "No rule"
        case .cat_months: "%d months"
        case .cat_anyInstrument: "every instrument"
        case .cat_provisional: "provisional number"
        case .cat_scope: "Scope and remarks"
        case .cat_regulation: "Regulation"
        case .cat_source: "Source"
        case .cat_versions: "Verification rules (every version)"
        case .cat_version: "Version"
        case .cat_from: "From"
        case .cat_until: "Until (last day)"
        case .cat_condition: "Applies to"
        case .cat_inForce: "in force"
        case .cat_addRow: "Add a catalogue sub-item"
        case .cat_addRowHelp: "Fill in the number, names, mode and form from the official table; the first rule may be given at once. After a change the instruments' status is re-derived in the background."
        case .cat_edit: "Correct this sub-item"
        case .cat_addRule: "Add a rule version"
        case .cat_addRuleHelp: "Rules are never edited in place: a new version applies from its effective date, and existing records keep the due dates of the rule they were computed with. When a new regulation changes the conditions, end the old rule with its last day."
        case .cat_firstRule: "First verification rule (optional)"
        case .cat_cycle: "Cycle (months, periodic)"
        case .cat_life: "Service life (months, rotation)"
        case .cat_itemNo: "Item number"
        case .cat_itemName: "Item name"
        case .cat_subNo: "Sub-item number"
        case .cat_subName: "Sub-item name"
        case .cat_meterType: "Meter type"
        case .cat_medium: "Medium"
        case .st_period: "Period"
        case .st_day: "Day"
        case .st_year: "Year"
        case .st_quarter: "Quarter"
        case .st_month: "Month"
        case .st_instruments: "Instruments"
        case .st_rate: "Rate"
        case .st_count: "Numerator / denominator"
        case .st_definition: "Definition"
        case .st_gaps: "Capability gaps (sub-items in use that no authorised institution or social public standard serves)"
        case .st_utility_title: "Report on utility meters' first verification and rotation (三表通报)"
        case .st_annual_title: "Annual statistics report"
        case .st_by_company: "By utility company"
        case .st_by_region: "By region"
        case .st_company: "Company"
        case .st_meters_in_use: "Meters in use"
        case .st_fv_met: "First-verified"
        case .st_fv_due: "Put into use"
        case .st_rot_met: "Rotated on time"
        case .st_rot_due: "Life ended"
        case .st_offenders: "Offending meters"
        case .st_offenders_first: "The first %d of %d are listed; the CSV and XLSX files list them all."
        case .st_meter_type: "Meter type"
        case .mt_water: "Water meter"
        case .mt_gas: "Gas meter"
        case .mt_electricity_electronic: "Electronic electricity meter"
        case .mt_electricity_em_single: "Electromechanical single-phase meter"
        case .mt_electricity_em_single_long: "Long-life electromechanical single-phase meter"
        case .mt_electricity_em_three: "Electromechanical three-phase meter"
        case .mt_heat: "Heat meter"
        case .st_problem: "Problem"
        case .st_problem_first: "Put into use without a passed first verification"
        case .st_problem_rotation: "Still in use after its service life"
        case .st_decisive_day: "Day of use / life end"
        case .st_rates: "Rates"
        case .st_numerator: "Numerator"
        case .st_denominator: "Denominator"
        case .st_trend: "Monthly trend"
        case .st_nearest: "Nearest institution with the capability"
        case .st_none_nearby: "none in the registry"
        case .st_downloads: "Download"
        case .st_print: "Print"
        case .st_behind: "Records behind the figure"
        case .st_split: "Too many instruments to list here: the figure split by sub-region; open a sub-region to see its records."
        case .st_due: "Counted"
        case .st_met: "Met"
        case .st_missed: "Not met"
        case .st_all: "All"
        case .st_day_decisive: "Deciding day"
        case .st_drill: "Drill down"
        case .st_chart_onTime: "On-time rate by region"
        case .st_chart_trend: "Monthly trend (on-time, first-pass)"
        case .st_reports: "Reports"
        case .st_year_label: "Year"
        case .st_more: "Showing the first %d"
        case .sd_title: "Social public measurement standards"
        case .sd_name: "Standard"
        case .sd_certificate: "Certificate no."
        case .sd_valid: "Valid"
        case .sd_valid_from: "Valid from"
        case .sd_valid_until: "Valid until"
        case .sd_range: "Measuring range"
        case .sd_uncertainty: "Uncertainty / accuracy class / MPE"
        case .sd_items: "Sub-items served"
        case .sd_items_hint: "sub-item numbers, separated by spaces or commas"
        case .sd_regions: "Regions served"
        case .sd_regions_hint: "region codes, separated by spaces or commas"
        case .sd_institution: "Institution"
        case .sd_new: "Register a standard"
        case .sd_edit: "Edit"
        case .sd_expired: "expired"
        case .sd_targets: "Construction targets (per administrative level)"
        case .sd_targets_note: "The national construction catalogue's list was not retrieved (UNCONFIRMED); the administrator maintains the targets."
        case .sd_level_province: "Province"
        case .sd_level_city: "City"
        case .sd_level_county: "County"
        case .sd_progress: "Progress"
        case .sd_met: "Built"
        case .sd_missing: "Missing"
        case .sd_save_targets: "Save targets"
        case .st_note: "The definitions are this platform's (no official formula was found); see docs/metrics.md."
        case .st_onTime: "On-time verification rate"
        case .st_onTime_def: "Filed instruments that should have been verified in or before the period and were in use during it, once each: due in the period (a cycle end or a new instrument put into use; a due day during a suspension moves to the return day) — met when every such obligation was met on time; or entering the period already overdue (including never verified before use) — counted, never met."
        case .st_firstPass: "First-pass rate"
        case .st_firstPass_def: "Verification events opened in the period (a first or periodic verification with the after-repair verifications that follow) whose opening verification passed."
        case .st_afterAdjustment: "Pass rate after adjustment"
        case .st_afterAdjustment_def: "The same verification events whose last verification, repairs included, passed; never below the first-pass rate."
        case .st_spotChecks: "Spot-check pass rate"
        case .st_spotChecks_def: "Spot checks in the period that passed, per check."
        case .st_filing: "Filing rate"
        case .st_filing_def: "Filed instruments among those surveyed in use at the end of the period (drafts included)."
        case .st_coverageItems: "Capability coverage (by sub-item)"
        case .st_coverageItems_def: "Catalogue sub-items in use in the region that an authorised institution covers there."
        case .st_coverageInstruments: "Capability coverage (by instrument)"
        case .st_coverageInstruments_def: "Instruments in use whose sub-item an authorised institution covers."
        case .st_firstVerification: "三表 first-verification rate"
        case .st_firstVerification_def: "Utility meters put into use in the period with a passed first verification on or before that day."
        case .st_rotation: "三表 rotation-on-time rate"
        case .st_rotation_def: "Utility meters whose service life ended in the period that were rotated out on or before that day."
        case .cr_title: "Honest metrology"
        case .cr_classes: "Credit-risk classes"
        case .cr_class: "Class"
        case .cr_score: "Score"
        case .cr_scoreIt: "Save the scores"
        case .cr_computed: "Computed on"
        case .cr_noClasses: "No classes yet (computed daily)"
        case .cr_internalNote: "The credit-risk class is an internal reference that sets how often an owner is inspected (class D most often). It is not a rating of the business and is never published."
        case .cr_factor: "Inspection frequency"
        case .cr_contributions: "What each fact contributes"
        case .cr_fact: "Fact"
        case .cr_detail: "Count"
        case .cr_points: "Points"
        case .cr_base: "Starting score"
        case .cr_docs: "How it is computed: docs/credit.md"
        case .cr_fact_overdue_or_unfiled: "Share of instruments overdue, past their service life or not filed"
        case .cr_fact_failed_in_use: "Failed instruments still in use"
        case .cr_fact_failure_rate: "Failure rate of the last two years"
        case .cr_fact_complaints_upheld: "Complaints upheld in the last two years"
        case .cr_fact_penalties: "Penalties of the last three years"
        case .cr_fact_commitment: "Signed honest-metrology commitment"
        case .cr_fact_commitment_breached: "Commitment breached in the last two years"
        case .cr_fact_demonstration_unit: "Demonstration unit"
        case .cr_fact_listed: "On the serious-dishonesty list (class D regardless)"
        case .cr_commitment: "Honest-metrology commitment"
        case .cr_signHelp: "You sign your sector's letter; once signed it shows on your public page."
        case .cr_signerName: "Signed by"
        case .cr_signerTitle: "Position"
        case .cr_sign: "Sign the commitment"
        case .cr_signedOn: "Signed on"
        case .cr_complaintPhone: "Complaints line"
        case .cr_printHelp: "Print this page with the browser's Print."
        case .cr_publicLetter: "The public letter"
        case .cr_reason: "Reason"
        case .cr_withdraw: "Withdraw the commitment"
        case .cr_recordBreach: "Record a breach"
        case .cr_templates: "Commitment letters"
        case .cr_templatesHelp: "The province maintains each sector's letter; a change applies to letters signed afterwards."
        case .cr_letterTitle: "Title"
        case .cr_letterBody: "Text"
        case .cr_save: "Save"
        case .cr_checklists: "Demonstration checklists"
        case .cr_checklistsHelp: "Each sector's default checklist for demonstration rounds (one 'criterion | weight' per line, adding up to 100); a bureau opening a round starts from it or sets its own."
        case .cr_penalties: "Penalties"
        case .cr_penalty: "Penalty"
        case .cr_recordPenalty: "Record a penalty"
        case .cr_ownerID: "Owner number"
        case .cr_decisionNo: "Decision no."
        case .cr_kind: "Kind"
        case .cr_amount: "Fine (yuan)"
        case .cr_procedure: "Procedure"
        case .cr_consent: "Upper-level consent"
        case .cr_consentNeeded: "A listing decided by a county or city bureau is published only with the consent of the bureau above. Decided by:"
        case .cr_consentAgree: "Agree to the listing"
        case .cr_consentRefuse: "Refuse (not listed)"
        case .cr_consented: "Consented"
        case .cr_consent_refused: "Consent refused"
        case .cr_specialDomain: "In the food, drug or special-equipment fields (an early end only after a year on display)"
        case .cr_endEarly: "Apply to end the publication early (credit repair)"
        case .cr_endEarlyHelp: "After 6 months on display (a year in the food, drug and special-equipment fields), a party that fulfilled the decision and removed its consequences may apply to end the publication early; someone other than the case officer decides (SAMR Order 45 art. 14; 市场监督管理信用修复管理办法 art. 6)."
        case .cr_endEarlyFrom: "Early end possible from"
        case .cr_endEarlyApplied: "Application to end early"
        case .cr_endedEarly: "Publication ended early on"
        case .cr_approveEndEarly: "Grant: end the publication today"
        case .cr_procedure_ordinary: "Ordinary procedure (published)"
        case .cr_procedure_summary: "Summary procedure (on the spot; not published)"
        case .cr_party: "Party"
        case .cr_party_organisation: "Legal person or other organisation"
        case .cr_party_natural_person: "Natural person"
        case .cr_lowFineNote: "A \"low fine\" (shown 3 months): below 5,000 yuan for a natural person, below 50,000 yuan for an organisation (Fujian 闽市监规〔2024〕3号, five years from 2024-07-12); other provinces or dates: the administrator configures them."
        case .cr_heavy: "Heavy penalty (e.g. a fine set by the 从重 principle)"
        case .cr_heavyShort: "heavy penalty"
        case .cr_legalBasis: "Legal basis"
        case .cr_facts: "Facts"
        case .cr_decidedOn: "Decided on"
        case .cr_restrictionUntil: "Restriction until (if any)"
        case .cr_evidence: "Evidence (PDF, JPEG or PNG, ≤ 5 MB each, at most 5)"
        case .cr_publishBy: "Publish by"
        case .cr_publishedOn: "Published on"
        case .cr_displayUntil: "Shown until"
        case .cr_withdrawn: "Withdrawn"
        case .cr_publish: "Publish"
        case .cr_withdrawReason: "Why the decision was changed or revoked"
        case .cr_withdrawPenalty: "Take down"
        case .cr_proposeListing: "Grounds for proposing the serious-dishonesty list"
        case .cr_propose: "Propose listing"
        case .cr_history: "History"
        case .cr_listings: "Serious-dishonesty list"
        case .cr_listingsHelp: "After SAMR Order 44: proposal → notice to the party → objection window → decision by a second person → publication → repair after at least a year → removal at the end of the period."
        case .cr_proposedOn: "Proposed"
        case .cr_notifiedOn: "Notified on"
        case .cr_objectionUntil: "Objections until"
        case .cr_objection: "Objection"
        case .cr_decidedBy: "Decision"
        case .cr_repairEligible: "Repair possible from"
        case .cr_removalOn: "Removal on"
        case .cr_repairApplied: "Repair applied"
        case .cr_ended: "Ended"
        case .cr_notify: "Notify the party"
        case .cr_notifyHelp: "The party is told in its inbox and may object within the window."
        case .cr_object: "Object"
        case .cr_secondPerson: "The decision must be taken by a second person, not by whoever proposed it."
        case .cr_decision: "Decision"
        case .cr_decideList: "List"
        case .cr_decideNotList: "Do not list"
        case .cr_note: "Note"
        case .cr_decide: "Decide"
        case .cr_publishListing: "Publish the listing"
        case .cr_repair: "Apply for credit repair"
        case .cr_repairHelp: "After at least a year on the list, a party that has fulfilled the penalty, removed the consequences and had no further heavy penalty may apply."
        case .cr_fulfilled: "The penalty's obligations are fulfilled"
        case .cr_remedied: "The harmful consequences have been removed"
        case .cr_statement: "Statement"
        case .cr_applyRepair: "Apply"
        case .cr_approveRepair: "Grant repair (remove from the list)"
        case .cr_refuseRepair: "Refuse"
        case .cr_rounds: "Demonstration-unit rounds"
        case .cr_roundTitle: "Round"
        case .cr_sector: "Sector"
        case .cr_region: "Region code"
        case .cr_dates: "Application period"
        case .cr_openRound: "Open a round"
        case .cr_criteria: "Criteria (weights)"
        case .cr_criteriaHelp: "One per line: 'criterion | weight', adding up to 100; leave empty for the sector's default."
        case .cr_passScore: "Pass score"
        case .cr_validMonths: "Valid for (months)"
        case .cr_opensOn: "Opens on"
        case .cr_closesOn: "Closes on"
        case .cr_apply: "Apply"
        case .cr_applications: "Applications"
        case .cr_total: "Total"
        case .cr_validUntil: "Valid until"
        case .cr_revoked: "Title revoked"
        case .cr_evidenceNote: "Evidence"
        case .cr_revokeTitle: "Revoke the title"
        case .cr_publishRound: "Publish the results"
        case .cr_round_open: "Open"
        case .cr_round_published: "Published"
        case .cr_active: "Active"
        case .cr_breached: "Breached"
        case .cr_signed: "Signed"
        case .cr_recorded: "Recorded"
        case .cr_published: "Published"
        case .cr_expired: "Display ended"
        case .cr_proposed: "Proposed"
        case .cr_notified: "Notified (objection window)"
        case .cr_objected: "Party objected"
        case .cr_decided: "Decided (to publish)"
        case .cr_listed: "Listed"
        case .cr_not_listed: "Not listed"
        case .cr_repaired: "Removed or taken down after credit repair"
        case .cr_removed: "Removed at the end of the period"
        case .cr_repair_applied: "Applied for repair"
        case .cr_repair_refused: "Repair refused"
        case .cr_applied: "Applied"
        case .cr_scored: "Scored"
        case .cr_awarded: "Title awarded"
        case .cr_not_awarded: "Not awarded"
        case .app: "Jiliang · legal-metrology supervision"
        case .otherLang: "中文"
        case .dashboard: "Dashboard"
        case .instruments: "Instruments"
        case .instrument: "Instrument"
        case .filings: "Filings"
        case .requests: "Verification applications"
        case .signIn: "Sign in"
        case .signOut: "Sign out"
        case .login: "Login"
        case .password: "Password"
        case .wrongLogin: "Wrong login or password"
        case .waiting: "Waiting for me"
        case .nothingWaiting: "Nothing waiting"
        case .inbox: "Warnings inbox"
        case .inboxEmpty: "No messages"
        case .status: "Status"
        case .all: "All"
        case .filter: "Filter"
        case .code: "Code"
        case .name: "Name"
        case .serial: "Serial no."
        case .nextDue: "Next due"
        case .none: "None"
        case .`open`: "Open"
        case .nextPage: "Next page"
        case .newInstrument: "Register an instrument"
        case .catalogue: "Catalogue sub-item"
        case .address: "Address"
        case .inService: "In service since"
        case .draftNote: "Saved as a draft; submit it for filing and the bureau reviews it."
        case .saveDraft: "Save draft"
        case .lifecycle: "Lifecycle"
        case .owner: "Owner"
        case .submitFiling: "Submit for filing"
        case .applyVerification: "Apply for verification"
        case .laboratory: "In the laboratory"
        case .onSite: "On site"
        case .apply: "Apply"
        case .deadline: "Deadline"
        case .overdue: "Overdue"
        case .history: "Verification history"
        case .certificate: "Certificate / notice no."
        case .validUntil: "Valid until"
        case .ledgerLeaf: "Ledger certificate"
        case .institution: "Institution"
        case .institutions: "Metrology institutions"
        case .newInstitution: "Register an institution"
        case .inst_legal: "Legal metrology institute"
        case .inst_authorised: "Authorised institution"
        case .creditCode: "Unified social credit code"
        case .instRegion: "Region code"
        case .instAddress: "Address"
        case .addAuthorisation: "Add an authorisation"
        case .scopeRegion: "Authorised region code"
        case .validFrom: "Valid from"
        case .sortBy: "Sort"
        case .sort_registration: "Registration order"
        case .sort_next_due: "Next due date"
        case .sort_code: "Instrument code"
        case .ledgerCertificate: "Ledger certificate"
        case .record: "Record"
        case .verifiedOn: "Verified on"
        case .noWitness: "none (no witness configured)"
        case .ledgerPendingLong: "This record is not in the tamper-evident ledger yet; that normally takes a few seconds. Reload shortly."
        case .ledgerUnpublished: "The record is in the ledger; a checkpoint cosigned by the witnesses is on its way."
        case .qrCaption: "Scan for the record, its leaf index and the checkpoint"
        case .cosignedBy: "Cosigned by"
        case .downloadCertificate: "Download the certificate file (verifiable offline)"
        case .ledgerEntry: "Ledger entry"
        case .codeCommitment: "The public ledger does not list instrument codes, only a commitment (SHA-256) to the code; whoever holds this instrument's code can recompute it:"
        case .checkpoint: "Checkpoint"
        case .verifyHow: "Verify offline:"
        case .ledgerPending: "Not yet in the ledger"
        case .ledgerHint: "Download the offline-verifiable ledger certificate (jiliang verify certificate)"
        case .submitted: "Submitted"
        case .decision: "Decision"
        case .approve: "Approve"
        case .returnIt: "Return"
        case .reason: "Reason"
        case .state: "State"
        case .action: "Action"
        case .accept: "Accept"
        case .result: "Result"
        case .pass: "Pass"
        case .fail: "Fail"
        case .recordResult: "Record result"
        case .notFound: "Not found"
        case .notFoundText: "It does not exist, or it is outside what you may see."
        case .forbidden: "Not allowed"
        case .badInput: "Please check the input"
        case .tooLarge: "Too large"
        case .busy: "Busy"
        case .busyText: "The database is busy; nothing was stored. Please try again."
        case .fault: "Something went wrong"
        case .faultText: "The request could not be completed and has been logged. Try again later, or ask the administrator."
        case .tooMany: "Too many requests"
        case .tooManyText: "Please try again in %d seconds."
        case .filedNotice: "Submitted for filing; the bureau will review it."
        case .appliedNotice: "Application sent."
        case .done: "Done."
        case .search: "Search"
        case .searchHint: "Code, serial no., owner or credit code"
        case .exportCSV: "Export CSV"
        case .regions: "Regions"
        case .region: "Region"
        case .up: "Up"
        case .instrumentsHere: "Instruments in this region"
        case .byItem: "By catalogue sub-item"
        case .count: "Count"
        case .industry: "Industry"
        case .contact: "Contact"
        case .allInstruments: "All its instruments"
        case .authorisation: "Authorisation"
        case .validity: "Valid"
        case .importTitle: "Import instruments"
        case .importHelp: "CSV (UTF-8 or GB18030) or an Excel workbook (.xlsx), Chinese or English headers; title rows above the header are skipped. Save a legacy .xls as .xlsx first."
        case .importProfile: "Profile"
        case .sv_title: "Survey of users"
        case .sv_help: "Survey the users of mandatory instruments by industry and region: registered owners get an inbox message and an SMS; unregistered ones declare through the public link with their credit code. Declared instruments become drafts with filings for the bureau to review."
        case .sv_name: "Survey"
        case .sv_new: "Open a survey"
        case .sv_regionCode: "Region (code)"
        case .sv_closes: "Closes on"
        case .sv_opened: "Opened"
        case .sv_state: "State"
        case .sv_open: "Open"
        case .sv_closed: "Closed"
        case .sv_openButton: "Open and invite"
        case .sv_invited: "Invited"
        case .sv_answered: "Answered"
        case .sv_coverage: "Coverage"
        case .sv_declared: "Instruments declared"
        case .sv_filed: "Filed"
        case .sv_filingRate: "Filing rate"
        case .sv_total: "Total"
        case .sv_progress: "Progress by county"
        case .sv_filedHelp: "Declared instruments are submitted for filing as drafts; they count as filed once approved."
        case .sv_joinTitle: "Link for owners not yet registered"
        case .sv_joinHelp: "Publish it in notices and on social media:"
        case .sv_silent: "Owners that have not answered"
        case .sv_credit: "Credit code"
        case .sv_chaseCount: "Chased"
        case .sv_lastChased: "Last chased"
        case .sv_chase: "Chase the silent ones"
        case .sv_chased: "Reminders sent to %d owners (inbox and SMS)."
        case .sv_close: "Close the survey"
        case .sv_requests: "Requests from units not registered"
        case .sv_requestsHelp: "Details sent through the public link. Accept once checked: an unregistered unit is registered and gets its link by SMS; a registered one gets it at its registered contacts."
        case .sv_requestedOn: "Requested"
        case .sv_accept: "Checked: accept"
        case .sv_reject: "Reject"
        case .importKind: "The file holds"
        case .importKindInstruments: "Instruments"
        case .importKindOwners: "Owners (使用单位)"
        case .importKindInstitutions: "Verification institutions"
        case .importOwnerNote: "The instruments you import are registered as drafts, each with a filing submitted to your local bureau for review; verification columns are not imported (institutes record verifications)."
        case .importNoProfile: "(none)"
        case .importSheet: "Sheet (empty: the first)"
        case .importVerifiedBy: "Verifying institution (when the file has no 检定机构 column)"
        case .importPreview: "Preview (stores nothing)"
        case .previewTitle: "Preview: nothing has been stored"
        case .previewRead: "Read"
        case .headerRowLabel: "header on row"
        case .previewWouldAdd: "Would add"
        case .alreadyPresent: "already present"
        case .rowsLabel: "Rows"
        case .validLabel: "valid"
        case .columnMapping: "How each column is read (you may change it)"
        case .columnHeader: "Header"
        case .columnField: "Field"
        case .ignoreColumn: "(ignore)"
        case .sampleRows: "Sample rows as they will be stored"
        case .sampleRow: "Row"
        case .sampleSub: "Catalogue sub-item"
        case .sampleSerial: "Serial no."
        case .sampleRegion: "Region"
        case .sampleLast: "Last verification"
        case .sampleStatus: "Status after import"
        case .sampleDue: "Next due"
        case .previewAgain: "Preview again with this mapping"
        case .saveProfileLabel: "Save as a profile named"
        case .saveProfile: "Save profile"
        case .profileSaved: "Profile saved:"
        case .errorSummary: "Errors in summary"
        case .importTemplate: "Download the template"
        case .importFile: "File"
        case .importMode: "Mode"
        case .allOrNothing: "Store nothing if any row is bad"
        case .validRowsOnly: "Store the valid rows only"
        case .importStart: "Import"
        case .progress: "Progress"
        case .importDone: "Import finished."
        case .importFailed: "Import failed:"
        case .inserted: "added"
        case .errorsFound: "errors"
        case .errorReport: "Download the error report"
        case .schedules: "Schedules"
        case .warnings: "Warnings"
        case .admin: "Administration"
        case .users: "Accounts"
        case .role: "Role"
        case .attachedTo: "Attached to"
        case .lockedShort: "locked"
        case .newPassword: "New password (10+ characters)"
        case .resetPassword: "Reset password"
        case .newUser: "New account"
        case .regionCodeHint: "Region code (bureau staff)"
        case .institutionIdHint: "Institution id (institute staff)"
        case .ownerIdHint: "Owner id (owner accounts)"
        case .create: "Create"
        case .save: "Save"
        case .auditLog: "Audit log"
        case .actor: "Actor"
        case .entity: "Entity"
        case .since: "Since"
        case .when: "When"
        case .change: "After"
        case .calendar: "Working-day calendar"
        case .calendarHelp: "Public holidays and make-up working days, used for verification deadlines."
        case .calendarLoaded: "Years loaded"
        case .calendarDays: "days"
        case .calendarByHand: "entered by hand"
        case .calendarNextMissing: "The holidays of %d are not loaded. The State Council publishes the next year's holiday notice each November; add its days here, or deadlines in %d will count ordinary weekends only."
        case .reference: "Reference data to confirm"
        case .referenceHelp: "These rules and figures could not be confirmed from their primary source, or only in part: Jiliang runs on the values listed and says “unconfirmed” where they are used. Correct them on their pages once the source is read."
        case .refCatalogue: "Catalogue sub-items not fully confirmed"
        case .refRules: "Verification rules in force not fully confirmed"
        case .refCalendar: "Working-day calendar"
        case .refFigures: "Configurable figures not confirmed"
        case .refFigure: "Figure"
        case .refValue: "Value in use"
        case .refWhere: "How to change it"
        case .refSource: "Source"
        case .refForm: "Form"
        case .refCycle: "Cycle (months)"
        case .refLife: "Service life (months)"
        case .date: "Date"
        case .kind: "Kind"
        case .holiday: "Holiday"
        case .workday: "Make-up working day"
        case .remove: "Remove"
        case .addDay: "Add a day"
        case .disabledShort: "disabled"
        case .disable: "Disable"
        case .enable: "Enable"
        case .tokens: "API tokens"
        case .tokensHelp: "For machine clients (an institute's LIMS, a device gateway). A token is shown once; only its hash is stored."
        case .tokenOnce: "Copy it now, it is not shown again:"
        case .permissions: "Permissions"
        case .lastUsed: "Last used"
        case .revoked: "Revoked"
        case .revoke: "Revoke"
        case .newToken: "New token"
        case .labels: "QR labels"
        case .complaintHistory: "History"
        case .campaignsAdmin: "Campaigns"
        case .campaignTitle: "Title"
        case .campaignBody: "Text"
        case .event: "Event"
        case .dates: "Dates"
        case .quizAttempts: "Quiz attempts · mean score"
        case .newCampaign: "Publish a campaign"
        case .slug: "Address (lower-case letters, digits, hyphens)"
        case .startsOn: "Starts on"
        case .endsOn: "Ends on"
        case .publish: "Publish"
        case .labelsPDF: "Labels as PDF"
        case .print: "Print"
        case .publicPage: "Public page"
        case .complaints: "Complaints"
        case .freeChecks: "Free checks"
        case .received: "Received"
        case .assigned: "Assigned"
        case .replied: "Replied"
        case .closed: "Closed"
        case .overdueShort: "overdue"
        case .assignee: "Handler (login)"
        case .assign: "Assign"
        case .reply: "Reply"
        case .sendReply: "Send the reply"
        case .outcome: "Outcome"
        case .upheld: "Upheld"
        case .not_upheld: "Not upheld"
        case .closeComplaint: "Close"
        case .complaintText: "Complaint"
        case .citizenContact: "Complainant's contact"
        case .photo: "Photo"
        case .subject: "About"
        case .slots: "Free-check sessions"
        case .openSlot: "Open a session"
        case .day: "Day"
        case .time: "Time"
        case .place: "Place"
        case .items: "What is checked"
        case .capacity: "Places"
        case .bookedCount: "Booked"
        case .bookings: "Bookings and requests"
        case .item: "Instrument"
        case .note: "Note"
        case .nothing: "None"
        }
    }
}

/// The strings of one language (`PageKey`), for Swift (`t[.key]`) and templates (`{{t.key}}`).
struct PageText: MustacheParent, Sendable {
    let lang: PageStrings.Language
    subscript(_ key: PageKey) -> String { lang == .zh ? key.zh : key.en }
    /// A key that is data (a state, an action stored by the store), if it is one.
    func lookup(_ raw: String) -> String? { PageKey.named[raw].map { self[$0] } }
    func child(named name: String) -> Any? { lookup(name) }
}
