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

    func status(base: String, nextDue: String?, dueKind: String?) -> ComplianceStatus {
        ComplianceEngine.status(
            base: ComplianceBase(rawValue: base) ?? .notFiled, nextDue: nextDue.flatMap(CalendarDay.init), dueKind: dueKind.flatMap(DueKind.init),
            on: today, window: config.dueSoonWindow)
    }

    func home(_ request: Request, error: String?, code: String, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        var model: [String: Any] = ["t": t, "code": code]
        if let error { model["error"] = error }
        return render("public-home", model, title: t[.lookupTitle], request: request, status: status, cache: error == nil ? 300 : nil)
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
            return try await home(request, error: "\(t[.badCode]) (code): \(error.description)", code: raw, status: .badRequest)
        }
    }

    func instrumentPage(_ request: Request, code: String) async throws -> Response {
        let lang = language(request)
        let t = PublicStrings.strings(lang)
        guard let i = try await PublicLookup.instrument(code: code, store: store) else {
            let valid = (try? InstrumentCode(validating: code)) != nil
            return miss(try await home(request, error: valid ? t[.notFoundCode] : t[.badCode], code: code, status: valid ? .notFound : .badRequest))
        }
        let s = status(base: i.complianceBase, nextDue: i.nextDue, dueKind: i.dueKind)
        let view = Self.statusView(s, t)
        var page = PublicHTML.Instrument(
            statusLabel: view.label, tone: view.tone, statusCode: s.rawValue, name: i.name, code: i.code,
            codeGrouped: (try? InstrumentCode(validating: i.code).grouped) ?? i.code, item: i.subName, owner: i.ownerName, credit: i.ownerCreditCode,
            place: [i.regionName, PublicLookup.privateAddressIndustries.contains(i.ownerIndustry) ? nil : i.address].compactMap { $0 }.joined(separator: " "),
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
        } catch {
            store.logger.error("public certificate check failed for record \(recordID): \(error)")
            return .failed
        }
    }

    /// The latest record's certificate file, for `jiliang verify certificate` or any RFC 6962 tool.
    func certificateFile(_ request: Request, code: String) async throws -> Response {
        guard let i = try await PublicLookup.instrument(code: code, store: store), let id = i.recordID else {
            throw RegistryError.notFound(entity: "certificate", key: code)
        }
        do {
            let cert = try await ledger.certificate(of: .verificationRecord, id: id)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; charset=utf-8", .contentDisposition: "attachment; filename=\"\(i.code)-certificate.txt\"", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(string: cert.serialized)))
        } catch let e as Ledger.CertificateError {
            throw RegistryError.conflict(field: "code", message: e.description)
        }
    }

    func businessPage(_ request: Request, credit: String) async throws -> Response {
        let lang = language(request)
        let t = PublicStrings.strings(lang)
        guard let (b, page) = try await PublicLookup.business(creditCode: credit, cursor: request.uri.queryParameters["cursor"].map(String.init), on: db) else {
            throw RegistryError.notFound(entity: "business", key: credit)
        }
        let rows = page.items.map { i -> [String: String] in
            let s = status(base: i.complianceBase, nextDue: i.nextDue, dueKind: i.dueKind)
            let v = Self.statusView(s, t)
            return ["code": i.code, "name": i.name, "item": i.subName, "statusLabel": v.label, "tone": v.tone, "nextDue": i.nextDue ?? "—"]
        }
        var model: [String: Any] = [
            "t": t, "name": b.name, "credit": b.creditCode, "address": b.address, "instruments": rows, "empty": rows.isEmpty,
            "industry": PageStrings.industryLabel(b.industry, lang),
        ]
        if let next = page.nextCursor { model["next"] = "/p/b/\(b.creditCode)?cursor=\(next)" }
        // The honesty record is read live here (the business page is opened far less than an instrument's).
        let summary = (try await PublicCredit.snapshotFor(creditCode: b.creditCode, today: today, on: db))
        model["honesty"] = PublicHTML.honestyHTML(summary, t)
        let shown = try await Penalties.shown(ownerID: b.id, today: today, on: db)
        model["hasPenalties"] = !shown.isEmpty
        model["penalties"] = shown.map {
            ["decision": $0.decisionNo, "kind": PageStrings.penaltyKindLabel($0.kind, lang), "decided": $0.decidedOn, "basis": $0.legalBasis,
             "facts": $0.facts, "amount": $0.amountYuan.map { "\($0) 元" } ?? "", "until": $0.displayUntil ?? ""]
        }
        return render("public-business", model, title: b.name, request: request, cache: 60)
    }

    func demonstrationUnitsPage(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let q = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(40))
        let rows = try await Demonstration.units(search: q, today: today, on: db).map { a, o, r in
            ["name": o.name, "credit": o.creditCode, "region": o.regionCode, "since": a.awardedOn ?? "", "until": a.validUntil ?? "", "title": r.title]
        }
        return render("public-credit-list", ["t": t, "heading": t[.demoUnits], "intro": t[.demoUnitsIntro], "action": "/p/honest", "q": q,
                                             "rows": rows, "empty": rows.isEmpty, "listId": "demo-units",
                                             "groundLabel": t[.round], "untilLabel": t[.until]], title: t[.demoUnits], request: request, cache: 60)
    }

    func listedPartiesPage(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let q = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(40))
        let rows = try await Listings.shown(ownerID: nil, search: q, today: today, on: db).map { m, o in
            ["name": o.name, "credit": o.creditCode, "region": o.regionCode, "since": m.publishedOn ?? "", "until": m.removalOn ?? "", "title": m.reason]
        }
        return render("public-credit-list", ["t": t, "heading": t[.listedParties], "intro": t[.listedIntro], "action": "/p/dishonest", "q": q,
                                             "rows": rows, "empty": rows.isEmpty, "listId": "listed-parties",
                                             "groundLabel": t[.ground], "untilLabel": t[.listedUntil]], title: t[.listedParties], request: request, cache: 60)
    }

    func commitmentLetter(_ request: Request, id: Int) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let (c, o) = try await PublicCredit.commitment(id, on: db)
        return render("commitment-letter", ["t": t, "title": c.title, "body": c.body.split(separator: "\n").map { ["line": String($0)] }, "owner": o.name,
                                            "credit": o.creditCode, "signer": "\(c.signerTitle) \(c.signerName)", "signed": c.signedOn, "phone": c.complaintPhone],
                      title: c.title, request: request, cache: 60)
    }

    func institutionsPage(_ request: Request) async throws -> Response {
        let t = PublicStrings.strings(language(request))
        let rows = try await PublicLookup.institutions(on: db, today: today).map { (i, scopes) -> [String: Any] in
            ["name": i.name, "kind": i.kind == "legal" ? t[.legal] : t[.authorised], "address": i.address,
             "scopes": scopes.map { ["item": $0.subName, "region": $0.regionName, "until": $0.validUntil] }, "hasScopes": !scopes.isEmpty]
        }
        return render("public-institutions", ["t": t, "institutions": rows], title: t[.institutions], request: request, cache: 300)
    }
}
