import NIOCore

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

/// Splits the inbound byte stream into frame payloads. NIO handles buffering and
/// back-pressure; this only reads the length field.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int) { self.maximumFrameSize = maximumFrameSize }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length <= maximumFrameSize else {
            throw FrameError.tooLarge(announced: length, maximum: maximumFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let expected = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map { Int($0) + 4 } ?? 4
            let received = buffer.readableBytes
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw FrameError.truncated(expected: expected, received: received)
        }
        return .needMoreData
    }
}

/// Prefixes each outbound payload with its length.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ByteBuffer
    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.readableBytes))
        out.writeImmutableBuffer(data)
    }
}
