import CQRencode
import Foundation

/// QR codes made by libqrencode (a maintained C library, from Debian's libqrencode-dev through the
/// `CQRencode` system-library target), drawn as SVG so pages and printouts stay sharp at any size.
public struct QRCode: Sendable {
    public enum Level: Sendable {
        case low, medium, quartile, high
        var c: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case tooLong(Int)
        public var description: String {
            switch self {
            case .tooLong(let n): "\(n) bytes do not fit in a QR code at this error-correction level"
            }
        }
    }

    /// Side length in modules (without the quiet zone).
    public let width: Int
    public let version: Int
    /// Row-major: true is a dark module.
    public let modules: [Bool]

    /// Encodes `text` as UTF-8 bytes (8-bit mode), choosing the smallest version that fits.
    public init(_ text: String, level: Level = .medium) throws {
        let bytes = Array(text.utf8)
        guard let code = bytes.withUnsafeBufferPointer({ QRcode_encodeData(Int32($0.count), $0.baseAddress, 0, level.c) }) else {
            throw Failure.tooLong(bytes.count)
        }
        defer { QRcode_free(code) }
        width = Int(code.pointee.width)
        version = Int(code.pointee.version)
        // Bit 0 of each byte is the module's colour; the other bits are libqrencode's bookkeeping.
        modules = (0..<width * width).map { code.pointee.data[$0] & 1 == 1 }
    }

    public func isDark(x: Int, y: Int) -> Bool { modules[y * width + x] }

    /// An SVG drawing with a 4-module quiet zone; `size` is the rendered width in CSS pixels.
    public func svg(size: Int = 200, title: String? = nil) -> String {
        let side = width + 8
        var path = ""
        for y in 0..<width {
            var x = 0
            while x < width {
                guard isDark(x: x, y: y) else { x += 1; continue }
                var run = 1
                while x + run < width, isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + 4) \(y + 4)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let label = title.map { "<title>\(QRCode.escape($0))</title>" } ?? ""
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" width=\"\(size)\" height=\"\(size)\" viewBox=\"0 0 \(side) \(side)\" shape-rendering=\"crispEdges\" role=\"img\">"
            + label + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
