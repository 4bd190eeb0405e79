import Foundation
import JiliangCore
@testable import JiliangServer
import NIOCore
import Testing

/// A textarea's line breaks arrive as CRLF (HTML's urlencoded serialisation) but count as one
/// character in the page's `maxlength`: forms are read with LF, so a text the page allowed is not
/// refused as too long (`FieldChecker.text` counts code points).
@Suite struct FormTextTests {
    struct ReasonForm: Decodable { var reason: String }

    @Test(arguments: [("a%0D%0Ab", "a\nb"), ("a%0d%0ab", "a\nb"), ("a%0Ab", "a\nb"), ("a%0Db", "a\rb"), ("a+b%25", "a b%")])
    func lineBreaksAreReadAsTheyWereTyped(body: String, expected: String) throws {
        let buffer = ByteBuffer(string: "reason=" + body)
        #expect(try decodeForm(ReasonForm.self, from: buffer).reason == expected)
        #expect(FormCSRF.fields(ofURLEncoded: buffer).first?.1 == expected)
    }

    /// 500 characters, 9 of them line breaks, as the browser allowed them, fit a limit of 500.
    @Test func aReasonAtThePagesLimitFits() throws {
        let typed = Array(repeating: String(repeating: "因", count: 49), count: 10).joined(separator: "\n") + "因"
        #expect(typed.unicodeScalars.count == 500)
        let sent = "reason=" + typed.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!.replacingOccurrences(of: "%0A", with: "%0D%0A")
        var checker = FieldChecker()
        #expect(checker.text("reason", try decodeForm(ReasonForm.self, from: ByteBuffer(string: sent)).reason, max: 500) == typed)
    }
}
