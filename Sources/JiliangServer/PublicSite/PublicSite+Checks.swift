import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangStore

extension PublicSite {
    func checksPage(_ request: Request, error: String?, status: HTTPResponse.Status, values: [String: String] = [:]) async throws -> Response {
        let lang = language(request)
        let view = try await PublicChecksView.build(lang: lang, today: today, values: values, error: error, on: db)
        return render("public-checks", view: view, title: PublicStrings.strings(lang)[.checksTitle], request: request, status: status)
    }

    func booked(_ request: Request, _ m: FreeCheckModel) -> Response {
        let t = PublicStrings.strings(language(request))
        let code = TrackingCode(typed: m.code)!
        let view = PublicFiledView(heading: t[.booked], label: t[.bookingCode], code: code.grouped, keep: t[.keepBooking], link: "/p/checks/\(code.value)")
        return render("public-filed", view: view, title: t[.booked], request: request, status: .created)
    }

    func bookCheck(_ request: Request) async throws -> Response {
        let f = try await form(PublicBookCheckForm.self, request)
        do {
            let m = try await FreeChecks.book(
                slotID: f.slot_id.flatMap { Int($0) }, item: f.item, contactName: f.contact_name, contactPhone: f.contact_phone, today: today, on: db)
            return booked(request, m)
        } catch let e as ValidationFailure {
            return try await checksPage(request, error: RefusalText.words(e, language(request)), status: .badRequest, values: f.values)
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await checksPage(request, error: RefusalText.words(e, language(request)), status: e.isConflict ? .conflict : .badRequest, values: f.values)
        }
    }

    func requestMeterCheck(_ request: Request) async throws -> Response {
        let f = try await form(PublicMeterCheckForm.self, request)
        do {
            let m = try await FreeChecks.requestMeterCheck(
                meter: f.meter, utilityCreditCode: f.utility_credit_code, meterNo: f.meter_no, address: f.address,
                institutionID: f.institution_id.flatMap { Int($0) }, contactName: f.contact_name, contactPhone: f.contact_phone, today: today, on: db)
            return booked(request, m)
        } catch let e as ValidationFailure {
            return try await checksPage(request, error: RefusalText.words(e, language(request)), status: .badRequest, values: f.values)
        } catch let e as RegistryError {
            if case .notFound = e { throw e }
            return try await checksPage(request, error: RefusalText.words(e, language(request)), status: .badRequest, values: f.values)
        }
    }

    func trackCheck(_ request: Request) async throws -> Response {
        let raw = request.uri.queryParameters["code"].map(String.init) ?? ""
        guard let code = TrackingCode(typed: raw) else { return miss(try await checkNotFound(request)) }
        return redirect("/p/checks/\(code.value)")
    }

    func checkNotFound(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        return render(
            "public-message", view: PublicMessageView(heading: t[.notFound], message: t[.notFoundBooking]), title: t[.checkTitle], request: request,
            status: .notFound)
    }

    func checkPage(_ request: Request, code: String) async throws -> Response {
        let lang = language(request)
        let view: PublicCheckView
        do { view = try await PublicCheckView.build(code: code, lang: lang, on: db) } catch let e as RegistryError {
            guard case .notFound = e else { throw e }
            return miss(try await checkNotFound(request))
        }
        return render("public-check", view: view, title: PublicStrings.strings(lang)[.checkTitle], request: request)
    }
}

extension RegistryError {
    var isConflict: Bool { if case .conflict = self { true } else { false } }
}

/// The booking of a place at a free-check session (field names as posted).
struct PublicBookCheckForm: Decodable, Sendable {
    var slot_id: String?
    var item: String?
    var contact_name: String?
    var contact_phone: String?

    /// The fields as posted, for the form shown again.
    var values: [String: String] {
        ["slot_id": slot_id, "item": item, "contact_name": contact_name, "contact_phone": contact_phone].compactMapValues { $0 }
    }
}

/// A household meter's check asked of its utility (field names as posted).
struct PublicMeterCheckForm: Decodable, Sendable {
    var meter: String?
    var utility_credit_code: String?
    var meter_no: String?
    var address: String?
    var institution_id: String?
    var contact_name: String?
    var contact_phone: String?

    /// The fields as posted, for the form shown again.
    var values: [String: String] {
        [
            "meter": meter, "utility_credit_code": utility_credit_code, "meter_no": meter_no, "address": address, "institution_id": institution_id,
            "contact_name": contact_name, "contact_phone": contact_phone,
        ].compactMapValues { $0 }
    }
}

/// The free checks: the open sessions to book, and the form that asks a utility to check a meter
/// (`public-checks.mustache`). `values` are the fields as posted (empty on the first visit).
struct PublicChecksView: PageView {
    struct Slot: Encodable, Sendable, Equatable {
        var id: String
        var day: String
        var time: String
        var place: String
        var items: String
        var institution: String
        var left: String
        var selected: Bool
    }
    struct Institution: Encodable, Sendable, Equatable {
        var id: String
        var name: String
        var selected: Bool
    }
    var slots: [Slot]
    var noSlots: Bool
    var institutions: [Institution]
    var meters: [OptionView]
    /// The form's values as posted: the template reads `v.item`, `v.contact_name`, ….
    var v: [String: String]
    var error: String?

    static func build(
        lang: PageStrings.Language, today: CalendarDay, values: [String: String], error: String?, on db: any Database
    ) async throws -> PublicChecksView {
        let t = PublicStrings.strings(lang)
        let slots = try await FreeChecks.openSlots(from: today, on: db).map { (s, i) in
            Slot(
                id: "\(s.id!)", day: s.day, time: s.time, place: s.place, items: s.items, institution: i.name, left: "\(s.capacity - s.booked)",
                selected: values["slot_id"] == "\(s.id!)")
        }
        let institutions = try await InstitutionModel.query(on: db).sort(\.$name).all().map {
            Institution(id: "\($0.id!)", name: $0.name, selected: values["institution_id"] == "\($0.id!)")
        }
        let meters = FreeChecks.Meter.allCases.map {
            OptionView(value: $0.rawValue, label: t.lookup($0.rawValue) ?? $0.rawValue, selected: values["meter"] == $0.rawValue)
        }
        return PublicChecksView(slots: slots, noSlots: slots.isEmpty, institutions: institutions, meters: meters, v: values, error: error)
    }
}

/// A booking or a meter check followed by its code (`public-check.mustache`).
struct PublicCheckView: PageView {
    var code: String
    var state: String
    var stateCode: String
    var item: String
    var institution: String
    var session: String?
    var result: String?
    var tone: String?
    var note: String?
    var doneOn: String?

    /// Throws `RegistryError.notFound` for a malformed or unknown code alike.
    static func build(code: String, lang: PageStrings.Language, on db: any Database) async throws -> PublicCheckView {
        let t = PublicStrings.strings(lang)
        let (m, slot, institution) = try await FreeChecks.track(code, on: db)
        let stateKey = ["booked": "stateBooked", "done": "stateDone", "cancelled": "stateCancelled"][m.state] ?? "stateBooked"
        return PublicCheckView(
            code: TrackingCode(typed: m.code)?.grouped ?? m.code, state: t.lookup(stateKey) ?? stateKey, stateCode: m.state,
            item: m.kind == FreeChecks.Kind.meter.rawValue ? (t.lookup(m.item) ?? m.item) : m.item, institution: institution?.name ?? "",
            session: slot.map { "\($0.day) \($0.time) · \($0.place)" },
            result: m.result.map { $0 == "pass" ? t[.resultPass] : t[.resultFail] }, tone: m.result.map { $0 == "pass" ? "ok" : "bad" },
            note: m.resultNote, doneOn: m.doneOn)
    }
}
