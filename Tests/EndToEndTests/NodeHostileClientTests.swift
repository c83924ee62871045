import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// What one unauthenticated client can do to a running node (issue 12, bugs 8–10).
final class NodeHostileClientTests: XCTestCase {
    /// `csp-node status` answers within `seconds`.
    func statusAnswers(_ fixture: NodeFixture, within seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let result = try? runProcess(NodeFixture.bin("csp-node"), ["status", "--home", fixture.node]), result.status == 0 { return true }
            usleep(100_000)
        }
        return false
    }

    func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return !process.isRunning
    }

    func stop(_ node: Process) {
        if node.isRunning { node.terminate() }
        if !waitForExit(node, seconds: 10) { kill(node.processIdentifier, SIGKILL) }
        node.waitUntilExit()
    }

    /// Bug 8: status requests pipelined on one connection without reading the replies.
    func testPipelinedRequestsFromAClientThatNeverReadsKeepMemoryBounded() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { stop(node) }
        let flooder = try XCTUnwrap(FloodingSocket(fixture.socket))
        let payload = Array(#"{"id":1,"op":"status"}"#.utf8)
        let frame = [0, 0, 0, UInt8(payload.count)] + payload
        let flooding = Date()
        let sent = flooder.flood(frame, count: 500_000, stall: 2)
        // 4,096 in flight, plus what the socket buffers hold: some ten thousand requests of 26 bytes.
        XCTAssertLessThan(sent, 100_000, "the node stops reading a client that does not read its replies")
        XCTAssertLessThan(Date().timeIntervalSince(flooding), 10, "the node stopped reading at once (\(sent) requests sent)")
        let resident = try XCTUnwrap(residentBytes(of: node.processIdentifier))
        XCTAssertLessThan(resident, 200 << 20, "resident memory after \(sent) pipelined requests")
        let asking = Date()
        XCTAssertTrue(statusAnswers(fixture, within: 5), "another client is served meanwhile")
        XCTAssertLessThan(Date().timeIntervalSince(asking), 5, "another client is served at once")
        XCTAssertTrue(node.isRunning)
    }

    /// Bug 9: more idle connections than file descriptors.
    func testOutOfDescriptorsTheNodeStaysIdleAndRecovers() throws {
        let fixture = try NodeFixture.make(self)
        let node = Process()
        node.executableURL = URL(fileURLWithPath: "/bin/bash")
        node.arguments = ["-c", #"ulimit -Sn 96 && ulimit -Hn 96 && exec "$0" start --home "$1""#, NodeFixture.bin("csp-node"), fixture.node]
        FileManager.default.createFile(atPath: fixture.dir + "/node.log", contents: nil)
        node.standardError = FileHandle(forWritingAtPath: fixture.dir + "/node.log")
        try node.run()
        defer { stop(node) }
        for _ in 0..<500 where !RawSocket.accepts(fixture.socket) { usleep(10_000) }
        XCTAssertTrue(RawSocket.accepts(fixture.socket), "the node serves: \(fixture.nodeLog)")

        var idle = (0..<150).compactMap { _ in FloodingSocket(fixture.socket) }
        XCTAssertEqual(idle.count, 150)
        usleep(500_000)
        let before = try XCTUnwrap(cpuSeconds(of: node.processIdentifier))
        usleep(1_000_000)
        let used = try XCTUnwrap(cpuSeconds(of: node.processIdentifier)) - before
        XCTAssertLessThan(used, 0.15, "CPU seconds the node spent in one second of idle connections")
        idle.removeAll()
        XCTAssertTrue(statusAnswers(fixture), "status answers once the connections are gone: \(fixture.nodeLog)")
    }

    /// Bug 10: a watcher that never reads its events, then SIGTERM.
    func testAWatcherThatNeverReadsDoesNotHoldShutdown() throws {
        let fixture = try NodeFixture.make(self)
        var node = try fixture.start()
        defer { stop(node) }
        // About a megabyte of events: more than every buffer between the node and the watcher.
        let padding = String(repeating: "x", count: 200)
        let lines = (0..<3000).map { #"{"call":"kv.put","args":{"key":"k\#($0)-\#(padding)","value":"v"}}"# }
        try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(lines.joined(separator: "\n").utf8))

        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        watcher.arguments = ["watch", "--from", "0", "--home", fixture.dir + "/rita", "--socket", fixture.socket, "--channel", fixture.channel]
        let unread = Pipe()
        watcher.standardOutput = unread
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        defer { if watcher.isRunning { watcher.terminate() }; watcher.waitUntilExit() }
        sleep(2)
        XCTAssertTrue(watcher.isRunning, "the watcher is stuck writing its output")

        let stopping = Date()
        node.terminate()
        guard waitForExit(node, seconds: 8) else { return XCTFail("the node exits despite the watcher: \(fixture.nodeLog)") }
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 6)
        XCTAssertEqual(node.terminationStatus, 0)
        XCTAssertEqual(node.terminationReason, .exit)

        node = try fixture.start()
        XCTAssertTrue(statusAnswers(fixture), "a restart serves: \(fixture.nodeLog)")
    }
}
