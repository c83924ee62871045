/// csp's socket framing (docs/PROTOCOL.md): a 4-byte big-endian length, then that many
/// bytes of payload. A frame announcing more than the receiver's maximum is refused
/// before any of it is buffered.
public enum FrameError: Error, CustomStringConvertible, Equatable, Sendable {
    case tooLarge(announced: UInt32, maximum: Int)
    case truncated(expected: Int, received: Int)
    case closed

    public var description: String {
        switch self {
        case .tooLarge(let announced, let maximum):
            return "frame of \(announced) bytes exceeds the maximum of \(maximum)"
        case .truncated(let expected, let received):
            return "connection closed mid-frame (\(received) of \(expected) bytes)"
        case .closed:
            return "connection closed by the peer"
        }
    }
}

/// The frame layout, shared by the blocking client and the NIO codecs.
public enum Frame {
    /// The length prefix: 4 bytes, unsigned, big-endian.
    public static let headerSize = 4

    /// `payload` with its length prefix.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        var frame = [UInt8]()
        frame.reserveCapacity(headerSize + payload.count)
        withUnsafeBytes(of: UInt32(payload.count).bigEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        return frame
    }
}
