import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

extension WebApp {
    // MARK: Import

    /// The upload: the file is the request body (sent by import.js with the CSRF header, checked by
    /// `FormCSRFMiddleware`); the query
    /// carries the mode and the options — preview, sheet, profile, column mapping, institution.
    func startImport(_ request: Request, _ p: Principal) async throws -> [String: Any] {
        let q = request.uri.queryParameters
        // What the file holds: instruments (default), or an owner or institution roll (issue #19, item 5).
        let party: PartyImport.Kind?
        switch q["kind"].map(String.init) ?? "instruments" {
        case "instruments": party = nil
        case let k: guard let kind = PartyImport.Kind(rawValue: k) else { throw RegistryError.invalid("kind", "must be instruments, owners or institutions") }
            party = kind
        }
        if let party { try PartyImport.authorise(party, p) } else if !p.may(.importInstruments) { throw RegistryError.forbidden("importing instruments") }
        let modeText = q["mode"].map(String.init) ?? InstrumentImport.Mode.allOrNothing.rawValue
        guard let mode = InstrumentImport.Mode(rawValue: modeText) else { throw RegistryError.invalid("mode", "must be all_or_nothing or valid_rows_only") }
        var options = try await ImportJobs.options(
            dryRun: q["dry_run"] == "true", sheet: q["sheet"].map(String.init), profile: q["profile"].map(String.init),
            map: q.getAll("map").map { String($0) }, verifiedBy: q["verified_by"].map(String.init), by: p, on: db)
        options.maxRows = config.importMaxRows
        let limit = config.bodyLimits.import
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw RegistryError.invalid("file", "the file is larger than \(limit >> 20) MB, the most one import takes")
        }
        guard body.readableBytes > 0 else { throw RegistryError.invalid("file", "the file is empty") }
        let bytes = Array(body.readableBytesView)
        do {
            if let party { try PartyImport(kind: party, sheet: options.sheet).checkHeader(of: bytes) } else { try InstrumentImport.checkHeader(of: bytes, options: options) }
        } catch { throw RegistryError.invalid("file", error.description) }
        let job = try await ImportJobs.enqueue(
            bytes: bytes, mode: mode, options: options, party: party, by: p, uploadDirectory: config.uploadDirectory, on: db)
        return ["id": job.id!]
    }

    /// Saves the preview's mapping (with the sheet and institution) as a named profile.
    func saveImportProfile(_ request: Request, _ p: Principal) async throws -> [String: Any] {
        let body = try await request.body.collect(upTo: 1 << 16)
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw RegistryError.invalid("body", "must be a JSON object")
        }
        let mapping = json["mapping"] as? [String: String] ?? [:]
        func text(_ key: String) -> String? { (json[key] as? String).flatMap { $0.trimmingCharactersInWhitespace().isEmpty ? nil : $0 } }
        let saved = try await ImportProfiles.save(
            name: json["name"] as? String, options: .init(sheet: text("sheet"), mapping: mapping, verifiedBy: text("verified_by")), by: p, on: db)
        return ["name": saved.name]
    }

    /// The import page: the form, the saved profiles and the fields a column may be mapped to.
    func importPage(_ request: Request, _ p: Principal) async throws -> Response {
        guard p.may(.importInstruments) || p.may(.manageOwners) || p.may(.manageReference) else { throw RegistryError.forbidden("importing") }
        let lang = language(request)
        let t = PageStrings.strings(lang)
        let profiles = p.may(.importInstruments) && p.may(.manageOwners) ? try await ImportProfiles.list(by: p, on: db).map { ["name": $0.name] } : []
        let fields = RawInstrument.columns.map { c -> [String: String] in
            let chinese = c.aliases.first { $0.unicodeScalars.contains { $0.value > 0x2E80 } }
            return ["name": c.name, "label": chinese.map { "\($0) \(c.name)" } ?? c.name]
        }
        // The rolls this caller may import; an owner files its own instruments as drafts.
        var kinds: [[String: String]] = []
        if p.may(.importInstruments) { kinds.append(["value": "instruments", "label": t[.importKindInstruments]]) }
        if p.may(.manageOwners) { kinds.append(["value": "owners", "label": t[.importKindOwners]]) }
        if p.may(.manageReference) { kinds.append(["value": "institutions", "label": t[.importKindInstitutions]]) }
        return render(
            "import", ["t": t, "profiles": profiles, "hasProfiles": !profiles.isEmpty, "fields": fields, "kinds": kinds, "isOwner": p.role == .owner,
                       "jobsBase": Site.jobsPrefix],
            title: t[.importTitle], request: request, caller: p)
    }

    func jobProgress(_ p: Principal, id: Int, lang: PageStrings.Language) async throws -> [String: Any] {
        let j = try await ImportJobs.job(id, visibleTo: p, on: db)
        var out: [String: Any] = ["id": id, "state": j.state, "done": j.progressDone ?? 0, "total": j.progressTotal ?? 0]
        if let result = j.result, let report = try? JSONDecoder().decode(InstrumentImport.Report.self, from: Data(result.utf8)) {
            out["inserted"] = report.inserted
            out["errors"] = report.errors.count
            out["stored"] = report.stored
            out["rows"] = report.rows
            out["valid"] = report.valid
            out["alreadyPresent"] = report.alreadyPresent
            // The same problem on many rows once, with how many rows and the first ones.
            out["summary"] = (report.summary ?? []).prefix(10).map(\.text)
            // The preview: what was read and how, and rows as they will be stored.
            out["dryRun"] = report.dryRun ?? false
            out["wouldInsert"] = report.wouldInsert ?? 0
            out["format"] = report.encoding
            out["sheet"] = report.sheet ?? ""
            out["headerRow"] = report.headerRow ?? 1
            out["mapping"] = (report.mapping ?? []).map { ["header": $0.header, "field": $0.field ?? "", "mapped": $0.mapped] }
            out["sample"] = (report.sample ?? []).map {
                [
                    "row": $0.row, "name": $0.name, "subItem": "\($0.subNo) \($0.subItem)", "serialNo": $0.serialNo, "region": $0.region,
                    "last": $0.lastVerification ?? "—", "status": PageStrings.statusLabel($0.status, lang), "nextDue": $0.nextDue ?? "—",
                ] as [String: Any]
            }
        }
        if let result = j.result, let report = try? JSONDecoder().decode(PartyImport.Report.self, from: Data(result.utf8)) {
            out["inserted"] = report.dryRun ? 0 : report.inserted
            out["errors"] = report.errors.count
            out["stored"] = report.stored
            out["rows"] = report.rows
            out["valid"] = report.valid
            out["alreadyPresent"] = report.alreadyPresent
            out["summary"] = report.summary.prefix(10).map(\.text)
            out["dryRun"] = report.dryRun
            out["wouldInsert"] = report.dryRun ? report.inserted : 0
            out["format"] = report.encoding
            out["sheet"] = ""
            out["headerRow"] = report.headerRow
            out["mapping"] = report.mapping.map { ["header": $0.header, "field": $0.field ?? "", "mapped": false] }
            out["sample"] = [[String: Any]]()
            out["party"] = true
        }
        if let e = j.error { out["message"] = e }
        return out
    }

    /// Runs a JSON endpoint of the pages (for their scripts): errors as `{"message": …}` with the status.
    func json(_ request: Request, _ body: (Principal) async throws -> [String: Any]) async throws -> Response {
        func answer(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
            return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: .init(bytes: data)))
        }
        guard let p = RequestCaller.principal else { return answer(.unauthorized, ["message": "sign in first"]) }
        do {
            return answer(.ok, try await body(p))
        } catch let e as RegistryError {
            switch e {
            case .notFound: return answer(.notFound, ["message": e.description])
            case .forbidden: return answer(.forbidden, ["message": e.description])
            case .unauthenticated: return answer(.unauthorized, ["message": e.description])
            case .invalid, .conflict: return answer(.badRequest, ["message": e.description])
            }
        }
    }
}
