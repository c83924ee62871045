import CZlib

extension Zlib {
    /// zlib's CRC-32 (the one of gzip, PNG and Python's `zlib.crc32`), fed in 1 GiB pieces
    /// because zlib takes a 32-bit length.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CZlib.crc32(0, nil, 0)
        var start = 0
        while start < bytes.count {
            let piece = min(bytes.count - start, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self), uInt(piece))
            start += piece
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
