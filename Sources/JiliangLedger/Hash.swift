import Crypto
import Foundation

/// A SHA-256 value held inline (four words, no heap allocation): the ledger hashes millions of
/// these, so a `[UInt8]` per hash would cost more than the hashing itself.
public struct Hash: Hashable, Sendable, CustomStringConvertible {
    var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0

    public static let size = 32
    public static let zero = Hash()

    public init() {}

    /// From exactly 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Hash.size else { return nil }
        withUnsafeMutableBytes(of: &self) { dst in
            for (i, byte) in bytes.enumerated() { dst[i] = byte }
        }
    }

    init(digest: SHA256.Digest) {
        self.init()
        withUnsafeMutableBytes(of: &self) { dst in
            digest.withUnsafeBytes { src in dst.copyMemory(from: src) }
        }
    }

    public init?(base64: some StringProtocol) {
        guard let data = Data(base64Encoded: String(base64)) else { return nil }
        self.init(bytes: data)
    }

    public init?(hex: some StringProtocol) {
        var bytes: [UInt8] = []
        var it = hex.utf8.makeIterator()
        while let h = it.next() {
            guard let l = it.next(), let hi = Hash.nibble(h), let lo = Hash.nibble(l) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }

    public var bytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }
    public var base64: String { Data(bytes).base64EncodedString() }
    public var hex: String { Hex.string(bytes) }
    public var description: String { hex }

    /// Calls `body` with the 32 raw bytes.
    @inline(__always)
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: self, body)
    }
}

/// RFC 6962 §2.1 hashing: domain-separated leaf and interior-node hashes.
public enum RFC6962 {
    /// MTH({}) = SHA-256 of the empty string.
    public static let emptyRoot = Hash(digest: SHA256.hash(data: [UInt8]()))

    /// leaf = SHA-256(0x00 ‖ data)
    @inline(__always)
    public static func leafHash(_ data: some DataProtocol) -> Hash {
        var h = SHA256()
        h.update(data: [0x00] as [UInt8])
        h.update(data: data)
        return Hash(digest: h.finalize())
    }

    /// node = SHA-256(0x01 ‖ left ‖ right), hashed from one 65-byte stack buffer.
    @inline(__always)
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buf in
            buf[0] = 1
            left.withBytes { UnsafeMutableRawBufferPointer(rebasing: buf[1..<33]).copyMemory(from: $0) }
            right.withBytes { UnsafeMutableRawBufferPointer(rebasing: buf[33..<65]).copyMemory(from: $0) }
            return Hash(digest: SHA256.hash(data: UnsafeRawBufferPointer(buf)))
        }
    }
}

/// Lower-case hex. Foundation's `String(format: "%02x")` costs about a microsecond per byte on
/// Linux, which dominated the ledger's entry encoding before this.
public enum Hex {
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
