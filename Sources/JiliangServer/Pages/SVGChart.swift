import Foundation

/// Charts drawn by the server as inline SVG (no script, no CDN): what a bureau prints or pastes
/// into a report looks the same as on screen. Text is set in the page's CJK font stack, so Chinese
/// labels render wherever the page does. Values are percentages (0…100) or nil ("nothing due").
enum SVGChart {
    struct Bar {
        var label: String
        var value: Double?
        var link: String?
    }

    struct Series {
        var name: String
        var color: String
        var values: [Double?]
    }

    static let font = "font-family=\"'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif\""

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ d: Double) -> String { String(format: "%.1f", d) }

    /// Horizontal bars, one per label, each linking to its drill-down when given.
    static func bars(_ bars: [Bar], title: String, id: String) -> String {
        let rowH = 22.0, labelW = 120.0, barW = 300.0, h = Double(bars.count) * rowH + 34
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(escape(id))\" role=\"img\" viewBox=\"0 0 \(n(labelW + barW + 70)) \(n(h))\" width=\"\(n(labelW + barW + 70))\" height=\"\(n(h))\" \(font) font-size=\"12\">"
        s += "<title>\(escape(title))</title><text x=\"0\" y=\"14\" font-weight=\"bold\">\(escape(title))</text>"
        for (i, b) in bars.enumerated() {
            let y = 26 + Double(i) * rowH
            var row = "<text x=\"\(n(labelW - 6))\" y=\"\(n(y + 13))\" text-anchor=\"end\">\(escape(b.label))</text>"
            row += "<rect x=\"\(n(labelW))\" y=\"\(n(y + 2))\" width=\"\(n(barW))\" height=\"\(n(rowH - 6))\" fill=\"#eef1f4\"/>"
            if let v = b.value {
                let w = barW * max(0, min(100, v)) / 100
                let color = v >= 95 ? "#2e7d32" : v >= 80 ? "#f9a825" : "#c62828"
                row += "<rect class=\"bar\" x=\"\(n(labelW))\" y=\"\(n(y + 2))\" width=\"\(n(w))\" height=\"\(n(rowH - 6))\" fill=\"\(color)\"><title>\(escape(b.label)) \(n(v))%</title></rect>"
                row += "<text x=\"\(n(labelW + barW + 6))\" y=\"\(n(y + 13))\">\(n(v))%</text>"
            } else {
                row += "<text x=\"\(n(labelW + barW + 6))\" y=\"\(n(y + 13))\" fill=\"#777\">—</text>"
            }
            s += b.link.map { "<a href=\"\(escape($0))\">\(row)</a>" } ?? row
        }
        return s + "</svg>"
    }

    /// A line per series over labelled points (the months of a year), 0–100 % on the y axis;
    /// a gap where a value is nil.
    static func lines(_ series: [Series], labels: [String], title: String, id: String) -> String {
        let left = 40.0, top = 30.0, w = 460.0, h = 160.0
        let step = labels.count > 1 ? w / Double(labels.count - 1) : w
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(escape(id))\" role=\"img\" viewBox=\"0 0 \(n(left + w + 20)) \(n(top + h + 60))\" width=\"\(n(left + w + 20))\" height=\"\(n(top + h + 60))\" \(font) font-size=\"11\">"
        s += "<title>\(escape(title))</title><text x=\"0\" y=\"14\" font-weight=\"bold\" font-size=\"12\">\(escape(title))</text>"
        for g in stride(from: 0.0, through: 100.0, by: 25.0) {
            let y = top + h - h * g / 100
            s += "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(left + w))\" y2=\"\(n(y))\" stroke=\"#ddd\"/><text x=\"\(n(left - 4))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(Int(g))%</text>"
        }
        for (i, l) in labels.enumerated() {
            s += "<text x=\"\(n(left + Double(i) * step))\" y=\"\(n(top + h + 16))\" text-anchor=\"middle\">\(escape(l))</text>"
        }
        for (k, sr) in series.enumerated() {
            var segments: [[String]] = [[]]
            for (i, v) in sr.values.enumerated() {
                guard let v else {
                    if !(segments.last?.isEmpty ?? true) { segments.append([]) }
                    continue
                }
                let p = "\(n(left + Double(i) * step)),\(n(top + h - h * max(0, min(100, v)) / 100))"
                segments[segments.count - 1].append(p)
                s += "<circle cx=\"\(p.split(separator: ",")[0])\" cy=\"\(p.split(separator: ",")[1])\" r=\"2.5\" fill=\"\(sr.color)\"><title>\(escape(sr.name)) \(escape(labels[i])) \(n(v))%</title></circle>"
            }
            for seg in segments where seg.count > 1 {
                s += "<polyline class=\"series\" fill=\"none\" stroke=\"\(sr.color)\" stroke-width=\"2\" points=\"\(seg.joined(separator: " "))\"/>"
            }
            let lx = left + Double(k) * 150
            s += "<rect x=\"\(n(lx))\" y=\"\(n(top + h + 30))\" width=\"10\" height=\"10\" fill=\"\(sr.color)\"/><text x=\"\(n(lx + 14))\" y=\"\(n(top + h + 39))\">\(escape(sr.name))</text>"
        }
        return s + "</svg>"
    }
}
