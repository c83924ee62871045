import CZlib

/// A failed compression or decompression, worded like git: `cannot inflate: incorrect data check`.
public struct ZlibError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Operation: String, Sendable {
        case deflate
        case inflate
    }

    /// Why it failed, so callers can tell bad data from a limit they set.
    public enum Kind: Sendable, Equatable {
        /// zlib itself refused; `code` and `message` are zlib's.
        case zlib
        /// The input stopped before the end-of-stream marker.
        case truncated
        /// Decompressed output would pass the caller's limit (a possible decompression bomb).
        case outputLimitExceeded
        /// Bytes follow the end of a zlib or raw stream.
        case trailingData
        /// The caller passed a bad argument or used a finished or failed stream.
        case misuse
    }

    public let operation: Operation
    public let kind: Kind
    /// zlib's return code (`Z_DATA_ERROR`, ...); for the wrapper's own kinds, the closest one.
    public let code: Int32
    public let message: String

    public init(_ operation: Operation, kind: Kind, code: Int32, message: String) {
        self.operation = operation
        self.kind = kind
        self.code = code
        self.message = message
    }

    /// zlib's message from the stream, falling back to the generic text for the code
    /// (zlib leaves `msg` empty for memory and buffer errors).
    init(_ operation: Operation, stream: UnsafePointer<z_stream>, code: Int32) {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? String(cString: zError(code))
        self.init(operation, kind: .zlib, code: code, message: message)
    }

    public var description: String {
        "cannot \(operation.rawValue): \(message)"
    }
}
