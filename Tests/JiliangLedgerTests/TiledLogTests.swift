import JiliangLedger
import Testing

/// Tile storage as a dictionary, applying updates as the server's storage does.
final class MemoryTiles {
    var files: [String: [UInt8]] = [:]
    func apply(_ u: TileUpdate) {
        for p in u.obsoletePrefixes { files = files.filter { !$0.key.hasPrefix(p) } }
        for w in u.writes { files[w.path] = w.bytes }
    }
}

@Suite struct TiledLogTests {
    @Test(arguments: [
        (Int64(0), "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067"),
    ])
    func tileIndexEncoding(index: Int64, encoded: String) {
        #expect(TilePath.encode(index: index) == encoded)
        #expect(TilePath.parse("tile/0/\(encoded)")?.index == index)
        #expect(TilePath.parse("tile/entries/\(encoded).p/7") == .init(level: nil, index: index, width: 7))
    }

    @Test(arguments: ["tile/0/1", "tile/0/x000/001/", "tile/64/000", "tile/0/000.p/256", "tile/0/000.p/0",
                      "tile/00/000", "tile/0/x001", "tile/0/001/002", "tiles/0/000"])
    func nonCanonicalTilePathsAreRefused(path: String) {
        #expect(TilePath.parse(path) == nil)
    }

    /// The tlog-tiles example: a tree of 70,000 has 273 full level-0 tiles, a partial one of width
    /// 112, one full level-1 tile, a partial level-1 tile of width 17 and a partial level-2 tile of 1.
    @Test func tilesOfATreeOfSeventyThousand() throws {
        var log = LogAppender()
        let store = MemoryTiles()
        var remaining = 70_000, i = 0
        while remaining > 0 {
            let n = min(remaining, 9_999)
            store.apply(try log.append((i..<i + n).map { Array("e\($0)".utf8) }))
            i += n; remaining -= n
        }
        let level0 = store.files.keys.filter { $0.hasPrefix("tile/0/") }
        #expect(level0.filter { !$0.contains(".p/") }.count == 273)
        // Partial tiles of earlier checkpoints may remain until their full tile exists.
        #expect(level0.contains("tile/0/273.p/112"))
        #expect(!level0.contains { $0.hasPrefix("tile/0/272.p/") })
        #expect(store.files.keys.contains("tile/1/000"))
        #expect(store.files.keys.contains("tile/1/001.p/17"))
        #expect(store.files.keys.contains("tile/2/000.p/1"))
        #expect(!store.files.keys.contains { $0.hasPrefix("tile/3/") })
        #expect(store.files["tile/entries/273.p/112"].map { try! Tiles.entries($0).count } == 112)
    }

    /// Any split into batches gives the reference root; proofs from the stored tiles verify;
    /// a log resumed from its tiles continues identically.
    @Test(arguments: [1, 2, 255, 256, 257, 511, 512, 513, 1000, 65_537])
    func appendsMatchTheReferenceAndProofsVerify(size: Int) throws {
        let entries = sampleEntries(size)
        let reference = ReferenceTree(entries: entries)
        var log = LogAppender()
        let store = MemoryTiles()
        var g = SystemRandomNumberGenerator()
        var at = 0, roots: [Int: Hash] = [:]
        while at < size {
            let n = min(size - at, Int.random(in: 1...300, using: &g))
            let u = try log.append(Array(entries[at..<at + n]))
            store.apply(u)
            at += n
            roots[at] = u.root
        }
        let expected = size <= 1000 ? reference.mth(0, size) : try Merkle.treeHash(size: Int64(size), reference.node)
        #expect(roots[size] == expected)

        let reader = TileReader(size: Int64(size)) { store.files[$0] }
        #expect(try reader.root() == expected)
        for index in Set([0, size / 2, size - 1, Int.random(in: 0..<size)]) {
            let proof = try reader.inclusionProof(index: Int64(index))
            try Merkle.verifyInclusion(index: Int64(index), size: Int64(size), leaf: reference.leaves[index],
                                       proof: proof, root: expected)
        }
        // Consistency from every earlier checkpoint still in storage (its partial tiles may be gone,
        // but the current tree's tiles prove it).
        for (old, oldRoot) in roots where old < size {
            let proof = try reader.consistencyProof(from: Int64(old))
            try Merkle.verifyConsistency(from: Int64(old), to: Int64(size), proof: proof, oldRoot: oldRoot, newRoot: expected)
        }
        var resumed = try LogAppender(size: Int64(size)) { store.files[$0] }
        var original = log
        let more = sampleEntries(300, seed: 1)
        #expect(try resumed.append(more).root == original.append(more).root)
    }

    @Test func resumingWithAMissingTileFails() throws {
        var log = LogAppender()
        let store = MemoryTiles()
        store.apply(try log.append(sampleEntries(300)))
        store.files["tile/0/001.p/44"] = nil
        #expect(throws: LedgerError.missingTile("tile/0/001.p/44")) {
            try LogAppender(size: 300) { store.files[$0] }
        }
    }

    @Test func oversizedEntryIsRefused() {
        var log = LogAppender()
        #expect(throws: LedgerError.self) { try log.append([[UInt8](repeating: 1, count: 70_000)]) }
        #expect(log.size == 0)
    }
}
