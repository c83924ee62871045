import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A hostile client that writes without reading, for back-pressure tests.
public final class FloodingSocket {
    public let fd: Int32

    /// Connects to `path`; nil when nothing accepts there.
    public init?(_ path: String) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: Array(path.utf8) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected != 0 {
            Glibc.close(fd)
            return nil
        }
    }

    deinit { Glibc.close(fd) }

    /// Writes `frame` up to `count` times, never reading, until the peer stops taking bytes
    /// for `stall` seconds. Returns how many whole frames went out.
    public func flood(_ frame: [UInt8], count: Int, stall: Double) -> Int {
        let perChunk = max(1, 65536 / frame.count)
        let chunk = Array((0..<perChunk).map { _ in frame }.joined())
        var sentBytes = 0
        let total = frame.count * count
        while sentBytes < total {
            let wanted = min(chunk.count, total - sentBytes)
            var offset = 0
            while offset < wanted {
                let n = chunk.withUnsafeBytes { send(fd, $0.baseAddress! + offset, wanted - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n > 0 {
                    offset += n
                    continue
                }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&poller, 1, Int32(stall * 1000)) > 0 { continue }
                }
                return (sentBytes + offset) / frame.count
            }
            sentBytes += wanted
        }
        return count
    }
}

/// A process's resident memory in bytes (VmRSS in /proc/PID/status).
public func residentBytes(of pid: Int32) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
    return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
}

/// A process's CPU time in seconds so far (utime + stime in /proc/PID/stat).
public func cpuSeconds(of pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
