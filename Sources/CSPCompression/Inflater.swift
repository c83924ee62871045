import CZlib

/// Decompresses a stream chunk by chunk, with a cap on total output.
///
/// The cap guards against decompression bombs (a few KiB that inflate to gigabytes): the
/// inflater stops and throws before handing out the byte that would pass it. `finish`
/// must be called to learn whether the stream was complete; without it, truncation goes unnoticed.
/// For gzip, concatenated members (as `cat a.gz b.gz` makes) are read as one stream, like `gzip -d`.
public final class Inflater {
    public let format: Zlib.Format
    public let maxOutputBytes: Int
    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private var state = StreamState.open
    /// True between an end-of-stream marker and the next byte of input.
    public private(set) var reachedEnd = false

    /// Bytes consumed and produced so far, across gzip members.
    public private(set) var totalIn = 0
    public private(set) var totalOut = 0

    public init(format: Zlib.Format = .zlib, maxOutputBytes: Int = .max) throws {
        guard maxOutputBytes >= 0 else {
            throw ZlibError(.inflate, kind: .misuse, code: Z_STREAM_ERROR,
                            message: "output limit \(maxOutputBytes) is negative")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = csp_inflateInit2(stream, format.windowBits)
        guard code == Z_OK else {
            let error = ZlibError(.inflate, stream: stream, code: code)
            stream.deallocate()
            throw error
        }
        self.stream = stream
        self.scratch = .allocate(capacity: streamChunkSize)
        self.format = format
        self.maxOutputBytes = maxOutputBytes
    }

    deinit {
        CZlib.inflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Decompresses `chunk`, handing output to `sink` in pieces of at most 64 KiB;
    /// each buffer is only valid during the call.
    public func update(_ chunk: some Collection<UInt8>, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withContiguousBytes(chunk) { try run($0, sink: sink) }
    }

    /// Decompresses `chunk` and returns what it produced.
    public func update(_ chunk: some Collection<UInt8>) throws -> [UInt8] {
        var output: [UInt8] = []
        try update(chunk) { output.append(contentsOf: $0) }
        return output
    }

    /// Checks that the input ended exactly at an end-of-stream marker. All output has already
    /// been handed out by `update`, so there is nothing to return.
    public func finish() throws {
        try state.checkUsable(.inflate)
        guard reachedEnd else {
            state = .failed
            throw ZlibError(.inflate, kind: .truncated, code: Z_BUF_ERROR,
                            message: "truncated input: stream ends after \(totalIn) bytes without its end marker")
        }
        state = .finished
    }

    private func run(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try state.checkUsable(.inflate)
        guard input.count > 0 else { return }
        state = .failed // until this call completes
        if reachedEnd {
            try startNextMember()
        }
        var offset = 0
        while offset < input.count {
            // avail_in is 32-bit, so very large chunks go in slices.
            let length = min(input.count - offset, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset)
            stream.pointee.avail_in = UInt32(length)
            offset += length
            repeat {
                stream.pointee.next_out = scratch.baseAddress
                stream.pointee.avail_out = UInt32(scratch.count)
                let before = Int(stream.pointee.avail_in)
                let code = CZlib.inflate(stream, Z_NO_FLUSH)
                totalIn += before - Int(stream.pointee.avail_in)
                let produced = scratch.count - Int(stream.pointee.avail_out)
                if produced > 0 {
                    guard produced <= maxOutputBytes - totalOut else {
                        throw ZlibError(.inflate, kind: .outputLimitExceeded, code: Z_BUF_ERROR,
                                        message: "output exceeds the limit of \(maxOutputBytes) bytes")
                    }
                    totalOut += produced
                    try sink(UnsafeRawBufferPointer(start: scratch.baseAddress, count: produced))
                }
                switch code {
                case Z_OK:
                    break
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    // All input used and more is needed, which the next chunk may bring.
                    break
                case Z_STREAM_END:
                    reachedEnd = true
                    if stream.pointee.avail_in > 0 {
                        try startNextMember()
                    }
                case Z_NEED_DICT:
                    throw ZlibError(.inflate, kind: .zlib, code: code, message: "stream needs a preset dictionary")
                default:
                    throw ZlibError(.inflate, stream: stream, code: code)
                }
            } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        }
        state = .open
    }

    /// Input continues after an end marker: another member for gzip, an error otherwise.
    private func startNextMember() throws {
        guard format == .gzip else {
            throw ZlibError(.inflate, kind: .trailingData, code: Z_DATA_ERROR,
                            message: "unexpected data after the end of the stream")
        }
        let code = CZlib.inflateReset(stream)
        guard code == Z_OK else { throw ZlibError(.inflate, stream: stream, code: code) }
        reachedEnd = false
    }
}

/// A zlib stream is mutable C state; it may move between threads but not be shared.
@available(*, unavailable)
extension Inflater: Sendable {}
