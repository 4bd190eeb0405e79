import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore
import MultipartKit
import NIOCore

extension PublicSite {
    static let categories: [(Complaints.Category, String)] = [
        (.shortWeight, "catShortWeight"), (.unverified, "catUnverified"), (.tampering, "catTampering"), (.other, "catOther"),
    ]

    func complaintForm(_ request: Request, form: PublicComplaintForm?, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = language(request)
        let q = request.uri.queryParameters
        let view = PublicComplaintFormView.build(
            lang: lang, form: form, instrument: q["instrument"].map(String.init), business: q["business"].map(String.init), error: error)
        return render("public-complaint-new", view: view, title: PublicStrings.strings(lang)[.complaintTitle], request: request, status: status)
    }

    /// The form posts multipart/form-data (it may carry a photo); at most 2 MB of photo plus the text.
    func fileComplaint(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let f: PublicComplaintForm
        var photo: [UInt8]?
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Self.boundary(type) else { throw RegistryError.invalid("body", .request(.multipartWithoutBoundary)) }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: Complaints.maxPhotoBytes + (64 << 10)) } catch {
                throw RegistryError.invalid("photo", .request(.photoTooLarge(megabytes: Complaints.maxPhotoBytes / 1024 / 1024)))
            }
            var fields: [String: String] = [:]
            for part in try Self.parts(body, boundary: boundary) {
                guard let name = part.name else { continue }
                if name == "photo" {
                    if part.body.readableBytes > 0 { photo = Array(part.body.readableBytesView) }
                } else {
                    fields[name] = String(buffer: part.body)
                }
            }
            f = PublicComplaintForm(
                instrument_code: fields["instrument_code"], business_credit_code: fields["business_credit_code"], category: fields["category"],
                text: fields["text"], contact: fields["contact"])
        } else {
            f = try await form(PublicComplaintForm.self, request)
        }
        let submission = Complaints.Submission(
            instrumentCode: f.instrument_code.flatMap { $0.isEmpty ? nil : $0 },
            businessCreditCode: f.business_credit_code.flatMap { $0.isEmpty ? nil : $0 },
            category: f.category, text: f.text, contact: f.contact, photo: photo.map { .init(bytes: $0) })
        do {
            let m = try await Complaints.submit(submission, rules: config.complaintRules, today: today, on: db)
            let code = TrackingCode(typed: m.trackingCode)!
            let view = PublicFiledView(
                heading: t[.complaintFiled], label: t[.trackingCode], code: code.grouped, keep: t[.keepCode], link: "/p/complaints/\(code.value)",
                deadline: m.deadline)
            return render("public-filed", view: view, title: t[.complaintFiled], request: request, status: .created)
        } catch let e as ValidationFailure {
            return try await complaintForm(request, form: f, error: RefusalText.words(e, language(request)), status: .badRequest)
        } catch let e as RegistryError {
            if case .invalid = e { return try await complaintForm(request, form: f, error: RefusalText.words(e, language(request)), status: .badRequest) }
            throw e
        }
    }

    static func boundary(_ contentType: String) -> String? {
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0].lowercased() == "boundary" { return kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// The parts of a multipart body, by MultipartKit's streaming parser.
    static func parts(_ body: ByteBuffer, boundary: String) throws -> [MultipartPart] {
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var current = ByteBuffer()
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in current.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: current))
            headers = HTTPHeaders()
            current = ByteBuffer()
        }
        do { try parser.execute(body) } catch { throw RegistryError.invalid("body", .request(.malformedMultipart)) }
        return parts
    }

    func trackComplaint(_ request: Request) async throws -> Response {
        let raw = request.uri.queryParameters["code"].map(String.init) ?? ""
        if raw.isEmpty { return try await trackForm(request, error: false, status: .ok) }
        guard let code = TrackingCode(typed: raw) else { return miss(try await trackForm(request, error: true, status: .notFound)) }
        return redirect("/p/complaints/\(code.value)")
    }

    func trackForm(_ request: Request, error: Bool, status: HTTPResponse.Status) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        return render("public-track", view: PublicTrackView(error: error ? t[.notFoundTracking] : nil), title: t[.trackTitle], request: request, status: status)
    }

    func complaintPage(_ request: Request, code: String) async throws -> Response {
        if code == "new" { return try await complaintForm(request, form: nil, error: nil) }
        let lang = language(request)
        let view: PublicComplaintView
        do { view = try await PublicComplaintView.build(code: code, lang: lang, on: db) } catch let e as RegistryError {
            guard case .notFound = e else { throw e }
            // Malformed and unknown codes get the same answer: the page is no oracle for codes.
            return miss(try await trackForm(request, error: true, status: .notFound))
        }
        return render("public-complaint", view: view, title: PublicStrings.strings(lang)[.trackTitle], request: request)
    }
}

/// A complaint as posted (field names as posted; the photo is read apart, from the multipart body).
struct PublicComplaintForm: Decodable, Sendable {
    var instrument_code: String?
    var business_credit_code: String?
    var category: String?
    var text: String?
    var contact: String?
}

/// The complaint form, empty or as posted with its error (`public-complaint-new.mustache`).
struct PublicComplaintFormView: PageView {
    var instrument: String
    var business: String
    var categories: [OptionView]
    var text: String
    var contact: String
    var error: String?

    /// `instrument` and `business` come from the link that opened the form (a scan, a business page);
    /// what was posted comes first.
    static func build(
        lang: PageStrings.Language, form: PublicComplaintForm?, instrument: String?, business: String?, error: String?
    ) -> PublicComplaintFormView {
        let t = PublicStrings.strings(lang)
        let categories = PublicSite.categories.map {
            OptionView(value: $0.0.rawValue, label: t.lookup($0.1) ?? $0.1, selected: form?.category == $0.0.rawValue)
        }
        return PublicComplaintFormView(
            instrument: form?.instrument_code ?? instrument ?? "", business: form?.business_credit_code ?? business ?? "", categories: categories,
            text: form?.text ?? "", contact: form?.contact ?? "", error: error)
    }
}

/// The complaint tracking form (`public-track.mustache`), with "not found" after a wrong code.
struct PublicTrackView: PageView {
    var error: String?
}

/// A complaint followed by its tracking code: its state and steps, never the citizen's contact
/// (`public-complaint.mustache`).
struct PublicComplaintView: PageView {
    struct Step: Encodable, Sendable, Equatable {
        var date: String
        var action: String
        var note: String?
    }
    var code: String
    var state: String
    var stateCode: String
    var received: String
    var deadline: String
    var steps: [Step]
    var category: String
    var reply: String?
    var outcome: String?

    /// Throws `RegistryError.notFound` for a malformed or unknown code alike.
    static func build(code: String, lang: PageStrings.Language, on db: any Database) async throws -> PublicComplaintView {
        let t = PublicStrings.strings(lang)
        let (m, events) = try await Complaints.track(code, on: db)
        let steps = events.map { e -> Step in
            var note: String?
            if e.action == "replied", let n = e.note { note = n }
            if e.action == "closed", let n = e.note { note = t.lookup(n) ?? n }
            return Step(date: CalendarDay(instant: e.at).description, action: t.lookup(e.action) ?? e.action, note: note)
        }
        return PublicComplaintView(
            code: TrackingCode(typed: m.trackingCode)?.grouped ?? m.trackingCode, state: t.lookup(m.state) ?? m.state, stateCode: m.state,
            received: m.receivedOn, deadline: m.deadline, steps: steps,
            category: PublicSite.categories.first { $0.0.rawValue == m.category }.map { t.lookup($0.1) ?? $0.1 } ?? m.category,
            reply: m.reply, outcome: m.outcome.map { t.lookup($0) ?? $0 })
    }
}
