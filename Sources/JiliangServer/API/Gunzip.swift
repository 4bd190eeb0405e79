import CZStream

/// A gzip body inflated by zlib (RFC 1952; concatenated members too), for gateways that compress
/// their batches (issue #21, "NDJSON (gzip accepted)"). The inflated size is capped, so that a
/// small compressed body cannot become a large one in memory.
enum Gunzip {
    enum Failure: Error, Equatable {
        /// Not gzip, truncated, or corrupt.
        case unreadable
        /// More than the cap once inflated.
        case tooLarge
    }

    static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        guard !input.isEmpty else { throw Failure.unreadable }
        var stream = z_stream()
        // 16 + MAX_WBITS: a gzip header and trailer, checked by zlib (CRC-32 and length).
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw Failure.unreadable }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = input
        try input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    let s = CZStream.inflate(&stream, Z_NO_FLUSH)
                    return (s, out.count - Int(stream.avail_out))
                }
                output += chunk[0..<produced]
                guard output.count <= limit else { throw Failure.tooLarge }
                switch status {
                case Z_STREAM_END:
                    // Another member follows (gzip allows concatenation), or the body is done.
                    guard stream.avail_in > 0 else { return }
                    guard inflateReset(&stream) == Z_OK else { throw Failure.unreadable }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced > 0:
                    continue
                default:
                    // Z_BUF_ERROR with nothing produced: the body ended before the stream did.
                    throw Failure.unreadable
                }
            }
        }
        return output
    }
}
