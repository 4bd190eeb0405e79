/// A complete subtree of the log: `2^level` leaves starting at leaf `index * 2^level`.
/// Every hash the log stores (in tiles) is the hash of one of these.
public struct NodeID: Hashable, Sendable, CustomStringConvertible {
    public var level: Int
    public var index: Int64
    public init(level: Int, index: Int64) { self.level = level; self.index = index }
    public var description: String { "(\(level), \(index))" }
}

/// Supplies the hash of a complete subtree; throws when it is not available.
public typealias NodeReader = (NodeID) throws -> Hash

/// Errors of proof computation and verification. Each says what did not hold.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    case indexOutOfRange(index: Int64, size: Int64)
    case badRange(from: Int64, to: Int64)
    case proofMismatch(String)
    case missingTile(String)
    case malformed(String)
    case signature(String)

    public var description: String {
        switch self {
        case .indexOutOfRange(let i, let n): "leaf index \(i) is outside a tree of size \(n)"
        case .badRange(let a, let b): "no proof between sizes \(a) and \(b)"
        case .proofMismatch(let s): "proof does not verify: \(s)"
        case .missingTile(let p): "tile not available: \(p)"
        case .malformed(let s): "malformed: \(s)"
        case .signature(let s): "signature: \(s)"
        }
    }
}

/// RFC 6962 §2.1 Merkle tree hash, inclusion and consistency proofs, computed from stored
/// complete-subtree hashes, and their verification as in RFC 9162 §2.1.3.2 and §2.1.4.2.
public enum Merkle {
    /// The largest power of two strictly below `n` (n ≥ 2).
    @inline(__always)
    static func split(_ n: Int64) -> Int64 {
        Int64(1) << (63 - UInt64(n - 1).leadingZeroBitCount)
    }

    /// MTH(D[lo:hi]) for a range that RFC 6962's recursion produces (lo a multiple of a power
    /// of two at least as large as the range's left part): the fold, from the right, of the
    /// maximal aligned complete subtrees that tile the range.
    public static func rangeHash(_ lo: Int64, _ hi: Int64, _ read: NodeReader) throws -> Hash {
        if lo == hi { return RFC6962.emptyRoot }
        var parts: [Hash] = []
        var start = lo
        while start < hi {
            var level = 0
            while true {
                let next = Int64(1) << (level + 1)
                if start % next != 0 || start + next > hi { break }
                level += 1
            }
            parts.append(try read(NodeID(level: level, index: start >> level)))
            start += Int64(1) << level
        }
        var acc = parts.removeLast()
        while let left = parts.popLast() { acc = RFC6962.nodeHash(left, acc) }
        return acc
    }

    /// The root of the tree of the first `size` leaves.
    public static func treeHash(size: Int64, _ read: NodeReader) throws -> Hash {
        try rangeHash(0, size, read)
    }

    /// PATH(m, D[0:n]) of RFC 6962 §2.1.1: sibling hashes from the leaf upwards.
    public static func inclusionProof(index: Int64, size: Int64, _ read: NodeReader) throws -> [Hash] {
        guard index >= 0, index < size else { throw LedgerError.indexOutOfRange(index: index, size: size) }
        var proof: [Hash] = []
        try path(index, 0, size, read, &proof)
        return proof
    }

    private static func path(_ m: Int64, _ lo: Int64, _ hi: Int64, _ read: NodeReader, _ out: inout [Hash]) throws {
        let n = hi - lo
        if n == 1 { return }
        let k = split(n)
        if m < lo + k {
            try path(m, lo, lo + k, read, &out)
            out.append(try rangeHash(lo + k, hi, read))
        } else {
            try path(m, lo + k, hi, read, &out)
            out.append(try rangeHash(lo, lo + k, read))
        }
    }

    /// PROOF(m, D[0:n]) of RFC 6962 §2.1.2; empty when m == 0 or m == n.
    public static func consistencyProof(from m: Int64, to n: Int64, _ read: NodeReader) throws -> [Hash] {
        guard m >= 0, m <= n else { throw LedgerError.badRange(from: m, to: n) }
        if m == 0 || m == n { return [] }
        var proof: [Hash] = []
        try subproof(m, 0, n, true, read, &proof)
        return proof
    }

    private static func subproof(
        _ m: Int64, _ lo: Int64, _ hi: Int64, _ complete: Bool, _ read: NodeReader, _ out: inout [Hash]
    ) throws {
        let n = hi - lo
        if m == n {
            if !complete { out.append(try rangeHash(lo, hi, read)) }
            return
        }
        let k = split(n)
        if m <= k {
            try subproof(m, lo, lo + k, complete, read, &out)
            out.append(try rangeHash(lo + k, hi, read))
        } else {
            try subproof(m - k, lo + k, hi, false, read, &out)
            out.append(try rangeHash(lo, lo + k, read))
        }
    }

    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2).
    public static func rootFromInclusionProof(index: Int64, size: Int64, leaf: Hash, proof: [Hash]) throws -> Hash {
        guard index >= 0, index < size else { throw LedgerError.indexOutOfRange(index: index, size: size) }
        var fn = index, sn = size - 1, r = leaf
        for p in proof {
            guard sn != 0 else { throw LedgerError.proofMismatch("inclusion proof is too long") }
            if fn & 1 == 1 || fn == sn {
                r = RFC6962.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = RFC6962.nodeHash(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        guard sn == 0 else { throw LedgerError.proofMismatch("inclusion proof is too short") }
        return r
    }

    public static func verifyInclusion(index: Int64, size: Int64, leaf: Hash, proof: [Hash], root: Hash) throws {
        let computed = try rootFromInclusionProof(index: index, size: size, leaf: leaf, proof: proof)
        guard computed == root else { throw LedgerError.proofMismatch("leaf \(index) does not lead to the root of size \(size)") }
    }

    /// RFC 9162 §2.1.4.2. Size 0 is consistent with anything given an empty proof.
    public static func verifyConsistency(
        from m: Int64, to n: Int64, proof: [Hash], oldRoot: Hash, newRoot: Hash
    ) throws {
        guard m >= 0, m <= n else { throw LedgerError.badRange(from: m, to: n) }
        if m == n {
            guard proof.isEmpty else { throw LedgerError.proofMismatch("proof between equal sizes must be empty") }
            guard oldRoot == newRoot else { throw LedgerError.proofMismatch("equal sizes with different roots") }
            return
        }
        if m == 0 {
            guard proof.isEmpty else { throw LedgerError.proofMismatch("proof from size 0 must be empty") }
            return
        }
        guard !proof.isEmpty else { throw LedgerError.proofMismatch("empty consistency proof") }
        var path = proof
        if m & (m - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = m - 1, sn = n - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw LedgerError.proofMismatch("consistency proof is too long") }
            if fn & 1 == 1 || fn == sn {
                fr = RFC6962.nodeHash(c, fr)
                sr = RFC6962.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = RFC6962.nodeHash(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        guard sn == 0 else { throw LedgerError.proofMismatch("consistency proof is too short") }
        guard fr == oldRoot else { throw LedgerError.proofMismatch("old root does not match") }
        guard sr == newRoot else { throw LedgerError.proofMismatch("new root does not match") }
    }
}
