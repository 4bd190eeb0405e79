import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangLedger
import JiliangStore

extension PublicSite {
    /// The public address of an instrument: what its label's QR code carries.
    static func instrumentURL(base: String, code: String) -> String { "\(base)/p/i/\(code)" }

    /// A status in words and colour, for people (not the API's raw values).
    static func statusView(_ s: ComplianceStatus, _ t: PublicText) -> (label: String, tone: String) {
        switch s {
        case .valid: (t[.statusValid], "ok")
        case .dueSoon: (t[.statusDueSoon], "warn")
        case .overdue: (t[.statusOverdue], "bad")
        case .failed: (t[.statusFailed], "bad")
        case .lifeExpired: (t[.statusLifeExpired], "bad")
        case .ruleMissing: (t[.statusRuleMissing], "warn")
        case .notFiled: (t[.statusNotFiled], "grey")
        case .suspended: (t[.statusSuspended], "grey")
        case .scrapped: (t[.statusScrapped], "grey")
        }
    }


    func home(_ request: Request, error: String?, code: String, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        return render(
            "public-home", view: PublicHomeView(code: code, error: error), title: t[.lookupTitle], request: request, status: status,
            cache: error == nil ? 300 : nil)
    }

    /// Typed codes: a malformed one is named as such (the check character catches typos); a
    /// well-formed unknown one is a miss.
    func lookup(_ request: Request) async throws -> Response {
        let raw = request.uri.queryParameters["code"].map(String.init) ?? ""
        let t = PublicStrings.strings(language(request))
        do {
            let code = try InstrumentCode(validating: raw)
            return redirect("/p/i/\(code.value)")
        } catch {
            let why = RefusalText.instrumentCodeProblem(raw, language(request) == .zh)
            return try await home(request, error: "\(t[.badCode]) (code): \(why)", code: raw, status: .badRequest)
        }
    }

    func instrumentPage(_ request: Request, code: String) async throws -> Response {
        let lang = language(request)
        let t = PublicStrings.strings(lang)
        guard let i = try await PublicLookup.instrument(code: code, store: store) else {
            let valid = (try? InstrumentCode(validating: code)) != nil
            return miss(try await home(request, error: valid ? t[.notFoundCode] : t[.badCode], code: code, status: valid ? .notFound : .badRequest))
        }
        let s = StoredStatus.of(base: i.complianceBase, nextDue: i.nextDue, dueKind: i.dueKind, on: today, window: config.dueSoonWindow)
        let view = Self.statusView(s, t)
        var page = PublicHTML.Instrument(
            statusLabel: view.label, tone: view.tone, statusCode: s.rawValue, name: i.name, code: i.code,
            codeGrouped: (try? InstrumentCode(validating: i.code).grouped) ?? i.code, item: i.subName, owner: i.ownerName, credit: i.ownerCreditCode,
            place: i.publicPlace,
            cert: .none)
        page.honesty = await honesty.summary(creditCode: i.ownerCreditCode, today: today, store: store)
        if let d = i.nextDue, s != .scrapped, s != .suspended {
            page.nextDue = d
            page.dueLabel = i.dueKind == DueKind.rotation.rawValue ? t[.rotationDue] : t[.nextDue]
        }
        if let v = i.lastVerifiedOn {
            page.lastVerified = "\(v) · \(i.lastResult == "pass" ? t[.resultPass] : t[.resultFail])"
            page.institution = i.institutionName
            page.certificateNo = i.certificateNo
            if let id = i.recordID { page.cert = try await certificateState(recordID: id, ledgered: i.ledgered) }
        }
        return self.page(body: PublicHTML.instrumentBody(page, t), title: "\(i.name) · \(view.label)", request: request, cache: 60)
    }

    /// "Certificate verified" only when the record's inclusion proof checks against the latest
    /// published checkpoint under the log's trust policy (signature and witness quorum).
    func certificateState(recordID: Int, ledgered: Bool) async throws -> PublicHTML.Instrument.Certificate {
        guard ledgered else { return .pending }
        if let size = certificateChecks.verified(record: recordID) { return .verified(size: size) }
        do {
            let cert = try await ledger.certificate(of: .verificationRecord, id: recordID)
            let verified = try cert.verify(policy: ledger.configuration.policy)
            certificateChecks.remember(record: recordID, checkpointSize: verified.checkpoint.size)
            return .verified(size: verified.checkpoint.size)
        } catch is Ledger.CertificateError {
            return .pending
        } catch where DatabaseAvailability.isUnavailable(error) {
            // The primary is away (a failover): not known now, which is not a failed proof.
            return .pending
        } catch {
            store.logger.error("public certificate check failed for record \(recordID): \(error)")
            return .failed
        }
    }

    /// The latest record's certificate file, for `jiliang verify certificate` or any RFC 6962 tool.
    func certificateFile(_ request: Request, code: String) async throws -> Response {
        guard let i = try await PublicLookup.instrument(code: code, store: store), let id = i.recordID else {
            throw RegistryError.notFound(.certificate, key: code)
        }
        do {
            let cert = try await ledger.certificate(of: .verificationRecord, id: id)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; charset=utf-8", .contentDisposition: "attachment; filename=\"\(i.code)-certificate.txt\"", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(string: cert.serialized)))
        } catch let e as Ledger.CertificateError {
            throw RegistryError.conflict(field: "code", reason: e.refusal)
        }
    }

    // Public reads that may be a few seconds stale go to the read replica when one keeps up
    // (`Store.reading`, issue #22 item 3); the ledger's certificate checks stay on the primary.
    func businessPage(_ request: Request, credit: String) async throws -> Response {
        let view = try await store.reading { db in try await PublicBusinessView.build(
            credit: credit, cursor: request.uri.queryParameters["cursor"].map(String.init), lang: language(request), today: today,
            window: config.dueSoonWindow, on: db) }
        return render("public-business", view: view, title: view.name, request: request, cache: 60)
    }

    func demonstrationUnitsPage(_ request: Request) async throws -> Response {
        let q = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(40))
        let view = try await store.reading { db in try await PublicCreditListView.demonstrationUnits(search: q, lang: language(request), today: today, on: db) }
        return render("public-credit-list", view: view, title: view.heading, request: request, cache: 60)
    }

    func listedPartiesPage(_ request: Request) async throws -> Response {
        let q = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(40))
        let view = try await store.reading { db in try await PublicCreditListView.listedParties(search: q, lang: language(request), today: today, on: db) }
        return render("public-credit-list", view: view, title: view.heading, request: request, cache: 60)
    }

    func commitmentLetter(_ request: Request, id: Int) async throws -> Response {
        let view = try await PublicCommitmentLetterView.build(id, on: db)
        return render("commitment-letter", view: view, title: view.title, request: request, cache: 60)
    }

    func institutionsPage(_ request: Request) async throws -> Response {
        let lang = language(request)
        let view = try await store.reading { db in try await PublicInstitutionsView.build(lang: lang, today: today, on: db) }
        return render("public-institutions", view: view, title: PublicStrings.strings(lang)[.institutions], request: request, cache: 300)
    }
}

/// The lookup form, with what was typed and why it was refused (`public-home.mustache`).
struct PublicHomeView: PageView {
    var code: String
    var error: String?
}

/// A business by its credit code: what is public of it, its published penalties and one page of
/// its instruments (`public-business.mustache`).
struct PublicBusinessView: PageView {
    struct Instrument: Encodable, Sendable, Equatable {
        var code: String
        var name: String
        var item: String
        var statusLabel: String
        var tone: String
        var nextDue: String
    }
    struct Penalty: Encodable, Sendable, Equatable {
        var decision: String
        var kind: String
        var decided: String
        var basis: String
        var facts: String
        var amount: String
        var until: String
    }
    var name: String
    var credit: String
    var address: String
    var industry: String
    var instruments: [Instrument]
    var empty: Bool
    /// The next page of instruments, if any.
    var next: String?
    /// The honesty record as HTML (`PublicHTML.honestyHTML`, escaped there).
    var honesty: String
    var hasPenalties: Bool
    var penalties: [Penalty]

    /// An unknown or malformed credit code throws `RegistryError.notFound`.
    static func build(
        credit: String, cursor: String?, lang: PageStrings.Language, today: CalendarDay, window: Int, on db: any Database
    ) async throws -> PublicBusinessView {
        let t = PublicStrings.strings(lang)
        guard let (b, page) = try await PublicLookup.business(creditCode: credit, cursor: cursor, on: db) else {
            throw RegistryError.notFound(.business, key: credit)
        }
        let rows = page.items.map { i -> Instrument in
            let s = StoredStatus.of(base: i.complianceBase, nextDue: i.nextDue, dueKind: i.dueKind, on: today, window: window)
            let v = PublicSite.statusView(s, t)
            return Instrument(code: i.code, name: i.name, item: i.subName, statusLabel: v.label, tone: v.tone, nextDue: i.nextDue ?? "—")
        }
        // The honesty record is read live here (the business page is opened far less than an instrument's).
        let summary = try await PublicCredit.snapshotFor(creditCode: b.creditCode, today: today, on: db)
        let shown = try await Penalties.shown(ownerID: b.id, today: today, on: db)
        let penalties = shown.map {
            Penalty(
                decision: $0.decisionNo, kind: PageStrings.penaltyKindLabel($0.kind, lang), decided: $0.decidedOn, basis: $0.legalBasis,
                facts: $0.facts, amount: $0.amountYuan.map { "\($0) 元" } ?? "", until: $0.displayUntil ?? "")
        }
        return PublicBusinessView(
            name: b.name, credit: b.creditCode, address: b.address, industry: PageStrings.industryLabel(b.industry, lang), instruments: rows,
            empty: rows.isEmpty, next: page.nextCursor.map { "/p/b/\(b.creditCode)?cursor=\($0)" }, honesty: PublicHTML.honestyHTML(summary, t),
            hasPenalties: !shown.isEmpty, penalties: penalties)
    }
}

/// A public credit list: the demonstration units (诚信计量示范单位) or the parties on the serious
/// dishonesty list, searchable by name or credit code (`public-credit-list.mustache`).
struct PublicCreditListView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var name: String
        var credit: String
        var region: String
        var since: String
        var until: String
        /// The round's title, or the listing's reason.
        var title: String
    }
    var heading: String
    var intro: String
    /// Where the search form goes.
    var action: String
    var q: String
    var rows: [Row]
    var empty: Bool
    var listId: String
    var groundLabel: String
    var untilLabel: String

    static func demonstrationUnits(search q: String, lang: PageStrings.Language, today: CalendarDay, on db: any Database) async throws -> PublicCreditListView {
        let t = PublicStrings.strings(lang)
        let rows = try await Demonstration.units(search: q, today: today, on: db).map { a, o, r in
            Row(name: o.name, credit: o.creditCode, region: o.regionCode, since: a.awardedOn ?? "", until: a.validUntil ?? "", title: r.title)
        }
        return PublicCreditListView(
            heading: t[.demoUnits], intro: t[.demoUnitsIntro], action: "/p/honest", q: q, rows: rows, empty: rows.isEmpty, listId: "demo-units",
            groundLabel: t[.round], untilLabel: t[.until])
    }

    static func listedParties(search q: String, lang: PageStrings.Language, today: CalendarDay, on db: any Database) async throws -> PublicCreditListView {
        let t = PublicStrings.strings(lang)
        let rows = try await Listings.shown(ownerID: nil, search: q, today: today, on: db).map { m, o in
            Row(name: o.name, credit: o.creditCode, region: o.regionCode, since: m.publishedOn ?? "", until: m.removalOn ?? "", title: m.reason)
        }
        return PublicCreditListView(
            heading: t[.listedParties], intro: t[.listedIntro], action: "/p/dishonest", q: q, rows: rows, empty: rows.isEmpty,
            listId: "listed-parties", groundLabel: t[.ground], untilLabel: t[.listedUntil])
    }
}

/// A signed commitment letter (诚信计量承诺书), public while it stands (`commitment-letter.mustache`).
struct PublicCommitmentLetterView: PageView {
    struct Line: Encodable, Sendable, Equatable {
        var line: String
    }
    var title: String
    var body: [Line]
    var owner: String
    var credit: String
    var signer: String
    var signed: String
    var phone: String

    /// A withdrawn, ended or unknown letter throws `RegistryError.notFound`.
    static func build(_ id: Int, on db: any Database) async throws -> PublicCommitmentLetterView {
        let (c, o) = try await PublicCredit.commitment(id, on: db)
        return PublicCommitmentLetterView(
            title: c.title, body: c.body.split(separator: "\n").map { Line(line: String($0)) }, owner: o.name, credit: o.creditCode,
            signer: "\(c.signerTitle) \(c.signerName)", signed: c.signedOn, phone: c.complaintPhone)
    }
}

/// The institutes with their current authorisations (`public-institutions.mustache`).
struct PublicInstitutionsView: PageView {
    struct Scope: Encodable, Sendable, Equatable {
        var item: String
        var region: String
        var until: String
    }
    struct Institution: Encodable, Sendable, Equatable {
        var name: String
        var kind: String
        var address: String
        var scopes: [Scope]
        var hasScopes: Bool
    }
    var institutions: [Institution]

    static func build(lang: PageStrings.Language, today: CalendarDay, on db: any Database) async throws -> PublicInstitutionsView {
        let t = PublicStrings.strings(lang)
        let rows = try await PublicLookup.institutions(on: db, today: today).map { (i, scopes) in
            Institution(
                name: i.name, kind: i.kind == "legal" ? t[.legal] : t[.authorised], address: i.address,
                scopes: scopes.map { Scope(item: $0.subName, region: $0.regionName, until: $0.validUntil) }, hasScopes: !scopes.isEmpty)
        }
        return PublicInstitutionsView(institutions: rows)
    }
}
