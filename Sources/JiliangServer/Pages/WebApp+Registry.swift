import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangQR
import JiliangStore

extension WebApp {
    // MARK: Pages

    func dashboard(_ request: Request, _ p: Principal) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let counts = try await Registry.countsByStatus(today: today, window: config.dueSoonWindow, scope: p.scope, on: db).map {
            ["status": $0.0.rawValue, "label": PageStrings.statusLabel($0.0.rawValue, lang), "count": "\($0.1)"]
        }
        var waiting: [[String: String]] = []
        if p.may(.reviewFilings) {
            let n = try await Filings.list(state: .submitted, instrumentID: nil, cursor: nil, limit: 500, scope: p.scope, on: db).items.count
            if n > 0 { waiting.append(["link": Site.filings(), "text": "\(t[.filings]): \(n)"]) }
        }
        if p.may(.recordVerifications) {
            let open = try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 500, scope: p.scope, on: db)
                .items.filter { $0.state == "applied" || $0.state == "accepted" }.count
            if open > 0 { waiting.append(["link": Site.requests(), "text": "\(t[.requests]): \(open)"]) }
        }
        // Next year's public holidays, from December on (issue #19, item 7).
        let calendar = p.may(.manageReference) ? try await VerificationRequests.calendarCoverage(today: today, on: db) : nil
        if let calendar, calendar.nextYearMissing {
            waiting.append(["link": Site.calendar(), "text": String(format: t[.calendarNextMissing], calendar.missingYear, calendar.missingYear)])
        }
        if p.role == .owner {
            let returned = try await Filings.list(state: .returned, instrumentID: nil, cursor: nil, limit: 50, scope: p.scope, on: db).items
            for f in returned { waiting.append(["link": Site.instrument(f.instrumentID), "text": "\(t[.returnIt]): \(f.reason ?? "")"]) }
        }
        var inbox: [ShownMessage] = []
        for box in mailboxes(p) {
            for m in try await Warnings.inbox(recipient: box, cursor: nil, limit: 10, on: db).items {
                inbox.append(NoticeText.shown(m, language(request), publicBaseURL: config.publicBaseURL))
            }
        }
        let scopeLabel = p.region.map { "\($0.value)" } ?? p.role.chineseName
        return render("dashboard", ["t": t, "counts": counts, "waiting": waiting, "inbox": Array(inbox.prefix(10)), "scopeLabel": scopeLabel],
                      title: t[.dashboard], request: request, caller: p)
    }

    func mailboxes(_ p: Principal) -> [String] {
        switch p.role {
        case .provinceAdmin: ["admin"]
        case .bureauStaff: p.region.map { ["region:\($0.value)"] } ?? []
        case .owner: p.ownerIDs.map { "owner:\($0)" }
        case .instituteStaff: []
        }
    }

    /// The list's filters from the query: status, region subtree, search text.
    func listFilter(_ request: Request) throws -> Registry.InstrumentFilter {
        let q = request.uri.queryParameters
        var region: RegionCode?
        if let r = q["region"].map(String.init), !r.isEmpty {
            guard let code = RegionCode(r) else { throw RegistryError.invalid("region", "must be a 6-digit region code, got '\(r)'") }
            region = code
        }
        var subNo: Int?
        if let raw = q["sub_no"].map(String.init), !raw.isEmpty {
            guard let n = Int(raw), n > 0 else { throw RegistryError.invalid("sub_no", "must be a catalogue sub-item number, got '\(raw)'") }
            subNo = n
        }
        var sort = InstrumentSort.registration
        if let raw = q["sort"].map(String.init), !raw.isEmpty {
            guard let s = InstrumentSort(rawValue: raw) else {
                throw RegistryError.invalid("sort", "must be one of \(InstrumentSort.allCases.map(\.rawValue).joined(separator: ", ")), got '\(raw)'")
            }
            sort = s
        }
        return .init(
            region: region, subNo: subNo, status: q["status"].flatMap { ComplianceStatus(rawValue: String($0)) },
            search: q["q"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }, sort: sort)
    }

    func instrumentList(_ request: Request, _ p: Principal) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let filter = try listFilter(request)
        let page = try await Registry.instruments(
            filter, today: today, window: config.dueSoonWindow, cursor: request.uri.queryParameters["cursor"].map(String.init), limit: 50,
            scope: p.scope, on: db)
        let items = page.items.map { m -> [String: String] in
            let s = statusOf(m)
            return ["id": "\(m.id!)", "link": Site.instrument(m.id!), "code": m.code, "name": m.name, "serial": m.serialNo, "status": s, "statusLabel": PageStrings.statusLabel(s, lang),
                    "nextDue": m.nextDue ?? ""]
        }
        let statuses = ComplianceStatus.allCases.map {
            ["value": $0.rawValue, "label": PageStrings.statusLabel($0.rawValue, lang), "selected": $0 == filter.status ? "1" : ""]
        }.map { $0.filter { !$0.value.isEmpty } }
        let query = "status=\(filter.status?.rawValue ?? "")&region=\(filter.region?.value ?? "")&q=\(formEncoded(filter.search ?? ""))&sort=\(filter.sort.rawValue)"
            + (filter.subNo.map { "&sub_no=\($0)" } ?? "")
        let sorts = InstrumentSort.allCases.map {
            ["value": $0.rawValue, "label": (t.lookup("sort_" + $0.rawValue) ?? "sort_" + $0.rawValue), "selected": $0 == filter.sort ? "1" : ""]
        }.map { $0.filter { !$0.value.isEmpty } }
        var model: [String: Any] = [
            "t": t, "items": items, "statuses": statuses, "sorts": sorts, "canFile": p.may(.fileInstruments), "q": filter.search ?? "",
            "region": filter.region?.value ?? "", "csvLink": Site.instrumentsCSV() + "?" + query,
            "labelsLink": Site.labels() + "?" + query, "labelsPDFLink": Site.labelsPDF() + "?" + query, "subNo": filter.subNo.map(String.init) as Any,
        ]
        if let c = page.nextCursor { model["next"] = Site.instruments() + "?cursor=\(c)&" + query }
        if let r = filter.region, let region = try await RegionModel.find(r.value, on: db) { model["regionName"] = region.name }
        return render("instruments", model, title: t[.instruments], request: request, caller: p)
    }

    /// The filtered list as CSV (UTF-8 with BOM, so that Excel shows the Chinese), every page of it.
    func instrumentCSV(_ request: Request, _ p: Principal) async throws -> Response {
        let filter = try listFilter(request)
        var csv = "\u{FEFF}code,name,serial_no,sub_no,region_code,owner_id,lifecycle,status,next_due\n"
        var cursor: String?
        repeat {
            let page = try await Registry.instruments(filter, today: today, window: config.dueSoonWindow, cursor: cursor, limit: 500, scope: p.scope, on: db)
            for m in page.items {
                csv += [m.code, m.name, m.serialNo, "\(m.subNo)", m.regionCode, "\(m.ownerID)", m.lifecycle, statusOf(m), m.nextDue ?? ""]
                    .map(\.csvEscaped).joined(separator: ",") + "\n"
            }
            cursor = page.nextCursor
        } while cursor != nil
        return Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"instruments-\(today).csv\""],
            body: .init(byteBuffer: .init(string: csv)))
    }

    /// Province → city → county: each child region's counts by status, and the region's counts by
    /// catalogue sub-item; every number links to the list behind it.
    func regionPage(_ request: Request, _ p: Principal, code: String) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        guard let rc = RegionCode(code), let region = try await RegionModel.find(rc.value, on: db) else {
            throw RegistryError.notFound(entity: "region", key: code)
        }
        // A bureau drills down inside its own region only.
        if case .region(let own) = p.scope, !own.contains(rc) { throw RegistryError.notFound(entity: "region", key: code) }
        guard p.role == .provinceAdmin || p.role == .bureauStaff else { throw RegistryError.forbidden("regional statistics") }
        let children = try await Registry.regions(parent: rc.value, on: db)
        let statuses: [ComplianceStatus] = [.overdue, .dueSoon, .failed, .lifeExpired, .ruleMissing, .notFiled, .valid]
        var rows: [[String: Any]] = []
        for child in children.isEmpty ? [region] : children {
            let childCode = RegionCode(child.id!)!
            let counts = try await Registry.countsByStatus(
                today: today, window: config.dueSoonWindow, scope: narrowed(p.scope, to: childCode), on: db)
            rows.append([
                "code": child.id!, "link": Site.region(child.id!), "name": child.name, "drill": !children.isEmpty && childCode.level != .county,
                "cells": counts.map { ["code": child.id!, "status": $0.0.rawValue, "count": "\($0.1)"] },
            ])
        }
        var names: [Int: String] = [:]
        for e in try await Registry.catalogue(on: db) { names[e.id!] = e.subName }
        let byStatus = try await Registry.countsBySubItemAndStatus(
            region: rc, today: today, window: config.dueSoonWindow, scope: p.scope, on: db)
        let items: [[String: Any]] = try await Registry.countsBySubItem(region: rc, scope: p.scope, on: db).map { item in
            [
                "subNo": "\(item.subNo)", "name": names[item.subNo] ?? "", "count": "\(item.count)",
                "cells": statuses.map { s in
                    ["code": rc.value, "status": s.rawValue, "subNo": "\(item.subNo)", "count": "\(byStatus[item.subNo]?[s] ?? 0)"]
                },
            ]
        }
        var model: [String: Any] = [
            "t": t, "code": rc.value, "name": region.name, "rows": rows, "items": items,
            "columns": statuses.map { ["status": $0.rawValue, "label": PageStrings.statusLabel($0.rawValue, lang)] },
        ]
        if let parent = rc.parent, p.scope == .everything || p.region.map({ $0.contains(parent) }) == true {
            model["parent"] = parent.value
            model["parentLink"] = Site.region(parent.value)
        }
        return render("regions", model, title: region.name, request: request, caller: p)
    }

    /// The caller's scope restricted to one region subtree.
    func narrowed(_ scope: AccessScope, to region: RegionCode) -> AccessScope {
        switch scope {
        case .everything: .region(region)
        case .region(let own): own.contains(region) ? .region(region) : (region.contains(own) ? .region(own) : .nothing)
        default: scope
        }
    }

    func ownerPage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let o = try await Registry.owner(id, scope: p.scope, on: db)
        let page = try await Registry.instruments(.init(ownerID: id), today: today, window: config.dueSoonWindow, cursor: nil, limit: 50, scope: p.scope, on: db)
        let items = page.items.map { m -> [String: String] in
            let s = statusOf(m)
            return ["id": "\(m.id!)", "link": Site.instrument(m.id!), "code": m.code, "name": m.name, "status": s, "statusLabel": PageStrings.statusLabel(s, lang)]
        }
        var model: [String: Any] = [
            "t": t, "name": o.name, "creditCode": o.creditCode, "address": o.address, "region": o.regionCode, "industry": o.industry, "items": items,
            "more": page.nextCursor != nil,
        ]
        if let c = [o.contactName, o.contactPhone].compactMap({ $0 }).joined(separator: " ") as String?, !c.isEmpty { model["contact"] = c }
        return render("owner", model, title: o.name, request: request, caller: p)
    }

    /// Institutions and their authorisation are public information.
    func institutionPage(_ request: Request, _ p: Principal, id: Int, error: String? = nil) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let i = try await Registry.institution(id, on: db)
        var names: [Int: String] = [:]
        for e in try await Registry.catalogue(on: db) { names[e.id!] = e.subName }
        let scopes = try await Registry.scopes(of: id, on: db).map {
            ["subNo": "\($0.subNo)", "subName": names[$0.subNo] ?? "", "region": $0.region.value, "from": $0.validFrom.description, "until": $0.validUntil.description]
        }
        var model: [String: Any] = [
            "t": t, "id": "\(id)", "authorisationsAction": Site.institutionAuthorisations(id), "name": i.name, "kind": t.lookup("inst_" + i.kind) ?? i.kind, "address": i.address, "region": i.regionCode,
            "scopes": scopes, "canManage": p.may(.manageReference),
        ]
        if p.may(.manageReference) { model["catalogue"] = try await catalogueOptions() }
        if let error { model["error"] = error }
        return render("institution", model, title: i.name, request: request, caller: p, status: error == nil ? .ok : .badRequest)
    }

    func statusOf(_ m: InstrumentModel) -> String {
        ComplianceEngine.status(
            base: ComplianceBase(rawValue: m.complianceBase) ?? .notFiled, nextDue: m.nextDue.flatMap(CalendarDay.init),
            dueKind: m.dueKind.flatMap(DueKind.init), on: today, window: config.dueSoonWindow).rawValue
    }

    func newInstrument(_ request: Request, _ p: Principal, error: String?) async throws -> Response {
        guard p.may(.fileInstruments) else { throw RegistryError.forbidden("registering instruments") }
        let t = PageStrings.strings(language(request))
        let catalogue = try await Registry.catalogue(on: db).map { ["subNo": "\($0.id!)", "name": $0.subName] }
        return render("instrument-new", ["t": t, "catalogue": catalogue, "error": error as Any], title: t[.newInstrument], request: request, caller: p)
    }

    /// An owner's draft (the bureau files instruments through the API or an import).
    func createInstrument(_ request: Request, _ p: Principal) async throws -> Response {
        let f = try await form(request)
        guard p.role == .owner, let ownerID = p.ownerIDs.first, let owner = try await OwnerModel.find(ownerID, on: db) else {
            throw RegistryError.forbidden("registering instruments from this page (owners only)")
        }
        var raw = RawInstrument()
        raw.subNo = f["sub_no"]
        raw.name = f["name"]
        raw.serialNo = f["serial_no"]
        raw.address = f["address"]
        raw.inServiceDate = f["in_service_date"]
        raw.purpose = UsePurpose.tradeSettlement.rawValue
        raw.regionCode = owner.regionCode
        raw.ownerCreditCode = owner.creditCode
        raw.status = LifecycleStatus.draft.rawValue
        do {
            let d = try InstrumentDraft.parse(raw, context: try await Registry.context(on: db))
            var rng = SystemRandomNumberGenerator()
            let m = try await Registry.createInstrument(d, scope: p.scope, on: db, generator: &rng)
            return redirect(Site.instrument(m.id!))
        } catch let e as ValidationFailure {
            return try await newInstrument(request, p, error: e.description)
        }
    }

    func instrumentPage(_ request: Request, _ p: Principal, id: Int) async throws -> Response {
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let m = try await Registry.instrument(id, scope: p.scope, on: db)
        let owner = try await OwnerModel.find(m.ownerID, on: db)
        let records = try await Registry.records(instrumentID: id, institutionID: nil, cursor: nil, limit: 100, scope: p.scope, on: db).items.map {
            var row = ["id": String($0.id!), "certificateLink": Site.certificate($0.id!), "date": $0.verifiedOn, "kind": $0.kind, "result": $0.result]
            // Absent, not empty: Mustache treats an empty string as present.
            if let c = $0.certificateNo ?? $0.resultNoticeNo { row["certificate"] = c }
            if let v = $0.validUntil { row["validUntil"] = v }
            if let leaf = $0.ledgerIndex { row["leaf"] = String(leaf) }
            return row
        }
        let filings = try await Filings.list(state: nil, instrumentID: id, cursor: nil, limit: 20, scope: p.scope, on: db).items.map {
            ["submittedAt": CalendarDay(instant: $0.submittedAt).description, "state": $0.state, "reason": $0.reason ?? ""]
        }
        var names: [Int: String] = [:]
        let requestModels = try await VerificationRequests.list(
            state: nil, institutionID: nil, overdueOn: nil, instrumentID: id, cursor: nil, limit: 20, scope: p.scope, on: db).items
        for r in requestModels where names[r.institutionID] == nil { names[r.institutionID] = try await InstitutionModel.find(r.institutionID, on: db)?.name }
        let requests = requestModels.map {
            ["appliedOn": $0.appliedOn, "institution": names[$0.institutionID] ?? "", "institutionID": "\($0.institutionID)", "institutionLink": Site.institution($0.institutionID), "state": $0.state, "deadline": $0.deadline ?? "",
             "overdue": $0.state == "accepted" && ($0.deadline.flatMap(CalendarDay.init).map { today > $0 } ?? false) ? "1" : ""]
        }.map { $0.filter { !$0.value.isEmpty } }
        let open = requestModels.contains { $0.state == "applied" || $0.state == "accepted" }
        var institutions: [[String: String]] = []
        let canApply = p.may(.fileInstruments) && m.lifecycle != LifecycleStatus.draft.rawValue && !open
        if canApply {
            for i in try await Registry.institutions(region: nil, subNo: m.subNo, cursor: nil, limit: 100, on: db).items {
                let scopes = try await Registry.scopes(of: i.id!, on: db)
                if InstitutionDraft.covers(scopes, subNo: m.subNo, region: RegionCode(m.regionCode)!, on: today) {
                    institutions.append(["id": "\(i.id!)", "name": i.name])
                }
            }
        }
        let schedules = try await Registry.evaluation(of: m, on: db).schedules.map { ["name": $0.name, "dueDate": $0.dueDate.description] }
        let warnings = try await WarningModel.query(on: db).filter(\.$instrumentID == id).sort(\.$id, .descending).limit(10).all().map {
            ["message": NoticeText.text($0, language(request)), "raised": CalendarDay(instant: $0.raisedAt).description]
        }
        let s = statusOf(m)
        let model: [String: Any] = [
            "t": t, "id": "\(id)", "schedules": schedules, "warnings": warnings, "name": m.name, "codeGrouped": (try? InstrumentCode(validating: m.code).grouped) ?? m.code, "status": s,
            "statusLabel": PageStrings.statusLabel(s, lang), "lifecycle": m.lifecycle, "serial": m.serialNo, "owner": owner?.name ?? "", "ownerID": "\(m.ownerID)",
            "ownerLink": Site.owner(m.ownerID), "filingAction": Site.instrumentFiling(id), "applyAction": Site.instrumentApply(id),
            "address": m.address, "nextDue": m.nextDue ?? "", "records": records, "filings": filings, "requests": requests,
            "canSubmit": p.may(.fileInstruments) && m.lifecycle == LifecycleStatus.draft.rawValue
                && !filings.contains { $0["state"] == Filings.State.submitted.rawValue },
            "canApply": canApply && !institutions.isEmpty, "institutions": institutions,
            // One instrument, one lifelong code (一物一码): the QR code opens the public page of the code.
            "qr": (try? QRCode(publicURL(m.code)).svg(size: 132, title: m.code)) ?? "", "publicLink": "/p/i/\(m.code)",
        ]
        return render("instrument", model, title: m.name, request: request, caller: p)
    }
}
