import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Decodes the bytes of a CSV file from what Chinese users actually produce: UTF-8 with or without
/// a BOM, or GB18030 (Excel's "CSV" on a Chinese Windows). GB18030 is converted with the C
/// library's iconv rather than by hand.
public enum TextDecoding {
    public enum Encoding: String, Sendable, Codable { case utf8, gb18030 }

    /// Why the bytes could not be decoded, as a fact the Server words (`ImportRefusal`).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var reason: ImportRefusal
        public init(_ reason: ImportRefusal) { self.reason = reason }
        /// For logs: the reason's case, not words for a reader.
        public var description: String { "\(reason)" }
    }

    /// Returns UTF-8 bytes (without a BOM) and the encoding that was detected.
    public static func toUTF8(_ data: [UInt8]) throws(Failure) -> (bytes: [UInt8], encoding: Encoding) {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if String(validating: bytes, as: UTF8.self) != nil { return (bytes, .utf8) }
        return (try iconv(bytes, from: "GB18030"), .gb18030)
    }

    static func iconv(_ input: [UInt8], from encoding: String) throws(Failure) -> [UInt8] {
        let cd = iconv_open("UTF-8", encoding)
        if cd == iconv_t(bitPattern: -1) { throw Failure(.cannotConvert(encoding: encoding)) }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var input = input
        let result: Int = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let r = Glibc.iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                if r == -1 { return -(inBuf.count - inLeft) - 1 }
                return outBuf.count - outLeft
            }
        }
        if result < 0 {
            throw Failure(.notUTF8OrGB18030(offset: -result - 1))
        }
        return Array(output.prefix(result))
    }
}
