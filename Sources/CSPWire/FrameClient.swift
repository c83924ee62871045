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
    private let state: Mutex<State>
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
            try Self.connect(socketFD, to: &address, path: path, timeout: connectTimeout)
        } catch {
            Glibc.close(socketFD)
            throw error
        }
        fd = socketFD
    }

    /// connect(2) with a deadline. EINPROGRESS and EINTR mean the connection goes on
    /// asynchronously: wait until the socket is writable and read its outcome from
    /// SO_ERROR (calling connect again would fail with EALREADY or EISCONN). EAGAIN is a
    /// Unix-socket server whose backlog is full: nothing is pending, so try again shortly.
    private static func connect(_ fd: Int32, to address: inout sockaddr_un, path: String, timeout: Double) throws {
        let deadline = Deadline(seconds: timeout)
        while true {
            let (result, code) = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    let result = Glibc.connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_un>.size))
                    return (result, errno)
                }
            }
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
