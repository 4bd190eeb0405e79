import JiliangCore
import Testing

@Suite struct CSVTests {
    func rows(_ text: String) -> [[String]] {
        var r = CSVReader(utf8: Array(text.utf8))
        return r.map(\.fields)
    }

    @Test func parsesQuotesNewlinesAndCRLF() {
        #expect(rows("a,b\r\n1,\"x, \"\"y\"\"\"\r\n2,\"line\nbreak\"\n") == [["a", "b"], ["1", "x, \"y\""], ["2", "line\nbreak"]])
        #expect(rows("a,b\n\n1,\n") == [["a", "b"], ["1", ""]])
    }

    @Test func reportsLineNumbersAcrossQuotedNewlines() {
        var r = CSVReader(utf8: Array("h\n\"a\nb\"\nc\n".utf8))
        #expect(r.next()?.line == 1)
        #expect(r.next()?.line == 2)
        #expect(r.next()?.line == 4)
    }

    @Test func flagsAnUnterminatedQuote() {
        var r = CSVReader(utf8: Array("a\n\"oops\n".utf8))
        _ = r.next()
        #expect(r.next() == nil)
        #expect(r.problem == .unterminatedQuote(line: 2))
    }

    @Test func decodesUTF8WithBOMAndGB18030() throws {
        let bom = try TextDecoding.toUTF8([0xEF, 0xBB, 0xBF] + Array("出厂编号".utf8))
        #expect(String(decoding: bom.bytes, as: UTF8.self) == "出厂编号" && bom.encoding == .utf8)
        // "出厂编号,统一社会信用代码" as Excel writes it on a Chinese Windows (GB18030).
        let gb: [UInt8] = [0xB3, 0xF6, 0xB3, 0xA7, 0xB1, 0xE0, 0xBA, 0xC5, 0x2C, 0xCD, 0xB3, 0xD2, 0xBB, 0xC9, 0xE7, 0xBB, 0xE1, 0xD0, 0xC5, 0xD3, 0xC3, 0xB4, 0xFA, 0xC2, 0xEB]
        let decoded = try TextDecoding.toUTF8(gb)
        #expect(decoded.encoding == .gb18030)
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "出厂编号,统一社会信用代码")
    }

    @Test func rejectsBytesThatAreNeitherEncoding() {
        #expect(throws: TextDecoding.Failure.self) { try TextDecoding.toUTF8([0x41, 0xFF, 0xFF, 0xFF]) }
    }

    @Test(arguments: [("出厂编号", "serial_no"), ("口径(DN)", "dn"), (" Serial_No ", "serial_no"), ("统一社会信用代码", "owner_credit_code"), ("使用单位", "owner_name")])
    func mapsChineseAndEnglishHeaders(header: String, canonical: String) {
        let p = RawInstrument.column(forHeader: header)
        #expect(p != nil && RawInstrument.canonicalName(of: p!) == canonical)
    }

    /// Q3 (permanent flow, 常用流量) is not Qmax (最大流量): water Q4 = 1.25·Q3 (JJG 162-2019, GB/T
    /// 778.1-2018), gas meters are rated by Qmax (JJG 577-2012); the rotation thresholds read Q3 only
    /// (issue #18, item 13 — "qmax" and "最大流量" used to fill Q3).
    @Test(arguments: [("Q3", "q3"), ("q3", "q3"), ("常用流量", "q3"), ("常用流量(Q3)", "q3"), ("Qmax", nil), ("最大流量", nil), ("最大流量(m³/h)", nil)] as [(String, String?)])
    func q3IsNeverTakenFromQmax(header: String, canonical: String?) {
        #expect(RawInstrument.column(forHeader: header).flatMap(RawInstrument.canonicalName(of:)) == canonical)
    }
}
