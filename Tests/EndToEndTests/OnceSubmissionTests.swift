import CSPTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Cron-safe submission (issue 11): `--timeout DURATION` ends a wait with exit 75
/// (outcome unknown), and `--once KEY` makes a retried or doubled cron line take effect
/// once, answered with the first transaction's id and block.
final class OnceSubmissionTests: XCTestCase {
    func json(_ text: String) -> [String: Any] {
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(first.utf8))) as? [String: Any] ?? [:]
    }

    /// The cron line of the README: a customer files a demand, once per night.
    private func cronLine(_ fixture: NodeFixture, key: String) -> [String] {
        [NodeFixture.bin("csp-tx"), "call", "demand.submit", "--once", key, "category=complaint", "description=nightly meter reading missing",
         "--format", "json", "--home", fixture.dir + "/carol", "--socket", fixture.socket, "--channel", fixture.channel]
    }

    func testTheSameCronLineTwiceAndConcurrentlyFilesOneDemand() throws {
        let fixture = try NodeFixture.consortium(self)
        var node = try fixture.start()
        defer { if node.isRunning { node.terminate(); node.waitUntilExit() } }
        for who in ["root", "carol", "dora"] { try fixture.tx(who, ["submit", "account.register", "displayName=\(who)"]) }
        try fixture.tx("root", ["contract", "propose", repositoryRoot + "/docs/contracts/demand.json"])
        try fixture.tx("root", ["contract", "approve", "demand", "1"])

        // Twice in a row: the second run takes no effect and answers with the first.
        let line = cronLine(fixture, key: "nightly-2026-11-30")
        let first = try runProcess(line[0], Array(line.dropFirst()))
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try runProcess(line[0], Array(line.dropFirst()))
        XCTAssertEqual(second.status, 0, second.stderr)
        let (one, two) = (json(first.stdout), json(second.stdout))
        XCTAssertEqual(two["txid"] as? String, one["txid"] as? String, second.stdout)
        XCTAssertEqual(two["block"] as? Int, one["block"] as? Int)
        XCTAssertEqual(two["id"] as? String, one["id"] as? String)
        XCTAssertTrue((one["id"] as? String ?? "").hasPrefix("D-once-"), first.stdout)
        XCTAssertEqual(two["outcome"] as? String, "already-done", second.stdout)
        XCTAssertEqual(one["outcome"] as? String, "committed", first.stdout)
        XCTAssertTrue(second.stderr.hasPrefix("already done: once key 'nightly-2026-11-30' was used by this transaction \(one["txid"] as? String ?? "")"), second.stderr)
        XCTAssertEqual(two["state"] as? String, "submitted")

        // Four copies at once (cron on two machines, a retry racing the original): one demand.
        let parallel = cronLine(fixture, key: "nightly-2026-12-01")
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            if let result = try? runProcess(parallel[0], Array(parallel.dropFirst())) { results.append(result) }
        }
        let runs = results.all
        XCTAssertEqual(runs.count, 4)
        XCTAssertEqual(runs.map(\.status), [0, 0, 0, 0], runs.map(\.stderr).joined())
        XCTAssertEqual(Set(runs.map { json($0.stdout)["txid"] as? String ?? "" }).count, 1, runs.map(\.stdout).joined())
        XCTAssertEqual(Set(runs.map { json($0.stdout)["id"] as? String ?? "" }).count, 1)
        XCTAssertEqual(runs.filter { json($0.stdout)["outcome"] as? String == "committed" }.count, 1, "exactly one run committed: \(runs.map(\.stdout))")

        // Two nights, two demands, each with one timeline entry.
        let instances = try fixture.tx("carol", ["query", "--prefix", "wf/", "--format", "json"]).stdout
            .split(separator: "\n").map { json(String($0)) }.filter { $0["key"] != nil }
        XCTAssertEqual(instances.count, 2, "\(instances)")
        for id in [one["id"] as? String ?? "", json(runs[0].stdout)["id"] as? String ?? ""] {
            let shown = json(try fixture.tx("carol", ["show", id, "--format", "json"]).stdout)
            XCTAssertEqual((shown["timeline"] as? [Any])?.count, 1, "\(shown)")
        }
        // The key is the creator's: another identity with the same key is its own call;
        // a key that is not one is a usage error.
        let dora = try fixture.tx("dora", ["submit", "account.register", "displayName=Dora", "--once", "nightly-2026-11-30"], expect: 1)
        XCTAssertEqual(json(dora.stdout)["code"] as? String, "contract-failed", "registered already, not already done: \(dora.stdout)")
        let bad = try fixture.tx("carol", ["call", "demand.submit", "--once", "a/b", "category=x", "description=y"], expect: 64)
        XCTAssertTrue(bad.stderr.contains("once key 'a/b' must be 1-128 of A-Z a-z 0-9 . _ : @ + -"), bad.stderr)

        // Every verdict, once-key-used included, is the block's: a full re-check agrees.
        node.terminate(); node.waitUntilExit()
        try NodeFixture.run("csp-node", ["check", "--home", fixture.node])
        node = try fixture.start()
        let third = try runProcess(line[0], Array(line.dropFirst()))
        XCTAssertEqual(json(third.stdout)["txid"] as? String, one["txid"] as? String, "after a restart too")
    }

    func testATimeoutOnAStoppedNodeIsOutcomeUnknownAndTheRetryIsSafe() throws {
        let fixture = try NodeFixture.make(self)
        let node = try fixture.start()
        defer { kill(node.processIdentifier, SIGCONT); if node.isRunning { node.terminate(); node.waitUntilExit() } }
        let put = ["submit", "kv.put", "key=meter", "value=42", "--once", "meter-2026-11-30"]
        for bad in ["5x", "-1s", "ms", "1.5.0s"] {
            let usage = try fixture.tx("alice", put + ["--timeout", bad], expect: 64)
            XCTAssertTrue(usage.stderr.contains("--timeout"), usage.stderr)
        }

        // The node stops answering: the wait ends after 500 ms with exit 75.
        kill(node.processIdentifier, SIGSTOP)
        let started = Date()
        let lost = try fixture.tx("alice", put + ["--timeout", "500ms"], expect: 75)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(lost.stderr.contains("did not answer within 0.5 s; the outcome of transaction "), lost.stderr)
        XCTAssertTrue(lost.stderr.hasSuffix("is unknown: running the same command again with the same --once key is safe\n"), lost.stderr)
        let txid = try XCTUnwrap(lost.stderr.split(separator: " ").drop { $0 != "transaction" }.dropFirst().first.map(String.init))

        // It runs again and commits what it had received; the retry is answered with it.
        kill(node.processIdentifier, SIGCONT)
        var found = false
        for _ in 0..<100 where !found {
            found = try fixture.tx("alice", ["tx", txid], expect: nil).status == 0
            if !found { usleep(100_000) }
        }
        XCTAssertTrue(found, "the transaction sent before the timeout committed")
        let retry = json(try fixture.tx("alice", put + ["--timeout", "30s"]).stdout)
        XCTAssertEqual(retry["txid"] as? String, txid)
        XCTAssertEqual(retry["outcome"] as? String, "already-done")
        let history = try fixture.tx("alice", ["history", "kv/meter", "--format", "json"]).stdout.split(separator: "\n").filter { $0.contains("\"value\"") }
        XCTAssertEqual(history.count, 1, "one write: \(history)")
        XCTAssertEqual(try fixture.tx("alice", ["submit", "kv.put", "key=k", "value=v", "--timeout", "2m"]).status, 0)

        // In a batch the key is an argument; two lines with one key: one effect, both answered with it.
        let lines = [#"{"call":"kv.put","args":{"csp.once":"batch-1","key":"b","value":"1"}}"#,
                     #"{"call":"kv.put","args":{"csp.once":"batch-1","key":"b","value":"2"}}"#,
                     #"{"call":"kv.put","args":{"csp.once":"meter-2026-11-30","key":"meter","value":"43"}}"#]
        let batch = try fixture.tx("alice", ["submit", "--batch", "-"], input: Data(lines.joined(separator: "\n").utf8)).stdout
            .split(separator: "\n").map { json(String($0)) }
        XCTAssertEqual(batch.map { $0["outcome"] as? String ?? "" }.sorted(), ["already-done", "already-done", "committed"], "\(batch)")
        XCTAssertEqual(batch[0]["txid"] as? String, batch[1]["txid"] as? String)
        XCTAssertEqual(batch[2]["txid"] as? String, txid)
        let values = try fixture.tx("alice", ["history", "kv/b", "--format", "json"]).stdout.split(separator: "\n").filter { $0.contains("\"value\"") }
        XCTAssertEqual(values.count, 1, "\(values)")
    }
}

/// Results of processes run on several threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [ProcessResult] = []

    func append(_ result: ProcessResult) { lock.withLock { results.append(result) } }
    var all: [ProcessResult] { lock.withLock { results } }
}
