/// Checks a whole tiled log from its entry bundles up: every leaf hash, every stored tile and the
/// root, as an independent monitor would. A flipped byte in any tile or bundle is found.
public enum LogVerifier {
    public struct Report: Sendable {
        public var size: Int64
        public var root: Hash
        public var problems: [String]
        public var ok: Bool { problems.isEmpty }
    }

    /// - Parameters:
    ///   - size: the tree size to check (that of a checkpoint).
    ///   - expectedRoot: the checkpoint's root.
    ///   - fetch: a tile or bundle by path (nil when absent).
    ///   - progress: called with the number of entries checked so far.
    public static func verify(
        size: Int64, expectedRoot: Hash,
        fetch: (String) async throws -> [UInt8]?,
        progress: (Int64) -> Void = { _ in }
    ) async throws -> Report {
        var problems: [String] = []
        var log = LogAppender()
        var bundleIndex: Int64 = 0
        while log.size < size {
            let width = Int(min(256, size - bundleIndex * 256))
            let path = TilePath.entryBundle(index: bundleIndex, width: width)
            guard let bundle = try await fetch(path) else {
                problems.append("\(path) is missing")
                break
            }
            let entries: [ArraySlice<UInt8>]
            do { entries = try Tiles.entries(bundle) } catch {
                problems.append("\(path) cannot be read: \(error)")
                break
            }
            guard entries.count == width else {
                problems.append("\(path) holds \(entries.count) entries, not \(width)")
                break
            }
            let update = try log.append(entries.map { Array($0) })
            let isLast = log.size == size
            for w in update.writes where !w.path.hasPrefix("tile/entries/") {
                // Full tiles always; partial tiles only for the size being checked.
                if w.path.contains(".p/") && !isLast { continue }
                guard let stored = try await fetch(w.path) else {
                    problems.append("\(w.path) is missing")
                    continue
                }
                if stored != w.bytes {
                    let at = zip(stored, w.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(stored.count, w.bytes.count)
                    problems.append("\(w.path) differs from the hashes of its entries (first at byte \(at))")
                }
            }
            bundleIndex += 1
            progress(log.size)
            if problems.count > 100 { break }
        }
        let root = log.size == size ? try log.root() : .zero
        if log.size == size && root != expectedRoot {
            problems.append("the entries hash to root \(root.base64), the checkpoint says \(expectedRoot.base64)")
        }
        return Report(size: size, root: root, problems: problems)
    }
}
