import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore
import SQLKit

/// The start page: what is in the registry today, by status, and where the API is. Chinese first,
/// English beside it. Shown in the public site's frame (issue #20: one frame per site).
struct LandingPage {
    let store: Store
    let config: AppConfiguration
    let publicSite: PublicSite

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { request, _ in try await render(request) }
    }

    static let labels: [(ComplianceStatus, String, String)] = [
        (.valid, "有效", "#1b7f3b"), (.dueSoon, "即将到期", "#a66300"), (.overdue, "超期未检", "#b3261e"),
        (.failed, "不合格", "#b3261e"), (.lifeExpired, "到期应轮换", "#8a1c7c"),
        (.ruleMissing, "缺少检定规则", "#a66300"), (.notFiled, "未备案", "#555"),
        (.suspended, "停用", "#555"), (.scrapped, "报废/已轮换", "#555"),
    ]

    func render(_ request: Request) async throws -> Response {
        let today = config.today()
        var rows = ""
        for (status, zh, colour) in Self.labels {
            let q = InstrumentModel.query(on: store.db)
            Registry.applyStatusFilter(q, status: status, today: today, window: config.dueSoonWindow)
            let n = try await q.count()
            rows += "<tr><td><span style=\"color:\(colour)\">●</span> \(zh) <small>\(status.rawValue)</small></td><td class=n>\(n)</td></tr>"
        }
        let body = """
            <h1>计量 Jiliang <small>民生计量智慧监管平台 · Legal-metrology supervision</small></h1>
            <p>截至 \(today)（北京时间）登记的强制检定计量器具 <small>Instruments under mandatory verification as of \(today)</small></p>
            <table id="registry-counts">\(rows)</table>
            <p>接口 API: <a href="/api/v1/openapi.yaml">/api/v1/openapi.yaml</a> ·
            <a href="/api/v1/instruments?status=overdue">超期未检 overdue</a> ·
            <a href="/api/v1/warning-runs">预警运行 warning runs</a> · <a href="/api/v1/catalogue">目录 catalogue</a></p>
            """
        return publicSite.page(body: body, title: "计量 Jiliang — 民生计量智慧监管平台", request: request)
    }
}
