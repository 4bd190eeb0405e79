import Foundation
import JiliangQR

/// A4 sheets of instrument labels in the common 3 × 8 layout (70 × 37 mm, 24 to a sheet), as
/// sold for office label printers: each label carries the QR code of the instrument's public page
/// and, beside it, the lifelong code, the owner, the catalogue item and the next due date.
public enum LabelSheet {
    public struct Label: Sendable {
        public var qrText: String
        public var code: String
        public var lines: [String]
        public init(qrText: String, code: String, lines: [String]) {
            self.qrText = qrText
            self.code = code
            self.lines = lines
        }
    }

    public static let columns = 3, rows = 8
    public static let labelWidth = 70.0, labelHeight = 37.0

    public static func pdf(_ labels: [Label], title: String) throws -> [UInt8] {
        let canvas = try PDFCanvas(title: title)
        for (n, label) in labels.enumerated() {
            if n > 0, n % (columns * rows) == 0 { canvas.newPage() }
            let slot = n % (columns * rows)
            let x = Double(slot % columns) * labelWidth, y = Double(slot / columns) * labelHeight
            canvas.frame(x: x, y: y, width: labelWidth, height: labelHeight)
            canvas.qr(try QRCode(label.qrText), x: x + 1.5, y: y + 2.5, side: 32)
            var ty = y + 4
            ty += canvas.text(label.code, x: x + 34.5, y: ty, width: 33.5, size: 6.5, bold: true, mono: true, lines: 1) + 1
            for line in label.lines {
                ty += canvas.text(line, x: x + 34.5, y: ty, width: 33.5, size: 6.5, lines: 2) + 0.6
                if ty > y + labelHeight - 4 { break }
            }
        }
        try canvas.check()
        return try canvas.finish()
    }
}
