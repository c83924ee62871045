import CSPTestSupport
import CSPWire
import CSPWireServer
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The TCP transport end to end in one process: SocketServer with TLSServerContext and
/// FrameClient with TLS, on loopback, with certificates made by the openssl tool.
final class TLSTransportTests: XCTestCase {
    /// A self-signed P-256 certificate and key named `name` in `directory`.
    func identity(_ name: String, in directory: String) throws -> TLSClientIdentity {
        let key = directory + "/" + name + "-key.pem", certificate = directory + "/" + name + "-cert.pem"
        let result = try runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                         "-subj", "/CN=" + name, "-days", "1", "-keyout", key, "-out", certificate])
        XCTAssertEqual(result.status, 0, result.stderr)
        return TLSClientIdentity(certificate: certificate, key: key, trusted: certificate)
    }

    static func der(_ pemFile: String) throws -> [UInt8] {
        let pem = try String(contentsOfFile: pemFile, encoding: .utf8)
        return Array(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined())!)
    }

    func testFramesBothWaysLargeAndPipelinedAndAStrangerIsRefused() throws {
        let directory = try temporaryDirectory(self)
        let server = try identity("server", in: directory), member = try identity("member", in: directory)
        let stranger = try identity("stranger", in: directory)
        let admitted = try Self.der(member.certificate)
        let tls = try TLSServerContext(certificate: server.certificate, chain: nil, key: server.key,
                                       admit: { $0 == admitted ? nil : "not the member" })
        let listener = SocketServer(host: "127.0.0.1", port: 0, tls: tls,
                                    limits: SocketServerLimits(maximumFrameSize: 4 << 20, requestsInFlight: 64, connections: 16),
                                    refusal: { Array($0.utf8) })
        let listening = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await listener.run(onListening: { listening.signal() }) { payload in .concurrently { try await $0.send(payload.reversed()) } }
            } catch { XCTFail("run: \(error)") }
            done.signal()
        }
        XCTAssertEqual(listening.wait(timeout: .now() + 10), .success)
        defer {
            listener.stop()
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "run returns after stop")
        }
        let address = try XCTUnwrap(listener.listeningAddress.flatMap(NetworkAddress.parse))
        XCTAssertEqual(address.host, "127.0.0.1")
        XCTAssertNotEqual(address.port, 0)

        // The client trusts the server's self-signed certificate.
        let client = try FrameClient(host: address.host, port: address.port,
                                     identity: TLSClientIdentity(certificate: member.certificate, key: member.key, trusted: server.certificate),
                                     timeout: 10)
        // Frames of many TLS records each way (3 MB), and 200 small ones pipelined.
        let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        XCTAssertEqual(try client.request(large), large.reversed())
        for i in 0..<200 { try client.send(Array("frame \(i)".utf8)) }
        var answers = Set<String>()
        for _ in 0..<200 { answers.insert(String(decoding: try client.receive().reversed(), as: UTF8.self)) }
        XCTAssertEqual(answers, Set((0..<200).map { "frame \($0)" }))

        // A certificate the server does not admit: the handshake's alert ends the first exchange.
        let refused = try FrameClient(host: address.host, port: address.port,
                                      identity: TLSClientIdentity(certificate: stranger.certificate, key: stranger.key, trusted: server.certificate),
                                      timeout: 10)
        XCTAssertThrowsError(try refused.request(Array("hello".utf8))) { error in
            XCTAssertTrue("\(error)".contains("bad certificate"), "\(error)")
        }
        // A server the client does not trust: refused by the client at the handshake.
        XCTAssertThrowsError(try FrameClient(host: address.host, port: address.port, identity: member, timeout: 10)) { error in
            XCTAssertTrue("\(error)".contains("certificate verify failed"), "\(error)")
        }
    }

    /// A client that connects and never handshakes is closed after the handshake timeout;
    /// one over the connection limit is closed at once, without a frame.
    func testASilentClientIsClosedAndOneOverTheLimitIsClosedWithoutAFrame() throws {
        let directory = try temporaryDirectory(self)
        let server = try identity("server", in: directory)
        let tls = try TLSServerContext(certificate: server.certificate, chain: nil, key: server.key, admit: { _ in nil },
                                       handshakeTimeout: 0.5)
        let listener = SocketServer(host: "127.0.0.1", port: 0, tls: tls,
                                    limits: SocketServerLimits(maximumFrameSize: 1 << 20, requestsInFlight: 4, connections: 1),
                                    refusal: { Array($0.utf8) })
        let listening = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Task {
            do { try await listener.run(onListening: { listening.signal() }) { payload in .concurrently { try await $0.send(payload) } } } catch {
                XCTFail("run: \(error)")
            }
            done.signal()
        }
        XCTAssertEqual(listening.wait(timeout: .now() + 10), .success)
        defer {
            listener.stop()
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        }
        let port = try XCTUnwrap(listener.listeningAddress.flatMap(NetworkAddress.parse)).port
        let silent = try Self.connect(port)
        defer { close(silent) }
        usleep(100_000)
        // The only slot is taken: the next connection is closed with nothing sent.
        let extra = try Self.connect(port)
        defer { close(extra) }
        XCTAssertEqual(Self.readUntilClosed(extra, within: 5), [])
        // The silent one is closed once the handshake time is up, with nothing sent.
        let start = Date()
        XCTAssertEqual(Self.readUntilClosed(silent, within: 5), [])
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw XCTSkip("cannot connect to 127.0.0.1:\(port)") }
        return fd
    }

    /// Bytes read until the peer closes; nil when it is still open after `within` seconds.
    static func readUntilClosed(_ fd: Int32, within seconds: Double) -> [UInt8]? {
        var received: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return received }
            received += buffer[0..<n]
        }
        return nil
    }
}
