import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The bureau's complaint queue (`complaints.mustache`), filtered by state, 50 a page.
struct ComplaintsView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var id: Int
        var link: String
        var received: String
        var deadline: String
        var state: String
        var owner: String
        /// The complaint's first 60 characters.
        var text: String
        var assignee: String
        /// Past its deadline and not closed.
        var overdue: Bool
    }
    var complaints: [Row]
    var states: [OptionView]
    var empty: Bool
    /// The next page's link, when there is one.
    var next: String?

    static func build(
        by p: Principal, lang: PageStrings.Language, today: CalendarDay, state: String?, cursor: String?, on db: any Database
    ) async throws -> ComplaintsView {
        let t = PageStrings.strings(lang)
        let page = try await Complaints.list(state: state, overdueOn: nil, cursor: cursor, limit: 50, by: p, on: db)
        let owners = try await LabelsView.ownerNames(Set(page.items.map(\.ownerID)), on: db)
        let rows = page.items.map { c in
            Row(
                id: c.id!, link: Site.complaint(c.id!), received: c.receivedOn, deadline: c.deadline, state: t.lookup(c.state) ?? c.state,
                owner: owners[c.ownerID] ?? "", text: String(c.text.prefix(60)), assignee: c.assignedTo ?? "—",
                overdue: c.state != Complaints.State.closed.rawValue && CalendarDay(c.deadline).map { $0 < today } == true)
        }
        let states = Complaints.State.allCases.map {
            OptionView(value: $0.rawValue, label: t.lookup($0.rawValue) ?? $0.rawValue, selected: $0.rawValue == state)
        }
        return ComplaintsView(
            complaints: rows, states: states, empty: rows.isEmpty,
            next: page.nextCursor.map { Site.complaints() + "?cursor=\($0)&state=\(state ?? "")" })
    }
}

/// One complaint with its history and the bureau's actions: assign, reply, close (`complaint.mustache`).
struct ComplaintView: PageView {
    struct Event: Encodable, Sendable, Equatable {
        var at: String
        var action: String
        var actor: String
        var note: String
    }
    var id: Int
    var state: String
    var received: String
    var deadline: String
    var category: String
    var text: String
    var owner: String
    var ownerID: Int
    var ownerLink: String
    /// Not closed yet: the action forms are shown.
    var open: Bool
    /// Replied: it may be closed.
    var canClose: Bool
    var assignAction: String
    var replyAction: String
    var closeAction: String
    var events: [Event]
    /// The instrument complained about, when the citizen named one.
    var instrumentID: Int?
    var instrumentLink: String?
    var contact: String?
    var assignee: String?
    var reply: String?
    var outcome: String?
    /// The photo's link, when the citizen sent one.
    var photo: String?
    var overdue: Bool
    var error: String?

    static func build(
        _ id: Int, by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, on db: any Database
    ) async throws -> ComplaintView {
        let t = PageStrings.strings(lang)
        let (c, events, hasPhoto) = try await Complaints.complaint(id, by: p, on: db)
        let owner = try await OwnerModel.find(c.ownerID, on: db)
        let open = c.state != Complaints.State.closed.rawValue
        return ComplaintView(
            id: id, state: t.lookup(c.state) ?? c.state, received: c.receivedOn, deadline: c.deadline, category: c.category, text: c.text,
            owner: owner?.name ?? "", ownerID: c.ownerID, ownerLink: Site.owner(c.ownerID), open: open,
            canClose: c.state == Complaints.State.replied.rawValue, assignAction: Site.complaintAction(id, "assign"),
            replyAction: Site.complaintAction(id, "reply"), closeAction: Site.complaintAction(id, "close"),
            events: events.map {
                Event(at: CalendarDay(instant: $0.at).description, action: t.lookup($0.action) ?? $0.action, actor: $0.actor, note: $0.note ?? "")
            },
            instrumentID: c.instrumentID, instrumentLink: c.instrumentID.map { Site.instrument($0) }, contact: c.citizenContact,
            assignee: c.assignedTo, reply: c.reply, outcome: c.outcome.map { t.lookup($0) ?? $0 }, photo: hasPhoto ? Site.complaintPhoto(id) : nil,
            overdue: open && CalendarDay(c.deadline).map { $0 < today } == true, error: error)
    }
}

/// The administrator's campaigns with their quiz participation, and the form that publishes one
/// (`campaigns-admin.mustache`).
struct CampaignsAdminView: PageView {
    struct Row: Encodable, Sendable, Equatable {
        var slug: String
        var title: String
        var event: String
        var dates: String
        var attempts: Int
        /// The mean quiz score, when anyone took the quiz.
        var mean: String?
    }
    struct Event: Encodable, Sendable, Equatable {
        var value: String
    }
    var campaigns: [Row]
    var events: [Event]
    /// The form's values as posted: the template reads `v.slug`, `v.title`, ….
    var v: [String: String]
    var error: String?

    static func build(by p: Principal, error: String?, form: CampaignForm?, on db: any Database) async throws -> CampaignsAdminView {
        guard p.may(.manageCampaigns) else { throw RegistryError.forbidden(.notAllowed(.manageCampaigns)) }
        var rows: [Row] = []
        for c in try await CampaignModel.query(on: db).sort(\.$startsOn, .descending).all() {
            let (attempts, mean) = try await Campaigns.participation(campaignID: c.id!, on: db)
            rows.append(Row(
                slug: c.slug, title: c.title, event: c.event, dates: "\(c.startsOn) – \(c.endsOn)", attempts: attempts,
                mean: mean.map { String(format: "%.1f", $0) }))
        }
        return CampaignsAdminView(
            campaigns: rows, events: Campaigns.Event.allCases.map { Event(value: $0.rawValue) }, v: form?.values ?? [:], error: error)
    }
}

/// The institution's free checks: its sessions to come, the form that opens one, the bookings and
/// requests with the form that records a result (`checks.mustache`).
struct ChecksView: PageView {
    struct Slot: Encodable, Sendable, Equatable {
        var day: String
        var time: String
        var place: String
        var items: String
        var capacity: Int
        var booked: Int
    }
    struct Check: Encodable, Sendable, Equatable {
        var id: Int
        var resultAction: String
        var kind: String
        var item: String
        var state: String
        var created: String
        var contact: String
        /// Booked: its result may be recorded.
        var open: Bool
        var result: String?
    }
    struct Institution: Encodable, Sendable, Equatable {
        var id: Int
        var name: String
    }
    var slots: [Slot]
    var checks: [Check]
    var noChecks: Bool
    /// The province's administrator opens a session for any institution (it chooses which).
    var isAdmin: Bool
    var institutions: [Institution]
    var error: String?

    static func build(
        by p: Principal, lang: PageStrings.Language, today: CalendarDay, error: String?, on db: any Database
    ) async throws -> ChecksView {
        let t = PageStrings.strings(lang)
        let slots = try await FreeChecks.slots(by: p, from: today, on: db).map {
            Slot(day: $0.day, time: $0.time, place: $0.place, items: $0.items, capacity: $0.capacity, booked: $0.booked)
        }
        let checks = try await FreeChecks.list(state: nil, by: p, on: db).map { c in
            Check(
                id: c.id!, resultAction: Site.checkResult(c.id!), kind: c.kind, item: c.item, state: c.state, created: c.createdOn,
                contact: [c.contactName, c.contactPhone, c.meterNo, c.address].compactMap { $0 }.joined(separator: " · "),
                open: c.state == FreeChecks.State.booked.rawValue, result: c.result.map { t.lookup($0) ?? $0 })
        }
        let isAdmin = p.role == .provinceAdmin
        let institutions = isAdmin
            ? try await InstitutionModel.query(on: db).sort(\.$name).all().map { Institution(id: $0.id!, name: $0.name) } : []
        return ChecksView(slots: slots, checks: checks, noChecks: checks.isEmpty, isAdmin: isAdmin, institutions: institutions, error: error)
    }
}
