import JiliangStore
import Foundation

/// The public site's page frame and its instrument page, written as Swift string building rather
/// than templates: the instrument page is what millions of phones fetch (BENCHMARKS.md), and a
/// template engine's dynamic lookups cost more than the database query behind the page. Every
/// value goes through `escape`; nothing else is interpolated.
enum PublicHTML {
    /// Escapes text for HTML element content and double-quoted attributes.
    static func escape(_ s: String) -> String {
        var needs = false
        for b in s.utf8 where b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 { needs = true; break }
        guard needs else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let style = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f6f7f9}
        header{background:#0b57d0;color:#fff;padding:.6rem 1rem;display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}header a{color:#fff}header strong{flex:1}
        main{max-width:40rem;margin:0 auto;padding:1rem}nav.site{display:flex;gap:1rem;flex-wrap:wrap;padding:.4rem 1rem;background:#fff;border-bottom:1px solid #ddd}
        a{color:#0b57d0}h1{font-size:1.4rem;margin:.4rem 0 .8rem}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
        .card{background:#fff;border-radius:.6rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px #0002}
        .status{font-size:1.35rem;font-weight:700;padding:.8rem 1rem;border-radius:.6rem;color:#fff;margin:0 0 1rem}
        .ok{background:#1b7f3b}.warn{background:#b36200}.bad{background:#b3261e}.grey{background:#5f6368}
        span.ok,span.warn,span.bad,span.grey{color:#fff;padding:0 .4rem;border-radius:.3rem;white-space:nowrap}
        dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem .8rem;margin:0}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
        label{display:block;margin:.6rem 0 .2rem;font-weight:600}input,select,textarea,button{font:inherit;width:100%;padding:.55rem;border:1px solid #bbb;border-radius:.4rem;background:#fff}
        button{background:#0b57d0;color:#fff;border:0;margin-top:.8rem;font-weight:600}textarea{min-height:6rem}
        .error{background:#fde7e9;color:#8c1d18;padding:.6rem .8rem;border-radius:.4rem}.code{font:700 1.3rem ui-monospace,monospace;letter-spacing:.05em}
        table{width:100%;border-collapse:collapse;background:#fff}td,th{padding:.45rem;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
        small,.muted{color:#5f6368}footer{max-width:40rem;margin:0 auto;padding:1rem;color:#5f6368;font-size:.85rem}
        .radio label{font-weight:400;display:flex;gap:.5rem;align-items:flex-start}.radio input{width:auto;margin-top:.3rem}
        """

    /// The frame of every public page: header with the language switch, the site's links, the
    /// body, the footer. `body` is already HTML.
    static func layout(lang: PageStrings.Language, title: String, otherLangLink: String, body: String) -> String {
        let t = PublicStrings.strings(lang)
        var h = "<!doctype html>\n<html lang=\"\(lang == .zh ? "zh-CN" : "en")\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(escape(title)) · \(t[.site])</title>\n<style>\n\(style)\n</style></head>\n<body>\n"
        h += "<header><strong><a href=\"/p\" style=\"text-decoration:none\">\(t[.site])</a></strong><a href=\"\(escape(otherLangLink))\" id=\"lang-switch\">\(t[.otherLang])</a></header>\n"
        h += "<nav class=\"site\"><a href=\"/p\">\(t[.home])</a><a href=\"/p/complaints/new\">\(t[.complaints])</a><a href=\"/p/checks\">\(t[.checks])</a>"
        h += "<a href=\"/p/campaigns\">\(t[.campaigns])</a><a href=\"/p/institutions\">\(t[.institutions])</a></nav>\n<main>\n"
        h += body
        h += "\n</main>\n<footer>\(t[.hotline]) · \(t[.privacy])</footer>\n</body>\n</html>\n"
        return h
    }

    /// What the instrument page shows (built by `PublicSite.instrumentPage`).
    struct Instrument {
        var statusLabel, tone, statusCode, name, code, codeGrouped, item, owner, credit, place: String
        var lastVerified: String?
        var institution: String?
        var certificateNo: String?
        var dueLabel: String?
        var nextDue: String?
        var cert: Certificate
        var honesty: HonestySummary?
        enum Certificate { case none, verified(size: Int64), pending, failed }
    }

    static func instrumentBody(_ i: Instrument, _ t: PublicText) -> String {
        var h = "<p class=\"status \(i.tone)\" id=\"status\" data-status=\"\(i.statusCode)\">\(escape(i.statusLabel))</p>\n<div class=\"card\">\n"
        h += "<h1>\(escape(i.name))</h1>\n<dl>\n"
        h += "<dt>\(t[.code])</dt><dd class=\"code\" id=\"code\">\(escape(i.codeGrouped))</dd>\n"
        h += "<dt>\(t[.item])</dt><dd>\(escape(i.item))</dd>\n"
        h += "<dt>\(t[.owner])</dt><dd><a href=\"/p/b/\(escape(i.credit))\" id=\"owner\">\(escape(i.owner))</a></dd>\n"
        h += "<dt>\(t[.place])</dt><dd>\(escape(i.place))</dd>\n"
        if let v = i.lastVerified { h += "<dt>\(t[.lastVerified])</dt><dd id=\"last-verified\">\(escape(v))</dd>\n" }
        if let v = i.institution { h += "<dt>\(t[.institution])</dt><dd id=\"institution\">\(escape(v))</dd>\n" }
        if let v = i.certificateNo { h += "<dt>\(t[.certificateNo])</dt><dd>\(escape(v))</dd>\n" }
        if let v = i.nextDue, let label = i.dueLabel { h += "<dt>\(label)</dt><dd id=\"next-due\">\(escape(v))</dd>\n" }
        h += "<dt>\(t[.honesty])</dt><dd id=\"honesty\">\(honestyHTML(i.honesty, t))</dd>\n</dl>\n</div>\n"
        switch i.cert {
        case .verified(let size):
            h += "<p class=\"card\" id=\"cert-verified\">✔ \(t[.certVerified]) <small>(#\(size))</small><br><a href=\"/p/i/\(escape(i.code))/certificate\">\(t[.certDownload])</a></p>\n"
        case .pending: h += "<p class=\"card muted\" id=\"cert-pending\">\(t[.certPending])</p>\n"
        case .failed: h += "<p class=\"card error\" id=\"cert-failed\">\(t[.certFailed])</p>\n"
        case .none: break
        }
        h += "<p><a href=\"/p/complaints/new?instrument=\(escape(i.code))\" id=\"complain\">\(t[.complainInstrument])</a> · "
        h += "<a href=\"/p/b/\(escape(i.credit))\">\(t[.allInstruments])</a></p>\n"
        return h
    }

    /// The public honesty line: listing and penalties first (what a citizen must know), then the
    /// commitment and a demonstration title. Everything in it is public by law or by the owner's choice.
    static func honestyHTML(_ h: HonestySummary?, _ t: PublicText) -> String {
        guard let h, h.listed || h.penaltiesShown > 0 || h.commitmentID != nil || h.demonstrationTitle != nil else { return t[.honestyNone] }
        var parts: [String] = []
        if h.listed { parts.append("<span class=\"bad\" id=\"honesty-listed\">\(t[.honestyListed])</span>") }
        if h.penaltiesShown > 0 { parts.append("<span class=\"warn\" id=\"honesty-penalties\">\(t[.honestyPenalties].replacingOccurrences(of: "%d", with: "\(h.penaltiesShown)"))</span>") }
        if let title = h.demonstrationTitle {
            parts.append("<span class=\"ok\" id=\"honesty-demo\">\(t[.honestyDemo])（\(escape(title))\(h.demonstrationUntil.map { ", \(t[.until]) \(escape($0))" } ?? "")）</span>")
        }
        if let id = h.commitmentID {
            parts.append("<a href=\"/p/commitments/\(id)\" id=\"honesty-commitment\">\(t[.honestyCommitment])\(h.commitmentSignedOn.map { "（\(escape($0))）" } ?? "")</a>")
        }
        return parts.joined(separator: "<br>")
    }
}
