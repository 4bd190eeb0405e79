import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore
import SQLKit

/// The start page: what is in the registry today, by status, and where the API is. Chinese first,
/// English beside it. The full role-based web application is issue #3.
struct LandingPage {
    let store: Store
    let config: AppConfiguration

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, _ in try await render() }
    }

    static let labels: [(ComplianceStatus, String, String)] = [
        (.valid, "有效", "#1b7f3b"), (.dueSoon, "即将到期", "#a66300"), (.overdue, "超期未检", "#b3261e"),
        (.failed, "不合格", "#b3261e"), (.lifeExpired, "到期应轮换", "#8a1c7c"),
        (.ruleMissing, "缺少检定规则", "#a66300"), (.notFiled, "未备案", "#555"),
        (.suspended, "停用", "#555"), (.scrapped, "报废/已轮换", "#555"),
    ]

    func render() async throws -> Response {
        let today = config.today()
        var rows = ""
        for (status, zh, colour) in Self.labels {
            let q = InstrumentModel.query(on: store.db)
            Registry.applyStatusFilter(q, status: status, today: today, window: config.dueSoonWindow)
            let n = try await q.count()
            rows += "<tr><td><span style=\"color:\(colour)\">●</span> \(zh) <small>\(status.rawValue)</small></td><td class=n>\(n)</td></tr>"
        }
        let html = """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>计量 Jiliang — 民生计量智慧监管平台</title>
            <style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
            table{border-collapse:collapse;width:100%}td{padding:.4rem;border-bottom:1px solid #ddd}.n{text-align:right;font-variant-numeric:tabular-nums}
            small{color:#555}a{color:#0b57d0}</style></head><body>
            <h1>计量 Jiliang <small>民生计量智慧监管平台 · Legal-metrology supervision</small></h1>
            <p>截至 \(today)（北京时间）登记的强制检定计量器具 <small>Instruments under mandatory verification as of \(today)</small></p>
            <table>\(rows)</table>
            <p>接口 API: <a href="/api/v1/openapi.yaml">/api/v1/openapi.yaml</a> ·
            <a href="/api/v1/instruments?status=overdue">超期未检 overdue</a> ·
            <a href="/api/v1/warning-runs">预警运行 warning runs</a> · <a href="/api/v1/catalogue">目录 catalogue</a></p>
            </body></html>
            """
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: .init(string: html)))
    }
}
