import CZlib

/// One-shot compression of byte buffers, and the formats shared with the streaming classes.
public enum Zlib {
    /// The container around the deflate data.
    public enum Format: Sendable, CaseIterable {
        /// RFC 1950: 2-byte header, Adler-32 trailer.
        case zlib
        /// RFC 1952: what the `gzip` command reads and writes; CRC-32 and length trailer.
        case gzip
        /// RFC 1951 with no header or checksum, for containers that add their own.
        case raw

        /// zlib selects the container through the sign and offset of windowBits.
        var windowBits: Int32 {
            switch self {
            case .zlib: return 15
            case .gzip: return 15 + 16
            case .raw: return -15
            }
        }
    }

    /// zlib's own default trade-off between speed and size.
    public static let defaultLevel = 6

    /// Limit on the buffer inflater's output: everything is held in memory, so an unbounded
    /// default would let a small hostile input exhaust it. Stream larger data with `Inflater`.
    public static let defaultMaxOutputBytes = 256 << 20

    /// The linked zlib version, for diagnostics.
    public static var version: String { String(cString: zlibVersion()) }

    /// Compresses `bytes` into a complete stream of the given format; level 0 stores, 9 is smallest.
    public static func deflate(_ bytes: some Collection<UInt8>, level: Int = defaultLevel, format: Format = .zlib) throws -> [UInt8] {
        let deflater = try Deflater(level: level, format: format)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 2 + 64)
        let append: (UnsafeRawBufferPointer) -> Void = { output.append(contentsOf: $0) }
        try deflater.update(bytes, into: append)
        try deflater.finish(into: append)
        return output
    }

    /// Decompresses one complete stream (for gzip, also concatenated members).
    /// Throws when the input is corrupt, truncated, followed by junk, or inflates past the limit.
    public static func inflate(_ bytes: some Collection<UInt8>, format: Format = .zlib,
                               maxOutputBytes: Int = defaultMaxOutputBytes) throws -> [UInt8] {
        let inflater = try Inflater(format: format, maxOutputBytes: maxOutputBytes)
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count * 4, maxOutputBytes))
        try inflater.update(bytes) { output.append(contentsOf: $0) }
        try inflater.finish()
        return output
    }
}
