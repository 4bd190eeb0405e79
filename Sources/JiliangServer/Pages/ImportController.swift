import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

/// Imports from the staff site: the page, the upload (the file is the request body, sent by
/// `import.js` with the CSRF header), the saved profiles, the job's progress and its error report,
/// and the template CSV. The script's routes answer JSON (`Site.answersJSON`): their errors are
/// problems from `ProblemMiddleware`, so a handler just throws.
struct ImportController: PageController {
    let app: WebApp

    func addRoutes(to router: RouterGroup<SignedInContext>) {
        router.get(Site.importPage.path) { request, context in
            let lang = app.language(request)
            let view = try await ImportView.build(by: context.principal, lang: lang, on: db)
            return app.render("import", view: view, title: PageStrings.strings(lang)[.importTitle], request: request, caller: context.principal)
        }
        router.post(Site.importPage.path) { request, context in try Self.json(try await start(request, context.principal)) }
        router.post(Site.importProfiles.path) { request, context in try Self.json(try await saveProfile(request, context.principal)) }
        router.get(Site.importTemplate.path) { _, _ in
            let csv = "\u{FEFF}种别序号,器具名称,出厂编号,用途,行政区划代码,安装地点,统一社会信用代码,使用单位,启用日期,表类型,口径,常用流量,介质\n"
                + "2,电子计价秤,SN-0001,贸易结算,350102,鼓楼区某农贸市场A1,91350102MA00000000,某农贸市场,2026-01-05,,,,\n"
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"jiliang-import-template.csv\""],
                body: .init(byteBuffer: .init(string: csv)))
        }
        router.get(Site.jobProgress.path) { request, context in
            let id = try context.parameters.require("id", as: Int.self)
            return try Self.json(try await JobProgress.build(id, by: context.principal, lang: app.language(request), running: app.store.runningJobs, on: db))
        }
        router.get(Site.jobErrors.path) { request, context in
            let job = try await ImportJobs.job(try context.parameters.require("id", as: Int.self), visibleTo: context.principal, running: app.store.runningJobs, on: db)
            guard let csv = ImportJobs.errors(of: job).map({ RefusalText.errorsCSV($0, app.language(request) == .zh) }) else {
                throw RegistryError.conflict(field: "id", reason: .request(.importNotFinished))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"import-\(job.id!)-errors.csv\""],
                body: .init(byteBuffer: .init(string: csv)))
        }
    }

    /// The upload: the file is the request body (its CSRF header checked by `FormCSRFMiddleware`);
    /// the query carries the mode and the options — preview, sheet, profile, column mapping, institution.
    func start(_ request: Request, _ p: Principal) async throws -> ImportStarted {
        let q = request.uri.queryParameters
        // What the file holds: instruments (default), or an owner or institution roll (issue #19, item 5).
        let party: PartyImport.Kind?
        switch q["kind"].map(String.init) ?? "instruments" {
        case "instruments": party = nil
        case let k: guard let kind = PartyImport.Kind(rawValue: k) else { throw RegistryError.invalid("kind", .request(.mustBe(["instruments", "owners", "institutions"]))) }
            party = kind
        }
        if let party { try PartyImport.authorise(party, p) } else if !p.may(.importInstruments) { throw RegistryError.forbidden(.notAllowed(.importInstruments)) }
        let modeText = q["mode"].map(String.init) ?? InstrumentImport.Mode.allOrNothing.rawValue
        guard let mode = InstrumentImport.Mode(rawValue: modeText) else { throw RegistryError.invalid("mode", .request(.mustBe(["all_or_nothing", "valid_rows_only"]))) }
        var options = try await ImportJobs.options(
            dryRun: q["dry_run"] == "true", sheet: q["sheet"].map(String.init), profile: q["profile"].map(String.init),
            map: q.getAll("map").map { String($0) }, verifiedBy: q["verified_by"].map(String.init), by: p, on: db)
        options.maxRows = app.config.importMaxRows
        let limit = app.config.bodyLimits.import
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw RegistryError.invalid("file", .request(.fileTooLarge(megabytes: limit >> 20)))
        }
        guard body.readableBytes > 0 else { throw RegistryError.invalid("file", .request(.fileEmpty)) }
        let bytes = Array(body.readableBytesView)
        do {
            if let party { try PartyImport(kind: party, sheet: options.sheet).checkHeader(of: bytes) } else { try InstrumentImport.checkHeader(of: bytes, options: options) }
        } catch { throw RegistryError.invalid("file", error.refusal) }
        let job = try await ImportJobs.enqueue(
            bytes: bytes, mode: mode, options: options, party: party, by: p, on: db)
        return ImportStarted(id: job.id!)
    }

    /// Saves the preview's mapping (with the sheet and institution) as a named profile.
    func saveProfile(_ request: Request, _ p: Principal) async throws -> ImportProfileSaved {
        let body = try await request.body.collect(upTo: 1 << 16)
        let profile: ImportProfileBody
        do { profile = try JSONDecoder().decode(ImportProfileBody.self, from: Data(body.readableBytesView)) } catch {
            throw RegistryError.invalid("body", .request(.mustBeJSONObject))
        }
        func text(_ s: String?) -> String? { s.flatMap { $0.trimmingCharactersInWhitespace().isEmpty ? nil : $0 } }
        let saved = try await ImportProfiles.save(
            name: profile.name, options: .init(sheet: text(profile.sheet), mapping: profile.mapping, verifiedBy: text(profile.verifiedBy)),
            by: p, on: db)
        return ImportProfileSaved(name: saved.name)
    }

    /// A JSON answer for the page's script.
    static func json(_ value: some Encodable) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: .init(bytes: data)))
    }
}
