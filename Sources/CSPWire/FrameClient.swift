import CSPBasics
#if canImport(Glibc)
import Glibc
#endif

/// A blocking client for a csp Unix socket: what the command-line tools use to talk to
/// `csp-ca serve` and `csp-node`. One request, one response, in order.
/// @unchecked Sendable: one thread may send while another receives (the socket is full duplex);
/// callers must not send, or receive, from two threads at once.
public final class FrameClient: @unchecked Sendable {
    private var fd: Int32
    public let path: String
    public let maximumFrameSize: Int

    public init(path: String, maximumFrameSize: Int = 16 << 20) throws {
        self.path = path
        self.maximumFrameSize = maximumFrameSize
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
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("cannot create a socket") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                retryingEINTR { connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw SystemError("cannot connect to \(quoted(path))", code: code)
        }
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    public func send(_ payload: [UInt8]) throws {
        var frame = [UInt8]()
        frame.reserveCapacity(4 + payload.count)
        withUnsafeBytes(of: UInt32(payload.count).bigEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        var offset = 0
        while offset < frame.count {
            let n = frame.withUnsafeBytes { raw in
                retryingEINTR { Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) }
            }
            guard n > 0 else { throw SystemError("cannot write to \(quoted(path))") }
            offset += n
        }
    }

    public func receive() throws -> [UInt8] {
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
        var offset = 0
        while offset < count {
            let n = out.withUnsafeMutableBytes { raw in
                retryingEINTR { recv(fd, raw.baseAddress! + offset, count - offset, 0) }
            }
            if n < 0 { throw SystemError("cannot read from \(quoted(path))") }
            if n == 0 {
                if offset == 0 && frameLength == nil { throw FrameError.closed }
                throw FrameError.truncated(expected: frameLength ?? 4, received: offset + (frameLength == nil ? 0 : 4))
            }
            offset += n
        }
        return out
    }
}
