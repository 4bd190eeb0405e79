/// Bureau rolls name the instrument (器具名称) instead of giving its catalogue sub-item: a name table
/// — common names and synonyms shipped with Jiliang, extended by the administrator — resolves the
/// name to a sub-item (issue #19, item 1). Names are compared after `normalize`.
public enum InstrumentNames {
    /// Trimmed, without spaces (ASCII or full-width) and brackets' spacing, ASCII lower-cased, and
    /// full-width Latin letters and digits made half-width: "ＣＮＧ 加气机" and "cng加气机" are one name.
    public static func normalize(_ name: String) -> String {
        var out = ""
        for u in name.unicodeScalars {
            if u.properties.isWhitespace || u == "\u{3000}" { continue }
            if (0xFF01...0xFF5E).contains(u.value), let half = Unicode.Scalar(u.value - 0xFEE0) {
                out.unicodeScalars.append(half)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out.lowercased()
    }

    /// Up to `limit` of `candidates` (name → sub-item) closest to `name`: most characters in common
    /// relative to both lengths (a Dice coefficient over characters), then the shorter name.
    public static func closest(to name: String, in candidates: [String: Int], limit: Int = 3) -> [(name: String, subNo: Int)] {
        let wanted = Array(normalize(name))
        guard !wanted.isEmpty else { return [] }
        func score(_ other: String) -> Double {
            var pool = Array(other)
            var shared = 0
            for ch in wanted {
                if let i = pool.firstIndex(of: ch) {
                    shared += 1
                    pool.remove(at: i)
                }
            }
            return Double(2 * shared) / Double(wanted.count + other.count)
        }
        return candidates.map { (name: $0.key, subNo: $0.value, score: score($0.key)) }
            .filter { $0.score > 0 }
            .sorted { ($1.score, $0.name.count, $0.name) < ($0.score, $1.name.count, $1.name) }
            .prefix(limit).map { ($0.name, $0.subNo) }
    }
}
