import FluentKit
import Foundation
import JiliangCore
import JiliangStore

/// The import page: the form, the saved profiles and the fields a column may be mapped to
/// (`import.mustache`; its script is `assets/import.js`).
struct ImportView: PageView {
    struct Profile: Encodable, Sendable, Equatable {
        var name: String
    }
    struct Field: Encodable, Sendable, Equatable {
        var name: String
        /// The field's Chinese header and its name ("出厂编号 serial_no"), or its name alone.
        var label: String
    }
    var profiles: [Profile]
    var hasProfiles: Bool
    var fields: [Field]
    /// The rolls this caller may import; an owner files its own instruments as drafts.
    var kinds: [OptionView]
    var isOwner: Bool
    /// What the job addresses start with (the script adds the id).
    var jobsBase: String

    static func build(by p: Principal, lang: PageStrings.Language, on db: any Database) async throws -> ImportView {
        guard p.may(.importInstruments) || p.may(.manageOwners) || p.may(.manageReference) else { throw RegistryError.forbidden(.notAllowed(.importInstruments)) }
        let t = PageStrings.strings(lang)
        var profiles: [Profile] = []
        if p.may(.importInstruments) && p.may(.manageOwners) {
            profiles = try await ImportProfiles.list(by: p, on: db).map { Profile(name: $0.name) }
        }
        let fields: [Field] = RawInstrument.columns.map { c in
            let chinese = c.aliases.first { $0.unicodeScalars.contains { $0.value > 0x2E80 } }
            return Field(name: c.name, label: chinese.map { "\($0) \(c.name)" } ?? c.name)
        }
        var kinds: [OptionView] = []
        if p.may(.importInstruments) { kinds.append(OptionView(value: "instruments", label: t[.importKindInstruments], selected: false)) }
        if p.may(.manageOwners) { kinds.append(OptionView(value: "owners", label: t[.importKindOwners], selected: false)) }
        if p.may(.manageReference) { kinds.append(OptionView(value: "institutions", label: t[.importKindInstitutions], selected: false)) }
        return ImportView(
            profiles: profiles, hasProfiles: !profiles.isEmpty, fields: fields, kinds: kinds, isOwner: p.role == .owner, jobsBase: Site.jobsPrefix)
    }
}

/// The upload's answer: the queued job (`POST /app/import`).
struct ImportStarted: Encodable, Sendable, Equatable {
    var id: Int
}

/// The saved profile's answer (`POST /app/import/profiles`).
struct ImportProfileSaved: Encodable, Sendable, Equatable {
    var name: String
}

/// The profile the import page saves (its JSON body): the preview's mapping, the sheet and the
/// institution. A member of the wrong kind reads as absent, as before; a body that is not a JSON
/// object is bad input.
struct ImportProfileBody: Decodable, Sendable {
    var name: String?
    var mapping: [String: String]
    var sheet: String?
    var verifiedBy: String?

    enum CodingKeys: String, CodingKey {
        case name, mapping, sheet
        case verifiedBy = "verified_by"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try? c.decodeIfPresent(String.self, forKey: .name)
        mapping = (try? c.decodeIfPresent([String: String].self, forKey: .mapping)) ?? [:]
        sheet = try? c.decodeIfPresent(String.self, forKey: .sheet)
        verifiedBy = try? c.decodeIfPresent(String.self, forKey: .verifiedBy)
    }
}

/// A job's progress as the import page's script polls it (`GET /app/jobs/{id}.json`): its state and
/// counts, and once done what the report says — the preview's columns and sample rows included.
/// Members left nil are absent from the JSON.
struct JobProgress: Encodable, Sendable, Equatable {
    struct Column: Encodable, Sendable, Equatable {
        var header: String
        /// The field it fills, "" when ignored.
        var field: String
        /// Whether a mapping (given or from a profile) decided it.
        var mapped: Bool
    }
    struct Sample: Encodable, Sendable, Equatable {
        var row: Int
        var name: String
        var subItem: String
        var serialNo: String
        var region: String
        var last: String
        var status: String
        var nextDue: String
    }
    var id: Int
    var state: String
    var done: Int
    var total: Int
    var inserted: Int?
    var errors: Int?
    var stored: Bool?
    var rows: Int?
    var valid: Int?
    var alreadyPresent: Int?
    /// The same problem on many rows once, with how many rows and the first ones (at most 10 lines).
    var summary: [String]?
    var dryRun: Bool?
    var wouldInsert: Int?
    var format: String?
    var sheet: String?
    var headerRow: Int?
    var mapping: [Column]?
    var sample: [Sample]?
    /// An owner or institution roll (read by its headers alone: no mapping to correct).
    var party: Bool?
    /// Why the job failed.
    var message: String?

    static func build(_ id: Int, by p: Principal, lang: PageStrings.Language, running: RunningJobs, on db: any Database) async throws -> JobProgress {
        let j = try await ImportJobs.job(id, visibleTo: p, running: running, on: db)
        var out = JobProgress(id: id, state: j.state, done: j.progressDone ?? 0, total: j.progressTotal ?? 0)
        if let result = j.result, let report = try? JSONDecoder().decode(InstrumentImport.Report.self, from: Data(result.utf8)) {
            out.inserted = report.inserted
            out.errors = report.errors.count
            out.stored = report.stored
            out.rows = report.rows
            out.valid = report.valid
            out.alreadyPresent = report.alreadyPresent
            out.summary = (report.summary ?? []).prefix(10).map { RefusalText.summaryLine($0, lang == .zh) }
            // The preview: what was read and how, and rows as they will be stored.
            out.dryRun = report.dryRun ?? false
            out.wouldInsert = report.wouldInsert ?? 0
            out.format = report.encoding
            out.sheet = report.sheet ?? ""
            out.headerRow = report.headerRow ?? 1
            out.mapping = (report.mapping ?? []).map { Column(header: $0.header, field: $0.field ?? "", mapped: $0.mapped) }
            out.sample = (report.sample ?? []).map {
                Sample(
                    row: $0.row, name: $0.name, subItem: "\($0.subNo) \($0.subItem)", serialNo: $0.serialNo, region: $0.region,
                    last: $0.lastVerification ?? "—", status: PageStrings.statusLabel($0.status, lang), nextDue: $0.nextDue ?? "—")
            }
        }
        if let result = j.result, let report = try? JSONDecoder().decode(PartyImport.Report.self, from: Data(result.utf8)) {
            out.inserted = report.dryRun ? 0 : report.inserted
            out.errors = report.errors.count
            out.stored = report.stored
            out.rows = report.rows
            out.valid = report.valid
            out.alreadyPresent = report.alreadyPresent
            out.summary = report.summary.prefix(10).map { RefusalText.summaryLine($0, lang == .zh) }
            out.dryRun = report.dryRun
            out.wouldInsert = report.dryRun ? report.inserted : 0
            out.format = report.encoding
            out.sheet = ""
            out.headerRow = report.headerRow
            out.mapping = report.mapping.map { Column(header: $0.header, field: $0.field ?? "", mapped: false) }
            out.sample = []
            out.party = true
        }
        out.message = RefusalText.jobFailure(j, lang)
        return out
    }
}
