import CSPBasics
import CSPWire
import Dispatch
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What one client can make a server hold (docs/PROTOCOL.md, "Limits").
public struct SocketServerLimits: Sendable {
    public var maximumFrameSize: Int
    /// Requests read but not yet answered, per connection. At the limit the server stops
    /// reading that connection, so the kernel's socket buffers hold the client back.
    public var requestsInFlight: Int
    /// Open connections; one more gets a refusal frame and is closed. Never more than half
    /// the process's file-descriptor limit, so the rest stays for files.
    public var connections: Int
    /// After `stop`, how long connections get to finish what they started (and their
    /// clients to read it) before they are closed.
    public var shutdownGraceSeconds: Double

    public init(maximumFrameSize: Int, requestsInFlight: Int, connections: Int, shutdownGraceSeconds: Double = 2) {
        precondition(maximumFrameSize > 0 && requestsInFlight > 0 && connections > 0 && shutdownGraceSeconds >= 0)
        self.maximumFrameSize = maximumFrameSize
        self.requestsInFlight = requestsInFlight
        self.connections = connections
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }
}

/// How a server answers one request frame.
public enum RequestHandling: Sendable {
    /// Answered alongside the connection's other requests in flight; replies may
    /// overtake each other.
    case concurrently(@Sendable (ReplyWriter) async throws -> Void)
    /// Owns the rest of the connection: nothing more is read from it, and it closes
    /// when the work ends (a subscription).
    case exclusively(@Sendable (ReplyWriter) async throws -> Void)
}

/// Sends reply frames on one connection.
public struct ReplyWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Suspends while the client is not reading (the socket's buffers are full), so a
    /// slow reader slows only its own requests.
    public func send(_ payload: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: payload))
    }
}

/// A failure to start serving, worded for the operator.
public struct SocketServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The socket server behind `csp-node start` and `csp-ca serve`, on a Unix socket or on
/// TCP with mutual TLS (`TLSServerContext`; docs/NETWORK.md) with the same framing
/// (docs/PROTOCOL.md), bounded requests in flight per connection with back-pressured
/// replies, bounded connections, accept back-off when descriptors run out, and a stop
/// that may come at any time (even before the socket listens) and closes every
/// connection after a grace period.
public final class SocketServer: Sendable {
    /// The Unix socket's path, or HOST:PORT for a TCP listener.
    public let path: String
    /// Set for a TCP listener: where it binds and its TLS.
    let tcp: (host: String, port: Int, tls: TLSServerContext)?
    public let limits: SocketServerLimits
    /// The payload sent to a connection refused for the given reason, before it is closed.
    let refusal: @Sendable (String) -> [UInt8]
    let log: (@Sendable (String) -> Void)?
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var listener: Channel?
        var open: [ObjectIdentifier: Channel] = [:]
        var maximumConnections = 0
        var bound: SocketAddress?
    }

    /// What an accepted connection becomes.
    enum Admission: Sendable {
        case admitted(NIOAsyncChannel<ByteBuffer, ByteBuffer>)
        case refused
    }

    public init(path: String, limits: SocketServerLimits, refusal: @escaping @Sendable (String) -> [UInt8],
                log: (@Sendable (String) -> Void)? = nil) {
        self.path = path
        self.tcp = nil
        self.limits = limits
        self.refusal = refusal
        self.log = log
    }

    /// A TCP listener on `host:port` (port 0: any free port, see `listeningAddress`);
    /// every connection is TLS 1.3 with a client certificate `tls` admits.
    public init(host: String, port: Int, tls: TLSServerContext, limits: SocketServerLimits,
                refusal: @escaping @Sendable (String) -> [UInt8], log: (@Sendable (String) -> Void)? = nil) {
        self.path = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.tcp = (host, port, tls)
        self.limits = limits
        self.refusal = refusal
        self.log = log
    }

    /// HOST:PORT a TCP listener accepts on once it listens (the port chosen when 0 was asked).
    public var listeningAddress: String? {
        guard let address = state.withLock({ $0.bound }), let port = address.port else { return nil }
        let host = address.ipAddress ?? ""
        return "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    // MARK: The socket file

    /// Removes a stale socket left by a server that was killed; refuses a path that a live
    /// server answers on, or that is not a socket.
    public func claim() throws { if tcp == nil { try Self.claim(path) } }

    /// `claim()` for a server not made yet.
    public static func claim(_ path: String) throws {
        // sun_path holds 107 bytes and a NUL; said here, before NIO names its own error case.
        guard path.utf8.count <= 107 else {
            throw SocketServerError("cannot listen on \(quoted(path)): the path is \(path.utf8.count) bytes, longer than the 107 a Unix socket allows; use a shorter home or --socket")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw SocketServerError("\(quoted(path)) exists and is not a socket")
        }
        if (try? FrameClient(path: path)) != nil { throw SocketServerError("\(quoted(path)) is in use by a running server") }
        unlink(path)
    }

    /// Raises the soft limit on open files to the hard limit, where the system lets us:
    /// each connection is a descriptor.
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        // An unlimited hard limit cannot be the soft limit for files; the kernel's default ceiling (nr_open) can.
        let target = limit.rlim_max == rlim_t.max ? rlim_t(1 << 20) : limit.rlim_max
        guard limit.rlim_cur < target else { return }
        limit.rlim_cur = target
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The soft limit on open files in force.
    static var descriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return Int(Int32.max) }
        return Int(clamping: limit.rlim_cur)
    }

    // MARK: Serving

    /// Serves until `stop`; returns after every connection has closed and the socket file
    /// is removed. `onListening` runs once the socket accepts connections (not at all when
    /// a stop came first).
    public func run(onListening: @Sendable () -> Void = {}, handle: @escaping @Sendable ([UInt8]) -> RequestHandling) async throws {
        let maximum = max(1, min(limits.connections, Self.descriptorLimit / 2))
        guard state.withLock({ state in state.maximumConnections = maximum; return !state.stopping }) else { return }
        if let tcp { return try await runTCP(host: tcp.host, port: tcp.port, onListening: onListening, handle: handle) }
        try claim()
        // Bound under a staging name, given its mode, then linked into place: the socket file
        // appears only when it accepts and has mode 0660, and never replaces another server's.
        // (sun_path holds 107 bytes and a NUL; a path that long is bound in place.)
        let staging = path.utf8.count < 107 ? path + "~" : path
        if staging != path { unlink(staging) }
        let server: NIOAsyncChannel<Admission, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AcceptPause()) }
                }
                // A client may send its request and shut down its side: it still gets the answer.
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: staging, cleanupExistingSocketFile: false) { channel in
                    channel.eventLoop.makeCompletedFuture { try self.admit(channel) }
                }
        } catch let error as IOError {
            throw SystemError("cannot listen on \(quoted(path))", code: error.errnoCode)
        }
        do {
            guard chmod(staging, 0o660) == 0 else { throw SystemError("cannot set permissions of \(quoted(path))") }
            if staging != path {
                guard link(staging, path) == 0 else { throw SystemError("cannot listen on \(quoted(path))") }
                unlink(staging)
            }
        } catch {
            unlink(staging)
            try? await server.channel.close()
            throw error
        }
        defer { unlink(path) }
        // A stop that came while binding takes effect now.
        let stopped = state.withLock { state in
            state.listener = server.channel
            return state.stopping
        }
        if stopped { server.channel.close(promise: nil) } else { onListening() }
        try await accept(server, handle: handle)
    }

    private func runTCP(host: String, port: Int, onListening: @Sendable () -> Void,
                        handle: @escaping @Sendable ([UInt8]) -> RequestHandling) async throws {
        let server: NIOAsyncChannel<Admission, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AcceptPause()) }
                }
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try self.admit(channel) }
                }
        } catch let error as IOError {
            throw SystemError("cannot listen on \(quoted(path))", code: error.errnoCode)
        } catch {
            throw SocketServerError("cannot listen on \(quoted(path)): \(error)")
        }
        let stopped = state.withLock { state in
            state.listener = server.channel
            state.bound = server.channel.localAddress
            return state.stopping
        }
        if stopped { server.channel.close(promise: nil) } else { onListening() }
        try await accept(server, handle: handle)
    }

    private func accept(_ server: NIOAsyncChannel<Admission, Never>, handle: @escaping @Sendable ([UInt8]) -> RequestHandling) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    guard case .admitted(let connection) = connection else { continue }
                    group.addTask { await self.serve(connection, handle: handle) }
                }
            }
        }
    }

    /// Stops accepting, stops reading requests (those in flight are still answered), and
    /// after the grace period closes every connection still open. Safe from any thread,
    /// any number of times, before or after the socket listens.
    public func stop() {
        let (listener, open): (Channel?, [Channel]) = state.withLock { state in
            guard !state.stopping else { return (nil, []) }
            state.stopping = true
            return (state.listener, Array(state.open.values))
        }
        listener?.close(promise: nil)
        for connection in open {
            connection.eventLoop.execute {
                // Half-close only a connection that is set up; one still being set up just closes.
                connection.close(mode: connection.isActive ? .input : .all, promise: nil)
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + limits.shutdownGraceSeconds) {
            let remaining = self.state.withLock { Array($0.open.values) }
            if !remaining.isEmpty { self.log?("closing \(remaining.count) connection(s) still open after the grace period") }
            for connection in remaining { connection.close(promise: nil) }
        }
    }

    /// Serves until SIGTERM or SIGINT (or `stop`), blocking the calling thread. On a
    /// signal `onSignal` runs first, then the server stops.
    public func runUntilSignalled(_ signals: StopSignals = StopSignals(), onSignal: @escaping @Sendable () -> Void = {},
                                  onListening: @escaping @Sendable () -> Void = {},
                                  handle: @escaping @Sendable ([UInt8]) -> RequestHandling) throws {
        signals.onSignal {
            onSignal()
            self.stop()
        }
        let done = DispatchSemaphore(value: 0)
        let failure = Locked<Error?>(nil)
        Task {
            do {
                try await self.run(onListening: onListening, handle: handle)
            } catch {
                failure.value = error
            }
            done.signal()
        }
        done.wait()
        if let error = failure.value { throw error }
    }

    // MARK: Connections

    /// Runs on the new connection's event loop, before it reads anything.
    private func admit(_ channel: Channel) throws -> Admission {
        let id = ObjectIdentifier(channel)
        let refused: String? = state.withLock { state in
            if state.stopping { return "the server is stopping" }
            if state.open.count >= state.maximumConnections {
                return "too many connections (at most \(state.maximumConnections)); try again later"
            }
            state.open[id] = channel
            return nil
        }
        if let reason = refused {
            log?("refused a connection: \(reason)")
            // Over TLS a plain refusal frame would be noise before a handshake: just close.
            if tcp != nil { channel.close(promise: nil); return .refused }
            try channel.pipeline.syncOperations.addHandler(Refusal(frame: Frame.encode(refusal(reason))))
            return .refused
        }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.open.removeValue(forKey: id) } }
        // Nothing reaches the frame decoder before the handshake and its certificate check.
        if let tcp { try channel.pipeline.syncOperations.addHandler(TLSServerHandler(tcp.tls)) }
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: limits.maximumFrameSize)))
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
        return .admitted(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
    }

    /// Reads a request only while fewer than `requestsInFlight` are unanswered: NIO then
    /// stops reading the socket and the client's writes block in the kernel.
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, handle: @escaping @Sendable ([UInt8]) -> RequestHandling) async {
        let slots = Slots(limits.requestsInFlight)
        do {
            try await connection.executeThenClose { inbound, outbound in
                let writer = ReplyWriter(outbound: outbound)
                try await withThrowingDiscardingTaskGroup { group in
                    var frames = inbound.makeAsyncIterator()
                    while true {
                        await slots.acquire()
                        guard let frame = try await frames.next() else { return }
                        switch handle(Array(buffer: frame)) {
                        case .concurrently(let work):
                            group.addTask {
                                defer { slots.release() }
                                try await work(writer)
                            }
                        case .exclusively(let work):
                            try await work(writer)
                            return
                        }
                    }
                }
            }
        } catch {
            // A client that sends a bad frame or goes away loses its own connection, never the server.
            log?("connection closed: \(Self.describe(error))")
        }
    }
}

/// Counts a connection's requests in flight; only its read loop waits.
final class Slots: Sendable {
    private struct State {
        var free: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(free: count, waiter: nil)) }

    func acquire() async {
        let taken = state.withLock { state in
            guard state.free > 0 else { return false }
            state.free -= 1
            return true
        }
        if taken { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            // The slot passes straight to the waiting reader.
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.free += 1
            return nil
        }
        waiter?.resume()
    }
}

/// Answers a connection over the limit with one frame, then closes it.
final class Refusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let frame: [UInt8]
    private var sent = false

    init(frame: [UInt8]) { self.frame = frame }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
        context.fireChannelActive()
    }

    /// Whatever the client sends is dropped.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: frame))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// NIO's AcceptBackoffHandler is never asked when accept fails before any connection
/// was accepted (out of descriptors): the server socket stays registered for reading
/// and epoll wakes it at once, so a core spins. This stops accepting for a while
/// (autoRead off unregisters the socket) and then resumes.
final class AcceptPause: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Channel
    static let pause = TimeAmount.milliseconds(200)
    private var paused = false

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode), !paused,
           let options = context.channel.syncOptions {
            paused = true
            try? options.setOption(.autoRead, value: false)
            let channel = context.channel
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) {
                self.paused = false
                // Turning autoRead back on re-registers the socket and accepts again.
                try? channel.syncOptions?.setOption(.autoRead, value: true)
            }
        }
        context.fireErrorCaught(error)
    }
}

extension SocketServer {
    /// A connection's end in words: errno text for I/O errors, "the client went away" for
    /// NIO's closed-channel cases, never a Swift case name.
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return SystemError.reason(error.errnoCode) }
        if let error = error as? ChannelError, error == .ioOnClosedChannel || error == .alreadyClosed || error == .eof {
            return "the client went away"
        }
        if error is CustomStringConvertible, !(error is ChannelError) { return "\(error)" }
        return "the connection failed"
    }
}
