/// Computes node hashes, roots and proofs of a tree of a given size from its tiles, as any client
/// of a tiled log does. Expanded tiles (all 511 internal hashes) are cached, so a warm proof costs
/// a few dozen lookups and no hashing.
public final class TileReader {
    public let size: Int64
    private let fetch: (String) throws -> [UInt8]?
    private struct Key: Hashable { var level: Int; var index: Int64; var width: Int }
    private var expanded: [Key: [[Hash]]] = [:]
    private var order: [Key] = []
    private let capacity: Int

    /// `fetch` returns a tile's bytes by path. `capacity` bounds the expanded tiles kept.
    public init(size: Int64, capacity: Int = 4096, fetch: @escaping (String) throws -> [UInt8]?) {
        self.size = size
        self.capacity = capacity
        self.fetch = fetch
    }

    /// The tile that holds node `id` in a tree of `size`, and the node's position in it.
    public static func location(of id: NodeID, size: Int64) -> (path: String, sub: Int, offset: Int) {
        let (key, sub, offset) = locate(id, size: size)
        return (TilePath.hashTile(level: key.level, index: key.index, width: key.width), sub, offset)
    }

    private static func locate(_ id: NodeID, size: Int64) -> (Key, sub: Int, offset: Int) {
        let tileLevel = id.level / 8, sub = id.level % 8
        let first = id.index << sub
        let n = first >> 8
        let fullEnd = (n + 1) << (8 * (tileLevel + 1))
        let width = fullEnd <= size ? TilePath.width : Int((size >> (8 * tileLevel)) & 255)
        return (Key(level: tileLevel, index: n, width: width), sub, Int(first & 255))
    }

    /// Every tile path that `compute` reads, found by a dry run that reads nothing.
    public static func tilesNeeded(size: Int64, _ compute: (NodeReader) throws -> Void) rethrows -> Set<String> {
        var paths = Set<String>()
        try compute { id in
            paths.insert(location(of: id, size: size).path)
            return .zero
        }
        return paths
    }

    public func node(_ id: NodeID) throws -> Hash {
        let (key, sub, offset) = TileReader.locate(id, size: size)
        let levels = try tile(key)
        let i = offset >> sub
        guard sub < levels.count, i < levels[sub].count else {
            throw LedgerError.missingTile(TilePath.hashTile(level: key.level, index: key.index, width: key.width))
        }
        return levels[sub][i]
    }

    private func tile(_ key: Key) throws -> [[Hash]] {
        if let t = expanded[key] { return t }
        let path = TilePath.hashTile(level: key.level, index: key.index, width: key.width)
        guard let bytes = try fetch(path), bytes.count == key.width * Hash.size else {
            throw LedgerError.missingTile(path)
        }
        var levels = [Tiles.hashes(bytes)]
        while levels[levels.count - 1].count > 1 {
            let below = levels[levels.count - 1]
            var next = [Hash]()
            next.reserveCapacity(below.count / 2)
            var i = 0
            while i + 1 < below.count {
                next.append(RFC6962.nodeHash(below[i], below[i + 1]))
                i += 2
            }
            levels.append(next)
        }
        if expanded.count >= capacity {
            // Drop the older half at once: amortised O(1), no per-access bookkeeping.
            for k in order.prefix(capacity / 2) { expanded[k] = nil }
            order.removeFirst(capacity / 2)
        }
        expanded[key] = levels
        order.append(key)
        return levels
    }

    public func root() throws -> Hash { try Merkle.treeHash(size: size, node) }

    public func inclusionProof(index: Int64) throws -> [Hash] {
        try Merkle.inclusionProof(index: index, size: size, node)
    }

    public func consistencyProof(from old: Int64) throws -> [Hash] {
        try Merkle.consistencyProof(from: old, to: size, node)
    }
}
