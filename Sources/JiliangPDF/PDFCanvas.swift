import CPangoCairo
import Foundation
import JiliangQR

/// A PDF document drawn with cairo, its text laid out by Pango so that Chinese is shaped and set
/// in Noto Sans CJK (fontconfig finds it). Units are millimetres; pages are A4 portrait.
public final class PDFCanvas {
    public static let a4 = (width: 210.0, height: 297.0)
    static let pointsPerMM = 72.0 / 25.4

    public enum Failure: Error, CustomStringConvertible {
        case cairo(String)
        public var description: String {
            switch self {
            case .cairo(let s): "the PDF could not be drawn: \(s)"
            }
        }
    }

    /// Collects what cairo writes; cairo calls back through a C function pointer with this as its closure.
    final class Sink { var bytes: [UInt8] = [] }

    let sink = Sink()
    let surface: OpaquePointer
    let cr: OpaquePointer
    private var finished = false

    public init(title: String) throws {
        let unmanaged = Unmanaged.passUnretained(sink)
        surface = cairo_pdf_surface_create_for_stream(
            { closure, data, length in
                let sink = Unmanaged<PDFCanvas.Sink>.fromOpaque(closure!).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, unmanaged.toOpaque(), Self.a4.width * Self.pointsPerMM, Self.a4.height * Self.pointsPerMM)
        cr = cairo_create(surface)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Jiliang")
        cairo_scale(cr, Self.pointsPerMM, Self.pointsPerMM)
        try check()
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    func check() throws {
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else { throw Failure.cairo(String(cString: cairo_status_to_string(status))) }
    }

    public func newPage() { cairo_show_page(cr) }

    /// Text in a box `width` mm wide, cut with an ellipsis; returns the height it took in mm.
    @discardableResult
    public func text(_ s: String, x: Double, y: Double, width: Double, size: Double, bold: Bool = false, mono: Bool = false, lines: Int = 1) -> Double {
        let layout = pango_cairo_create_layout(cr)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let family = mono ? "Noto Sans Mono CJK SC" : "Noto Sans CJK SC"
        // Pango sizes are in points; the context is scaled to millimetres, so convert.
        let font = pango_font_description_from_string("\(family)\(bold ? " Bold" : "") \(size / Self.pointsPerMM)")
        defer { pango_font_description_free(font) }
        pango_layout_set_font_description(layout, font)
        pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
        pango_layout_set_height(layout, Int32(-lines))
        pango_layout_set_text(layout, s, -1)
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, layout)
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        return Double(logical.height) / Double(PANGO_SCALE)
    }

    /// A QR code as filled squares (crisp at any print resolution), `side` mm wide with its quiet zone.
    public func qr(_ code: QRCode, x: Double, y: Double, side: Double) {
        let module = side / Double(code.width + 8)
        cairo_set_source_rgb(cr, 0, 0, 0)
        for row in 0..<code.width {
            var col = 0
            while col < code.width {
                guard code.isDark(x: col, y: row) else { col += 1; continue }
                var run = 1
                while col + run < code.width, code.isDark(x: col + run, y: row) { run += 1 }
                cairo_rectangle(cr, x + Double(col + 4) * module, y + Double(row + 4) * module, Double(run) * module, module)
                col += run
            }
        }
        cairo_fill(cr)
    }

    /// A thin grey frame (a cutting guide).
    public func frame(x: Double, y: Double, width: Double, height: Double) {
        cairo_set_source_rgb(cr, 0.75, 0.75, 0.75)
        cairo_set_line_width(cr, 0.1)
        cairo_rectangle(cr, x, y, width, height)
        cairo_stroke(cr)
    }

    /// A straight line (a table rule), `width` mm thick, in grey `shade` (0 black … 1 white).
    public func line(x1: Double, y1: Double, x2: Double, y2: Double, width: Double = 0.2, shade: Double = 0.4) {
        cairo_set_source_rgb(cr, shade, shade, shade)
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, x1, y1)
        cairo_line_to(cr, x2, y2)
        cairo_stroke(cr)
    }

    /// Ends the document and returns its bytes.
    public func finish() throws -> [UInt8] {
        if !finished {
            cairo_surface_finish(surface)
            finished = true
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw Failure.cairo(String(cString: cairo_status_to_string(status))) }
        return sink.bytes
    }
}
