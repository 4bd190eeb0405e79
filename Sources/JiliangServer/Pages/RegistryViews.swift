import FluentKit
import Foundation
import JiliangCore
import JiliangLedger
import JiliangQR
import JiliangStore

/// An instrument's compliance status today, as the pages show it (the same rule as the store's
/// status filter).
/// A catalogue sub-item as a `<select>` choice (`{{subNo}} {{name}}`).
struct CatalogueOption: Encodable, Sendable, Equatable {
    var subNo: Int
    var name: String

    static func all(on db: any Database) async throws -> [CatalogueOption] {
        try await Registry.catalogue(on: db).map { CatalogueOption(subNo: $0.id!, name: $0.subName) }
    }
}

/// The instrument list's query as sent (`?status=&region=&sub_no=&sort=&q=&cursor=`); `filter()`
/// reads it. The list, its CSV export and the labels share it.
struct InstrumentQuery: Sendable, Equatable {
    var status: String?
    var region: String?
    var subNo: String?
    var sort: String?
    var q: String?
    var cursor: String?

    init(status: String? = nil, region: String? = nil, subNo: String? = nil, sort: String? = nil, q: String? = nil, cursor: String? = nil) {
        self.status = status
        self.region = region
        self.subNo = subNo
        self.sort = sort
        self.q = q
        self.cursor = cursor
    }

    /// The list's filters: status, region subtree, catalogue sub-item, search text, order.
    func filter() throws -> Registry.InstrumentFilter {
        var regionCode: RegionCode?
        if let r = region, !r.isEmpty {
            guard let code = RegionCode(r) else { throw RegistryError.invalid("region", .notARegionCode(got: r)) }
            regionCode = code
        }
        var subItem: Int?
        if let raw = subNo, !raw.isEmpty {
            guard let n = Int(raw), n > 0 else { throw RegistryError.invalid("sub_no", .request(.notASubItemNumber(got: raw))) }
            subItem = n
        }
        var order = InstrumentSort.registration
        if let raw = sort, !raw.isEmpty {
            guard let s = InstrumentSort(rawValue: raw) else {
                throw RegistryError.invalid("sort", .notOneOf(InstrumentSort.allCases.map(\.rawValue), got: raw))
            }
            order = s
        }
        return .init(
            region: regionCode, subNo: subItem, status: status.flatMap { ComplianceStatus(rawValue: $0) },
            search: q.flatMap { $0.isEmpty ? nil : $0 }, sort: order)
    }

    /// A filter as a query string, for the links that keep it (export, labels, next page).
    static func string(of filter: Registry.InstrumentFilter) -> String {
        "status=\(filter.status?.rawValue ?? "")&region=\(filter.region?.value ?? "")&q=\(formEncoded(filter.search ?? ""))&sort=\(filter.sort.rawValue)"
            + (filter.subNo.map { "&sub_no=\($0)" } ?? "")
    }

    static func formEncoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }
}

/// The dashboard (`dashboard.mustache`): counts by status, what waits for the caller, the inbox.
struct DashboardView: PageView {
    struct Count: Encodable, Sendable, Equatable {
        var status: String
        var label: String
        var count: Int
    }
    struct Waiting: Encodable, Sendable, Equatable {
        var link: String
        var text: String
    }
    var counts: [Count]
    var waiting: [Waiting]
    /// The newest ten messages of the caller's mailboxes, worded in the reader's language.
    var inbox: [ShownMessage]
    var scopeLabel: String

    /// The inboxes a caller reads.
    static func mailboxes(_ p: Principal) -> [String] {
        switch p.role {
        case .provinceAdmin: ["admin"]
        case .bureauStaff: p.region.map { ["region:\($0.value)"] } ?? []
        case .owner: p.ownerIDs.map { "owner:\($0)" }
        case .instituteStaff: []
        }
    }

    static func build(
        by p: Principal, lang: PageStrings.Language, today: CalendarDay, window: Int, publicBaseURL: String, on db: any Database
    ) async throws -> DashboardView {
        let t = PageStrings.strings(lang)
        let counts = try await Registry.countsByStatus(today: today, window: window, scope: p.scope, on: db).map {
            Count(status: $0.0.rawValue, label: PageStrings.statusLabel($0.0.rawValue, lang), count: $0.1)
        }
        var waiting: [Waiting] = []
        if p.may(.reviewFilings) {
            let n = try await Filings.list(state: .submitted, instrumentID: nil, cursor: nil, limit: 500, scope: p.scope, on: db).items.count
            if n > 0 { waiting.append(Waiting(link: Site.filings(), text: "\(t[.filings]): \(n)")) }
        }
        if p.may(.recordVerifications) {
            let open = try await VerificationRequests.list(state: nil, institutionID: nil, overdueOn: nil, cursor: nil, limit: 500, scope: p.scope, on: db)
                .items.filter { $0.state == "applied" || $0.state == "accepted" }.count
            if open > 0 { waiting.append(Waiting(link: Site.requests(), text: "\(t[.requests]): \(open)")) }
        }
        // Next year's public holidays, from December on (issue #19, item 7).
        let calendar = p.may(.manageReference) ? try await VerificationRequests.calendarCoverage(today: today, on: db) : nil
        if let calendar, calendar.nextYearMissing {
            waiting.append(Waiting(link: Site.calendar(), text: String(format: t[.calendarNextMissing], calendar.missingYear, calendar.missingYear)))
        }
        if p.role == .owner {
            let returned = try await Filings.list(state: .returned, instrumentID: nil, cursor: nil, limit: 50, scope: p.scope, on: db).items
            for f in returned { waiting.append(Waiting(link: Site.instrument(f.instrumentID), text: "\(t[.returnIt]): \(f.reason ?? "")")) }
        }
        var inbox: [ShownMessage] = []
        for box in mailboxes(p) {
            for m in try await Warnings.inbox(recipient: box, cursor: nil, limit: 10, on: db).items {
                inbox.append(NoticeText.shown(m, lang, publicBaseURL: publicBaseURL))
            }
        }
        return DashboardView(
            counts: counts, waiting: waiting, inbox: Array(inbox.prefix(10)), scopeLabel: p.region.map { "\($0.value)" } ?? p.role.chineseName)
    }
}

/// The instrument list with its filters (`instruments.mustache`).
struct InstrumentListView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var link: String
        var code: String
        var name: String
        var serial: String
        var status: String
        var statusLabel: String
        var nextDue: String
    }
    var items: [Row]
    var statuses: [OptionView]
    var sorts: [OptionView]
    var canFile: Bool
    /// The search text as typed.
    var q: String
    var region: String
    var regionName: String?
    var subNo: String?
    var csvLink: String
    var labelsLink: String
    var labelsPDFLink: String
    /// The next page, keeping the filter.
    var next: String?

    static func build(
        _ query: InstrumentQuery, by p: Principal, lang: PageStrings.Language, today: CalendarDay, window: Int, on db: any Database
    ) async throws -> InstrumentListView {
        let t = PageStrings.strings(lang)
        let filter = try query.filter()
        let page = try await Registry.instruments(filter, today: today, window: window, cursor: query.cursor, limit: 50, scope: p.scope, on: db)
        let items = page.items.map { m -> Row in
            let s = m.status(on: today, window: window).rawValue
            return Row(
                id: m.id!, link: Site.instrument(m.id!), code: m.code, name: m.name, serial: m.serialNo, status: s,
                statusLabel: PageStrings.statusLabel(s, lang), nextDue: m.nextDue ?? "")
        }
        let statuses = ComplianceStatus.allCases.map {
            OptionView(value: $0.rawValue, label: PageStrings.statusLabel($0.rawValue, lang), selected: $0 == filter.status)
        }
        let sorts = InstrumentSort.allCases.map {
            OptionView(value: $0.rawValue, label: t.lookup("sort_" + $0.rawValue) ?? "sort_" + $0.rawValue, selected: $0 == filter.sort)
        }
        let qs = InstrumentQuery.string(of: filter)
        var regionName: String?
        if let r = filter.region, let region = try await RegionModel.find(r.value, on: db) { regionName = region.name }
        return InstrumentListView(
            items: items, statuses: statuses, sorts: sorts, canFile: p.may(.fileInstruments), q: filter.search ?? "",
            region: filter.region?.value ?? "", regionName: regionName, subNo: filter.subNo.map(String.init),
            csvLink: Site.instrumentsCSV() + "?" + qs, labelsLink: Site.labels() + "?" + qs, labelsPDFLink: Site.labelsPDF() + "?" + qs,
            next: page.nextCursor.map { Site.instruments() + "?cursor=\($0)&" + qs })
    }
}

/// Province → city → county (`regions.mustache`): each child region's counts by status, and the
/// region's counts by catalogue sub-item; every number links to the list behind it.
struct RegionView: PageView {
    /// A count that links to the list behind it (`sub_no` only in the by-item table).
    struct Cell: Encodable, Sendable, Equatable {
        var code: String
        var status: String
        var subNo: String?
        var count: Int
    }
    struct Row: Encodable, Sendable, Equatable {
        var code: String
        var link: String
        var name: String
        /// A link one level down (not below a county, nor from a region without children).
        var drill: Bool
        var cells: [Cell]
    }
    /// A catalogue sub-item's counts (its links take the region's `code` from the page).
    struct Item: Encodable, Sendable, Equatable {
        var subNo: String
        var name: String
        var count: Int
        var cells: [Cell]
    }
    struct Column: Encodable, Sendable, Equatable {
        var status: String
        var label: String
    }
    var code: String
    var name: String
    var rows: [Row]
    var items: [Item]
    var columns: [Column]
    var parent: String?
    var parentLink: String?

    static let statuses: [ComplianceStatus] = [.overdue, .dueSoon, .failed, .lifeExpired, .ruleMissing, .notFiled, .valid]


    static func build(
        code: String, by p: Principal, lang: PageStrings.Language, today: CalendarDay, window: Int, on db: any Database
    ) async throws -> RegionView {
        guard let rc = RegionCode(code), let region = try await RegionModel.find(rc.value, on: db) else {
            throw RegistryError.notFound(.region, key: code)
        }
        // A bureau drills down inside its own region only.
        if case .region = p.scope, !p.scope.sees(region: rc) { throw RegistryError.notFound(.region, key: code) }
        guard p.role == .provinceAdmin || p.role == .bureauStaff else { throw RegistryError.forbidden(.request(.regionalStatisticsStaffOnly)) }
        let children = try await Registry.regions(parent: rc.value, on: db)
        // One read of the subtree: both tables are sums of its child × sub-item × status cells.
        var byChild: [String: [ComplianceStatus: Int]] = [:], bySub: [Int: [ComplianceStatus: Int]] = [:]
        for cell in try await Registry.drillDownCounts(region: rc, today: today, window: window, scope: p.scope, on: db) {
            // A region without child regions (a county, or a city not yet divided) is its own one row.
            byChild[children.isEmpty ? rc.value : cell.child, default: [:]][cell.status, default: 0] += cell.count
            bySub[cell.subNo, default: [:]][cell.status, default: 0] += cell.count
        }
        let rows = (children.isEmpty ? [region] : children).map { child in
            Row(
                code: child.id!, link: Site.region(child.id!), name: child.name, drill: !children.isEmpty && RegionCode(child.id!)!.level != .county,
                cells: statuses.map { Cell(code: child.id!, status: $0.rawValue, subNo: nil, count: byChild[child.id!]?[$0] ?? 0) })
        }
        var names: [Int: String] = [:]
        for e in try await Registry.catalogue(on: db) { names[e.id!] = e.subName }
        let items = bySub.keys.sorted().map { subNo in
            Item(
                subNo: "\(subNo)", name: names[subNo] ?? "", count: bySub[subNo]!.values.reduce(0, +),
                cells: statuses.map { s in Cell(code: rc.value, status: s.rawValue, subNo: "\(subNo)", count: bySub[subNo]?[s] ?? 0) })
        }
        var parent: String?, parentLink: String?
        if let up = rc.parent, p.scope == .everything || p.region.map({ $0.contains(up) }) == true {
            parent = up.value
            parentLink = Site.region(up.value)
        }
        return RegionView(
            code: rc.value, name: region.name, rows: rows, items: items,
            columns: statuses.map { Column(status: $0.rawValue, label: PageStrings.statusLabel($0.rawValue, lang)) },
            parent: parent, parentLink: parentLink)
    }
}

/// An owner (使用单位) and its first instruments (`owner.mustache`).
struct OwnerView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var link: String
        var code: String
        var name: String
        var status: String
        var statusLabel: String
    }
    var name: String
    var creditCode: String
    var address: String
    var region: String
    var industry: String
    var contact: String?
    var items: [Row]
    /// More instruments than shown: a link to the whole list.
    var more: Bool

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, window: Int, on db: any Database
    ) async throws -> OwnerView {
        let o = try await Registry.owner(id, scope: p.scope, on: db)
        let page = try await Registry.instruments(.init(ownerID: id), today: today, window: window, cursor: nil, limit: 50, scope: p.scope, on: db)
        let items = page.items.map { m -> Row in
            let s = m.status(on: today, window: window).rawValue
            return Row(id: m.id!, link: Site.instrument(m.id!), code: m.code, name: m.name, status: s, statusLabel: PageStrings.statusLabel(s, lang))
        }
        let contact = [o.contactName, o.contactPhone].compactMap { $0 }.joined(separator: " ")
        return OwnerView(
            name: o.name, creditCode: o.creditCode, address: o.address, region: o.regionCode, industry: o.industry,
            contact: contact.isEmpty ? nil : contact, items: items, more: page.nextCursor != nil)
    }
}

/// An owner's form for a draft instrument (`instrument-new.mustache`).
struct NewInstrumentView: PageView {
    var catalogue: [CatalogueOption]
    /// Each family's own fields (`FamilyFields`), filled in only for an instrument of that family.
    var families: [FamilyFieldset]
    var error: String?

    static func build(by p: Principal, lang: PageStrings.Language, error: String?, on db: any Database) async throws -> NewInstrumentView {
        guard p.may(.fileInstruments) else { throw RegistryError.forbidden(.notAllowed(.fileInstruments)) }
        return NewInstrumentView(catalogue: try await CatalogueOption.all(on: db), families: FamilyFieldset.all(lang), error: error)
    }
}

/// One of an instrument's family fields as its page shows it.
struct FamilyValue: Encodable, Sendable, Equatable {
    var label: String
    var value: String

    static func of(_ stored: String?, _ lang: PageStrings.Language) -> [FamilyValue] {
        let values = FamilyAttributes.read(stored)
        return FamilyFields.all.compactMap { f in values[f.key].map { FamilyValue(label: lang == .zh ? f.zh : f.en, value: $0) } }
    }
}

/// A catalogue family's own fields as a form shows them: one fieldset per family, an input per
/// field, from the one declaration (`FamilyFields.all`).
struct FamilyFieldset: Encodable, Sendable, Equatable {
    struct Field: Encodable, Sendable, Equatable {
        var key: String
        var label: String
        /// For a whole number: its bounds (the input is a number input).
        var min: Int?
        var max: Int?
        var maxLength: Int?
    }
    var family: String
    var fields: [Field]

    /// One fieldset per set of families, so a field that several families share is one input.
    static func all(_ lang: PageStrings.Language) -> [FamilyFieldset] {
        var sets: [[String]] = []
        for f in FamilyFields.all where !sets.contains(f.families) { sets.append(f.families) }
        return sets.map { families in
            FamilyFieldset(family: families.joined(separator: "、"), fields: FamilyFields.all.filter { $0.families == families }.map { f in
                switch f.kind {
                case .text(let max): Field(key: f.key, label: lang == .zh ? f.zh : f.en, maxLength: max)
                case .whole(let range): Field(key: f.key, label: lang == .zh ? f.zh : f.en, min: range.lowerBound, max: range.upperBound)
                }
            })
        }
    }
}

/// One instrument (`instrument.mustache`): its status, history, filings, requests, schedules and
/// warnings, with the forms its caller may use.
struct InstrumentView: PageView {
    struct RecordRow: Encodable, Sendable, Equatable {
        var id: Int
        var certificateLink: String
        var date: String
        var kind: String
        var result: String
        /// The certificate's (or the failure notice's) number; absent when neither was given.
        var certificate: String?
        var validUntil: String?
        /// The record's leaf in the ledger; absent until it is ledgered.
        var leaf: String?
    }
    struct FilingRow: Encodable, Sendable, Equatable {
        var submittedAt: String
        var state: String
        /// The bureau's reason for returning it; absent when none was given.
        var reason: String?
    }
    struct RequestRow: Encodable, Sendable, Equatable {
        var appliedOn: String
        var institution: String
        var institutionID: Int
        var institutionLink: String
        var state: String
        var deadline: String?
        var overdue: Bool
    }
    struct InstitutionChoice: Encodable, Sendable, Equatable {
        var id: Int
        var name: String
    }
    struct ScheduleRow: Encodable, Sendable, Equatable {
        var name: String
        var dueDate: String
    }
    struct WarningRow: Encodable, Sendable, Equatable {
        var message: String
        var raised: String
    }
    var id: Int
    var name: String
    var codeGrouped: String
    var status: String
    var statusLabel: String
    var lifecycle: String
    var serial: String
    var owner: String
    var ownerID: Int
    var ownerLink: String
    var address: String
    var nextDue: String
    /// The family's own fields (`FamilyFields`): label and value, in the declaration's order.
    var familyFields: [FamilyValue]
    var records: [RecordRow]
    var filings: [FilingRow]
    var requests: [RequestRow]
    var schedules: [ScheduleRow]
    var warnings: [WarningRow]
    var canSubmit: Bool
    var canApply: Bool
    /// The institutions authorised for it today (the apply form's choices).
    var institutions: [InstitutionChoice]
    var filingAction: String
    var applyAction: String
    /// One instrument, one lifelong code (一物一码): the QR code (SVG) opens the public page of the code.
    var qr: String
    var publicLink: String

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, window: Int, publicBaseURL: String, on db: any Database
    ) async throws -> InstrumentView {
        let m = try await Registry.instrument(id, scope: p.scope, on: db)
        let owner = try await OwnerModel.find(m.ownerID, on: db)
        let records = try await Registry.records(instrumentID: id, institutionID: nil, cursor: nil, limit: 100, scope: p.scope, on: db).items.map {
            RecordRow(
                id: $0.id!, certificateLink: Site.certificate($0.id!), date: $0.verifiedOn, kind: $0.kind, result: $0.result,
                certificate: $0.certificateNo ?? $0.resultNoticeNo, validUntil: $0.validUntil, leaf: $0.ledgerIndex.map { String($0) })
        }
        let filings = try await Filings.list(state: nil, instrumentID: id, cursor: nil, limit: 20, scope: p.scope, on: db).items.map {
            FilingRow(submittedAt: CalendarDay(instant: $0.submittedAt).description, state: $0.state, reason: $0.reason.flatMap { $0.isEmpty ? nil : $0 })
        }
        var names: [Int: String] = [:]
        let requestModels = try await VerificationRequests.list(
            state: nil, institutionID: nil, overdueOn: nil, instrumentID: id, cursor: nil, limit: 20, scope: p.scope, on: db).items
        for r in requestModels where names[r.institutionID] == nil { names[r.institutionID] = try await InstitutionModel.find(r.institutionID, on: db)?.name }
        let requests = requestModels.map {
            RequestRow(
                appliedOn: $0.appliedOn, institution: names[$0.institutionID] ?? "", institutionID: $0.institutionID,
                institutionLink: Site.institution($0.institutionID), state: $0.state, deadline: $0.deadline.flatMap { $0.isEmpty ? nil : $0 },
                overdue: $0.state == "accepted" && ($0.deadline.flatMap(CalendarDay.init).map { today > $0 } ?? false))
        }
        let open = requestModels.contains { $0.state == "applied" || $0.state == "accepted" }
        var institutions: [InstitutionChoice] = []
        let canApply = p.may(.fileInstruments) && m.lifecycle != LifecycleStatus.draft.rawValue && !open
        if canApply {
            for i in try await Registry.institutions(region: nil, subNo: m.subNo, cursor: nil, limit: 100, on: db).items {
                let scopes = try await Registry.scopes(of: i.id!, on: db)
                if InstitutionDraft.covers(scopes, subNo: m.subNo, region: RegionCode(m.regionCode)!, on: today) {
                    institutions.append(InstitutionChoice(id: i.id!, name: i.name))
                }
            }
        }
        let schedules = try await Registry.evaluation(of: m, on: db).schedules.map { ScheduleRow(name: $0.name, dueDate: $0.dueDate.description) }
        let warnings = try await WarningModel.query(on: db).filter(\.$instrumentID == id).sort(\.$id, .descending).limit(10).all().map {
            WarningRow(message: NoticeText.text($0, lang), raised: CalendarDay(instant: $0.raisedAt).description)
        }
        let s = m.status(on: today, window: window).rawValue
        return InstrumentView(
            id: id, name: m.name, codeGrouped: (try? InstrumentCode(validating: m.code).grouped) ?? m.code, status: s,
            statusLabel: PageStrings.statusLabel(s, lang), lifecycle: m.lifecycle, serial: m.serialNo, owner: owner?.name ?? "",
            ownerID: m.ownerID, ownerLink: Site.owner(m.ownerID), address: m.address, nextDue: m.nextDue ?? "",
            familyFields: FamilyValue.of(m.attributes, lang),
            records: records, filings: filings, requests: requests, schedules: schedules, warnings: warnings,
            canSubmit: p.may(.fileInstruments) && m.lifecycle == LifecycleStatus.draft.rawValue
                && !filings.contains { $0.state == Filings.State.submitted.rawValue },
            canApply: canApply && !institutions.isEmpty, institutions: institutions,
            filingAction: Site.instrumentFiling(id), applyAction: Site.instrumentApply(id),
            qr: (try? QRCode(PublicSite.instrumentURL(base: publicBaseURL, code: m.code)).svg(size: 132, title: m.code)) ?? "",
            publicLink: "/p/i/\(m.code)")
    }
}

/// A verification record's printable ledger certificate (`certificate.mustache`): the record, the
/// exact entry in the log, its leaf and the cosigned checkpoint, a QR code of the reference
/// (record, leaf, checkpoint) and the full certificate file for `jiliang verify certificate`.
struct CertificateView: PageView {
    var id: Int
    var instrumentID: Int
    var instrumentLink: String
    var instrument: String
    var code: String
    var rawCode: String
    var date: String
    var result: String
    var certificateNo: String
    var logKey: String
    /// Ledgered and verified: the proof below is shown.
    var ledgered: Bool
    var leaf: String?
    var size: String?
    var origin: String?
    var cosigners: String?
    var entry: String?
    /// A v2 entry names the instrument by a commitment; how this code opens it.
    var commitment: String?
    var checkpoint: String?
    var qr: String?
    /// Why there is no proof yet.
    var pending: String?

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, ledger: Ledger, on db: any Database) async throws -> CertificateView {
        let t = PageStrings.strings(lang)
        let record = try await Registry.record(id, scope: p.scope, on: db)  // 404 outside the caller's scope
        let instrument = try await Registry.instrument(record.instrumentID, scope: p.scope, on: db)
        var view = CertificateView(
            id: id, instrumentID: instrument.id!, instrumentLink: Site.instrument(instrument.id!), instrument: instrument.name,
            code: (try? InstrumentCode(validating: instrument.code).grouped) ?? instrument.code, rawCode: instrument.code,
            date: record.verifiedOn, result: record.result, certificateNo: record.certificateNo ?? record.resultNoticeNo ?? "—",
            logKey: ledger.configuration.signer.verifier.description, ledgered: false)
        do {
            let cert = try await ledger.certificate(of: .verificationRecord, id: id)
            let verified = try cert.verify(policy: ledger.configuration.policy)
            let reference = LedgerCertificate.reference(record: cert.record, leafIndex: cert.leafIndex, checkpoint: cert.checkpoint)
            var commitment: String?
            if verified.entryText.hasPrefix("jiliang/ledger/v2 ") {
                commitment = LedgerKind.instrumentCommitment(instrument.code, instrumentID: "\(instrument.id!)")
            }
            let qr = try QRCode(reference, level: .low).svg(size: 240, title: cert.record)
            view.ledgered = true
            view.leaf = "\(cert.leafIndex)"
            view.size = "\(verified.checkpoint.size)"
            view.origin = verified.checkpoint.origin
            view.cosigners = verified.cosigners.isEmpty ? t[.noWitness] : verified.cosigners.joined(separator: ", ")
            view.entry = verified.entryText
            view.commitment = commitment
            view.checkpoint = cert.checkpoint
            view.qr = qr
        } catch let e as Ledger.CertificateError {
            view.pending = e == .notLedgered ? t[.ledgerPendingLong] : t[.ledgerUnpublished]
        }
        return view
    }
}

/// Printable labels of the list's instruments (`labels.mustache`, a page of its own: A4, 3 × 8).
struct LabelsView: PageView {
    struct Label: Encodable, Sendable, Equatable {
        /// The QR code (SVG) of the instrument's public address.
        var qr: String
        var code: String
        var owner: String
        var item: String
        var nextDue: String
    }
    var labels: [Label]
    var count: Int
    var pdfLink: String

    /// At most this many labels in one run (100 A4 sheets): a county's markets, not a province.
    static let maxLabels = 2400

    /// What a label shows of an instrument.
    struct Row: Sendable, Equatable {
        var code: String
        var grouped: String
        var owner: String
        var item: String
        var nextDue: String
    }

    /// The instruments of the list's filter (same filter, same scope as the list page), with what a
    /// label shows. Too many is bad input naming the filter, before any sheet is drawn.
    static func rows(
        _ query: InstrumentQuery, by p: Principal, today: CalendarDay, window: Int, on db: any Database
    ) async throws -> [Row] {
        let filter = try query.filter()
        var models: [InstrumentModel] = []
        var cursor: String?
        repeat {
            let page = try await Registry.instruments(filter, today: today, window: window, cursor: cursor, limit: 500, scope: p.scope, on: db)
            models += page.items
            cursor = page.nextCursor
            if models.count > maxLabels {
                throw RegistryError.invalid("filter", .request(.tooManyLabels(max: maxLabels, sheets: maxLabels / 24)))
            }
        } while cursor != nil
        let owners = try await ownerNames(Set(models.map(\.ownerID)), on: db)
        let items = Dictionary(uniqueKeysWithValues: try await Registry.catalogue(on: db).map { ($0.id!, $0.subName) })
        return models.map {
            Row(code: $0.code, grouped: (try? InstrumentCode(validating: $0.code).grouped) ?? $0.code, owner: owners[$0.ownerID] ?? "",
                item: items[$0.subNo] ?? "\($0.subNo)", nextDue: $0.nextDue ?? "—")
        }
    }

    /// Owners' names by id, in one query (a sheet run may name hundreds of owners).
    static func ownerNames(_ ids: Set<Int>, on db: any Database) async throws -> [Int: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, $0.name) })
    }

    static func build(
        _ query: InstrumentQuery, by p: Principal, today: CalendarDay, window: Int, publicBaseURL: String, pdfLink: String, on db: any Database
    ) async throws -> LabelsView {
        let labels = try await rows(query, by: p, today: today, window: window, on: db).map {
            Label(
                qr: (try? QRCode(PublicSite.instrumentURL(base: publicBaseURL, code: $0.code)).svg(size: 118, title: $0.grouped)) ?? "",
                code: $0.grouped, owner: $0.owner, item: $0.item, nextDue: $0.nextDue)
        }
        return LabelsView(labels: labels, count: labels.count, pdfLink: pdfLink)
    }
}
