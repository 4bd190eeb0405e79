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

    func complaintForm(_ request: Request, values: [String: String], error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let q = request.uri.queryParameters
        let instrument = values["instrument_code"] ?? q["instrument"].map(String.init) ?? ""
        let business = values["business_credit_code"] ?? q["business"].map(String.init) ?? ""
        let categories = Self.categories.map {
            ["value": $0.0.rawValue, "label": (t.lookup($0.1) ?? $0.1), "selected": values["category"] == $0.0.rawValue ? "1" : ""].filter { !$0.value.isEmpty }
        }
        var model: [String: Any] = [
            "t": t, "instrument": instrument, "business": business, "categories": categories, "text": values["text"] ?? "", "contact": values["contact"] ?? "",
        ]
        if let error { model["error"] = error }
        return render("public-complaint-new", model, title: t[.complaintTitle], request: request, status: status)
    }

    /// The form posts multipart/form-data (it may carry a photo); at most 2 MB of photo plus the text.
    func fileComplaint(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        var fields: [String: String] = [:]
        var photo: [UInt8]?
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Self.boundary(type) else { throw RegistryError.invalid("body", "a multipart form without a boundary") }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: Complaints.maxPhotoBytes + (64 << 10)) } catch {
                throw RegistryError.invalid("photo", "the upload is larger than \(Complaints.maxPhotoBytes / 1024 / 1024) MB")
            }
            for part in try Self.parts(body, boundary: boundary) {
                guard let name = part.name else { continue }
                if name == "photo" {
                    if part.body.readableBytes > 0 { photo = Array(part.body.readableBytesView) }
                } else {
                    fields[name] = String(buffer: part.body)
                }
            }
        } else {
            fields = try await urlencoded(request)
        }
        let submission = Complaints.Submission(
            instrumentCode: fields["instrument_code"].flatMap { $0.isEmpty ? nil : $0 },
            businessCreditCode: fields["business_credit_code"].flatMap { $0.isEmpty ? nil : $0 },
            category: fields["category"], text: fields["text"], contact: fields["contact"], photo: photo.map { .init(bytes: $0) })
        do {
            let m = try await Complaints.submit(submission, rules: config.complaintRules, today: today, on: db)
            let code = TrackingCode(typed: m.trackingCode)!
            return render(
                "public-filed", ["t": t, "heading": t[.complaintFiled], "label": t[.trackingCode], "code": code.grouped, "keep": t[.keepCode],
                                 "link": "/p/complaints/\(code.value)", "deadline": m.deadline],
                title: t[.complaintFiled], request: request, status: .created)
        } catch let e as ValidationFailure {
            return try await complaintForm(request, values: fields, error: e.description, status: .badRequest)
        } catch let e as RegistryError {
            if case .invalid = e { return try await complaintForm(request, values: fields, error: e.description, status: .badRequest) }
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
        do { try parser.execute(body) } catch { throw RegistryError.invalid("body", "the form could not be read (malformed multipart data)") }
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
        var model: [String: Any] = ["t": t]
        if error { model["error"] = t[.notFoundTracking] }
        return render("public-track", model, title: t[.trackTitle], request: request, status: status)
    }

    func complaintPage(_ request: Request, code: String) async throws -> Response {
        if code == "new" { return try await complaintForm(request, values: [:], error: nil) }
        let t = PublicStrings.strings(language(request))
        let m: ComplaintModel, events: [ComplaintEventModel]
        do { (m, events) = try await Complaints.track(code, on: db) } catch let e as RegistryError {
            guard case .notFound = e else { throw e }
            // Malformed and unknown codes get the same answer: the page is no oracle for codes.
            return miss(try await trackForm(request, error: true, status: .notFound))
        }
        let steps = events.map { e -> [String: String] in
            var row = ["date": CalendarDay(instant: e.at).description, "action": t.lookup(e.action) ?? e.action]
            if e.action == "replied", let n = e.note { row["note"] = n }
            if e.action == "closed", let n = e.note { row["note"] = t.lookup(n) ?? n }
            return row
        }
        var model: [String: Any] = [
            "t": t, "code": TrackingCode(typed: m.trackingCode)?.grouped ?? m.trackingCode, "state": t.lookup(m.state) ?? m.state, "stateCode": m.state,
            "received": m.receivedOn, "deadline": m.deadline, "steps": steps,
            "category": Self.categories.first { $0.0.rawValue == m.category }.map { (t.lookup($0.1) ?? $0.1) } ?? m.category,
        ]
        if let r = m.reply { model["reply"] = r }
        if let o = m.outcome { model["outcome"] = t.lookup(o) ?? o }
        return render("public-complaint", model, title: t[.trackTitle], request: request)
    }
}
