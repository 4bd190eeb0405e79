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
            try await guarded(request) { try await surveyForm(request, token: context.parameters.get("token") ?? "", form: nil, error: nil) }
        }
        site.post("survey/{token}") { request, context in
            try await guarded(request) { try await declareInstruments(request, token: context.parameters.get("token") ?? "") }
        }
        site.post("survey/{token}/upload") { request, context in
            try await guarded(request) { try await declareUpload(request, token: context.parameters.get("token") ?? "") }
        }
        site.get("surveys/{id}/join") { request, context in
            try await guarded(request) { try await joinForm(request, id: Int(context.parameters.get("id") ?? "") ?? -1, form: nil, error: nil) }
        }
        site.post("surveys/{id}/join") { request, context in
            try await guarded(request) { try await joinSurvey(request, id: Int(context.parameters.get("id") ?? "") ?? -1) }
        }
    }

    func surveyForm(_ request: Request, token: String, form: PublicDeclareForm?, error: String?, uploaded: String? = nil) async throws -> Response {
        let declaredNow = request.uri.queryParameters["declared"].map { Int($0) ?? 0 }
        let view = try await PublicSurveyView.build(
            token: token, lang: language(request), today: today, form: form, error: error, uploaded: uploaded, declaredNow: declaredNow, on: db)
        return render("public-survey", view: view, title: view.survey, request: request, status: error == nil ? .ok : .badRequest)
    }

    /// The phone form's rows: a row with nothing filled is skipped; a row partly filled is checked.
    func declareInstruments(_ request: Request, token: String) async throws -> Response {
        let f = try await form(PublicDeclareForm.self, request)
        var rows: [RawInstrument] = []
        let filled = f.rows.filter(\.isFilled)
        if !filled.isEmpty {
            let (_, _, o) = try await Surveys.invitation(token: token, today: today, on: db)
            rows = filled.map { row in
                var r = RawInstrument()
                r.name = row.name
                r.serialNo = row.serial
                r.address = row.address
                r.inServiceDate = row.in_service
                r.purpose = row.purpose
                r.regionCode = o.regionCode
                return r
            }
        }
        do {
            let made = try await Surveys.declare(token: token, rows: rows, today: today, on: db)
            return redirect("/p/survey/\(Self.escapePath(token))?declared=\(made.count)")
        } catch let e as ValidationFailure {
            return try await surveyForm(request, token: token, form: f, error: RefusalText.words(e, language(request)))
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await surveyForm(request, token: token, form: f, error: RefusalText.words(e, language(request)))
        }
    }

    /// The roll as a file (CSV or XLSX, posted as multipart/form-data), at most 10 MB here.
    func declareUpload(_ request: Request, token: String) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let type = request.headers[.contentType] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = Self.boundary(type) else {
            throw RegistryError.invalid("file", .request(.sendAsMultipart))
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 10 << 20) } catch { throw RegistryError.invalid("file", .request(.surveyFileTooLarge(megabytes: 10))) }
        guard let part = try Self.parts(body, boundary: boundary).first(where: { $0.name == "file" }), part.body.readableBytes > 0 else {
            throw RegistryError.invalid("file", .request(.chooseAFile))
        }
        do {
            let r = try await Surveys.declareUpload(token: token, bytes: Array(part.body.readableBytesView), maxRows: config.importMaxRows, today: today, on: db)
            var text = String(format: t[.sv_uploaded], r.inserted, r.alreadyPresent, r.errors.count)
            let lang = language(request)
            if !r.errors.isEmpty { text += " " + r.errors.prefix(10).map { "\(t[.sv_row]) \($0.row) \($0.column): \(RefusalText.words($0.reason, lang))" }.joined(separator: "；") }
            return try await surveyForm(request, token: token, form: nil, error: nil, uploaded: text)
        } catch let e as InstrumentImport.FileError {
            return try await surveyForm(request, token: token, form: nil, error: RefusalText.words(e.refusal, language(request)))
        }
    }

    func joinForm(_ request: Request, id: Int, form: PublicJoinForm?, error: String?) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        if request.uri.queryParameters["sent"] == "1" {
            _ = try await Surveys.publicSurvey(id, today: today, on: db)
            return render(
                "public-message", view: PublicMessageView(heading: t[.sv_requested], message: t[.sv_requestedText]), title: t[.sv_requested], request: request)
        }
        let view = try await PublicSurveyJoinView.build(id, today: today, form: form, error: error, on: db)
        return render("public-survey-join", view: view, title: view.survey, request: request, status: error == nil ? .ok : .badRequest)
    }

    func joinSurvey(_ request: Request, id: Int) async throws -> Response {
        let f = try await form(PublicJoinForm.self, request)
        do {
            _ = try await Surveys.requestToJoin(
                surveyID: id, name: f.name, creditCode: f.credit_code, address: f.address, region: f.region, contactPhone: f.contact_phone,
                today: today, on: db)
            // The same answer for every unit, registered or not (the link comes by SMS once checked),
            // on a page of its own so that a refresh does not post again.
            return redirect("/p/surveys/\(id)/join?sent=1")
        } catch let e as ValidationFailure {
            return try await joinForm(request, id: id, form: f, error: RefusalText.words(e, language(request)))
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await joinForm(request, id: id, form: f, error: RefusalText.words(e, language(request)))
        }
    }
}

/// The phone form's rows as posted: `name_1`, `serial_1`, `address_1`, `in_service_1`, `purpose_1`, …
/// up to `PublicSite.surveyFormRows`.
struct PublicDeclareForm: Decodable, Sendable {
    struct Row: Sendable, Equatable {
        var name: String?
        var serial: String?
        var address: String?
        var in_service: String?
        var purpose: String?

        /// Anything typed in the row (the purpose has a default, so it does not count).
        var isFilled: Bool { [name, serial, address, in_service].contains { !($0 ?? "").trimmingCharactersInWhitespace().isEmpty } }
    }
    /// Row n of the form is `rows[n - 1]`.
    var rows: [Row]

    init(rows: [Row]) { self.rows = rows }

    struct Field: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Field.self)
        func field(_ name: String, _ n: Int) throws -> String? { try c.decodeIfPresent(String.self, forKey: Field(stringValue: "\(name)_\(n)")) }
        rows = try (1...PublicSite.surveyFormRows).map { n in
            Row(
                name: try field("name", n), serial: try field("serial", n), address: try field("address", n), in_service: try field("in_service", n),
                purpose: try field("purpose", n))
        }
    }
}

/// A unit not yet registered asks to join a survey (field names as posted).
struct PublicJoinForm: Decodable, Sendable {
    var name: String?
    var credit_code: String?
    var address: String?
    var region: String?
    var contact_phone: String?

    /// The fields as posted, for the form shown again.
    var values: [String: String] {
        ["name": name, "credit_code": credit_code, "address": address, "region": region, "contact_phone": contact_phone].compactMapValues { $0 }
    }
}

/// The owner's survey page by its invitation link: rows to declare instruments, the upload, what
/// was declared so far (`public-survey.mustache`).
struct PublicSurveyView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var n: Int
        var name: String
        var serial: String
        var address: String
        var inService: String
        var purposes: [OptionView]
    }
    struct Declared: Encodable, Sendable, Equatable {
        var code: String
        var name: String
        var serial: String
        var state: String
    }
    var token: String
    var survey: String
    var owner: String
    var closes: String
    var rows: [Row]
    /// The instrument names the import understands (the form's suggestions).
    var names: [String]
    var declared: [Declared]
    var hasDeclared: Bool
    var error: String?
    /// "n instruments declared" after the rows were sent.
    var declaredNow: String?
    /// What an uploaded roll gave.
    var uploaded: String?

    /// A wrong, closed or expired link throws `RegistryError.notFound`.
    static func build(
        token: String, lang: PageStrings.Language, today: CalendarDay, form: PublicDeclareForm?, error: String?, uploaded: String?,
        declaredNow: Int?, on db: any Database
    ) async throws -> PublicSurveyView {
        let t = PublicStrings.strings(lang)
        let (inv, s, o) = try await Surveys.invitation(token: token, today: today, on: db)
        let declared = try await Surveys.declared(inv, on: db).map { m in
            Declared(code: m.code, name: m.name, serial: m.serialNo, state: m.lifecycle == "draft" ? t[.sv_waiting] : t[.sv_filed])
        }
        let names = try await Surveys.instrumentNames(on: db)
        let rows = (1...PublicSite.surveyFormRows).map { n -> Row in
            let posted = form.flatMap { n <= $0.rows.count ? $0.rows[n - 1] : nil }
            let purpose = posted?.purpose ?? UsePurpose.tradeSettlement.rawValue
            return Row(
                n: n, name: posted?.name ?? "", serial: posted?.serial ?? "", address: posted?.address ?? "", inService: posted?.in_service ?? "",
                purposes: UsePurpose.allCases.map { u in OptionView(value: u.rawValue, label: PublicSite.purposeLabel(u, lang), selected: purpose == u.rawValue) })
        }
        return PublicSurveyView(
            token: token, survey: s.title, owner: o.name, closes: s.closesOn, rows: rows, names: names, declared: declared,
            hasDeclared: !declared.isEmpty, error: error, declaredNow: declaredNow.map { String(format: t[.sv_declaredNow], $0) }, uploaded: uploaded)
    }
}

/// The survey's public link for units not yet registered (`public-survey-join.mustache`).
struct PublicSurveyJoinView: PageView {
    var id: Int
    var survey: String
    var closes: String
    /// The form's values as posted: the template reads `v.name`, `v.credit_code`, ….
    var v: [String: String]
    var error: String?

    /// A closed, past or unknown survey throws `RegistryError.notFound`.
    static func build(_ id: Int, today: CalendarDay, form: PublicJoinForm?, error: String?, on db: any Database) async throws -> PublicSurveyJoinView {
        let s = try await Surveys.publicSurvey(id, today: today, on: db)
        return PublicSurveyJoinView(id: id, survey: s.title, closes: s.closesOn, v: form?.values ?? [:], error: error)
    }
}
