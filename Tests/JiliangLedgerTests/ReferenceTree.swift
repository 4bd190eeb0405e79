import JiliangLedger

/// The textbook RFC 6962 recursion over all leaves, independent of tiles and of `Merkle`'s
/// stored-node decomposition: what the fast code is checked against.
struct ReferenceTree {
    var leaves: [Hash]

    init(entries: [[UInt8]]) { leaves = entries.map { RFC6962.leafHash($0) } }

    func mth(_ lo: Int, _ hi: Int) -> Hash {
        let n = hi - lo
        if n == 0 { return RFC6962.emptyRoot }
        if n == 1 { return leaves[lo] }
        var k = 1
        while k * 2 < n { k *= 2 }
        return RFC6962.nodeHash(mth(lo, lo + k), mth(lo + k, hi))
    }

    /// A complete-subtree reader for `Merkle`'s functions.
    func node(_ id: NodeID) -> Hash {
        let lo = Int(id.index) << id.level
        return mth(lo, lo + (1 << id.level))
    }
}

func hex(_ s: String) -> [UInt8] { Hash(hex: s).map(\.bytes) ?? stride(from: 0, to: s.count, by: 2).map {
    let i = s.index(s.startIndex, offsetBy: $0)
    return UInt8(s[i..<s.index(i, offsetBy: 2)], radix: 16)!
} }

/// Entries of distinct content and varying length.
func sampleEntries(_ n: Int, seed: Int = 0) -> [[UInt8]] {
    (0..<n).map { i in Array("entry \(seed)-\(i) ".utf8) + [UInt8](repeating: UInt8(i & 255), count: i % 7) }
}
