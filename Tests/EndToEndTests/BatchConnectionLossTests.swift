import CSPBasics
import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// kill -9 of the node in the middle of `csp-tx submit --batch` (issue 12, bug 4): the
/// client used to die of SIGILL with a cut-off line. It must exit 2 with one complete
/// line per input line, in order, saying what became of each.
final class BatchConnectionLossTests: XCTestCase {
    func testKill9MidBatchGivesEveryLineItsOutcome() throws {
        let fixture = try NodeFixture.make(self, maxTransactions: 200, timeoutMilliseconds: 20)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        // 3,000 calls, a malformed line and some blank ones, which get no result line.
        var lines = (0..<3000).map { #"{"call":"kv.put","args":{"key":"k\#($0)","value":"v\#($0)"}}"# }
        lines.insert("not json", at: 10)
        lines.insert("", at: 20)
        lines.insert("   ", at: 500)
        let expectedLines = lines.enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.offset + 1 }
        let input = fixture.dir + "/batch.ndjson"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: input))

        let client = Process()
        client.executableURL = URL(fileURLWithPath: NodeFixture.bin("csp-tx"))
        client.arguments = ["submit", "--batch", input, "--window", "300", "--home", fixture.dir + "/alice",
                            "--socket", fixture.socket, "--channel", fixture.channel]
        let out = Pipe(), err = Pipe()
        client.standardOutput = out
        client.standardError = err
        try client.run()
        let collected = Locked(Data()), diagnostics = Locked(Data())
        let readers = [Thread { collected.value = out.fileHandleForReading.readDataToEndOfFile() },
                       Thread { diagnostics.value = err.fileHandleForReading.readDataToEndOfFile() }]
        readers.forEach { $0.start() }
        // Kill the node once some blocks are committed and more are in flight.
        var height = 0
        for _ in 0..<1000 where height <= 2 {
            usleep(5_000)
            if let status = try? runProcess(NodeFixture.bin("csp-node"), ["status", "--home", fixture.node, "--format", "json"]),
               let object = try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any] {
                height = object["height"] as? Int ?? 0
            }
        }
        XCTAssertGreaterThan(height, 2, "the node committed blocks before the kill")
        kill(node.processIdentifier, SIGKILL)
        node.waitUntilExit()
        client.waitUntilExit()
        while readers.contains(where: { !$0.isFinished }) { usleep(1000) }

        let stdout = String(decoding: collected.value, as: UTF8.self)
        let stderr = String(decoding: diagnostics.value, as: UTF8.self)
        XCTAssertEqual(client.terminationReason, .exit, "csp-tx exited rather than died of a signal")
        XCTAssertEqual(client.terminationStatus, 2, stderr)
        XCTAssertTrue(stderr.hasPrefix("error: lost the connection to '\(fixture.socket)'"), stderr)
        XCTAssertEqual(stderr.filter { $0 == "\n" }.count, 1, stderr)
        XCTAssertTrue(stdout.hasSuffix("\n"), "the last line is complete")

        let results = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
        }
        XCTAssertEqual(results.count, expectedLines.count, "one line per non-empty input line")
        XCTAssertEqual(results.map { $0["line"] as? Int ?? 0 }, expectedLines, "in input order, each naming its line")
        var committed: [String] = [], unknown = 0, unsent = 0
        for result in results {
            switch result["outcome"] as? String {
            case "committed":
                XCTAssertEqual(result["status"] as? Int, 0)
                XCTAssertNotNil(result["block"])
                committed.append(result["txid"] as? String ?? "")
            case "unknown":
                XCTAssertEqual(result["status"] as? Int, 2)
                XCTAssertEqual((result["txid"] as? String)?.count, 64, "an unknown outcome names its txid")
                unknown += 1
            case "unsent":
                XCTAssertEqual(result["status"] as? Int, 2)
                unsent += 1
            case "failed":
                XCTAssertEqual(result["line"] as? Int, 11, "only the malformed line failed")
            default:
                XCTFail("unexpected result \(result)")
            }
        }
        XCTAssertGreaterThan(committed.count, 0)
        XCTAssertGreaterThan(unknown + unsent, 0, "the kill came mid-batch")
        XCTAssertTrue(stderr.contains("\(unknown) transaction(s) sent with no answer") && stderr.contains("\(unsent) line(s) not sent"), stderr)

        // Every line reported committed is in the ledger after a restart.
        node = try fixture.start()
        var listed = Set<String>()
        var after: String?
        repeat {
            var arguments = ["account", "Acme/alice", "--limit", "1000", "--format", "json"]
            if let after { arguments += ["--after", after] }
            let page = try fixture.tx("alice", arguments)
            after = NodeFixture.nextPage(page)
            for line in page.stdout.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if let txid = object["txid"] as? String { listed.insert(txid) }
            }
        } while after != nil
        let missing = Set(committed).subtracting(listed)
        XCTAssertTrue(missing.isEmpty, "\(missing.count) transactions reported committed are not in the ledger")
    }
}
