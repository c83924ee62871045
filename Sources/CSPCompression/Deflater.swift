import CZlib

/// Compresses a stream chunk by chunk, so large data never has to sit in memory at once.
///
/// Feed chunks with `update`, then call `finish` once to write the trailer. Output goes to a
/// sink closure (no copies) or comes back as arrays. Any error leaves the stream failed.
public final class Deflater {
    public let format: Zlib.Format
    public let level: Int
    /// Heap-allocated because zlib keeps a pointer back to its z_stream and checks it.
    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private var state = StreamState.open

    /// Bytes consumed and produced so far.
    public private(set) var totalIn = 0
    public private(set) var totalOut = 0

    public init(level: Int = Zlib.defaultLevel, format: Zlib.Format = .zlib) throws {
        guard level == Z_DEFAULT_COMPRESSION || (0...9).contains(level) else {
            throw ZlibError(.deflate, kind: .misuse, code: Z_STREAM_ERROR,
                            message: "compression level \(level) is out of range 0...9")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = csp_deflateInit2(stream, Int32(level), format.windowBits)
        guard code == Z_OK else {
            let error = ZlibError(.deflate, stream: stream, code: code)
            stream.deallocate()
            throw error
        }
        self.stream = stream
        self.scratch = .allocate(capacity: streamChunkSize)
        self.level = level
        self.format = format
    }

    deinit {
        CZlib.deflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Compresses `chunk`, handing any output to `sink`; the buffer is only valid during the call.
    public func update(_ chunk: some Collection<UInt8>, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withContiguousBytes(chunk) { try run($0, flush: Z_NO_FLUSH, sink: sink) }
    }

    /// Compresses `chunk` and returns the output so far (often empty: zlib buffers internally).
    public func update(_ chunk: some Collection<UInt8>) throws -> [UInt8] {
        var output: [UInt8] = []
        try update(chunk) { output.append(contentsOf: $0) }
        return output
    }

    /// Flushes the remaining data and the format's trailer; the stream is then complete.
    public func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, sink: sink)
    }

    public func finish() throws -> [UInt8] {
        var output: [UInt8] = []
        try finish { output.append(contentsOf: $0) }
        return output
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32,
                     sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try state.checkUsable(.deflate)
        state = .failed // until this call completes
        var offset = 0
        repeat {
            // avail_in is 32-bit, so very large chunks go in slices.
            let length = min(input.count - offset, Int(UInt32.max))
            stream.pointee.next_in = input.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self) + offset)
            }
            stream.pointee.avail_in = UInt32(length)
            offset += length
            let mode = offset == input.count ? flush : Z_NO_FLUSH
            var code: Int32
            repeat {
                stream.pointee.next_out = scratch.baseAddress
                stream.pointee.avail_out = UInt32(scratch.count)
                code = CZlib.deflate(stream, mode)
                // Z_BUF_ERROR only means "no progress possible", which is normal between chunks.
                guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                    throw ZlibError(.deflate, stream: stream, code: code)
                }
                let produced = scratch.count - Int(stream.pointee.avail_out)
                if produced > 0 {
                    totalOut += produced
                    try sink(UnsafeRawBufferPointer(start: scratch.baseAddress, count: produced))
                }
            } while stream.pointee.avail_out == 0 && code != Z_STREAM_END
            totalIn += length
            if mode == Z_FINISH && code != Z_STREAM_END {
                throw ZlibError(.deflate, kind: .zlib, code: code, message: "stream did not end after flushing")
            }
        } while offset < input.count
        state = flush == Z_FINISH ? .finished : .open
    }
}

/// A zlib stream is mutable C state; it may move between threads but not be shared.
@available(*, unavailable)
extension Deflater: Sendable {}
