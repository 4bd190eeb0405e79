import Hummingbird
import JiliangCore

/// The staff pages' language and wording helpers. Their strings are typed keys (`PageKey`, in
/// Simplified Chinese — the default — and English; STYLE.md: not scattered in templates).
enum PageStrings {
    enum Language: String, Sendable {
        case zh, en

        /// The reader's language: `?lang=` (which the page then keeps in a cookie), the cookie, or Chinese.
        static func of(_ request: Request) -> Language {
            if let q = request.uri.queryParameters["lang"], let l = Language(rawValue: String(q)) { return l }
            return request.cookies["lang"].flatMap { Language(rawValue: $0.value) } ?? .zh
        }
    }

    /// The strings in one language, by key: `t[.key]` in Swift, `{{t.key}}` in templates.
    static func strings(_ lang: PageStrings.Language) -> PageText { PageText(lang: lang) }

    static func penaltyKindLabel(_ kind: String, _ lang: Language) -> String {
        let labels: [String: (String, String)] = [
            "warning": ("警告", "Warning"), "criticism": ("通报批评", "Circulated criticism"), "fine": ("罚款", "Fine"),
            "confiscation": ("没收违法所得/非法财物", "Confiscation"), "suspension": ("责令停产停业/限制经营", "Suspension or restriction"),
            "revocation": ("降低资质/吊销许可证件", "Downgrade or revocation"),
        ]
        return labels[kind].map { lang == .zh ? $0.0 : $0.1 } ?? kind
    }

    static func sectorLabel(_ sector: String, _ lang: Language) -> String {
        guard let s = CommitmentSector(rawValue: sector) else { return sector }
        let en: [CommitmentSector: String] = [
            .market: "Markets", .fuelStation: "Fuel stations", .supermarket: "Shops and supermarkets", .optician: "Opticians", .hospital: "Medical institutions",
            .prepackager: "Prepackagers", .utility: "Water, power and gas utilities", .general: "Other businesses",
        ]
        return lang == .zh ? s.chineseName : en[s]!
    }

    static func industryLabel(_ industry: String, _ lang: Language) -> String {
        let labels: [String: (String, String)] = [
            "market": ("集贸市场", "Market"), "trader": ("经营户", "Trader"), "supermarket": ("超市", "Supermarket"),
            "fuel_station": ("加油站", "Fuel station"), "hospital": ("医疗机构", "Hospital"), "optician": ("眼镜店", "Optician"),
            "water_utility": ("供水企业", "Water utility"), "gas_utility": ("供气企业", "Gas utility"), "power_utility": ("供电企业", "Power utility"),
            "taxi_firm": ("出租车公司", "Taxi firm"), "prepackager": ("定量包装生产企业", "Prepackager"), "other": ("其他", "Other"),
        ]
        return labels[industry].map { lang == .zh ? $0.0 : $0.1 } ?? industry
    }

    static func statusLabel(_ status: String, _ lang: Language) -> String {
        let zh: [String: String] = [
            "not_filed": "未备案", "valid": "有效", "due_soon": "即将到期", "overdue": "超期未检", "failed": "不合格",
            "life_expired": "到期应轮换", "rule_missing": "缺少检定规则", "suspended": "停用", "scrapped": "报废/已轮换",
        ]
        let en: [String: String] = [
            "not_filed": "Not filed", "valid": "Valid", "due_soon": "Due soon", "overdue": "Overdue", "failed": "Failed",
            "life_expired": "Service life expired", "rule_missing": "Rule missing", "suspended": "Suspended", "scrapped": "Scrapped / rotated out",
        ]
        return (lang == .zh ? zh : en)[status] ?? status
    }
}
