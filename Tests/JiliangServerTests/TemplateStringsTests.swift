import Foundation
@testable import JiliangServer
import Mustache
import Testing

/// Issue #20, item 5: the UI strings are typed keys — Swift uses `t[.key]`, and a key without its
/// translation does not compile (`PageKey`/`PublicKey` switch over every case in both languages).
/// What the compiler cannot see, the templates' `{{t.key}}`, is checked here: every key a
/// template names exists, and every template renders in both languages.
@Suite struct TemplateStringsTests {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Sources/JiliangServer/Resources/templates")
    }()

    /// The public site's templates read `PublicStrings`; the staff site's `PageStrings`.
    static func isPublic(_ name: String) -> Bool { name.hasPrefix("public-") || name == "commitment-letter" }

    static let templates: [String] = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?
        .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(".mustache".count)) }.sorted() ?? []

    @Test func theTemplatesAreFound() { #expect(Self.templates.count > 50) }

    @Test(arguments: templates) func everyKeyATemplateNamesExists(_ name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name + ".mustache"), encoding: .utf8)
        let keys = text.matches(of: /\{\{[#^\/{&]?\s*t\.([A-Za-z0-9_]+)/).map { String($0.1) }
        for key in Set(keys) {
            let known = Self.isPublic(name) ? PublicKey(rawValue: key) != nil : PageKey(rawValue: key) != nil
            #expect(known, "\(name).mustache names t.\(key), which \(Self.isPublic(name) ? "PublicKey" : "PageKey") does not have")
        }
    }

    @Test(arguments: templates) func everyTemplateRendersInBothLanguages(_ name: String) throws {
        let library = try WebApp.loadTemplates()
        for lang in [PageStrings.Language.zh, .en] {
            let t: Any = Self.isPublic(name) ? PublicStrings.strings(lang) : PageStrings.strings(lang)
            let html = library.render(["t": t, "u": Site.links], withTemplate: name)
            #expect(html != nil, "\(name) in \(lang)")
            // A key the template names comes out as its words (not empty) in this language.
            let text = try String(contentsOf: Self.directory.appendingPathComponent(name + ".mustache"), encoding: .utf8)
            if let first = text.firstMatch(of: /\{\{\s*t\.([A-Za-z0-9_]+)\s*\}\}/).map({ String($0.1) }), text.firstRange(of: "{{#") == nil {
                let words = Self.isPublic(name) ? PublicStrings.strings(lang).lookup(first) : PageStrings.strings(lang).lookup(first)
                #expect(words.map { html?.contains($0.replacingOccurrences(of: "&", with: "&amp;")) == true } == true, "\(name): t.\(first)")
            }
        }
    }

    /// Every key has words in both languages (an empty string would render as nothing).
    @Test func noKeyIsEmpty() {
        for k in PageKey.allCases { #expect(!k.zh.isEmpty && !k.en.isEmpty, "\(k)") }
        for k in PublicKey.allCases { #expect(!k.zh.isEmpty && !k.en.isEmpty, "\(k)") }
    }
}
