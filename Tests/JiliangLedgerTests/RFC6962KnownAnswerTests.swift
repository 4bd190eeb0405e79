import JiliangLedger
import Testing

/// The RFC 6962 reference vectors (the eight test leaves of Certificate Transparency's
/// merkle_tree_test, also used by transparency-dev/merkle and Go's internal/tlog).
@Suite struct RFC6962KnownAnswerTests {
    static let leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    let tree = ReferenceTree(entries: leaves.map(hex))
    func h(_ s: String) -> Hash { Hash(hex: s)! }

    @Test func emptyTreeRootIsSHA256OfNothing() {
        #expect(RFC6962.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: 1...8) func rootOfFirstLeaves(size: Int) throws {
        #expect(try Merkle.treeHash(size: Int64(size), tree.node).hex == Self.roots[size - 1])
        var appender = LogAppender()
        let update = try appender.append(Self.leaves.prefix(size).map(hex))
        #expect(update.root.hex == Self.roots[size - 1])
    }

    @Test func publishedInclusionProofs() throws {
        let proof = try Merkle.inclusionProof(index: 5, size: 8, tree.node)
        #expect(proof.map(\.hex) == [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        let leaf5 = RFC6962.leafHash(hex(Self.leaves[5]))
        try Merkle.verifyInclusion(index: 5, size: 8, leaf: leaf5, proof: proof, root: h(Self.roots[7]))
        #expect(throws: LedgerError.self) {
            try Merkle.verifyInclusion(index: 4, size: 8, leaf: leaf5, proof: proof, root: h(Self.roots[7]))
        }
        #expect(try Merkle.inclusionProof(index: 2, size: 3, tree.node) == [h(Self.roots[1])])
    }

    @Test func publishedConsistencyProofs() throws {
        let p68 = try Merkle.consistencyProof(from: 6, to: 8, tree.node)
        #expect(p68.map(\.hex) == [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        try Merkle.verifyConsistency(from: 6, to: 8, proof: p68, oldRoot: h(Self.roots[5]), newRoot: h(Self.roots[7]))
        #expect(throws: LedgerError.self) {
            try Merkle.verifyConsistency(from: 6, to: 8, proof: p68, oldRoot: h(Self.roots[4]), newRoot: h(Self.roots[7]))
        }
        let p25 = try Merkle.consistencyProof(from: 2, to: 5, tree.node)
        #expect(p25.map(\.hex) == [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ])
        try Merkle.verifyConsistency(from: 2, to: 5, proof: p25, oldRoot: h(Self.roots[1]), newRoot: h(Self.roots[4]))
    }

    /// Every proof between every pair of sizes up to 8 verifies, and fails once any hash changes.
    @Test func everyProofOfTheEightLeavesVerifiesAndTamperingFails() throws {
        for n in 1...8 {
            let root = h(Self.roots[n - 1])
            for m in 0..<n {
                let leaf = RFC6962.leafHash(hex(Self.leaves[m]))
                let proof = try Merkle.inclusionProof(index: Int64(m), size: Int64(n), tree.node)
                try Merkle.verifyInclusion(index: Int64(m), size: Int64(n), leaf: leaf, proof: proof, root: root)
                for i in proof.indices {
                    var bad = proof
                    bad[i] = RFC6962.leafHash([0xff])
                    #expect(throws: LedgerError.self) {
                        try Merkle.verifyInclusion(index: Int64(m), size: Int64(n), leaf: leaf, proof: bad, root: root)
                    }
                }
                if m > 0 {
                    let c = try Merkle.consistencyProof(from: Int64(m), to: Int64(n), tree.node)
                    try Merkle.verifyConsistency(from: Int64(m), to: Int64(n), proof: c, oldRoot: h(Self.roots[m - 1]), newRoot: root)
                    if !c.isEmpty {
                        #expect(throws: LedgerError.self) {
                            try Merkle.verifyConsistency(from: Int64(m), to: Int64(n), proof: Array(c.dropLast()),
                                                         oldRoot: h(Self.roots[m - 1]), newRoot: root)
                        }
                    }
                }
            }
        }
    }

    @Test func outOfRangeIndexIsAnError() {
        #expect(throws: LedgerError.indexOutOfRange(index: 8, size: 8)) {
            try Merkle.inclusionProof(index: 8, size: 8, tree.node)
        }
    }
}
