import COpenSSL
import CSPWire
import NIOCore

/// Server-side TLS on a NIO channel over libssl memory BIOs: ciphertext read from the
/// socket goes into libssl, plaintext comes out as `ByteBuffer`s for the frame decoder,
/// and replies are encrypted on the way out. Nothing is passed up before the handshake,
/// with its client-certificate check, has completed; a failed handshake sends libssl's
/// alert and closes the connection. A handshake must finish within the context's
/// `handshakeTimeout` (10 s by default), so a silent client does not hold a connection.
final class TLSServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let tls: TLSServerContext
    private let ssl: OpaquePointer
    /// Ciphertext from the peer, read by libssl.
    private let incoming: OpaquePointer
    /// Ciphertext libssl produced, for the socket.
    private let outgoing: OpaquePointer
    private var established = false
    private var closing = false
    /// Replies written before the handshake finished (none in practice: requests come after it).
    private var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var timeout: Scheduled<Void>?
    private var scratch = [UInt8](repeating: 0, count: 16 << 10)

    init(_ tls: TLSServerContext) throws {
        guard let ssl = SSL_new(tls.context), let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            throw TLSError("cannot start a TLS session: out of memory")
        }
        self.tls = tls
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        // The session owns both BIOs from here on.
        SSL_set_bio(ssl, incoming, outgoing)
        SSL_set_accept_state(ssl)
    }

    deinit { SSL_free(ssl) }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: .milliseconds(Int64(tls.handshakeTimeout * 1000))) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { timeout?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 { _ = BIO_write(incoming, base, Int32(raw.count)) }
        }
        if !established && !handshake(context) { return }
        decrypt(context)
        sendOutgoing(context, flush: true)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
    }

    /// Drives the handshake; false when it is not done (waiting for bytes, or failed and closing).
    private func handshake(_ context: ChannelHandlerContext) -> Bool {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            established = true
            timeout?.cancel()
            sendOutgoing(context, flush: false)
            for (buffer, promise) in held { encrypt(context, buffer, promise: promise) }
            held = []
            sendOutgoing(context, flush: true)
            return true
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            sendOutgoing(context, flush: true)
            return false
        }
        fail(context, TLSError("TLS handshake failed: \(TLSError.libsslReason())"))
        return false
    }

    /// Passes up every whole TLS record's plaintext that libssl can decrypt now.
    private func decrypt(_ context: ChannelHandlerContext) {
        while !closing {
            let count = scratch.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if count > 0 {
                context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: scratch[0..<Int(count)])))
                continue
            }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                context.fireChannelReadComplete()
                return
            case SSL_ERROR_ZERO_RETURN:
                // close_notify: the client has said everything; it still gets its answers.
                context.fireChannelReadComplete()
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
                return
            default:
                fail(context, TLSError("TLS failure: \(TLSError.libsslReason())"))
                return
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Passed on after decrypting, when there was plaintext.
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        guard established else { held.append((buffer, promise)); return }
        encrypt(context, buffer, promise: promise)
    }

    func flush(context: ChannelHandlerContext) { context.flush() }

    private func encrypt(_ context: ChannelHandlerContext, _ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        let written = buffer.withUnsafeReadableBytes { raw -> Int32 in
            guard let base = raw.baseAddress, raw.count > 0 else { return 0 }
            // Into a memory BIO a write is whole or fails.
            return SSL_write(ssl, base, Int32(raw.count))
        }
        if written < 0 || (written == 0 && buffer.readableBytes > 0) {
            let error = TLSError("TLS failure: \(TLSError.libsslReason())")
            promise?.fail(error)
            fail(context, error)
            return
        }
        sendOutgoing(context, flush: false, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all && established && !closing {
            closing = true
            // A close_notify, so the client can tell an end from a cut.
            _ = SSL_shutdown(ssl)
            sendOutgoing(context, flush: true)
        }
        context.close(mode: mode, promise: promise)
    }

    /// Writes whatever ciphertext libssl has produced (handshake messages, records, alerts).
    private func sendOutgoing(_ context: ChannelHandlerContext, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        let pending = Int(BIO_ctrl_pending(outgoing))
        if pending > 0 {
            var buffer = context.channel.allocator.buffer(capacity: pending)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
                Int(max(0, BIO_read(outgoing, raw.baseAddress, Int32(pending))))
            }
            context.write(wrapOutboundOut(buffer), promise: promise)
        } else {
            promise?.succeed()
        }
        if flush { context.flush() }
    }

    /// Sends libssl's alert, if any, then closes.
    private func fail(_ context: ChannelHandlerContext, _ error: TLSError) {
        guard !closing else { return }
        closing = true
        tls.log?("connection closed: \(error)")
        held.forEach { $0.1?.fail(error) }
        held = []
        let channel = context.channel
        let pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else { channel.close(promise: nil); return }
        var buffer = channel.allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
            Int(max(0, BIO_read(outgoing, raw.baseAddress, Int32(pending))))
        }
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
