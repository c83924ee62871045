import CSPTestSupport
import CSPWire
import CSPWireServer
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The shared socket server on real Unix sockets, with real clients.
final class SocketServerTests: XCTestCase {
    func makeServer(connections: Int = 64, inFlight: Int = 16, grace: Double = 2, path: String? = nil) throws -> SocketServer {
        let path = try path ?? temporaryDirectory(self) + "/s.sock"
        return SocketServer(path: path,
                            limits: SocketServerLimits(maximumFrameSize: 1 << 20, requestsInFlight: inFlight, connections: connections,
                                                       shutdownGraceSeconds: grace),
                            refusal: { Array("busy: \($0)".utf8) })
    }

    /// Runs `server` in a task; returns once it listens, with a semaphore signalled when `run` returns.
    func start(_ server: SocketServer, handle: @escaping @Sendable ([UInt8]) -> RequestHandling = echo) -> DispatchSemaphore {
        let listening = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Task {
            do { try await server.run(onListening: { listening.signal() }, handle: handle) } catch { XCTFail("run: \(error)") }
            done.signal()
        }
        XCTAssertEqual(listening.wait(timeout: .now() + 10), .success, "the server listens")
        return done
    }

    /// Runs `server` without waiting for it to listen.
    func runDetached(_ server: SocketServer) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0), handle = Self.echo
        Task {
            do { try await server.run(onListening: {}, handle: handle) } catch { XCTFail("run: \(error)") }
            done.signal()
        }
        return done
    }

    static let echo: @Sendable ([UInt8]) -> RequestHandling = { payload in .concurrently { try await $0.send(payload) } }

    func stopAndWait(_ server: SocketServer, _ done: DispatchSemaphore, within seconds: Double = 5, file: StaticString = #filePath, line: UInt = #line) {
        server.stop()
        XCTAssertEqual(done.wait(timeout: .now() + seconds), .success, "run returns after stop", file: file, line: line)
    }

    func testStopBeforeOrWhileBindingTakesEffectOnceListening() throws {
        let early = try makeServer()
        early.stop()
        let done = runDetached(early)
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        // A stop racing the bind (the first SIGTERM used to be lost here).
        for _ in 0..<20 {
            let server = try makeServer()
            let done = runDetached(server)
            server.stop()
            XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "a stop during start-up stops the server")
            XCTAssertFalse(FileManager.default.fileExists(atPath: server.path), "the socket file is removed")
        }
    }

    /// A SIGINT that comes before anything handles it (a node still opening its ledgers)
    /// is acted on once a handler is set.
    func testASignalBeforeTheHandlerIsKept() throws {
        let signals = StopSignals()
        usleep(100_000)  // libdispatch registers the sources on its own thread
        XCTAssertEqual(kill(getpid(), SIGINT), 0)
        usleep(200_000)
        let ran = DispatchSemaphore(value: 0)
        signals.onSignal { ran.signal() }
        XCTAssertEqual(ran.wait(timeout: .now() + 5), .success)
    }

    func testStaleSocketIsReplacedAndALiveOneRefused() throws {
        let server = try makeServer()
        let done = start(server)
        XCTAssertThrowsError(try SocketServer.claim(server.path)) { error in
            XCTAssertEqual(String(describing: error), "'\(server.path)' is in use by a running server")
        }
        stopAndWait(server, done)
        // A socket file nobody listens on (a killed server's) is taken over.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(server.path.utf8) + [0]) }
        XCTAssertEqual(withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }, 0)
        close(stale)
        let successor = try makeServer(path: server.path)
        let again = start(successor)
        XCTAssertEqual(try FrameClient(path: server.path).request([42]), [42])
        stopAndWait(successor, again)
        // Anything else at the path is left alone.
        FileManager.default.createFile(atPath: server.path, contents: Data("keep".utf8))
        XCTAssertThrowsError(try SocketServer.claim(server.path)) { error in
            XCTAssertEqual(String(describing: error), "'\(server.path)' exists and is not a socket")
        }
    }

    func testConnectionsOverTheLimitGetOneRefusalFrame() throws {
        let server = try makeServer(connections: 2)
        let done = start(server)
        let first = try FrameClient(path: server.path), second = try FrameClient(path: server.path)
        XCTAssertEqual(try first.request([1]), [1])
        XCTAssertEqual(try second.request([2]), [2])
        let third = try FrameClient(path: server.path)
        XCTAssertEqual(String(decoding: try third.receive(), as: UTF8.self), "busy: too many connections (at most 2); try again later")
        XCTAssertThrowsError(try third.receive()) { XCTAssertEqual($0 as? FrameError, .closed) }
        // A slot frees when a connection closes.
        first.close()
        var served = false
        for _ in 0..<100 where !served {
            served = (try? FrameClient(path: server.path).request([9])) == [9]
            if !served { usleep(20_000) }
        }
        XCTAssertTrue(served, "a new connection is served once one closed")
        XCTAssertEqual(try second.request([3]), [3])
        stopAndWait(server, done)
    }

    func testRequestsInFlightAreBoundedPerConnection() throws {
        let started = Counter(), gate = Counter()
        let server = try makeServer(inFlight: 3)
        let done = start(server) { payload in
            .concurrently { writer in
                started.add()
                while gate.value == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
                try await writer.send(payload)
            }
        }
        let client = try FrameClient(path: server.path)
        for i in 0..<10 { try client.send([UInt8(i)]) }
        for _ in 0..<500 where started.value < 3 { usleep(10_000) }
        usleep(200_000)
        XCTAssertEqual(started.value, 3, "no more than the limit is read")
        gate.add()
        let replies = try (0..<10).map { _ in try client.receive() }
        XCTAssertEqual(Set(replies.map { $0[0] }), Set(0..<10), "every request is answered")
        stopAndWait(server, done)
    }

    func testAClientThatDoesNotReadIsHeldBackByTheSocket() throws {
        let server = try makeServer(inFlight: 8)
        let done = start(server)
        let flooder = try XCTUnwrap(FloodingSocket(server.path))
        let frame = Frame.encode(Array(repeating: 7, count: 1000))
        let sent = flooder.flood(frame, count: 200_000, stall: 1)
        // Socket buffers and NIO's watermarks hold a few thousand kilobyte frames, not 200 MB.
        XCTAssertLessThan(sent, 20_000, "the server stopped reading a client that does not read")
        // Everyone else is still served.
        XCTAssertEqual(try FrameClient(path: server.path).request([5]), [5])
        stopAndWait(server, done)
    }

    func testStopClosesEveryConnectionAfterTheGracePeriod() throws {
        let server = try makeServer(grace: 0.5)
        // A subscription-like stream to a client that never reads.
        let done = start(server) { payload in
            if payload == [1] { return Self.echo(payload) }
            return .exclusively { writer in
                while true { try await writer.send(Array(repeating: 0, count: 65536)) }
            }
        }
        let idle = try FrameClient(path: server.path)
        XCTAssertEqual(try idle.request([1]), [1])
        let stuck = try FrameClient(path: server.path)
        try stuck.send([2])
        usleep(300_000)
        let before = Date()
        stopAndWait(server, done, within: 4)
        XCTAssertLessThan(Date().timeIntervalSince(before), 3)
        XCTAssertThrowsError(try idle.receive()) { XCTAssertEqual($0 as? FrameError, .closed) }
    }

    /// Out of file descriptors, accept fails at once every time the socket polls readable;
    /// the server must pause accepting instead of spinning a core.
    func testOutOfDescriptorsTheServerBacksOffInsteadOfSpinning() throws {
        let server = try makeServer(connections: 1000)
        let done = start(server)
        // Sockets made while descriptors are available, connected once there are none.
        let clients = (0..<20).map { _ in socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) }
        defer { clients.forEach { close($0) } }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(server.path.utf8) + [0]) }
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved), 0)
        let lowest = dup(0)
        close(lowest)
        var exhausted = saved
        exhausted.rlim_cur = rlim_t(lowest)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &exhausted), 0)
        for fd in clients {
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        }
        usleep(200_000)
        let before = processCPUSeconds()
        usleep(1_000_000)
        let used = processCPUSeconds() - before
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved), 0)
        XCTAssertLessThan(used, 0.3, "CPU seconds spent in one second with no descriptors left")
        // With descriptors back, the waiting connections are accepted and served.
        let frame = Frame.encode([8])
        XCTAssertEqual(frame.withUnsafeBytes { send(clients[0], $0.baseAddress, $0.count, 0) }, frame.count)
        var reply = [UInt8](repeating: 0, count: frame.count)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(clients[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        XCTAssertEqual(reply.withUnsafeMutableBytes { recv(clients[0], $0.baseAddress, $0.count, Int32(MSG_WAITALL)) }, frame.count)
        XCTAssertEqual(reply, frame)
        stopAndWait(server, done)
    }

    func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
