import JiliangCore
import JiliangStore

extension RefusalText {
    static func account(_ r: AccountRefusal, _ zh: Bool) -> String {
        switch r {
        case .loginCharacters: zh ? "只能包含字母、数字及 . _ - @" : "may contain only letters, digits and . _ - @"
        case .loginTaken(let login): zh ? "账号 \(login) 已被使用" : "login \(login) is taken"
        case .mayNotCreateAccounts(let role): zh ? "您的角色无权创建\(role.chineseName)账号" : "your role does not allow creating \(role.rawValue) accounts"
        case .bureauStaffNeedRegion: zh ? "市县局工作人员账号须指定已有的行政区划代码" : "bureau staff need the code of an existing region"
        case .instituteStaffNeedInstitution: zh ? "计量技术机构人员账号须指定已有的检定机构" : "institute staff need an existing institution"
        case .ownerAccountNeedsOwner: zh ? "使用单位账号须指定您辖区内已有的使用单位" : "an owner account needs an existing owner in your area"
        case .mayNotResetPasswords: zh ? "您的角色无权重置密码" : "your role does not allow resetting passwords"
        case .mayNotDisableAccounts: zh ? "您的角色无权停用账号" : "your role does not allow disabling accounts"
        case .cannotDisableYourself: zh ? "不能停用自己的账号" : "you cannot disable your own account"
        case .mayNotCreateTokens: zh ? "您的角色无权新建接口令牌" : "your role does not allow creating API tokens"
        case .mayNotRevokeTokens: zh ? "您的角色无权吊销接口令牌" : "your role does not allow revoking API tokens"
        case .noPermissionChosen: zh ? "请至少选择一项权限" : "choose at least one permission"
        case .permissionsBeyondRole(let role):
            zh ? "\(role.chineseName)令牌只能拥有以下权限：\(role.permissions.sorted().map { permission($0, zh) }.joined(separator: "、"))"
                : "a \(role.rawValue) token may hold only: \(role.permissions.sorted().map(\.rawValue).joined(separator: ", "))"
        }
    }

    /// A failed sign-in as the sign-in page (in its language) and the API (in English) say it.
    static func signIn(_ e: Accounts.SignInError, _ zh: Bool) -> String {
        switch e {
        case .wrongCredentials: zh ? "账号或密码错误" : "wrong login or password"
        case .throttled(let seconds): zh ? "登录失败次数过多，请 \(seconds) 秒后再试" : "too many failed sign-ins; try again in \(seconds) seconds"
        }
    }
}
