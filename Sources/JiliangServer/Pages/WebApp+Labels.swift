import FluentKit
import Foundation
import Hummingbird
import JiliangCore
import JiliangPDF
import JiliangQR
import JiliangStore
import Mustache

extension WebApp {
    /// At most this many labels in one run (100 A4 sheets): a county's markets, not a province.
    static let maxLabels = 2400

    struct LabelRow {
        var code: String
        var grouped: String
        var owner: String
        var item: String
        var nextDue: String
    }

    /// The instruments of the list's filter (same filter, same scope as the list page), with what a
    /// label shows. Too many is bad input naming the filter, before any sheet is drawn.
    func labelRows(_ request: Request, _ p: Principal) async throws -> [LabelRow] {
        let filter = try listFilter(request)
        var models: [InstrumentModel] = []
        var cursor: String?
        repeat {
            let page = try await Registry.instruments(filter, today: today, window: config.dueSoonWindow, cursor: cursor, limit: 500, scope: p.scope, on: db)
            models += page.items
            cursor = page.nextCursor
            if models.count > Self.maxLabels {
                throw RegistryError.invalid("filter", "more than \(Self.maxLabels) instruments match; narrow the list (region, catalogue item, status) to print at most \(Self.maxLabels / 24) sheets at a time")
            }
        } while cursor != nil
        let owners = try await ownerNames(Set(models.map(\.ownerID)))
        let items = Dictionary(uniqueKeysWithValues: try await Registry.catalogue(on: db).map { ($0.id!, $0.subName) })
        return models.map {
            LabelRow(code: $0.code, grouped: (try? InstrumentCode(validating: $0.code).grouped) ?? $0.code, owner: owners[$0.ownerID] ?? "",
                     item: items[$0.subNo] ?? "\($0.subNo)", nextDue: $0.nextDue ?? "—")
        }
    }

    /// Owners' names by id, in one query (a sheet run may name hundreds of owners).
    func ownerNames(_ ids: Set<Int>) async throws -> [Int: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await OwnerModel.query(on: db).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, $0.name) })
    }

    func publicURL(_ code: String) -> String { PublicSite.instrumentURL(base: config.publicBaseURL, code: code) }

    /// A printable page of the labels (A4, 3 × 8, the browser prints it to any label sheet).
    func labelsPage(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let rows = try await labelRows(request, p)
        let labels = rows.map {
            ["qr": (try? QRCode(publicURL($0.code)).svg(size: 118, title: $0.grouped)) ?? "", "code": $0.grouped, "owner": $0.owner, "item": $0.item, "nextDue": $0.nextDue]
        }
        let pdfLink = Site.labelsPDF() + (request.uri.query.map { "?" + $0 } ?? "")
        let html = templates.render(["t": t, "labels": labels, "count": "\(labels.count)", "pdfLink": pdfLink], withTemplate: "labels") ?? ""
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: .init(string: html)))
    }

    /// The same labels as a PDF (cairo + Pango), for label printers and print shops.
    func labelsPDF(_ request: Request, _ p: Principal) async throws -> Response {
        let t = PageStrings.strings(language(request))
        let rows = try await labelRows(request, p)
        let pdf = try LabelSheet.pdf(
            rows.map { LabelSheet.Label(qrText: publicURL($0.code), code: $0.grouped, lines: [$0.owner, $0.item, "\(t[.nextDue]) \($0.nextDue)"]) },
            title: "\(t[.labels]) \(today)")
        return Response(
            status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"labels-\(today).pdf\""],
            body: .init(byteBuffer: .init(bytes: pdf)))
    }
}
