import CSPTestSupport
@testable import CSPWire
import CSPWireServer
import NIOCore
import NIOEmbedded
import NIOPosix
import XCTest

final class FrameTests: XCTestCase {
    func channel(max: Int = 16) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: max)))
        return channel
    }

    func testFramesSplitAndJoinedAnyWay() throws {
        let channel = try channel()
        var buffer = channel.allocator.buffer(capacity: 32)
        buffer.writeBytes([0, 0, 0, 3, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0, 0])  // "abc", "", then half a header
        try channel.writeInbound(buffer)
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self).map { Array(buffer: $0) }, Array("abc".utf8))
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self).map { Array(buffer: $0) }, [])
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self))
        try channel.writeInbound(ByteBuffer(bytes: [0, 2, 0x78]))
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self))
        try channel.writeInbound(ByteBuffer(bytes: [0x79]))
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self).map { Array(buffer: $0) }, Array("xy".utf8))
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testOversizedFrameIsRefusedBeforeItsPayload() throws {
        let channel = try channel(max: 16)
        XCTAssertThrowsError(try channel.writeInbound(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF]))) { error in
            XCTAssertEqual(error as? FrameError, .tooLarge(announced: 0xFFFF_FFFF, maximum: 16))
            XCTAssertEqual(String(describing: error), "frame of 4294967295 bytes exceeds the maximum of 16")
        }
    }

    func testTruncatedFrameAtEOFIsAnError() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 10, 1, 2]))
        XCTAssertThrowsError(try channel.finish()) { error in
            XCTAssertEqual(error as? FrameError, .truncated(expected: 14, received: 6))
        }
    }

    func testEncoderPrefixesLength() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
        try channel.writeOutbound(ByteBuffer(bytes: Array("hello".utf8)))
        XCTAssertEqual(try channel.readOutbound(as: ByteBuffer.self).map { Array(buffer: $0) }, [0, 0, 0, 5] + Array("hello".utf8))
    }

    /// The blocking client against a real NIO server on a real socket.
    func testClientRoundTripAndErrors() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/echo.sock"
        let server = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: 1024)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                    try channel.pipeline.syncOperations.addHandler(Echo())
                }
            }
            .bind(unixDomainSocketPath: path).wait()
        defer { try? server.close().wait() }
        let client = try FrameClient(path: path)
        XCTAssertEqual(try client.request(Array("ping".utf8)), Array("ping".utf8))
        XCTAssertEqual(try client.request(Array(repeating: 7, count: 1000)), Array(repeating: 7, count: 1000))
        client.close()

        XCTAssertThrowsError(try FrameClient(path: dir + "/missing.sock")) { error in
            XCTAssertEqual(String(describing: error), "cannot connect to '\(dir)/missing.sock': no such file or directory")
        }
        // The server closes a connection whose frame is too large; the client sees it.
        let greedy = try FrameClient(path: path)
        try greedy.send(Array(repeating: 1, count: 2000))
        XCTAssertThrowsError(try greedy.receive()) { error in
            XCTAssertEqual(error as? FrameError, .closed)
        }
    }
}

private final class Echo: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }
    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
