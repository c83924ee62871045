#if canImport(Glibc)
import Glibc
#endif

public struct NoFreePort: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "cannot find a free loopback port: errno \(errno)" }
}

/// A TCP port on 127.0.0.1 that nobody listens on now: the kernel's pick for a socket
/// bound to port 0, read back and released, for a server a test starts next.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw NoFreePort(errno: errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}
