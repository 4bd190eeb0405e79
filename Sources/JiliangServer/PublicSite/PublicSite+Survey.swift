import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore
import MultipartKit
import NIOCore

/// The owner's side of a survey (使用单位摸排; issue #19, item 6), on a phone and without an
/// account: the invitation's personal link (`/p/survey/{token}`) to declare instruments row by row
/// or by uploading the roll, and the survey's public link for owners not yet registered.
extension PublicSite {
    static let surveyFormRows = 5

    static func purposeLabel(_ u: UsePurpose, _ lang: PageStrings.Language) -> String {
        lang == .zh ? UsePurpose.chineseLabels.first { $0.value == u }?.key ?? u.rawValue : u.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    func addSurveyRoutes(to site: RouterGroup<AppRequestContext>) {
        site.get("survey/{token}") { request, context in
            try await guarded(request) { try await surveyForm(request, token: context.parameters.get("token") ?? "", values: [:], error: nil) }
        }
        site.post("survey/{token}") { request, context in
            try await guarded(request) { try await declareInstruments(request, token: context.parameters.get("token") ?? "") }
        }
        site.post("survey/{token}/upload") { request, context in
            try await guarded(request) { try await declareUpload(request, token: context.parameters.get("token") ?? "") }
        }
        site.get("surveys/{id}/join") { request, context in
            try await guarded(request) { try await joinForm(request, id: Int(context.parameters.get("id") ?? "") ?? -1, values: [:], error: nil) }
        }
        site.post("surveys/{id}/join") { request, context in
            try await guarded(request) { try await joinSurvey(request, id: Int(context.parameters.get("id") ?? "") ?? -1) }
        }
    }

    func surveyForm(_ request: Request, token: String, values: [String: String], error: String?, uploaded: String? = nil) async throws -> Response {
        let lang = language(request)
        let t = PublicStrings.strings(lang)
        let (inv, s, o) = try await Surveys.invitation(token: token, today: today, on: db)
        let declared = try await Surveys.declared(inv, on: db).map { m -> [String: String] in
            ["code": m.code, "name": m.name, "serial": m.serialNo, "state": m.lifecycle == "draft" ? t[.sv_waiting] : t[.sv_filed]]
        }
        let names = try await Surveys.instrumentNames(on: db)
        let rows = (1...Self.surveyFormRows).map { n -> [String: Any] in
            [
                "n": n, "name": values["name_\(n)"] ?? "", "serial": values["serial_\(n)"] ?? "", "address": values["address_\(n)"] ?? "",
                "inService": values["in_service_\(n)"] ?? "",
                "purposes": UsePurpose.allCases.map { u in
                    ["value": u.rawValue, "label": Self.purposeLabel(u, lang), "selected": (values["purpose_\(n)"] ?? "trade_settlement") == u.rawValue]
                },
            ]
        }
        let declaredNow = request.uri.queryParameters["declared"].map { String(format: t[.sv_declaredNow], Int($0) ?? 0) }
        return render(
            "public-survey",
            [
                "t": t, "token": token, "survey": s.title, "owner": o.name, "closes": s.closesOn, "rows": rows, "names": names,
                "declared": declared, "hasDeclared": !declared.isEmpty, "error": error as Any, "declaredNow": declaredNow as Any,
                "uploaded": uploaded as Any,
            ], title: s.title, request: request, status: error == nil ? .ok : .badRequest)
    }

    /// The phone form's rows: a row with nothing filled is skipped; a row partly filled is checked.
    func declareInstruments(_ request: Request, token: String) async throws -> Response {
        let f = try await urlencoded(request)
        var rows: [RawInstrument] = []
        for n in 1...Self.surveyFormRows {
            let filled = ["name", "serial", "address", "in_service"].contains { !(f["\($0)_\(n)"] ?? "").trimmingCharactersInWhitespace().isEmpty }
            guard filled else { continue }
            let (_, _, o) = try await Surveys.invitation(token: token, today: today, on: db)
            var r = RawInstrument()
            r.name = f["name_\(n)"]
            r.serialNo = f["serial_\(n)"]
            r.address = f["address_\(n)"]
            r.inServiceDate = f["in_service_\(n)"]
            r.purpose = f["purpose_\(n)"]
            r.regionCode = o.regionCode
            rows.append(r)
        }
        do {
            let made = try await Surveys.declare(token: token, rows: rows, today: today, on: db)
            return redirect("/p/survey/\(Self.escapePath(token))?declared=\(made.count)")
        } catch let e as ValidationFailure {
            return try await surveyForm(request, token: token, values: f, error: e.description)
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await surveyForm(request, token: token, values: f, error: e.description)
        }
    }

    /// The roll as a file (CSV or XLSX, posted as multipart/form-data), at most 10 MB here.
    func declareUpload(_ request: Request, token: String) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = Self.boundary(type) else {
            throw RegistryError.invalid("file", "send the file from the form (multipart/form-data)")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 10 << 20) } catch { throw RegistryError.invalid("file", "the file is larger than 10 MB; send it to your bureau instead") }
        guard let part = try Self.parts(body, boundary: boundary).first(where: { $0.name == "file" }), part.body.readableBytes > 0 else {
            throw RegistryError.invalid("file", "choose a file first")
        }
        do {
            let r = try await Surveys.declareUpload(token: token, bytes: Array(part.body.readableBytesView), maxRows: config.importMaxRows, today: today, on: db)
            var text = String(format: t[.sv_uploaded], r.inserted, r.alreadyPresent, r.errors.count)
            if !r.errors.isEmpty { text += " " + r.errors.prefix(10).map { "\(t[.sv_row]) \($0.row) \($0.column): \($0.message)" }.joined(separator: "；") }
            return try await surveyForm(request, token: token, values: [:], error: nil, uploaded: text)
        } catch let e as InstrumentImport.FileError {
            return try await surveyForm(request, token: token, values: [:], error: e.description)
        }
    }

    func joinForm(_ request: Request, id: Int, values: [String: String], error: String?) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let s = try await Surveys.publicSurvey(id, today: today, on: db)
        if request.uri.queryParameters["sent"] == "1" {
            return render("public-message", ["t": t, "heading": t[.sv_requested], "message": t[.sv_requestedText]], title: t[.sv_requested], request: request)
        }
        return render(
            "public-survey-join", ["t": t, "id": id, "survey": s.title, "closes": s.closesOn, "v": values, "error": error as Any],
            title: s.title, request: request, status: error == nil ? .ok : .badRequest)
    }

    func joinSurvey(_ request: Request, id: Int) async throws -> Response {
        let f = try await urlencoded(request)
        do {
            _ = try await Surveys.requestToJoin(
                surveyID: id, name: f["name"], creditCode: f["credit_code"], address: f["address"], region: f["region"], contactPhone: f["contact_phone"],
                today: today, on: db)
            // The same answer for every unit, registered or not (the link comes by SMS once checked),
            // on a page of its own so that a refresh does not post again.
            return redirect("/p/surveys/\(id)/join?sent=1")
        } catch let e as ValidationFailure {
            return try await joinForm(request, id: id, values: f, error: e.description)
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await joinForm(request, id: id, values: f, error: e.description)
        }
    }
}
