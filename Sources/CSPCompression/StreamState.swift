/// Output chunk size: large enough to amortize calls into zlib, small enough to stay in cache.
let streamChunkSize = 64 * 1024

/// Lifecycle of a streaming deflater or inflater.
enum StreamState {
    case open
    case finished
    /// An earlier call threw; zlib's state no longer matches what the caller saw.
    case failed

    func checkUsable(_ operation: ZlibError.Operation) throws {
        switch self {
        case .open:
            return
        case .finished:
            throw ZlibError(operation, kind: .misuse, code: -2, message: "stream is already finished")
        case .failed:
            throw ZlibError(operation, kind: .misuse, code: -2, message: "stream failed earlier and cannot continue")
        }
    }
}

/// Runs `body` on the chunk's bytes without copying when the collection is contiguous.
func withContiguousBytes<Bytes: Collection<UInt8>, Result>(
    _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws -> Result
) throws -> Result {
    if let result = try bytes.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(bytes).withUnsafeBytes(body)
}
