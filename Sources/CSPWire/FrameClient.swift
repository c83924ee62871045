import CSPBasics
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A blocking client for a csp Unix socket: what the command-line tools use to talk to
/// `csp-ca serve` and `csp-node`. One request, one response, in order.
///
/// Every wait is bounded: connecting by `connectTimeout`, and each wait for the peer to
/// accept or deliver bytes by `timeout` (nil: wait as long as it takes, for a subscriber
/// that legitimately waits for events). A stalled server ends in `FrameTimeout`, never a
/// hung client.
///
/// @unchecked Sendable: one thread may send while another receives (the socket is full
/// duplex), and any thread may `close()` to wake both; callers must not send, or receive,
/// from two threads at once. The descriptor is closed only in `deinit`, when no thread
/// can be using it any more, so a concurrent `close()` never lets a recycled descriptor
/// number reach another file.
public final class FrameClient: @unchecked Sendable {
    /// What a client waits for its peer when nobody says otherwise, in seconds.
    public static let defaultTimeout: Double = 30

    private let fd: Int32
    /// Set for a TCP connection: everything goes through TLS (docs/NETWORK.md).
    private let tls: TLSClientSession?
    private let state: Mutex<State>
    /// The socket's path, or HOST:PORT for a TCP connection.
    public let path: String
    public let maximumFrameSize: Int

    private struct State {
        var closed = false
        var timeout: Double?
    }

    /// Seconds each wait for the peer may last; nil waits without limit.
    public var timeout: Double? {
        get { state.withLock { $0.timeout } }
        set { state.withLock { $0.timeout = newValue } }
    }

    public init(path: String, maximumFrameSize: Int = 16 << 20, timeout: Double? = FrameClient.defaultTimeout,
                connectTimeout: Double = FrameClient.defaultTimeout) throws {
        self.path = path
        self.maximumFrameSize = maximumFrameSize
        state = Mutex(State(timeout: timeout))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SystemError("cannot connect to \(quoted(path))", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        // Non-blocking from the start: every wait goes through poll() with a deadline.
        let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard socketFD >= 0 else {
            let code = errno
            throw SystemError("cannot create a socket", code: code)
        }
        do {
            try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    try Self.connect(socketFD, to: pointer, length: socklen_t(MemoryLayout<sockaddr_un>.size), path: path, timeout: connectTimeout)
                }
            }
        } catch {
            Glibc.close(socketFD)
            throw error
        }
        fd = socketFD
        tls = nil
    }

    /// A TCP connection to a node's listener with mutual TLS 1.3 (docs/NETWORK.md): the
    /// connect and the handshake together are bounded by `connectTimeout`. A node that
    /// refuses the certificate says so with an alert, reported by the first receive.
    public init(host: String, port: Int, identity: TLSClientIdentity, maximumFrameSize: Int = 16 << 20,
                timeout: Double? = FrameClient.defaultTimeout, connectTimeout: Double = FrameClient.defaultTimeout) throws {
        let label = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.path = label
        self.maximumFrameSize = maximumFrameSize
        state = Mutex(State(timeout: timeout))
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw SystemError("cannot resolve \(quoted(label)): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        var failure: Error = SystemError("cannot connect to \(quoted(label))", code: ECONNREFUSED)
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let entry = candidate, connected < 0 {
            candidate = entry.pointee.ai_next
            let socketFD = socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard socketFD >= 0 else { failure = SystemError("cannot create a socket", code: errno); continue }
            do {
                try Self.connect(socketFD, to: entry.pointee.ai_addr, length: entry.pointee.ai_addrlen, path: label, timeout: connectTimeout)
                connected = socketFD
            } catch {
                failure = error
                Glibc.close(socketFD)
            }
        }
        guard connected >= 0 else { throw failure }
        var one: Int32 = 1
        _ = setsockopt(connected, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // libssl writes with write(2), which cannot say MSG_NOSIGNAL: a write after the peer
        // or `close()` ended the connection must be an error (EPIPE), not a SIGPIPE that
        // kills the tool mid-output.
        signal(SIGPIPE, SIG_IGN)
        let session: TLSClientSession
        do {
            session = try TLSClientSession(fd: connected, identity: identity)
            try Self.complete(label, connected, { session.handshake() }, until: Deadline(seconds: connectTimeout), timeout: connectTimeout,
                              connecting: true)
        } catch {
            Glibc.close(connected)
            throw error
        }
        fd = connected
        tls = session
    }

    /// Runs a TLS step until it is done, polling for what libssl waits on.
    @discardableResult
    private static func complete(_ path: String, _ fd: Int32, _ step: () -> TLSClientSession.Step, until deadline: Deadline,
                                 timeout: Double?, connecting: Bool) throws -> Int {
        while true {
            switch step() {
            case .done(let count): return count
            case .wait(let events):
                guard try wait(fd, for: events, until: deadline) else {
                    throw FrameTimeout(path: path, seconds: timeout ?? 0, connecting: connecting)
                }
            case .closed: throw FrameError.closed
            case .failed(let reason):
                throw TLSError("TLS with \(quoted(path)) failed: \(reason)")
            }
        }
    }

    /// connect(2) with a deadline. EINPROGRESS and EINTR mean the connection goes on
    /// asynchronously: wait until the socket is writable and read its outcome from
    /// SO_ERROR (calling connect again would fail with EALREADY or EISCONN). EAGAIN is a
    /// Unix-socket server whose backlog is full: nothing is pending, so try again shortly.
    private static func connect(_ fd: Int32, to address: UnsafePointer<sockaddr>, length: socklen_t, path: String, timeout: Double) throws {
        let deadline = Deadline(seconds: timeout)
        while true {
            let result = Glibc.connect(fd, address, length)
            let code = errno
            if result == 0 { return }
            switch code {
            case EINPROGRESS, EINTR:
                guard try wait(fd, for: Int16(POLLOUT), until: deadline) else { throw FrameTimeout(path: path, seconds: timeout, connecting: true) }
                var pending: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 else {
                    let code = errno
                    throw SystemError("cannot connect to \(quoted(path))", code: code)
                }
                if pending == 0 { return }
                throw SystemError("cannot connect to \(quoted(path))", code: pending)
            case EAGAIN:
                guard deadline.remainingMilliseconds != 0 else { throw FrameTimeout(path: path, seconds: timeout, connecting: true) }
                usleep(10_000)
            default:
                throw SystemError("cannot connect to \(quoted(path))", code: code)
            }
        }
    }

    deinit { Glibc.close(fd) }

    /// The local host of a TCP connection, the address of the interface it leaves by
    /// (`[...]` for IPv6); nil for a Unix socket. A node listening on a wildcard address
    /// announces it to the node at the other end (docs/NETWORK.md, "Discovery").
    public var localHost: String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr } }
            guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return nil }
            return String(cString: text)
        case AF_INET6:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr } }
            guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return nil }
            return "[" + String(cString: text) + "]"
        default:
            return nil
        }
    }

    /// Ends the connection. Safe from any thread, also while another thread sends or
    /// receives: shutting the socket down wakes them (they see the connection closed);
    /// the descriptor itself is released in `deinit`.
    public func close() {
        let wasOpen = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        if wasOpen { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isClosed: Bool { state.withLock { $0.closed } }

    public func send(_ payload: [UInt8]) throws {
        if isClosed { throw FrameError.closed }
        var frame = [UInt8]()
        frame.reserveCapacity(4 + payload.count)
        withUnsafeBytes(of: UInt32(payload.count).bigEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        let timeout = self.timeout
        if let tls {
            var offset = 0
            while offset < frame.count {
                offset += try frame.withUnsafeBytes { raw in
                    try Self.complete(path, fd, { tls.write(raw.baseAddress! + offset, raw.count - offset) },
                                      until: Deadline(seconds: timeout), timeout: timeout, connecting: false)
                }
            }
            return
        }
        var offset = 0
        while offset < frame.count {
            let (n, code) = frame.withUnsafeBytes { raw in
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                return (n, errno)
            }
            if n > 0 { offset += n; continue }
            if n < 0 && code == EINTR { continue }
            if n < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                guard try Self.wait(fd, for: Int16(POLLOUT), until: Deadline(seconds: timeout)) else {
                    throw FrameTimeout(path: path, seconds: timeout ?? 0, connecting: false)
                }
                continue
            }
            if isClosed { throw FrameError.closed }
            throw SystemError("cannot write to \(quoted(path))", code: n < 0 ? code : EPIPE)
        }
    }

    public func receive() throws -> [UInt8] {
        if isClosed { throw FrameError.closed }
        let header = try read(4, frameLength: nil)
        let length = header.reduce(0) { $0 << 8 | UInt32($1) }
        guard length <= maximumFrameSize else { throw FrameError.tooLarge(announced: length, maximum: maximumFrameSize) }
        return try read(Int(length), frameLength: Int(length) + 4)
    }

    public func request(_ payload: [UInt8]) throws -> [UInt8] {
        try send(payload)
        return try receive()
    }

    private func read(_ count: Int, frameLength: Int?) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let timeout = self.timeout
        var offset = 0
        if let tls {
            while offset < count {
                do {
                    offset += try out.withUnsafeMutableBytes { raw in
                        try Self.complete(path, fd, { tls.read(raw.baseAddress! + offset, count - offset) },
                                          until: Deadline(seconds: timeout), timeout: timeout, connecting: false)
                    }
                } catch FrameError.closed {
                    if isClosed || (offset == 0 && frameLength == nil) { throw FrameError.closed }
                    throw FrameError.truncated(expected: frameLength ?? 4, received: offset + (frameLength == nil ? 0 : 4))
                }
            }
            return out
        }
        while offset < count {
            let (n, code) = out.withUnsafeMutableBytes { raw in
                let n = recv(fd, raw.baseAddress! + offset, count - offset, 0)
                return (n, errno)
            }
            if n < 0 {
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    guard try Self.wait(fd, for: Int16(POLLIN), until: Deadline(seconds: timeout)) else {
                        throw FrameTimeout(path: path, seconds: timeout ?? 0, connecting: false)
                    }
                    continue
                }
                if isClosed { throw FrameError.closed }
                throw SystemError("cannot read from \(quoted(path))", code: code)
            }
            if n == 0 {
                if isClosed || (offset == 0 && frameLength == nil) { throw FrameError.closed }
                throw FrameError.truncated(expected: frameLength ?? 4, received: offset + (frameLength == nil ? 0 : 4))
            }
            offset += n
        }
        return out
    }

    /// Waits until `fd` is ready for `events` (or hung up, which the next call reports);
    /// false when the deadline passed first.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: Deadline) throws -> Bool {
        while true {
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, deadline.remainingMilliseconds)
            let code = errno
            if ready > 0 { return true }
            if ready == 0 { return false }
            if code != EINTR { throw SystemError("cannot wait for a socket", code: code) }
        }
    }
}

/// A point in time on the monotonic clock, or none (wait forever).
private struct Deadline {
    private let end: UInt64?

    init(seconds: Double?) {
        end = seconds.map { Self.now() + UInt64(max(0, $0) * 1_000_000_000) }
    }

    /// Milliseconds left, rounded up, as poll() takes them; -1 without a deadline.
    var remainingMilliseconds: Int32 {
        guard let end else { return -1 }
        let now = Self.now()
        guard end > now else { return 0 }
        return Int32(min(UInt64(Int32.max), (end - now + 999_999) / 1_000_000))
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// The peer did not accept or answer in time.
public struct FrameTimeout: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let seconds: Double
    /// Whether the connection itself was not accepted in time (rather than an answer).
    public let connecting: Bool

    public var description: String {
        let limit = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        return connecting ? "cannot connect to \(quoted(path)): no answer within \(limit) s"
                          : "\(quoted(path)) did not answer within \(limit) s"
    }
}
