import CSPWire
import NIOCore

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
        guard buffer.readableBytes >= Frame.headerSize + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let expected = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map { Int($0) + Frame.headerSize } ?? Frame.headerSize
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
