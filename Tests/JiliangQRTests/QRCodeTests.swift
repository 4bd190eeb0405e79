import JiliangQR
import Testing

@Suite struct QRCodeTests {
    /// The structure every QR code must have, whatever the content: three finder patterns (7×7
    /// dark ring, light ring, 3×3 dark core) in the corners and alternating timing patterns.
    @Test(arguments: ["JL3501022026000123", "https://jiliang.example/i/JL3501022026000123", String(repeating: "计量", count: 60)])
    func finderAndTimingPatternsArePresent(text: String) throws {
        let qr = try QRCode(text)
        #expect(qr.width == 17 + 4 * qr.version)
        for (ox, oy) in [(0, 0), (qr.width - 7, 0), (0, qr.width - 7)] {
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = x == 0 || y == 0 || x == 6 || y == 6
                    let core = (2...4).contains(x) && (2...4).contains(y)
                    #expect(qr.isDark(x: ox + x, y: oy + y) == (ring || core), "finder at (\(ox),\(oy)) module (\(x),\(y))")
                }
            }
        }
        for i in 8..<(qr.width - 8) {
            #expect(qr.isDark(x: i, y: 6) == (i % 2 == 0))
            #expect(qr.isDark(x: 6, y: i) == (i % 2 == 0))
        }
    }

    @Test func longerTextNeedsALargerSymbolAndTooMuchIsAnError() throws {
        let short = try QRCode("JL1")
        let long = try QRCode(String(repeating: "x", count: 600))
        #expect(short.version == 1)
        #expect(long.version > short.version)
        #expect(throws: QRCode.Failure.self) { try QRCode(String(repeating: "x", count: 4000), level: .high) }
    }

    @Test func svgDrawsEveryDarkModuleInsideAQuietZone() throws {
        let qr = try QRCode("JL3501022026000123")
        let svg = qr.svg(size: 160, title: "JL<1>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("viewBox=\"0 0 \(qr.width + 8) \(qr.width + 8)\""))
        #expect(svg.contains("<title>JL&lt;1&gt;</title>"))
        // The path's horizontal runs cover exactly the dark modules.
        var covered = 0
        for part in svg.split(separator: "M").dropFirst() {
            let run = part.split(separator: "h")[1].split(separator: "v")[0]
            covered += Int(run)!
        }
        #expect(covered == qr.modules.filter { $0 }.count)
    }
}
