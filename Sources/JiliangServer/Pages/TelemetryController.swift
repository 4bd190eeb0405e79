import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore
import JiliangTelemetry
import NIOCore
import ServiceLifecycle

/// Smart supervision's staff pages (issue #21, item 5): the region's alerts by priority, one
/// alert with the instrument's legal standing, and the bureau's decision. The store ranks, scopes
/// and decides (`Telemetry.alerts`, `.decide`); this maps addresses to it.
struct TelemetryController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.telemetry.path) { request, context in
            let q = request.uri.queryParameters
            let lang = app.language(request)
            let view = try await TelemetryAlertsView.build(
                state: q["state"].map(String.init), cursor: q["cursor"].map(String.init), by: context.principal, lang: lang, today: app.today, on: db)
            return app.render("telemetry", view: view, title: PageStrings.strings(lang)[.tel_title], request: request, caller: context.principal)
        }
        router.get(Site.telemetryAlert.path) { request, context in
            try await alert(request, context.principal, try context.parameters.require("id", as: Int.self), error: nil, form: nil)
        }
        router.get(Site.telemetryLive.path) { request, context in
            let lang = app.language(request)
            let view = try await TelemetryLiveView.build(
                cursor: request.uri.queryParameters["cursor"].map(String.init), by: context.principal, lang: lang, today: app.today, on: db)
            return app.render("telemetry-live", view: view, title: PageStrings.strings(lang)[.tel_live], request: request, caller: context.principal)
        }
        router.get(Site.telemetryLiveEvents.path) { _, context in try await events(context.principal) }
        router.get(Site.telemetryDevice.path) { request, context in
            let lang = app.language(request)
            let view = try await TelemetryDeviceView.build(try context.parameters.require("id", as: Int.self), by: context.principal, lang: lang, on: db)
            return app.render("telemetry-device", view: view, title: view.name, request: request, caller: context.principal)
        }
        router.get(Site.telemetryThresholds.path) { request, context in
            try await thresholds(request, context.principal, error: nil, posted: nil)
        }
        router.post(Site.telemetryThresholds.path) { request, context in
            let p = context.principal, region = request.uri.queryParameters["region"].map(String.init)
            let form = try await app.form(request)
            return try await app.attempt(request, { try await thresholds(request, p, error: $0, posted: form) }) {
                let e = try await Telemetry.setThresholds(region: region ?? "", settings: try ThresholdsForm.settings(form), by: p, on: db)
                return app.redirect(Site.telemetryThresholds() + "?region=\(e.region)&flash=tel_thresholdsSet")
            }
        }
        router.post(Site.telemetryAlertDecision.path) { request, context in
            let p = context.principal, id = try context.parameters.require("id", as: Int.self)
            let f = try await app.form(AlertDecisionForm.self, request)
            return try await app.attempt(request, { try await alert(request, p, id, error: $0, form: f) }) {
                _ = try await Telemetry.decide(id, decision: f.decision, reason: f.reason, today: app.today, by: p, on: db)
                return app.redirect(Site.telemetryAlert(id) + "?flash=done")
            }
        }
    }

    /// The screen's figures as server-sent events, every `liveInterval`, for `liveLifetime`; then the
    /// stream ends and the browser's EventSource reconnects (so a signed-out or expired session
    /// stops being served within that time: its reconnection gets the sign-in page, and the
    /// screen says to sign in again). A client gone away ends the stream at the next write. The first figures are checked before the stream
    /// starts: a caller who may not review gets the error page, not an empty stream.
    func events(_ p: Principal) async throws -> Response {
        let today = app.today, store = app.store
        let first = LiveFigures(try await Telemetry.liveSummary(today: today, by: p, on: db), at: Date())
        let interval = app.config.liveInterval, lifetime = app.config.liveLifetime
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 3000\n" + first.event))
                let end = Date().addingTimeInterval(lifetime)
                // A graceful shutdown ends the stream within one interval (the browser reconnects
                // to whichever server answers next).
                while Date() < end, !Task.isShuttingDownGracefully {
                    try await Task.sleep(for: interval)
                    let now = Date()
                    let figures = LiveFigures(try await Telemetry.liveSummary(today: today, by: p, now: now, on: store.db), at: now)
                    try await writer.write(ByteBuffer(string: figures.event))
                }
                try await writer.finish(nil)
            })
    }

    func thresholds(_ request: Request, _ p: Principal, error: String?, posted: [String: String]?) async throws -> Response {
        let lang = app.language(request)
        let view = try await TelemetryThresholdsView.build(
            region: request.uri.queryParameters["region"].map(String.init), by: p, lang: lang, error: error, posted: posted, on: db)
        return app.render(
            "telemetry-thresholds", view: view, title: PageStrings.strings(lang)[.tel_thresholds], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }

    func alert(_ request: Request, _ p: Principal, _ id: Int, error: String?, form: AlertDecisionForm?) async throws -> Response {
        let view = try await TelemetryAlertView.build(id, by: p, lang: app.language(request), today: app.today, error: error, form: form, on: db)
        return app.render("telemetry-alert", view: view, title: view.title, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }
}

/// A region's own thresholds as posted: one field per setting, an empty one inherited.
enum ThresholdsForm {
    static func settings(_ form: [String: String]) throws -> [String: Double] {
        var c = FieldChecker(), out: [String: Double] = [:]
        for s in ThresholdSettings.all {
            guard let raw = form[s.name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { continue }
            guard let v = Double(raw), v.isFinite else {
                c.fail("settings.\(s.name)", .telemetry(.notInRange(from: s.range.lowerBound, to: s.range.upperBound, got: raw)))
                continue
            }
            out[s.name] = v
        }
        try c.finish()
        return out
    }
}

/// A bureau's decision on an alert (field names as posted).
struct AlertDecisionForm: Decodable, Sendable {
    var decision: String?
    var reason: String?
}
