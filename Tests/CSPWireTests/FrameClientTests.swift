import CSPTestSupport
import CSPWire
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// The blocking client's edges (issue 12): every wait is bounded, and close() from one
/// thread wakes another blocked on the same connection.
final class FrameClientTests: XCTestCase {
    func testAStalledServerTimesOutInsteadOfHanging() throws {
        let path = try temporaryDirectory(self) + "/stalled.sock"
        let listener = RawSocket.stalledListener(path)
        defer { close(listener) }
        let client = try FrameClient(path: path, timeout: 0.3)
        try client.send(Array("hello".utf8))  // the kernel buffers it
        let start = Date()
        XCTAssertThrowsError(try client.receive()) { error in
            XCTAssertEqual(String(describing: error), "'\(path)' did not answer within 0.3 s")
        }
        XCTAssertEqual(Date().timeIntervalSince(start), 0.3, accuracy: 0.25)
        // A server that never reads: the socket buffer fills and the send gives up.
        XCTAssertThrowsError(try client.send(Array(repeating: 0, count: 8 << 20))) { error in
            XCTAssertTrue(error is FrameTimeout, "\(error)")
        }
    }

    func testAFullBacklogTimesOutWhileConnecting() throws {
        let path = try temporaryDirectory(self) + "/full.sock"
        let listener = RawSocket.stalledListener(path, backlog: 0)
        defer { close(listener) }
        var clients: [FrameClient] = []
        var refusal: Error?
        for _ in 0..<16 where refusal == nil {
            do { clients.append(try FrameClient(path: path, connectTimeout: 0.2)) } catch { refusal = error }
        }
        XCTAssertEqual((refusal as? FrameTimeout)?.connecting, true)
        XCTAssertEqual(refusal.map { String(describing: $0) }, "cannot connect to '\(path)': no answer within 0.2 s")
    }

    func testCloseWakesAReceiverOnAnotherThread() throws {
        let path = try temporaryDirectory(self) + "/quiet.sock"
        let listener = RawSocket.stalledListener(path)
        defer { close(listener) }
        let client = try FrameClient(path: path, timeout: nil)
        let woke = expectation(description: "the receiver wakes")
        // Written by the thread before it fulfils the expectation, read after the wait.
        nonisolated(unsafe) var outcome: Error?
        Thread {
            do { _ = try client.receive() } catch { outcome = error }
            woke.fulfill()
        }.start()
        usleep(100_000)
        client.close()
        wait(for: [woke], timeout: 5)
        XCTAssertEqual(outcome as? FrameError, .closed)
        XCTAssertThrowsError(try client.send([1])) { XCTAssertEqual($0 as? FrameError, .closed) }
        client.close()  // twice is harmless
    }
}
