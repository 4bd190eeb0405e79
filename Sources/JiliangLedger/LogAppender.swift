/// What one batch of appends changes in tile storage. The caller persists it (atomically with
/// whatever else it commits), so the module never owns I/O.
public struct TileUpdate: Sendable {
    public var size: Int64
    public var root: Hash
    /// Paths (tiles, bundles) and their full contents; partial tiles are overwritten.
    public var writes: [(path: String, bytes: [UInt8])] = []
    /// Prefixes of partial tiles made obsolete by a full tile written in this batch.
    public var obsoletePrefixes: [String] = []
}

/// Appends entries to a tiled RFC 6962 log. Holds only the right edge (the partial tile at each
/// level and the partial entry bundle), so memory stays under 8 KiB per level whatever the size.
public struct LogAppender: Sendable {
    public private(set) var size: Int64
    /// edge[L]: the hashes of the partial tile at level L.
    private var edge: [[Hash]]
    /// The length-prefixed entries of the partial bundle.
    private var bundle: [UInt8]

    /// An empty log.
    public init() {
        size = 0
        edge = []
        bundle = []
    }

    /// Resumes a log of `size` entries from its stored right edge. `tile` returns the bytes of the
    /// tile or bundle at a path (nil if absent).
    public init(size: Int64, tile: (String) throws -> [UInt8]?) throws {
        self.size = size
        edge = []
        bundle = []
        var level = 0
        while size >> (8 * level) > 0 {
            let w = Int((size >> (8 * level)) & 255)
            let n = size >> (8 * (level + 1))
            if w > 0 {
                let path = TilePath.hashTile(level: level, index: n, width: w)
                guard let bytes = try tile(path), bytes.count == w * Hash.size else {
                    throw LedgerError.missingTile(path)
                }
                edge.append(Tiles.hashes(bytes))
            } else {
                edge.append([])
            }
            level += 1
        }
        let w = Int(size & 255)
        if w > 0 {
            let path = TilePath.entryBundle(index: size >> 8, width: w)
            guard let bytes = try tile(path) else { throw LedgerError.missingTile(path) }
            guard try Tiles.entries(bytes).count == w else { throw LedgerError.malformed("\(path) does not hold \(w) entries") }
            bundle = bytes
        }
    }

    /// Appends `entries` in order (entry i gets index size+i) and returns the storage changes and
    /// the new root.
    public mutating func append(_ entries: [[UInt8]]) throws -> TileUpdate {
        // Check the whole batch first: a refused batch leaves the log untouched.
        if let big = entries.firstIndex(where: { $0.count > Int(UInt16.max) }) {
            throw LedgerError.malformed("entry \(big) of the batch has \(entries[big].count) bytes; the limit is 65535")
        }
        var update = TileUpdate(size: size, root: .zero)
        for e in entries {
            bundle.append(UInt8(e.count >> 8))
            bundle.append(UInt8(e.count & 255))
            bundle.append(contentsOf: e)
            size += 1
            push(level: 0, RFC6962.leafHash(e), &update)
            if size & 255 == 0 {
                let path = TilePath.entryBundle(index: (size >> 8) - 1)
                update.writes.append((path, bundle))
                update.obsoletePrefixes.append(TilePath.partialPrefix(of: path))
                bundle.removeAll(keepingCapacity: true)
            }
        }
        // Partial tiles for the new size, so a client can prove against this checkpoint.
        for (level, hashes) in edge.enumerated() where !hashes.isEmpty {
            let n = size >> (8 * (level + 1))
            update.writes.append((TilePath.hashTile(level: level, index: n, width: hashes.count), Tiles.bytes(hashes)))
        }
        if !bundle.isEmpty {
            update.writes.append((TilePath.entryBundle(index: size >> 8, width: Int(size & 255)), bundle))
        }
        update.size = size
        update.root = try root()
        return update
    }

    private mutating func push(level: Int, _ h: Hash, _ update: inout TileUpdate) {
        if edge.count == level { edge.append([]) }
        edge[level].append(h)
        if edge[level].count == TilePath.width {
            let n = (size >> (8 * (level + 1))) - 1
            let path = TilePath.hashTile(level: level, index: n)
            update.writes.append((path, Tiles.bytes(edge[level])))
            update.obsoletePrefixes.append(TilePath.partialPrefix(of: path))
            let tileRoot = Tiles.subtreeHash(edge[level][...])
            edge[level].removeAll(keepingCapacity: true)
            push(level: level + 1, tileRoot, &update)
        }
    }

    /// The root at the current size, from the right edge alone.
    public func root() throws -> Hash {
        try Merkle.treeHash(size: size) { id in
            let tileLevel = id.level / 8, sub = id.level % 8
            let first = id.index << sub
            let n = first >> 8
            guard tileLevel < edge.count, n == size >> (8 * (tileLevel + 1)) else {
                throw LedgerError.missingTile("edge node \(id)")
            }
            let offset = Int(first & 255)
            let hashes = edge[tileLevel]
            guard offset + (1 << sub) <= hashes.count else { throw LedgerError.missingTile("edge node \(id)") }
            return Tiles.subtreeHash(hashes[offset..<offset + (1 << sub)])
        }
    }
}

/// Tile and bundle encodings.
public enum Tiles {
    public static func bytes(_ hashes: [Hash]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(hashes.count * Hash.size)
        for h in hashes { h.withBytes { out.append(contentsOf: $0) } }
        return out
    }

    public static func hashes(_ bytes: [UInt8]) -> [Hash] {
        stride(from: 0, to: bytes.count - bytes.count % Hash.size, by: Hash.size).map {
            Hash(bytes: bytes[$0..<$0 + Hash.size])!
        }
    }

    /// Splits an entry bundle (big-endian uint16 length prefixes).
    public static func entries(_ bundle: [UInt8]) throws -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = 0
        while i < bundle.count {
            guard i + 2 <= bundle.count else { throw LedgerError.malformed("truncated entry length") }
            let n = Int(bundle[i]) << 8 | Int(bundle[i + 1])
            guard i + 2 + n <= bundle.count else { throw LedgerError.malformed("truncated entry") }
            out.append(bundle[i + 2..<i + 2 + n])
            i += 2 + n
        }
        return out
    }

    /// MTH of a power-of-two run of hashes (a complete subtree), by pairwise reduction.
    public static func subtreeHash(_ hashes: ArraySlice<Hash>) -> Hash {
        var level = Array(hashes)
        while level.count > 1 {
            var next = [Hash]()
            next.reserveCapacity(level.count / 2)
            var i = 0
            while i + 1 < level.count {
                next.append(RFC6962.nodeHash(level[i], level[i + 1]))
                i += 2
            }
            level = next
        }
        return level[0]
    }
}

extension LogAppender {
    /// The tiles and bundle that `init(size:tile:)` reads: the right edge of a tree of `size`.
    public static func edgePaths(size: Int64) -> [String] {
        var paths: [String] = []
        var level = 0
        while size >> (8 * level) > 0 {
            let w = Int((size >> (8 * level)) & 255)
            if w > 0 { paths.append(TilePath.hashTile(level: level, index: size >> (8 * (level + 1)), width: w)) }
            level += 1
        }
        if size & 255 > 0 { paths.append(TilePath.entryBundle(index: size >> 8, width: Int(size & 255))) }
        return paths
    }
}
