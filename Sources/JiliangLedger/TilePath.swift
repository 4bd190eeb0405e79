/// C2SP tlog-tiles resource names: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`.
public enum TilePath {
    public static let width = 256
    public static let tileBytes = width * Hash.size

    /// `<N>` as zero-padded 3-digit path elements, all but the last prefixed with `x`:
    /// 1234067 → `x001/x234/067`.
    public static func encode(index: Int64) -> String {
        var groups: [String] = []
        var n = index
        repeat {
            let g = String(n % 1000)
            groups.append(String(repeating: "0", count: 3 - g.count) + g)
            n /= 1000
        } while n > 0
        return groups.reversed().enumerated().map { i, g in i == groups.count - 1 ? g : "x" + g }.joined(separator: "/")
    }

    public static func hashTile(level: Int, index: Int64, width: Int = TilePath.width) -> String {
        "tile/\(level)/\(encode(index: index))" + (width < TilePath.width ? ".p/\(width)" : "")
    }

    public static func entryBundle(index: Int64, width: Int = TilePath.width) -> String {
        "tile/entries/\(encode(index: index))" + (width < TilePath.width ? ".p/\(width)" : "")
    }

    /// The prefix every partial version of a tile shares (deleted once the full tile exists).
    public static func partialPrefix(of fullPath: String) -> String { fullPath + ".p/" }

    /// What a tile path names, for serving and checking requests. Only canonical spellings parse.
    public struct Parsed: Equatable, Sendable {
        public var level: Int?  // nil for entry bundles
        public var index: Int64
        public var width: Int
        public init(level: Int?, index: Int64, width: Int) { self.level = level; self.index = index; self.width = width }
    }

    public static func parse(_ path: String) -> Parsed? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else { return nil }
        let level: Int?
        if parts[1] == "entries" {
            level = nil
        } else {
            guard let l = Int(parts[1]), (0...63).contains(l), String(l) == parts[1] else { return nil }
            level = l
        }
        parts.removeFirst(2)
        var width = TilePath.width
        if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
            guard let w = Int(parts.removeLast()), (1...255).contains(w) else { return nil }
            parts[parts.count - 1].removeLast(2)
            width = w
        }
        var index: Int64 = 0
        for (i, p) in parts.enumerated() {
            let last = i == parts.count - 1
            let digits = last ? Substring(p) : (p.hasPrefix("x") ? p.dropFirst() : "")
            guard digits.count == 3, digits.allSatisfy(\.isASCII), let v = Int64(digits) else { return nil }
            index = index * 1000 + v
        }
        guard encode(index: index) == parts.joined(separator: "/") else { return nil }
        return Parsed(level: level, index: index, width: width)
    }
}
