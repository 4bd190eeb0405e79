import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangPDF
import JiliangStore
import Mustache

/// The registry (issue #3) for staff and owners: the dashboard, the instrument list (with its CSV
/// export and printable labels), an owner's draft instrument, the instrument page with its filing
/// and verification forms, the regional drill-down, owners and ledger certificates. Pages call the
/// same `Registry`, `Filings` and `VerificationRequests` functions as the API, with the caller's
/// scope; views are built without HTTP (`RegistryViews`).
struct RegistryController: PageController {
    let app: WebApp
    var window: Int { app.config.dueSoonWindow }

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.dashboard.path) { request, context in
            let p = context.principal
            let view = try await DashboardView.build(
                by: p, lang: app.language(request), today: app.today, window: window, publicBaseURL: app.config.publicBaseURL, on: db)
            return app.render("dashboard", view: view, title: PageStrings.strings(app.language(request))[.dashboard], request: request, caller: p)
        }
        router.get(Site.instruments.path) { request, context in
            let p = context.principal
            let view = try await InstrumentListView.build(
                InstrumentQuery(request), by: p, lang: app.language(request), today: app.today, window: window, on: db)
            return app.render("instruments", view: view, title: PageStrings.strings(app.language(request))[.instruments], request: request, caller: p)
        }
        router.get(Site.instrumentsCSV.path) { request, context in try await instrumentCSV(InstrumentQuery(request), context.principal) }
        router.get(Site.regions.path) { _, context in app.redirect(Site.region(context.principal.region?.value ?? "350000")) }
        router.get(Site.region.path) { request, context in
            let p = context.principal
            let view = try await RegionView.build(
                code: context.parameters.get("code") ?? "", by: p, lang: app.language(request), today: app.today, window: window, on: db)
            return app.render("regions", view: view, title: view.name, request: request, caller: p)
        }
        router.get(Site.owner.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let view = try await OwnerView.build(id, by: context.principal, lang: app.language(request), today: app.today, window: window, on: db)
            return app.render("owner", view: view, title: view.name, request: request, caller: context.principal)
        }
        router.get(Site.newInstrument.path) { request, context in try await newInstrument(request, context.principal, error: nil) }
        router.post(Site.instruments.path) { request, context in try await createInstrument(request, context.principal) }
        router.get(Site.instrument.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let view = try await InstrumentView.build(
                id, by: context.principal, lang: app.language(request), today: app.today, window: window,
                publicBaseURL: app.config.publicBaseURL, on: db)
            return app.render("instrument", view: view, title: view.name, request: request, caller: context.principal)
        }
        router.get(Site.certificate.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let lang = app.language(request)
            let view = try await CertificateView.build(id, by: context.principal, lang: lang, ledger: app.ledger, on: db)
            return app.render(
                "certificate", view: view, title: "\(PageStrings.strings(lang)[.ledgerCertificate]) · \(view.instrument)", request: request,
                caller: context.principal)
        }
        router.post(Site.instrumentFiling.path) { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            _ = try await Filings.submit(instrumentID: id, by: context.principal, on: db)
            return app.redirect(Site.instrument(id) + "?flash=filedNotice")
        }
        router.post(Site.instrumentApply.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            let f = try await app.form(ApplyForm.self, request)
            _ = try await VerificationRequests.apply(
                instrumentID: id, institutionID: f.institution_id.flatMap { Int($0) }, mode: f.mode, note: nil, today: app.today,
                by: context.principal, on: db)
            return app.redirect(Site.instrument(id) + "?flash=appliedNotice")
        }
        router.get(Site.labels.path) { request, context in try await labelsPage(request, context.principal) }
        router.get(Site.labelsPDF.path) { request, context in try await labelsPDF(request, context.principal) }
        // Institutions: the administrator's list, each institution's page and its authorisations.
        InstitutionsController(app: app).addRoutes(to: router)
    }

    /// The filtered list as CSV (UTF-8 with BOM, so that Excel shows the Chinese), every page of it.
    func instrumentCSV(_ query: InstrumentQuery, _ p: Principal) async throws -> Response {
        let filter = try query.filter()
        let today = app.today
        var csv = "\u{FEFF}code,name,serial_no,sub_no,region_code,owner_id,lifecycle,status,next_due\n"
        var cursor: String?
        repeat {
            let page = try await Registry.instruments(filter, today: today, window: window, cursor: cursor, limit: 500, scope: p.scope, on: db)
            for m in page.items {
                csv += [
                    m.code, m.name, m.serialNo, "\(m.subNo)", m.regionCode, "\(m.ownerID)", m.lifecycle,
                    m.status(on: today, window: window).rawValue, m.nextDue ?? "",
                ].map(\.csvEscaped).joined(separator: ",") + "\n"
            }
            cursor = page.nextCursor
        } while cursor != nil
        return Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"instruments-\(today).csv\""],
            body: .init(byteBuffer: .init(string: csv)))
    }

    func newInstrument(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        let view = try await NewInstrumentView.build(by: p, lang: app.language(request), error: error, on: db)
        return app.render(
            "instrument-new", view: view, title: PageStrings.strings(app.language(request))[.newInstrument], request: request, caller: p,
            status: error == nil ? .ok : .badRequest)
    }

    /// An owner's draft (the bureau files instruments through the API or an import). Bad input
    /// shows the form again with the message.
    func createInstrument(_ request: Request, _ p: Principal) async throws -> Response {
        let f = try await app.form(NewInstrumentForm.self, request)
        guard p.role == .owner, let ownerID = p.ownerIDs.first, let owner = try await OwnerModel.find(ownerID, on: db) else {
            throw RegistryError.forbidden(.request(.ownersOnlyRegisterHere))
        }
        var raw = RawInstrument()
        raw.subNo = f.sub_no
        raw.name = f.name
        raw.serialNo = f.serial_no
        raw.address = f.address
        raw.inServiceDate = f.in_service_date
        raw.attributes = f.attributes
        raw.purpose = UsePurpose.tradeSettlement.rawValue
        raw.regionCode = owner.regionCode
        raw.ownerCreditCode = owner.creditCode
        raw.status = LifecycleStatus.draft.rawValue
        do {
            let d = try InstrumentDraft.parse(raw, context: try await Registry.context(on: db))
            var rng = SystemRandomNumberGenerator()
            let m = try await Registry.createInstrument(d, scope: p.scope, on: db, generator: &rng)
            return app.redirect(Site.instrument(m.id!))
        } catch let e as ValidationFailure {
            return try await newInstrument(request, p, error: RefusalText.words(e, app.language(request)))
        }
    }

    /// A printable page of the labels (A4, 3 × 8, the browser prints it to any label sheet): a page
    /// of its own, not in the staff frame.
    func labelsPage(_ request: Request, _ p: Principal) async throws -> Response {
        let view = try await LabelsView.build(
            InstrumentQuery(request), by: p, today: app.today, window: window, publicBaseURL: app.config.publicBaseURL,
            pdfLink: Site.labelsPDF() + (request.uri.query.map { "?" + $0 } ?? ""), on: db)
        let scope = PageScope(view: view, t: PageStrings.strings(app.language(request)), csrf: RequestCaller.csrf ?? "")
        let html = app.templates.render(scope, withTemplate: "labels") ?? ""
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: .init(string: html)))
    }

    /// The same labels as a PDF (cairo + Pango), for label printers and print shops.
    func labelsPDF(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(app.language(request))
        let today = app.today
        let rows = try await LabelsView.rows(InstrumentQuery(request), by: p, today: today, window: window, on: db)
        let pdf = try LabelSheet.pdf(
            rows.map {
                LabelSheet.Label(
                    qrText: PublicSite.instrumentURL(base: app.config.publicBaseURL, code: $0.code), code: $0.grouped,
                    lines: [$0.owner, $0.item, "\(t[.nextDue]) \($0.nextDue)"])
            },
            title: "\(t[.labels]) \(today)")
        return Response(
            status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"labels-\(today).pdf\""],
            body: .init(byteBuffer: .init(bytes: pdf)))
    }
}

extension InstrumentQuery {
    /// The list's query from the request's URL.
    init(_ request: Request) {
        let q = request.uri.queryParameters
        self.init(
            status: q["status"].map(String.init), region: q["region"].map(String.init), subNo: q["sub_no"].map(String.init),
            sort: q["sort"].map(String.init), q: q["q"].map(String.init), cursor: q["cursor"].map(String.init))
    }
}

/// An owner's draft instrument (field names as posted).
struct NewInstrumentForm: Decodable, Sendable {
    var sub_no: String?
    var name: String?
    var serial_no: String?
    var address: String?
    var in_service_date: String?
    /// The family fields filled in (`FamilyFields`; the form offers every family's, a family's
    /// own are checked against the chosen sub-item), empty ones left out.
    var attributes: [String: String]

    init(from decoder: any Decoder) throws {
        let posted = try [String: String](from: decoder)
        (sub_no, name, serial_no, address, in_service_date) = (posted["sub_no"], posted["name"], posted["serial_no"], posted["address"], posted["in_service_date"])
        attributes = posted.filter { FamilyFields.field($0.key) != nil && !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

/// An application for verification: the institution and the mode.
struct ApplyForm: Decodable, Sendable {
    var institution_id: String?
    var mode: String?
}
