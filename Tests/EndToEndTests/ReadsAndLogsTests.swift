import CSPTestSupport
import Foundation
import XCTest

/// Reads, exports and node logs as scripts and operators meet them: one exit-code rule,
/// one JSON shape per kind of data, blocks streamed as JSON lines, events with values,
/// and a node log with timestamps and one line per block.
final class ReadsAndLogsTests: XCTestCase {
    private func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0)) }
    }

    func testNotFoundIsOneAndJSONFieldsAgree() throws {
        let fixture = try NodeFixture.make(self)
        let server = try fixture.start()
        defer { server.terminate(); server.waitUntilExit() }
        try fixture.tx("alice", ["submit", "kv.put", "key=demand-1", "value=heating"])
        try fixture.tx("alice", ["submit", "kv.put", "key=demand-2", "value=water"])

        XCTAssertEqual(try fixture.tx("alice", ["history", "kv/nothing"], expect: 1).stderr, "error: no history for key 'kv/nothing'\n")
        XCTAssertEqual(try fixture.tx("alice", ["account", "Acme/nobody"], expect: 1).stderr, "error: no transactions involve account 'Acme/nobody'\n")
        XCTAssertEqual(try fixture.tx("alice", ["query", "kv/nothing"], expect: 1).stderr, "error: no value for key 'kv/nothing'\n")
        XCTAssertTrue(try fixture.tx("alice", ["history", "kv/demand-1", "--limit", "0"], expect: 64).stderr.hasPrefix("error: --limit must be 1 to 1000"))
        XCTAssertTrue(try fixture.tx("alice", ["account", "Acme/alice", "--limit", "1001"], expect: 64).stderr.hasPrefix("error: --limit must be 1 to 1000"))

        // query KEY and query --prefix print the same fields for the same data.
        let one = try lines(try fixture.tx("alice", ["query", "kv/demand-1", "--format", "json"]).stdout)
        let range = try lines(try fixture.tx("alice", ["query", "--prefix", "kv/demand-", "--format", "json"]).stdout)
        XCTAssertEqual(one.count, 1)
        XCTAssertEqual(range.count, 2)
        XCTAssertEqual(Set(one[0].keys), Set(range[0].keys))
        XCTAssertEqual(one[0]["key"] as? String, "kv/demand-1")
        XCTAssertEqual(one[0]["value"] as? String, "heating")
        XCTAssertEqual(one[0]["block"] as? Int, range[0]["block"] as? Int)
        // The paging token goes to stderr, never among the data.
        let paged = try fixture.tx("alice", ["query", "--prefix", "kv/demand-", "--limit", "1", "--format", "json"])
        XCTAssertEqual(try lines(paged.stdout).count, 1)
        XCTAssertNotNil(NodeFixture.nextPage(paged), paged.stderr)

        // A block in text shows its transactions.
        let block = try fixture.tx("root", ["block", "1", "--format", "text"]).stdout
        let rows = block.split(separator: "\n")
        XCTAssertTrue(rows[0].hasPrefix("block 1  "), block)
        XCTAssertEqual(rows.count, 2, block)
        XCTAssertTrue(rows[1].hasPrefix("  ") && rows[1].contains("kv.put") && rows[1].contains("valid"), block)
    }

    func testBlocksStreamsJSONLinesAndFollows() throws {
        let fixture = try NodeFixture.make(self)
        let server = try fixture.start()
        defer { server.terminate(); server.waitUntilExit() }
        for index in 0..<3 { try fixture.tx("alice", ["submit", "kv.put", "key=k\(index)", "value=v\(index)"]) }

        let all = try lines(try fixture.tx("root", ["blocks", "--from", "0"]).stdout)
        XCTAssertEqual(all.map { $0["block"] as? Int }, [0, 1, 2, 3])
        XCTAssertEqual((all[2]["transactions"] as? [[String: Any]])?.first?["function"] as? String, "put")
        let some = try lines(try fixture.tx("root", ["blocks", "--from", "1", "--to", "2"]).stdout)
        XCTAssertEqual(some.map { $0["block"] as? Int }, [1, 2])
        XCTAssertEqual(try fixture.tx("root", ["blocks", "--from", "9"], expect: 1).stderr,
                       "error: channel 'consortium' has 4 blocks: block 9 does not exist yet (--follow waits for it)\n")
        XCTAssertTrue(try fixture.tx("root", ["blocks", "--from", "3", "--to", "2"], expect: 64).stderr.hasPrefix("error: --to must not be before --from"))

        // --follow prints blocks as they commit and stops at --to.
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        follower.arguments = ["blocks", "--from", "3", "--to", "5", "--follow", "--home", fixture.dir + "/root",
                              "--socket", fixture.socket, "--channel", fixture.channel]
        let output = Pipe()
        follower.standardOutput = output
        try follower.run()
        usleep(300_000)
        try fixture.tx("alice", ["submit", "kv.put", "key=k4", "value=v4"])
        try fixture.tx("alice", ["submit", "kv.put", "key=k5", "value=v5"])
        let deadline = Date().addingTimeInterval(20)
        while follower.isRunning, Date() < deadline { usleep(20_000) }
        XCTAssertFalse(follower.isRunning, "--follow stops after --to")
        if follower.isRunning { follower.terminate() }
        follower.waitUntilExit()
        XCTAssertEqual(follower.terminationStatus, 0)
        let followed = try lines(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        XCTAssertEqual(followed.map { $0["block"] as? Int }, [3, 4, 5])
    }

    func testWatchCarriesValuesAndNodeLogsEveryBlockAndRefusal() throws {
        let fixture = try NodeFixture.make(self)
        let server = try fixture.start(["-v", "--format", "json"])
        defer { server.terminate(); server.waitUntilExit() }
        try fixture.tx("alice", ["submit", "kv.put", "key=camelCaseKey", "value=heating fails"])
        try fixture.tx("alice", ["submit", "config.set-cutting", "maxTransactions=5"], expect: 1)  // customers may not
        let events = try lines(try fixture.tx("root", ["watch", "--from", "0", "--contract", "kv", "--values", "--count", "1"]).stdout)
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events[0]["writes"] as? [String: String], ["kv/camelCaseKey": "heating fails"])
        let text = try fixture.tx("root", ["watch", "--from", "0", "--contract", "kv", "--values", "--count", "1", "--format", "text"]).stdout
        XCTAssertTrue(text.hasSuffix("  kv/camelCaseKey=heating fails\n"), text)
        let plain = try lines(try fixture.tx("root", ["watch", "--from", "0", "--contract", "kv", "--count", "1"]).stdout)
        XCTAssertNil(plain[0]["writes"], "values only when asked")

        // The node's log: JSON lines with a timestamp, one per block, refusals with their reason.
        usleep(100_000)
        let log = try lines(fixture.nodeLog.split(separator: "\n").filter { $0.hasPrefix("{") }.joined(separator: "\n"))
        XCTAssertTrue(log.allSatisfy { ($0["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil }, fixture.nodeLog)
        XCTAssertTrue(log.contains { ($0["message"] as? String)?.hasPrefix("serving consortium on ") == true && $0["level"] as? String == "notice" }, fixture.nodeLog)
        XCTAssertTrue(log.contains { ($0["message"] as? String)?.hasPrefix("block 1: 1 transactions, 1 valid, 0 invalid, ") == true && $0["channel"] as? String == "consortium" }, fixture.nodeLog)
        XCTAssertTrue(log.contains { ($0["message"] as? String)?.contains("(config.set-cutting): policy-denied: ") == true }, fixture.nodeLog)
        // Connections that end say so in words, not in NIO's (watch clients came and went).
        XCTAssertFalse(fixture.nodeLog.contains("I/O on closed channel") || fixture.nodeLog.contains("ioOnClosedChannel"), fixture.nodeLog)
    }

    func testNodeLogIsQuietWithoutVerboseAndTextHasTimestamps() throws {
        let fixture = try NodeFixture.make(self)
        let server = try fixture.start()
        try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=v"])
        server.terminate()
        server.waitUntilExit()
        let log = fixture.nodeLog.split(separator: "\n")
        XCTAssertTrue(log.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z notice csp-node: "#, options: .regularExpression) != nil }, fixture.nodeLog)
        XCTAssertFalse(fixture.nodeLog.contains("block 1"), "no block lines without --verbose: \(fixture.nodeLog)")
        XCTAssertTrue(fixture.nodeLog.contains(" notice csp-node: stopping\n"), fixture.nodeLog)
    }
}
