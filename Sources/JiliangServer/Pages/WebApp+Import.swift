import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import JiliangCore
import JiliangStore

extension WebApp {
    // MARK: Import

    /// The upload: the file is the request body (sent by import.js with the CSRF header).
    func startImport(_ request: Request, _ p: Principal) async throws -> [String: Any] {
        guard p.may(.importInstruments) else { throw RegistryError.forbidden("importing instruments") }
        guard let expected = RequestCaller.csrf, request.headers[AuthMiddleware<AppRequestContext>.csrfHeader] == expected else {
            throw RegistryError.forbidden("an upload without this session's CSRF token")
        }
        let modeText = request.uri.queryParameters["mode"].map(String.init) ?? InstrumentImport.Mode.allOrNothing.rawValue
        guard let mode = InstrumentImport.Mode(rawValue: modeText) else { throw RegistryError.invalid("mode", "must be all_or_nothing or valid_rows_only") }
        let limit = 512 * 1024 * 1024
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch { throw RegistryError.invalid("file", "the file is larger than 512 MB") }
        guard body.readableBytes > 0 else { throw RegistryError.invalid("file", "the file is empty") }
        let job = try await ImportJobs.enqueue(bytes: Array(body.readableBytesView), mode: mode, by: p, uploadDirectory: config.uploadDirectory, on: db)
        return ["id": job.id!]
    }

    func jobProgress(_ p: Principal, id: Int) async throws -> [String: Any] {
        let j = try await ImportJobs.job(id, visibleTo: p, on: db)
        var out: [String: Any] = ["id": id, "state": j.state, "done": j.progressDone ?? 0, "total": j.progressTotal ?? 0]
        if let result = j.result, let report = try? JSONDecoder().decode(InstrumentImport.Report.self, from: Data(result.utf8)) {
            out["inserted"] = report.inserted
            out["errors"] = report.errors.count
            out["stored"] = report.stored
            // The same problem on many rows once, with how many rows and the first ones.
            out["summary"] = (report.summary ?? []).prefix(10).filter { $0.rows > 1 }.map {
                "\($0.column): \($0.message) — \($0.rows) (\($0.firstRows.map(String.init).joined(separator: ", "))\($0.rows > $0.firstRows.count ? ", …" : ""))"
            }
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
