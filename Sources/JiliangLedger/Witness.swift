import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The answer to an add-checkpoint request (C2SP tlog-witness).
public struct WitnessResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    static func text(_ status: Int, _ body: String) -> WitnessResponse {
        WitnessResponse(status: status, contentType: "text/plain; charset=utf-8", body: body + "\n")
    }
}

/// A transparency-log witness: checks that each new checkpoint of a known log is signed by it and
/// consistent with the last one it cosigned, records it durably, then cosigns it.
/// The check and the write happen inside one actor turn with no suspension, so two requests can
/// never roll the recorded size back (the race tlog-witness warns about).
public actor Witness {
    public struct LogState: Codable, Sendable, Equatable {
        public var size: Int64
        public var root: String
    }

    public let key: SignerKey
    private let logs: [String: VerifierKey]
    private let stateFile: URL
    private var state: [String: LogState]
    private let clock: @Sendable () -> UInt64

    /// - Parameters:
    ///   - key: the witness's cosigner key (type 0x04).
    ///   - logs: the logs it watches; each checkpoint origin must be a log key's name.
    ///   - stateFile: where the latest cosigned size and root of each log are kept.
    public init(key: SignerKey, logs: [VerifierKey], stateFile: URL,
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }) throws {
        guard key.type == .cosignatureV1 else { throw LedgerError.malformed("a witness needs a cosignature key (type 0x04)") }
        self.key = key
        self.logs = Dictionary(logs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.stateFile = stateFile
        self.clock = clock
        if let data = try? Data(contentsOf: stateFile) {
            state = try JSONDecoder().decode([String: LogState].self, from: data)
        } else {
            state = [:]
        }
    }

    public func latest(origin: String) -> LogState? { state[origin] }

    public func addCheckpoint(body: String) -> WitnessResponse {
        guard let split = body.range(of: "\n\n") else { return .text(400, "request has no blank line before the checkpoint") }
        let header = body[..<split.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let noteText = String(body[split.upperBound...])
        guard let first = header.first, first.hasPrefix("old "), let old = Int64(first.dropFirst(4)), old >= 0,
              String(old) == first.dropFirst(4)
        else { return .text(400, "first line must be `old <size>`") }
        let proofLines = header.dropFirst()
        guard proofLines.count <= 63 else { return .text(400, "more than 63 consistency proof lines") }
        var proof: [Hash] = []
        for line in proofLines {
            guard let h = Hash(base64: line) else { return .text(400, "proof line is not a base64 hash") }
            proof.append(h)
        }
        let note: Note
        let checkpoint: Checkpoint
        do {
            note = try Note(parsing: noteText)
            checkpoint = try Checkpoint(text: note.text)
        } catch {
            return .text(400, "bad checkpoint: \(error)")
        }
        guard let logKey = logs[checkpoint.origin] else { return .text(404, "unknown log \(checkpoint.origin)") }
        do {
            guard try note.verified(by: [logKey]).contains(where: { $0.key == logKey }) else {
                return .text(403, "checkpoint is not signed by a key this witness trusts")
            }
        } catch {
            return .text(403, "checkpoint signature does not verify")
        }
        guard old <= checkpoint.size else { return .text(400, "old size \(old) is larger than the checkpoint size") }
        let known = state[checkpoint.origin]
        let knownSize = known?.size ?? 0
        guard old == knownSize else {
            return WitnessResponse(status: 409, contentType: "text/x.tlog.size", body: "\(knownSize)\n")
        }
        if let known, checkpoint.size == known.size {
            guard known.root == checkpoint.root.base64 else {
                return .text(409, "same size as the last cosigned checkpoint but a different root")
            }
        } else if old > 0 {
            guard let oldRoot = known.flatMap({ Hash(base64: $0.root) }) else { return .text(500, "witness state is damaged") }
            do {
                try Merkle.verifyConsistency(from: old, to: checkpoint.size, proof: proof, oldRoot: oldRoot, newRoot: checkpoint.root)
            } catch {
                return .text(422, "consistency proof does not verify: \(error)")
            }
        } else if !proof.isEmpty {
            return .text(422, "the proof from size 0 must be empty")
        }
        var next = state
        next[checkpoint.origin] = LogState(size: checkpoint.size, root: checkpoint.root.base64)
        do {
            try Witness.writeAtomically(JSONEncoder().encode(next), to: stateFile)
        } catch {
            return .text(500, "could not record the checkpoint: \(error)")
        }
        state = next
        do {
            let sig = try Cosignature.sign(body: note.text, time: clock(), key: key)
            return .text(200, String(sig.line.dropLast()))
        } catch {
            return .text(500, "could not cosign: \(error)")
        }
    }

    /// Write to a temporary file, fsync it, rename it over the target, fsync the directory: after
    /// a crash the file holds either the old or the new state, never a torn one.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw LedgerError.malformed("cannot create \(tmp.path)") }
        let ok = data.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { return false }
                off += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(tmp.path, url.path) == 0 else { throw LedgerError.malformed("cannot write \(url.path)") }
        let dfd = open(dir.path, O_RDONLY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
