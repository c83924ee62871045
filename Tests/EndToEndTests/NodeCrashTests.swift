import CSPBasics
import CSPTestSupport
import Foundation
import XCTest

/// kill -9 while thousands of transactions are in flight: everything csp-tx reported
/// committed is in the ledger after restart, and nothing is committed twice.
final class NodeCrashTests: XCTestCase {
    func testKill9DuringABatchLosesNothingReported() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 200, timeoutMilliseconds: 20)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let count = 4000
        let lines = (0..<count).map { #"{"call":"kv.put","args":{"key":"k\#($0)","value":"v\#($0)"}}"# }.joined(separator: "\n")
        let input = fixture.dir + "/batch.ndjson"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: input))

        let client = Process()
        client.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        client.arguments = ["submit", "--batch", input, "--window", "500", "--home", fixture.dir + "/alice",
                            "--socket", fixture.socket, "--channel", fixture.channel]
        let out = Pipe()
        client.standardOutput = out
        client.standardError = FileHandle.nullDevice
        try client.run()
        let collected = Locked(Data())
        let reader = Thread { collected.value = out.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        // Kill the node once some blocks are committed and more are in flight.
        var committed = 0
        for _ in 0..<400 {
            usleep(10_000)
            if let status = try? runProcess(NodeFixture.bin("csp-node"), ["status", "--home", fixture.node, "--format", "json"]),
               let object = try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
               let height = object["height"] as? Int, height > 3 {
                committed = height
                break
            }
        }
        XCTAssertGreaterThan(committed, 3, "the node committed blocks before the kill")
        kill(node.processIdentifier, SIGKILL)
        node.waitUntilExit()
        client.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        XCTAssertNotEqual(client.terminationStatus, 0, "the batch could not finish")

        let reported = String(decoding: collected.value, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["code"] as? String == "valid", object["block"] != nil else { return nil }
            return object["txid"] as? String
        }
        XCTAssertGreaterThan(reported.count, 0, "some transactions were reported committed")

        node = try fixture.start()
        // Every reported transaction is there, exactly once, and its write is in the state.
        let ids = Set(reported)
        XCTAssertEqual(ids.count, reported.count, "no txid was reported twice")
        for txid in reported.prefix(50) {
            let result = try fixture.tx("rita", ["tx", txid, "--format", "json"])
            XCTAssertTrue(result.stdout.contains("\"code\":\"valid\""), result.stdout)
        }
        // Every transaction of the account, page by page: each reported one is there, once.
        var listed: [String] = []
        var after: String?
        repeat {
            var arguments = ["account", "Acme/alice", "--limit", "1000", "--format", "json"]
            if let after { arguments += ["--after", after] }
            let result = try fixture.tx("alice", arguments)
            after = NodeFixture.nextPage(result)
            for line in result.stdout.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if let txid = object["txid"] as? String { listed.append(txid) }
            }
        } while after != nil
        XCTAssertEqual(Set(listed).count, listed.count, "nothing committed twice")
        XCTAssertTrue(ids.isSubset(of: Set(listed)), "\(ids.subtracting(Set(listed)).count) reported transactions are missing")
        // The node goes on committing after recovery.
        XCTAssertTrue(try fixture.tx("alice", ["submit", "kv.put", "key=after", "value=restart"]).stdout.contains("\"code\":\"valid\""))
    }
}
